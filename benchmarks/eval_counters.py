#!/usr/bin/env python3
"""Evaluate fast BPE counting libraries against tiktoken: identical counts on the differential battery, and speed.

For cl100k_base and o200k_base, each installed candidate counts every text of tests/differential.py (multilingual
set, bundled corpus whole and per line, code, adversarial strings, 100k-character words, invalid UTF-8), the
code-point sweep, and --fuzz random strings; the reference is tiktoken's encode_ordinary on our rank files.
Lone surrogates are replaced before a candidate sees them, as tiktoken does (every native path raises on them).
Then single-core speed on the bundled corpus (whole documents and per line), as median of --runs interleaved
runs; ratio = tiktoken time / candidate time. Candidates that are not installed are reported as such.

    pip install splintr-rs toktok-rs rs-bpe bpe-openai
    taskset -c 0 python benchmarks/eval_counters.py [--runs 5] [--fuzz 20000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from costcalc.tokenizers import assets, get_tokenizer  # noqa: E402
from tests import differential  # noqa: E402

ENCODINGS = ["cl100k_base", "o200k_base"]
Count = Callable[[str], int]


def _guard(count: Count) -> Count:
    """Replace lone surrogates first, exactly as tiktoken's encode_ordinary does."""
    def guarded(text: str) -> int:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return count(text)
    return guarded


def splintr_counter(enc: str) -> Count:
    from costcalc.tokenizers.backends import fastcount, tiktoken_bpe

    return fastcount.FastCounter(assets.read_asset(f"openai:{enc}"), tiktoken_bpe._OPENAI[enc][0])


def toktok_counter(enc: str) -> Count:
    import toktok

    return _guard(lambda text: toktok.batch_count([text], enc, threads=1)[0])


def rs_bpe_counter(enc: str) -> Count:
    from rs_bpe.bpe import openai

    tok = getattr(openai, enc)()
    return _guard(tok.count)


def bpe_openai_counter(enc: str) -> Count:
    import bpe_openai

    e = bpe_openai.get_encoding(enc)
    return _guard(lambda text: len(e.encode_ordinary(text)))


CANDIDATES = {"splintr-rs": splintr_counter, "toktok-rs": toktok_counter, "rs-bpe": rs_bpe_counter,
              "bpe-openai": bpe_openai_counter}


def fuzz_texts(n: int, seed: int = 16) -> list[str]:
    rng = random.Random(seed)
    pool = " \t\n\r'aZ1.!-/é字ก़👍\u0301\u200d"
    texts = []
    for _ in range(n):
        size = rng.randrange(1, 120)
        texts.append("".join(rng.choice(pool) if rng.random() < 0.5 else chr(rng.randrange(0x110000))
                             for _ in range(size)))
    return texts


def differing(count: Count, texts: list[str], want: list[int]) -> int:
    bad = 0
    for text, expected in zip(texts, want, strict=True):
        try:
            bad += count(text) != expected
        except Exception:  # a crash is a wrong count
            bad += 1
    return bad


def cold(count: Count) -> None:
    """Empty splintr's cache of pre-tokens, so no run profits from the one before (tiktoken keeps none)."""
    tok = getattr(count, "_tok", None)
    if tok is not None:
        tok.clear_cache()


def paired(a: Callable[[], object], b: Callable[[], object], runs: int,
           reset: Callable[[], None]) -> tuple[float, float]:
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(runs):
        for slot, fn in ((0, a), (1, b)) if i % 2 == 0 else ((1, b), (0, a)):
            reset()
            start = time.perf_counter()
            fn()
            times[slot].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fuzz", type=int, default=20000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    parts = differential.battery()
    sweep = [text for _, text in differential.sweep_texts()]
    fuzz = fuzz_texts(args.fuzz)
    docs, lines = differential.corpus_docs(), differential.corpus_lines()
    mb = sum(len(d.encode("utf-8")) for d in docs) / 2**20
    print(f"battery: {sum(len(t) for _, t in parts)} texts, sweep {len(sweep)} batches, fuzz {len(fuzz)}; "
          f"speed on {mb:.2f} MB, median of {args.runs} interleaved runs, one core")
    for enc in ENCODINGS:
        ref = get_tokenizer(f"openai:{enc}").encoding
        want = {name: [len(ref.encode_ordinary(t)) for t in texts] for name, texts in parts}
        want_sweep = [len(ref.encode_ordinary(t)) for t in sweep]
        want_fuzz = [len(ref.encode_ordinary(t)) for t in fuzz]
        for cand, make in CANDIDATES.items():
            try:
                count = make(enc)
            except Exception as e:
                print(f"{enc:12} {cand:11} unavailable: {type(e).__name__}: {e}")
                continue
            wrong = {name: differing(count, texts, want[name]) for name, texts in parts}
            wrong["sweep"] = differing(count, sweep, want_sweep)
            wrong["fuzz"] = differing(count, fuzz, want_fuzz)
            bad = {k: v for k, v in wrong.items() if v}
            whole = paired(lambda c=count: [c(d) for d in docs],
                           lambda r=ref: [r.encode_ordinary(d) for d in docs], args.runs, lambda c=count: cold(c))
            per_line = paired(lambda c=count: [c(s) for s in lines],
                              lambda r=ref: [r.encode_ordinary(s) for s in lines], args.runs, lambda c=count: cold(c))
            print(f"{enc:12} {cand:11} identical: {'yes' if not bad else 'NO ' + str(bad)}; speed-up whole docs "
                  f"{whole[1] / whole[0]:.2f}x, per line {per_line[1] / per_line[0]:.2f}x", flush=True)


if __name__ == "__main__":
    main()
