"""Count a corpus with several tokenizers: one long DataFrame (tokenizer, lang, doc, chars, bytes, tokens, exact).

Counting protocol (the same everywhere): each document is encoded on its own, without special tokens or BOS;
counts are summed per (tokenizer, language). Results are cached on disk by (tokenizer fingerprint, text sha256),
so a rerun only loads what it lacks; missing counts are computed in worker processes, one task per tokenizer
and batch of texts, spread over all cores.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING, NamedTuple

from costcalc.cache import CountCache, count_key, text_key
from costcalc.corpus import Corpus

if TYPE_CHECKING:
    import pandas as pd

    from costcalc.matrix import Premium

COLUMNS = ["tokenizer", "lang", "doc", "chars", "bytes", "tokens", "exact"]
# Loading a tokenizer costs 0.01-1 s per process, so work is split by tokenizer first (each worker loads only
# the tokenizers it counts) and by text only when there are fewer tokenizers than workers or a task is huge.
MAX_TASK_CHARS = 8_000_000
# Relative load + count cost per 1M characters (mistral-common imports and tekken's 0.7 s load are the slowest,
# HF `tokenizers` counts at 2-4 MB/s); unknown names count as 1.
WEIGHT = {"mistral:tekken": 3.0, "mistral:spm": 2.0, "anthropic:claude-2": 2.0}

Progress = Callable[[int, int], None]  # (done, total) in characters


def _count_batch(name: str, texts: list[str]) -> list[int]:
    """Worker: load (once per process) and count, on one thread: parallelism comes from the processes."""
    from costcalc.tokenizers import get_tokenizer

    return get_tokenizer(name).count_batch(texts, threads=1)


def _preimport(names: Sequence[str]) -> None:
    """Import the tokenizer libraries once here, before the workers fork, so that they inherit them instead of
    each paying the import (mistral-common alone takes ~0.25 s)."""
    import importlib

    from costcalc.tokenizers.registry import library_modules

    for module in sorted({m for name in names for m in library_modules(name)}):
        importlib.import_module(module)


def single_threaded_worker() -> None:
    """ProcessPool initializer: HF `tokenizers` sizes its own thread pool from this variable."""
    os.environ["RAYON_NUM_THREADS"] = "1"


def _batches(keys: list[str], texts: dict[str, str], parts: int) -> list[list[str]]:
    """`keys` in about `parts` batches of similar size, none over MAX_TASK_CHARS."""
    total = sum(len(texts[k]) for k in keys)
    limit = min(MAX_TASK_CHARS, max(1, -(-total // max(parts, 1))))
    batches, current, size = [], [], 0
    for key in keys:
        current.append(key)
        size += len(texts[key])
        if size >= limit:
            batches.append(current)
            current, size = [], 0
    if current:
        batches.append(current)
    return batches


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def count_texts(texts: dict[str, str], tokenizers: Sequence[str], ids: dict[str, tuple[str, bool]] | None = None,
                *, workers: int | None = None, cache: CountCache | None = None,
                progress: Progress | None = None) -> dict[str, dict[str, int]]:
    """{tokenizer name: {text sha256: tokens}} for every text, from the cache where possible."""
    cache = cache if cache is not None else CountCache()
    ids = ids or {name: identity(name) for name in tokenizers}
    result: dict[str, dict[str, int]] = {}
    todo: list[tuple[str, str, list[str]]] = []  # (name, fingerprint, keys)
    workers = workers or default_workers()
    pending = {}
    for name in tokenizers:
        fingerprint = count_key(name, ids[name][0])
        known = cache.get_many(fingerprint, texts)
        result[name] = dict(known)
        missing = [k for k in texts if k not in known]
        if missing:
            pending[name] = (fingerprint, missing)
    parts = -(-workers // max(len(pending), 1))  # split texts only when tokenizers < workers
    for name, (fingerprint, missing) in pending.items():
        todo += [(name, fingerprint, batch) for batch in _batches(missing, texts, parts)]
    # Longest first, so the pool's greedy hand-out balances the workers.
    todo.sort(key=lambda t: -WEIGHT.get(t[0].removeprefix("estimate:"), 1.0) * sum(len(texts[k]) for k in t[2]))
    total = sum(len(texts[k]) for _, _, batch in todo for k in batch)
    done = 0
    if progress:
        progress(0, total)
    workers = min(workers, len(todo))

    def record(name: str, fingerprint: str, batch: list[str], tokens: list[int]) -> None:
        nonlocal done
        counts = dict(zip(batch, tokens, strict=True))
        result[name].update(counts)
        cache.put_many(fingerprint, counts)
        done += sum(len(texts[k]) for k in batch)
        if progress:
            progress(done, total)

    if workers <= 1:
        for name, fingerprint, batch in todo:
            record(name, fingerprint, batch, _count_batch(name, [texts[k] for k in batch]))
        return result
    _preimport([name for name, _, _ in todo])
    with ProcessPoolExecutor(max_workers=workers, initializer=single_threaded_worker) as pool:
        futures = {pool.submit(_count_batch, name, [texts[k] for k in batch]): (name, fingerprint, batch)
                   for name, fingerprint, batch in todo}
        for future in as_completed(futures):
            record(*futures[future], future.result())
    return result


class Count(NamedTuple):
    tokenizer: str
    lang: str
    doc: str
    chars: int
    bytes: int
    tokens: int
    exact: bool


def identity(name: str) -> tuple[str, bool]:
    """(fingerprint, exact) of a tokenizer, from the asset manifest where possible so that a fully cached
    run never loads a tokenizer library. A closed family has its base's fingerprint and is never exact."""
    from costcalc.tokenizers import get_tokenizer, list_tokenizers
    from costcalc.tokenizers.families import FAMILIES

    if name in FAMILIES:
        return identity(FAMILIES[name].base)[0], False
    known = {info.name: info for info in list_tokenizers()}
    base = name.removeprefix("estimate:")
    info = known.get(base)
    if info is not None and info.fingerprint and "*" not in base:
        return info.fingerprint, name == base
    tok = get_tokenizer(name)
    return tok.fingerprint, tok.exact


def count_rows(corpus: Corpus, tokenizers: Sequence[str], *, languages: Sequence[str] | None = None,
               workers: int | None = None, cache: CountCache | None = None,
               progress: Progress | None = None) -> list[Count]:
    """Token counts per (tokenizer, language, document), following the counting protocol. A closed family
    counts with its base tokenizer, scaled by the active calibration for each document's language."""
    from costcalc.tokenizers.families import FAMILIES

    wanted = set(languages) if languages else None
    docs = [d for d in corpus.documents if wanted is None or d.lang in wanted]
    keys = [text_key(d.text) for d in docs]
    counted_with = {name: FAMILIES[name].base if name in FAMILIES else name for name in tokenizers}
    bases = list(dict.fromkeys(counted_with.values()))
    ids = {name: identity(name) for name in bases}
    counts = count_texts(dict(zip(keys, (d.text for d in docs), strict=True)), bases, ids,
                         workers=workers, cache=cache, progress=progress)
    scale = _calibrated_scales(tokenizers, {d.lang for d in docs})
    return [Count(name, d.lang, d.doc, len(d.text), len(d.text.encode("utf-8")),
                  scale[(name, d.lang)](counts[counted_with[name]][key]) if name in FAMILIES
                  else counts[name][key], ids[counted_with[name]][1] and name not in FAMILIES)
            for name in tokenizers for d, key in zip(docs, keys, strict=True)]


def _calibrated_scales(tokenizers: Sequence[str], languages: set[str]) -> dict[tuple[str, str], Callable[[int], int]]:
    """{(family, language): base tokens -> family tokens} from the active calibrations."""
    from costcalc.tokenizers.families import FAMILIES

    families = [t for t in tokenizers if t in FAMILIES]
    if not families:
        return {}
    from costcalc.calibrate.store import active

    cal = active()
    return {(f, lang): cal.resolve(f, lang).scale for f in families for lang in languages}


def count_corpus(corpus: Corpus, tokenizers: Sequence[str], *, languages: Sequence[str] | None = None,
                 workers: int | None = None, cache: CountCache | None = None,
                 progress: Progress | None = None) -> pd.DataFrame:
    """`count_rows` as a DataFrame (tokenizer, lang, doc, chars, bytes, tokens, exact)."""
    import pandas as pd

    rows = count_rows(corpus, tokenizers, languages=languages, workers=workers, cache=cache, progress=progress)
    return pd.DataFrame(rows, columns=COLUMNS)


def premium_rows(counts: Iterable[Count], reference: str = "en") -> list[Premium]:
    """premium(L, t) = tokens(L, t) / tokens(reference, t) over the documents present in both."""
    from costcalc.errors import InputError
    from costcalc.matrix import Premium

    table: dict[tuple[str, str], dict[str, Count]] = defaultdict(dict)
    for c in counts:
        table[(c.tokenizer, c.lang)][c.doc] = c
    if not any(lang == reference for _, lang in table):
        raise InputError(f"the corpus has no {reference!r} text to compare against",
                         "premiums need a reference language: pass --reference LANG")
    rows = []
    for (name, lang), docs in sorted(table.items()):
        ref = table.get((name, reference), {})
        shared = sorted(set(docs) & set(ref))
        if not shared:
            continue
        tokens = sum(docs[d].tokens for d in shared)
        ref_tokens = sum(ref[d].tokens for d in shared)
        rows.append(Premium(name, lang, len(shared), sum(docs[d].chars for d in shared), tokens, ref_tokens,
                            tokens / ref_tokens if ref_tokens else float("nan"),
                            all(docs[d].exact for d in shared)))
    return rows


def premiums(counts: pd.DataFrame, reference: str = "en") -> pd.DataFrame:
    """`premium_rows` over a counts DataFrame, as a DataFrame."""
    from dataclasses import asdict, fields

    import pandas as pd

    from costcalc.matrix import Premium

    rows = premium_rows((Count(*r) for r in counts[COLUMNS].itertuples(index=False)), reference)
    return pd.DataFrame([asdict(r) for r in rows], columns=[f.name for f in fields(Premium)])
