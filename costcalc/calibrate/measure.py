"""Vendor-count calibration: count every document of a corpus with the vendor's counting endpoint and with the
family's base tokenizer, and turn the totals into one calibration entry per language.

For language L with documents i: content_i = vendor_i - overhead, where overhead = vendor("x") - 1 is what the
vendor adds to every request (a one-letter message is one token in every byte-level vocabulary). The factor is
the ratio estimator sum(content) / sum(base); its 95% interval uses the spread of the documents around it
(Student t, n - 1 degrees of freedom). Vendor answers are cached per (vendor, model, endpoint, text sha256) in
the count cache, so an interrupted run resumes without recounting.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import date
from decimal import Decimal

from costcalc.calibrate.schema import Calibration
from costcalc.errors import UsageError

MINIMAL = "x"
Progress = Callable[[int, int], None]


def fit_ratio(base: Sequence[int], content: Sequence[float]) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """Ratio estimator sum(content) / sum(base) with a 95% interval from the documents' spread."""
    from costcalc.sampling import t_quantile_975

    sx = sum(base)
    if sx <= 0:
        raise UsageError("the base tokenizer counted no tokens in this language", "check the corpus")
    r = sum(content) / sx
    n = len(base)
    if n < 2:
        return _dec(r), None, None
    s2 = sum((y - r * x) ** 2 for x, y in zip(base, content, strict=True)) / (n - 1)
    half = t_quantile_975(n - 1) * math.sqrt(s2 / n) / (sx / n)
    return _dec(r), _dec(max(r - half, 1e-6)), _dec(r + half)


def _dec(x: float) -> Decimal:
    return Decimal(f"{x:.5f}")


def cache_fingerprint(vendor: str, model: str, endpoint: str) -> str:
    return hashlib.sha256(f"vendor-count|{vendor}|{model}|{endpoint}".encode()).hexdigest()


def vendor_counts(client, texts: dict[str, str], *, concurrency: int = 4, cache=None,
                  progress: Progress | None = None) -> dict[str, int]:
    """{text key: vendor count}, from the cache where possible, the rest with at most `concurrency` requests in
    flight; every answer is cached as it arrives (an interrupted run loses nothing)."""
    from costcalc.cache import CountCache

    cache = cache if cache is not None else CountCache()
    fingerprint = cache_fingerprint(client.vendor, client.model, client.endpoint)
    counts = dict(cache.get_many(fingerprint, texts))
    missing = [k for k in texts if k not in counts]
    done, total = len(counts), len(texts)
    if progress:
        progress(done, total)
    if not missing:
        return counts
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="costcalc-calibrate") as pool:
        futures = {pool.submit(client.count, texts[k]): k for k in missing}
        try:
            for future in as_completed(futures):
                key = futures[future]
                counts[key] = future.result()
                cache.put_many(fingerprint, {key: counts[key]})
                done += 1
                if progress:
                    progress(done, total)
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return counts


def calibrate_vendor(client, family: str, *, corpus: str = "bundled", languages: Sequence[str] = (),
                     concurrency: int = 4, cache=None, progress: Progress | None = None,
                     today: date | None = None) -> list[Calibration]:
    """One vendor-count calibration entry per language of `corpus` (or of `languages`)."""
    from costcalc.cache import text_key
    from costcalc.corpus import load_corpus
    from costcalc.tokenizers import get_tokenizer
    from costcalc.tokenizers.families import FAMILIES

    fam = FAMILIES[family]
    text = load_corpus(corpus)
    langs = text.require_languages(list(languages)) if languages else list(text.languages)
    docs = [d for d in text.documents if d.lang in langs and d.text.strip()]
    if not docs:
        raise UsageError(f"corpus {text.name!r} has no text in {', '.join(langs)}")
    texts = {text_key(d.text): d.text for d in docs}
    texts[text_key(MINIMAL)] = MINIMAL
    vendor = vendor_counts(client, texts, concurrency=concurrency, cache=cache, progress=progress)
    overhead = vendor[text_key(MINIMAL)] - 1
    base = get_tokenizer(fam.base)
    entries = []
    for lang in langs:
        mine = [d for d in docs if d.lang == lang]
        if not mine:
            continue
        xs = base.count_batch([d.text for d in mine])
        ys = [vendor[text_key(d.text)] - overhead for d in mine]
        factor, low, high = fit_ratio(xs, ys)
        entries.append(Calibration(
            family=family, base=fam.base, language=lang, factor=factor, factor_low=low, factor_high=high,
            overhead_tokens=Decimal(overhead), tokens_measured=sum(xs), documents=len(mine), model=client.model,
            corpus=text.name, corpus_sha256=text.sha256, method="vendor-count", measured=today or date.today(),
            confidence="high" if len(mine) >= 5 else "medium",
            note=(f"{client.vendor} counting endpoint for {client.model}: {sum(ys) + overhead * len(mine)} tokens "
                  f"for {len(mine)} documents ({overhead} per request subtracted)")))
    return entries
