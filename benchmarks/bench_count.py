#!/usr/bin/env python3
"""Throughput of costcalc's counting path vs the raw tokenizer library, and peak memory of `costcalc count`.

For each shipped tokenizer, on the same text in the same run (medians of --runs runs):
  call    tok.count(sample) vs the raw library's own encode, on an object of its own (tiktoken.get_encoding for
          OpenAI's encodings), on a 2 MB multilingual sample
  stream  costcalc.tokenizers.stream.count_stream over a >= 20 MB multilingual file (what `costcalc count`
          does: line-boundary chunks, batch API) vs the raw library encoding the whole file in one call;
          both on one thread, counts checked equal
Ratio = raw time / our time (>= 1 means we are as fast or faster; target >= 0.9).
Then, against raw tiktoken (`tiktoken.get_encoding(...).encode_ordinary`, loaded from the same rank files), on
one core, counts checked equal:
  vs-tiktoken  tok.count in this process on the same text, whole file and per line
  cli          `taskset -c 0 costcalc count FILE -t openai:...` on a --cli-mb multilingual file vs a fresh
               process of raw tiktoken on the same file (read in line-cut 1 MB blocks), start-up included
Then peak RSS (ru_maxrss of the child) of `costcalc count` on a generated --big-mb file (target < 300 MB).
Prints ratios and sizes only; no pass/fail. splintr-rs keeps a cache of pre-tokens; it is emptied before each
in-process run so that no run profits from the one before (each CLI run is a fresh process anyway).

    python benchmarks/bench_count.py [--mb 20] [--cli-mb 80] [--big-mb 1024] [--runs 3] [--only NAME,...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from costcalc.tokenizers import get_tokenizer  # noqa: E402
from costcalc.tokenizers.stream import count_stream  # noqa: E402

SHIPPED = ["openai:cl100k_base", "openai:o200k_base", "mistral:spm", "mistral:tekken", "anthropic:claude-2",
           "meta:llama-2", "meta:llama-3", "meta:llama-4"]


def seed_text() -> str:
    """Multilingual text we have: the bundled parallel corpus (if present) and the tests' multilingual set."""
    parts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora").glob("*/*/*.txt"))]
    doc = json.loads((ROOT / "tests/data/tokenizers/multilingual.json").read_text(encoding="utf-8"))
    parts += [item["text"] for item in doc["texts"]]
    return "\n".join(parts) + "\n"


def make_shuffled_file(path: Path, seed: str, megabytes: int) -> Path:
    """`megabytes` MB of the seed's lines, each copy in a new order (so no two copies are the same text)."""
    lines = [line for line in seed.splitlines(keepends=True) if line.strip()]
    rng = random.Random(16)
    target, written = megabytes * 1024 * 1024, 0
    with path.open("w", encoding="utf-8") as f:
        while written < target:
            rng.shuffle(lines)
            block = "".join(lines)
            f.write(block)
            written += len(block.encode("utf-8"))
    return path


def make_file(path: Path, seed: str, megabytes: int) -> Path:
    data = seed.encode("utf-8")
    target = megabytes * 1024 * 1024
    with path.open("wb") as f:
        written = 0
        while written < target:
            f.write(data)
            written += len(data)
    return path


def raw_encoder(name: str, tok) -> Callable[[str], int]:
    """The library's own encode call for `name`, as a user of that library would write it, on an object of its
    own (never the one costcalc counts with): tiktoken.get_encoding for OpenAI's encodings (TIKTOKEN_CACHE_DIR
    must hold the rank files, see tiktoken_cache), a fresh tiktoken.Encoding from the same ranks for Llama 3/4."""
    if name.startswith("openai:"):
        enc = raw_tiktoken(name.split(":", 1)[1])
        return lambda s: len(enc.encode_ordinary(s))
    if name in ("meta:llama-3", "meta:llama-4"):
        import tiktoken

        ours = tok.encoding
        enc = tiktoken.Encoding(f"raw-{name}", pat_str=ours._pat_str, mergeable_ranks=dict(ours._mergeable_ranks),
                                special_tokens=dict(ours._special_tokens))
        return lambda s: len(enc.encode_ordinary(s))
    if name.startswith("mistral:"):
        own = tok.tokenizer  # mistral-common's SentencePieceTokenizer / Tekkenizer
        return lambda s: len(own.encode(s, bos=False, eos=False))
    if name == "anthropic:claude-2":
        import tokenizers

        from costcalc.tokenizers import assets

        raw = tokenizers.Tokenizer.from_str(assets.read_asset(name).decode("utf-8"))
        raw.encode_special_tokens = True  # the same counting protocol, so counts are comparable
        return lambda s: len(raw.encode(s, add_special_tokens=False).ids)
    if name == "meta:llama-2":
        sp = tok.processor  # a plain sentencepiece.SentencePieceProcessor
        return lambda s: len(sp.encode(s))
    raise KeyError(name)


def cold(tok) -> None:
    """Empty splintr-rs's cache of pre-tokens (tiktoken keeps none), so that no run profits from the last."""
    inner = getattr(getattr(tok, "_counter", None), "_tok", None)
    if inner is not None:
        inner.clear_cache()


def paired_medians(ours: Callable[[], object], raw: Callable[[], object], runs: int,
                   reset: Callable[[], None] = lambda: None) -> tuple[float, float]:
    """Median times of `ours` and `raw`, run alternately so that machine noise hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(runs):
        order = ((0, ours), (1, raw)) if i % 2 == 0 else ((1, raw), (0, ours))
        for slot, fn in order:
            reset()
            t0 = time.perf_counter()
            fn()
            times[slot].append(time.perf_counter() - t0)
    return statistics.median(times[0]), statistics.median(times[1])


def raw_over_file(path: Path, encode: Callable[[str], int]) -> int:
    """The raw library on the whole file, as its user would count it: read, decode, one encode call (cutting the
    text anywhere else would change SentencePiece counts, and this is the count costcalc must equal)."""
    return encode(path.read_bytes().decode("utf-8"))


def bench_throughput(names: list[str], path: Path, runs: int) -> None:
    """Both sides on one thread, so the ratio compares counting code, not thread counts; counts checked equal."""
    text = path.read_text(encoding="utf-8")
    sample = text[: 2 * 1024 * 1024]
    size_mb = path.stat().st_size / 2**20
    print(f"throughput: file {size_mb:.1f} MB, sample {len(sample.encode()) / 2**20:.1f} MB, one thread on both "
          f"sides, median of {runs}")
    print(f"{'tokenizer':20} {'call MB/s':>10} {'raw MB/s':>9} {'ratio':>6} {'stream MB/s':>12} "
          f"{'raw MB/s':>9} {'ratio':>6}")
    sample_mb = len(sample.encode()) / 2**20
    for name in names:
        tok = get_tokenizer(name)
        raw = raw_encoder(name, tok)
        assert tok.count(sample) == raw(sample), name
        ours_call, raw_call = paired_medians(lambda tok=tok: tok.count(sample), lambda raw=raw: raw(sample), runs,
                                             lambda tok=tok: cold(tok))

        def stream(tok=tok) -> int:
            with path.open("rb") as f:
                return count_stream([tok], f, str(path), threads=1)[0][0]

        assert stream() == raw_over_file(path, raw), name
        ours_stream, raw_stream = paired_medians(stream, lambda raw=raw: raw_over_file(path, raw), runs,
                                                 lambda tok=tok: cold(tok))
        print(f"{name:20} {sample_mb / ours_call:10.2f} {sample_mb / raw_call:9.2f} {raw_call / ours_call:6.2f} "
              f"{size_mb / ours_stream:12.2f} {size_mb / raw_stream:9.2f} {raw_stream / ours_stream:6.2f}",
              flush=True)


# tiktoken.get_encoding reads its rank files from TIKTOKEN_CACHE_DIR (named by the sha1 of their URL) and checks
# their sha256; the benchmark puts our shipped files there, so raw tiktoken loads offline what it would download.
_TIKTOKEN_URLS = {"cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
                  "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"}


def tiktoken_cache(directory: Path) -> Path:
    from costcalc.tokenizers import assets

    directory.mkdir(parents=True, exist_ok=True)
    for enc, url in _TIKTOKEN_URLS.items():
        (directory / hashlib.sha1(url.encode()).hexdigest()).write_bytes(assets.read_asset(f"openai:{enc}"))
    return directory


def raw_tiktoken(enc_name: str):
    import tiktoken

    return tiktoken.get_encoding(enc_name)


def one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def bench_vs_tiktoken(path: Path, runs: int) -> None:
    """tok.count vs raw tiktoken's encode_ordinary in this process, on one core: whole file and per line."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    size_mb = len(text.encode("utf-8")) / 2**20
    print(f"vs raw tiktoken, one core, {size_mb:.1f} MB ({len(lines):,} lines), median of {runs} interleaved runs:")
    for enc_name in _TIKTOKEN_URLS:
        tok, raw = get_tokenizer(f"openai:{enc_name}"), raw_tiktoken(enc_name)
        whole = tok.count(text)
        assert whole == len(raw.encode_ordinary(text)), enc_name
        assert sum(map(tok.count, lines)) == sum(len(raw.encode_ordinary(line)) for line in lines), enc_name
        ours_w, raw_w = paired_medians(lambda tok=tok: tok.count(text), lambda raw=raw: raw.encode_ordinary(text),
                                       runs, lambda tok=tok: cold(tok))
        ours_l, raw_l = paired_medians(lambda tok=tok: [tok.count(line) for line in lines],
                                       lambda raw=raw: [raw.encode_ordinary(line) for line in lines], runs,
                                       lambda tok=tok: cold(tok))
        print(f"  {enc_name:12} {whole:,} tokens (identical): whole file {size_mb / ours_w:.1f} vs "
              f"{size_mb / raw_w:.1f} MB/s = {raw_w / ours_w:.2f}x; per line {size_mb / ours_l:.1f} vs "
              f"{size_mb / raw_l:.1f} MB/s = {raw_l / ours_l:.2f}x", flush=True)


# A fresh process of raw tiktoken counting FILE: 1 MB blocks cut where `costcalc count` may cut (after a newline
# between two non-space characters), so the sum is the whole-file count.
_RAW_COUNT = """
import sys, tiktoken
enc = tiktoken.get_encoding(sys.argv[2])
total, tail = 0, ""
with open(sys.argv[1], encoding="utf-8") as f:
    while block := f.read(1 << 20):
        text = tail + block
        cut = text.rfind("\\n")
        while cut > 0 and (cut + 1 >= len(text) or text[cut - 1].isspace() or text[cut + 1].isspace()):
            cut = text.rfind("\\n", 0, cut)
        cut = cut + 1 if cut > 0 else 0
        total += len(enc.encode_ordinary(text[:cut]))
        tail = text[cut:]
total += len(enc.encode_ordinary(tail))
print(total)
"""


def _run_count(cmd: list[str], env: dict[str, str], counts: dict[str, int], key: str) -> None:
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    counts[key] = json.loads(out)[0]["tokens"] if key == "ours" else int(out)


def bench_cli(path: Path, runs: int, cache: Path) -> None:
    """`taskset -c 0 costcalc count FILE` vs a raw tiktoken process on the same file, start-up included."""
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache), "COSTCALC_CACHE_DIR": ""}
    size_mb = path.stat().st_size / 2**20
    print(f"cli, {' '.join(pin) or 'unpinned'}: `costcalc count` vs raw tiktoken process, {size_mb:.0f} MB, "
          f"start-up included, median of {runs} interleaved runs:")
    for enc_name in _TIKTOKEN_URLS:
        ours = [*pin, sys.executable, "-m", "costcalc", "count", str(path), "-t", f"openai:{enc_name}",
                "--format", "json"]
        raw = [*pin, sys.executable, "-c", _RAW_COUNT, str(path), enc_name]
        counts: dict[str, int] = {}
        ours_t, raw_t = paired_medians(lambda ours=ours, c=counts: _run_count(ours, env, c, "ours"),
                                       lambda raw=raw, c=counts: _run_count(raw, env, c, "raw"), runs)
        same = "identical" if counts["ours"] == counts["raw"] else f"DIFFERENT: raw {counts['raw']:,}"
        print(f"  {enc_name:12} {counts['ours']:,} tokens ({same}): costcalc {ours_t:.1f} s vs raw tiktoken "
              f"{raw_t:.1f} s = {raw_t / ours_t:.2f}x", flush=True)


# Runs the command and prints its peak RSS. A small fresh parent matters: a forked child's ru_maxrss starts
# from the parent's image, and this benchmark's own process holds every tokenizer by then.
_PEAK_RSS = ("import resource, subprocess, sys; "
             "subprocess.run(sys.argv[2:], check=True, stdout=open(sys.argv[1], 'w')); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def bench_memory(path: Path, tokenizer: str) -> None:
    out = path.with_suffix(".json")
    cmd = [sys.executable, "-c", _PEAK_RSS, str(out),
           sys.executable, "-m", "costcalc", "count", str(path), "-t", tokenizer, "--format", "json"]
    t0 = time.perf_counter()
    peak_kib = int(subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout)
    elapsed = time.perf_counter() - t0
    row = json.loads(out.read_text(encoding="utf-8"))[0]
    print(f"memory: `costcalc count` {path.stat().st_size / 2**30:.2f} GB with {tokenizer}: "
          f"peak RSS {peak_kib / 1024:.0f} MB (target < 300), {row['tokens']:,} tokens, {elapsed:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=20, help="size of the throughput file (MB)")
    parser.add_argument("--big-mb", type=int, default=1024, help="size of the peak-memory file (MB; 0 = skip)")
    parser.add_argument("--cli-mb", type=int, default=80, help="size of the `costcalc count` file (MB; 0 = skip)")
    parser.add_argument("--skip-throughput", action="store_true", help="only the vs-tiktoken, cli and memory parts")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default=",".join(SHIPPED), help="comma-separated tokenizer names")
    parser.add_argument("--memory-tokenizer", default="openai:cl100k_base",
                        help="comma-separated tokenizers for the peak-memory run(s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="costcalc-bench-") as tmp:
        seed = seed_text()
        medium = make_file(Path(tmp) / "multilingual-20mb.txt", seed, args.mb)
        cache = tiktoken_cache(Path(tmp) / "tiktoken-cache")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
        if not args.skip_throughput:
            bench_throughput(args.only.split(","), medium, args.runs)
        affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        one_core()
        bench_vs_tiktoken(medium, args.runs)
        if affinity:
            os.sched_setaffinity(0, affinity)
        if args.cli_mb:
            bench_cli(make_shuffled_file(Path(tmp) / "multilingual-cli.txt", seed, args.cli_mb), args.runs, cache)
        if args.big_mb:
            big = make_file(Path(tmp) / "big.txt", medium.read_text(encoding="utf-8"), args.big_mb)
            os.sync()
            for name in args.memory_tokenizer.split(","):
                bench_memory(big, name)


if __name__ == "__main__":
    main()
