"""Orchestration of a comparison (docs/cost-model.md): resolve the preset, look up the offerings, count the corpus with
each model's own tokenizer, price the counts under the workload and build the CostMatrix with its provenance and
caveats; finished matrices are cached by a hash of every input. The formulas are in costcalc.cost_model, the result
type in costcalc.matrix, the named comparisons in costcalc.presets."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.cost_model import Workload, blend, context, ratio
from costcalc.errors import InputError, NoPriceError, UsageError
from costcalc.matrix import (
    Caveat,
    CorpusInfo,
    CostMatrix,
    DocumentCounts,
    GenreCost,
    LeftOut,
    OfferingCost,
    OfferingSource,
    PriceChange,
    PriceHistory,
    PriceSource,
    Provenance,
    Ratio,
    TokenizerUsed,
)

if TYPE_CHECKING:
    import pandas as pd

    from costcalc.corpus import Corpus
    from costcalc.counting import Count
    from costcalc.prices import Offering, PriceBook, Quote


def _offerings(book: PriceBook, models: Sequence[str], base: str, as_of: date,
               all_hosts: bool = False) -> tuple[list[Offering], Offering, dict[str, str]]:
    """The offerings to compare, the base, and {name as given: offering ref} for each name that was an alias,
    a bare id or a dated snapshot id, so that a report can say which model it used."""
    from costcalc.prices.models import ALL_HOSTS, ModelIndex

    if all_hosts or any(m.endswith(ALL_HOSTS) for m in [*models, base]):
        index = ModelIndex.of(book)
        expanded = index.expand(models, as_of, all_hosts)
        # A model's own name (not any host's offering) as the base means its first host, as in the list.
        if base.endswith(ALL_HOSTS) or (all_hosts and _ref_or_none(book, base) is None):
            base = index.expand([base], as_of, all_hosts)[0]
        models = expanded
    offerings: list[Offering] = []
    resolved: dict[str, str] = {}

    def lookup(name: str) -> Offering:
        off = book.lookup(name, as_of)
        if off.ref != name:
            resolved[name] = off.ref
        return off

    for name in models:
        off = lookup(name)
        if off.ref not in {o.ref for o in offerings}:
            offerings.append(off)
    if not offerings:
        raise UsageError("nothing to compare: no offerings selected", "pass -m provider/model (repeatable)")
    base_off = lookup(base)
    if base_off.ref not in {o.ref for o in offerings}:
        raise UsageError(f"base {base!r} is not among the compared offerings",
                         f"add -m {base} or choose --base from: {', '.join(o.ref for o in offerings)}")
    for off in offerings:
        off.entry(as_of)  # raises "no price for X on D; first price from D0"
    return offerings, base_off, resolved


def _ref_or_none(book: PriceBook, name: str) -> str | None:
    """The canonical ref of `name`, or None when this price book (e.g. a user's own) does not have it."""
    from costcalc.errors import UnknownOfferingError

    try:
        return book.lookup(name).ref
    except UnknownOfferingError:
        return None


def compute(book: PriceBook, corpus: Corpus, *, languages: Sequence[str], models: Sequence[str], base: str,
            as_of: date, currency: str, workload: Workload, counts: Iterable[Count] | pd.DataFrame | None = None,
            reference: str = "en", workers: int | None = None, progress=None,
            genres: Mapping[str, Decimal] | None = None, all_hosts: bool = False) -> CostMatrix:
    """The cost matrix of `models` in `languages`, relative to `base`, on `as_of`; `genres` weights the corpus
    documents (costcalc.genre), None pools them all; `all_hosts` puts every host of each model in."""
    from costcalc.counting import COLUMNS, Count, count_rows, premium_rows
    from costcalc.genre import genre_weights
    from costcalc.genre import rate as genre_rate

    if not languages:
        raise UsageError("nothing to compare: no languages selected", "pass -l LANG or -l all")
    offerings, base_off, resolved = _offerings(book, models, base, as_of, all_hosts)
    genres = genre_weights(genres or {}, list(corpus.genres))
    if reference not in corpus.by_lang:
        raise InputError(f"corpus {corpus.name!r} has no {reference!r} text: costs are per 1M characters of "
                         "English-equivalent content", "add English documents to the corpus")
    tokenizer_names = sorted({o.tokenizer for o in offerings})
    if counts is None:
        counts = count_rows(corpus, tokenizer_names, languages=sorted({*languages, reference}),
                            workers=workers, progress=progress)
    elif hasattr(counts, "itertuples"):
        counts = [Count(*r) for r in counts[COLUMNS].itertuples(index=False)]
    counts = list(counts)
    tokens: dict[tuple[str, str, str], int] = {(c.tokenizer, c.lang, c.doc): c.tokens for c in counts}
    chars: dict[tuple[str, str], int] = {(c.lang, c.doc): c.chars for c in counts}
    exact = {c.tokenizer: c.exact for c in counts}
    quotes = {o.ref: o.price(as_of, currency) for o in offerings}
    calibrations = _calibrations(tokenizer_names, [*languages, reference])
    absolute, relative, by_genre = [], [], []
    for lang in languages:
        shared = corpus.aligned([lang, reference])
        if not shared:
            raise InputError(f"no documents shared by {lang!r} and {reference!r} in corpus {corpus.name!r}")
        chars_en = {d: chars[(reference, d)] for d in shared}
        chars_l = {d: chars[(lang, d)] for d in shared}
        costs = {}
        for off in offerings:
            q, t = quotes[off.ref], off.tokenizer
            toks = {d: tokens[(t, lang, d)] for d in shared}
            toks_en = {d: tokens[(t, reference, d)] for d in shared}
            (num_l, den), (num_en, _), (num_chars, _) = (genre_rate(units, chars_en, shared, genres)
                                                         for units in (toks, toks_en, chars_l))
            rate_l, rate_en, rate_chars = num_l / den, num_en / den, num_chars / den
            character_billed = q.entry.unit == "character"
            eff_in, eff_out, notes = blend(q, workload)
            share_in, share_out = workload.units
            price = eff_in * share_in + eff_out * share_out
            costs[off.ref] = price * (num_chars if character_billed else num_l) / den
            window = off.model.context_window
            absolute.append(OfferingCost(
                language=lang, offering=off.ref, name=off.model.name, tokenizer=t, exact=exact[t],
                calibration=calibrations[t][lang]["label"] if t in calibrations else "",
                documents=len(shared), chars=sum(chars_l.values()), chars_en=sum(chars_en.values()),
                tokens=sum(toks.values()), tokens_en=sum(toks_en.values()),
                tokens_per_1m_chars=float(rate_l * 1_000_000), premium=float(num_l / num_en) if num_en else math.nan,
                unit=q.entry.unit, input_price=q.input, output_price=q.output, currency=currency,
                cost=costs[off.ref], confidence=q.entry.confidence, notes="; ".join(notes),
                **context(window, rate_l, rate_en, rate_chars)))
            for d in shared:
                units = chars_l[d] if character_billed else toks[d]
                by_genre.append(GenreCost(lang, d, off.ref, t, toks[d], toks_en[d], chars_en[d],
                                          toks[d] / toks_en[d] if toks_en[d] else math.nan,
                                          price * Decimal(units) / Decimal(chars_en[d])))
        for off in offerings:
            cost = costs[off.ref]
            relative.append(Ratio(lang, off.ref, base_off.ref, ratio(cost, costs[base_off.ref]),
                                  exact[off.tokenizer] and exact[base_off.tokenizer]))
    premiums = premium_rows([c for c in counts if c.lang in {*languages, reference}], reference)
    compared = {o.ref for o in offerings}
    notes = (caveats(offerings, quotes, exact, {r.offering: r.notes for r in absolute}, as_of, workload,
                     basis={r.offering: r.calibration for r in absolute if r.calibration})
             + [Caveat(ref, "resolved", f"{name} resolved to {ref} on {as_of}") for name, ref in resolved.items()]
             + [Caveat(note.split(":")[0], "your-price", note.split(": ", 1)[1])
                for note in book.overlay_notes if note.split(":")[0] in compared])
    provenance = _provenance(book, corpus, offerings, quotes, exact, calibrations, as_of, currency, workload,
                             reference, tuple(notes), genres)
    published = None
    from costcalc.presets import PUBLISHED_DEFAULT

    if (list(languages) == [PUBLISHED_DEFAULT["language"]] and as_of == PUBLISHED_DEFAULT["as_of"]
            and base_off.ref == _ref_or_none(book, PUBLISHED_DEFAULT["base"]) and workload == Workload()):
        published = {_ref_or_none(book, k): v for k, v in PUBLISHED_DEFAULT["ratios"].items()
                     if _ref_or_none(book, k) in quotes}
    both = sorted({*languages, reference})
    documents = DocumentCounts(
        chars={lang: {d: chars[(lang, d)] for d in corpus.aligned([lang, reference])} for lang in both},
        tokens={t: {lang: {d: tokens[(t, lang, d)] for d in corpus.aligned([lang, reference])} for lang in both}
                for t in tokenizer_names})
    return CostMatrix(tuple(absolute), tuple(relative), tuple(premiums), provenance, base_off.ref, list(languages),
                      [o.ref for o in offerings], published, tuple(by_genre), documents,
                      price_history(offerings, as_of, currency))


def _calibrations(tokenizers: Sequence[str], languages: Sequence[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """{family: {language: the calibration its counts used}} for the closed families among `tokenizers`."""
    from costcalc.tokenizers.families import FAMILIES

    families = [t for t in tokenizers if t in FAMILIES]
    if not families:
        return {}
    from costcalc.calibrate.store import active

    cal = active()
    return {f: {lang: cal.resolve(f, lang).to_dict() for lang in dict.fromkeys(languages)} for f in families}


FX_STALE_DAYS = 5  # ECB publishes on working days: more than a long weekend old is worth saying


def caveats(offerings: list[Offering], quotes: dict[str, Quote], exact: dict[str, bool], fallbacks: dict[str, str],
            as_of: date, workload: Workload, today: date | None = None,
            basis: dict[str, str] | None = None) -> list[Caveat]:
    """Everything a reader must know before trusting a figure, one Caveat each (offering None: the whole
    report). Every report format prints all of them."""
    today = today or date.today()
    out: list[Caveat] = []

    def add(offering: str | None, kind: str, text: str) -> None:
        out.append(Caveat(offering, kind, text))

    if as_of > today:
        add(None, "future-date", f"prices as of {as_of}, a date in the future: these are the prices recorded "
                                 f"today ({today}), not announced ones")
    for off in offerings:
        q = quotes[off.ref]
        for note in filter(None, fallbacks.get(off.ref, "").split("; ")):
            add(off.ref, "price-fallback", note)
        if not exact[off.tokenizer]:
            how = (basis or {}).get(off.ref)  # a calibrated family says how and when it was calibrated
            add(off.ref, "estimate", "token counts are an estimate: the vendor's tokenizer is not public; " +
                (how if how else f"counted with {off.tokenizer}"))
        if q.entry.confidence == "low":
            add(off.ref, "low-confidence", "low-confidence price (sources disagree)"
                + (f": {q.entry.note}" if q.entry.note else ""))
        if q.fx_date is not None and (as_of - q.fx_date).days > FX_STALE_DAYS:
            add(off.ref, "fx-age", f"{q.billed_currency}/{q.currency} rate of {q.fx_date}, "
                                   f"{(as_of - q.fx_date).days} days before the as-of date")
        until = getattr(q.entry, "until", None)
        if until is not None and as_of >= until:
            add(off.ref, "retired", f"retired on {until}, before the as-of date {as_of}")
    if workload.cached_share and all("cached-input" in fallbacks.get(o.ref, "") for o in offerings):
        add(None, "no-effect", "--cached-share had no effect: no compared offering has a cached-input price")
    if workload.batch_share and all("batch price" in fallbacks.get(o.ref, "") for o in offerings):
        add(None, "no-effect", "--batch-share had no effect: no compared offering has a batch price")
    return out


def price_info(q: Quote) -> PriceSource:
    """What an offering's price entry says on the quote's day, in the report currency, with its sources."""
    return PriceSource(effective_from=q.entry.from_, billed_currency=q.billed_currency, billed_input=q.entry.input,
                       billed_output=q.entry.output, fx_rate=q.fx_rate, fx_date=q.fx_date, input=q.input,
                       output=q.output, unit=q.entry.unit, source=q.citation_text(), sources=q.citations(),
                       confidence=q.entry.confidence, note=q.entry.note, prices=dict(q.prices), tiers=list(q.tiers),
                       derived=dict(q.derived),
                       batch_factor=next((r.factor for r in q.rules if r.kind == "batch"), None),
                       regional_uplift=q.regional_uplift)


def price_history(offerings: Sequence[Offering], as_of: date, currency: str) -> PriceHistory:
    """The prices of each offering on every day up to `as_of` on which one of them changed (a new entry, a
    retirement, a provider rule such as batch pricing starting or ending), for the HTML page's as-of choice.
    Per offering only the days its price differs from the day before are kept."""
    rules = [r for off in offerings for r in off.provider.rules if r.covers(off.model.id)]
    starts = ({e.from_ for off in offerings for e in off.model.prices} | {off.model.until for off in offerings}
              | {r.from_ for r in rules} | {r.until for r in rules})
    days = sorted({day for day in starts if day and day <= as_of} | {as_of})
    changes: dict[str, list[PriceChange]] = {}
    for off in offerings:
        kept = changes.setdefault(off.ref, [])
        for day in days:
            try:
                info, why = price_info(off.price(day, currency)), None
            except NoPriceError as err:  # not yet priced, or retired: say which, without the day asked about
                info = None
                why = err.message if day >= off.first_priced else f"first priced on {off.first_priced}"
            if not kept or (kept[-1].price, kept[-1].why) != (info, why):
                kept.append(PriceChange(day, info, why))
    changed = {c.from_ for kept in changes.values() for c in kept}
    return PriceHistory([day for day in days if day in changed or day == as_of], changes)


def _provenance(book: PriceBook, corpus: Corpus, offerings: list[Offering], quotes: dict[str, Quote],
                exact: dict[str, bool], calibrations: dict[str, dict[str, dict[str, Any]]], as_of: date,
                currency: str, workload: Workload, reference: str, notes: tuple[Caveat, ...],
                genres: Mapping[str, Decimal] | None) -> Provenance:
    from costcalc.counting import identity
    from costcalc.genre import describe

    tokenizers = {name: TokenizerUsed(exact[name], identity(name)[0], calibrations.get(name))
                  for name in sorted({o.tokenizer for o in offerings})}
    return Provenance(
        price_table=book.version, as_of=as_of, currency=currency, workload=workload.describe(),
        workload_parameters={f.name: getattr(workload, f.name) for f in fields(workload)},
        reference_language=reference,
        content_unit=f"1M characters of {reference} text (parallel translations count their own tokens)",
        counting_protocol="each document encoded on its own, no special tokens or BOS; summed per language",
        corpus=CorpusInfo(corpus.name, corpus.sha256, corpus.origin, len(corpus.languages), len(corpus.doc_ids)),
        tokenizers=tokenizers,
        offerings={off.ref: OfferingSource(off.model.name, off.provider.name, off.tokenizer,
                                           off.model.context_window, price_info(quotes[off.ref]))
                   for off in offerings},
        fx_source=book.fx.source, caveats=notes, genre=describe(genres),
        genre_weights=dict(genres) if genres else None, genres=corpus.genres)


def compare(language: str | Sequence[str] | None = None, models: Sequence[str] | None = None,
            base: str | None = None, as_of: str | date | None = None, currency: str = "USD",
            workload: Workload | None = None, corpus: str = "bundled", pricing_dir: str | None = None,
            workers: int | None = None, progress=None, skip_unavailable: bool = False,
            genres: Mapping[str, Decimal | float | int] | Sequence[str] | None = None,
            preset: str | None = None, prices: Sequence[str | Path] | None = None,
            calibrations: Sequence[str | Path] = (), all_hosts: bool = False) -> CostMatrix:
    """Relative cost of the same content on each offering, counted with each model's own tokenizer.

    With no arguments: the preset `published-2023-12-14` (Italian input on 2023-12-14, Mistral Medium as base).

        m = costcalc.compare(language="it", as_of="2023-12-14", base="mistral/mistral-medium")
        m.relative        # DataFrame: language, offering, base, ratio = cost(offering) / cost(base), exact
        m.to_markdown()   # the report `costcalc report` prints

    Parameters:
        language: a BCP-47 code ("it", "zh-Hans"), a list of them, or "all" for every corpus language
            (default: the preset's).
        models: offerings as "provider/model" (aliases resolve on the as-of date); default: the preset's.
        base: the offering every ratio divides by (default: the preset's, else the first of `models`).
        as_of: prices in force on this date, "YYYY-MM-DD" or a date (default: the preset's, else today).
        currency: "USD" or "EUR"; other currencies convert at the ECB rate of the as-of date.
        workload: what is billed (a `Workload`: direction, output_ratio, cached_share, batch_share);
            default: input tokens only.
        corpus: a bundled corpus name or a path (directory, FLORES-style files, JSONL).
        pricing_dir: price tables to use instead of the bundled ones.
        workers: counting processes (default: all cores).
        progress: a callable(done, total) told the characters counted so far.
        skip_unavailable: leave out offerings whose tokenizer is an optional one that is not installed, and
            say so in the report, instead of failing (presets such as `current` do).
        genres: weights for the corpus documents by genre: {"technical-code": 2, "news-report": 1} or
            ["technical-code=2"]; None pools every document (all documents, equal characters).
        prices: your own price tables (files or directories) on top of the bundled ones; None reads
            $COSTCALC_PRICES. A model id you define replaces the bundled one and the report says so.
        preset: a named comparison ("published-2023-12-14", "current"); the other arguments override its
            parts and the report's first line names the preset and what was overridden.

        all_hosts: replace each model by every host that sells it on the as-of date (also `MODEL@*` in models).
        calibrations: calibration files (from `costcalc calibrate`) laid over the shipped ones for the closed
            tokenizer families (Claude, Gemini, Titan, Nova, ...); the last file given wins.

    Returns a `CostMatrix`; raises a `CostcalcError` subclass (with the fix in its message) on bad input.
    """
    from costcalc import presets
    from costcalc._paths import optional_tokenizers_dir
    from costcalc.cache import ResultCache
    from costcalc.corpus import load_corpus, source_digest
    from costcalc.dates import parse_date
    from costcalc.prices import default_pricing_dir
    from costcalc.prices.version import table_version

    plan = presets.resolve(preset, language, models, base, as_of, pricing_dir)
    language, models, base = plan["languages"], plan["models"], plan["base"]
    skip_unavailable = skip_unavailable or plan["skip_unavailable"]
    day = parse_date(plan["as_of"])
    base = base or models[0]
    workload = workload or Workload()
    root = Path(pricing_dir) if pricing_dir is not None else default_pricing_dir()
    # The key hashes the request as given and the raw bytes of every input, so a rerun is answered before any
    # corpus is decoded or price table parsed; which optional tokenizers are installed matters to presets.
    digest = source_digest(corpus)
    optional = optional_tokenizers_dir() if skip_unavailable else None
    installed = sorted(p.name for p in optional.iterdir()) if optional and optional.is_dir() else []
    genre_request = (sorted((str(k), str(v)) for k, v in genres.items()) if isinstance(genres, Mapping)
                     else list(genres or []))
    from costcalc.prices import overlay

    overlays = overlay.overlay_files(overlay.from_env() if prices is None else prices)
    calibration_files = [Path(p) for p in calibrations]
    calibration_bytes = [p.read_bytes() if p.is_file() else str(p) for p in calibration_files]  # missing: below
    key = _result_key(table_version(root), overlay.digest(overlays) if overlays else "", digest, language, models,
                      base, day, currency.upper(), workload, skip_unavailable, installed, genre_request,
                      calibration_bytes, all_hosts)
    results = ResultCache()
    cached = CostMatrix.from_cache(results.get(key)) if digest is not None else None
    if cached is not None:
        return cached.with_provenance(preset=plan["header"])
    text = load_corpus(corpus)
    if isinstance(language, str):
        languages = list(text.languages) if language == "all" else [language]
    else:
        languages = list(language)
    if "all" in languages:
        languages = list(text.languages)
    languages = text.require_languages(languages)
    left_out: list[LeftOut] = []
    if skip_unavailable:
        from costcalc.prices import load_prices

        book = load_prices(as_of=day, path=root, overlays=overlays)
        missing = _not_installed({book.lookup(m).tokenizer for m in models})
        left_out = [LeftOut(book.lookup(m).ref, missing[book.lookup(m).tokenizer])
                    for m in models if book.lookup(m).tokenizer in missing]
        models = [m for m in models if book.lookup(m).tokenizer not in missing]
    from costcalc.calibrate.store import load_set, using
    from costcalc.prices import load_prices

    book = load_prices(as_of=day, path=root, overlays=overlays)
    with using(load_set(calibration_files, root)):
        matrix = compute(book, text, languages=languages, models=models, base=base, as_of=day,
                         currency=currency.upper(), workload=workload, workers=workers, progress=progress,
                         genres=_genre_map(genres, text), all_hosts=all_hosts)
    matrix = matrix.with_provenance(left_out=tuple(left_out))
    if digest is not None:
        results.put(key, matrix.to_cache())  # the preset is not part of the result: it is said on the way out
    return matrix.with_provenance(preset=plan["header"])


def _genre_map(genres, corpus: Corpus) -> dict[str, Decimal] | None:
    from costcalc.genre import genre_weights

    return genre_weights(genres if isinstance(genres, Mapping) else list(genres or []), list(corpus.genres))


def _not_installed(names: set[str]) -> dict[str, str]:
    """{tokenizer name: why it cannot be used} for optional tokenizers that are not installed."""
    from costcalc.tokenizers import list_tokenizers
    from costcalc.tokenizers.registry import canonical

    infos = {info.name: info for info in list_tokenizers()}
    out = {}
    for name in names:
        info = infos.get(canonical(name.removeprefix("estimate:").split("*")[0]))
        if info is not None and not info.installed:
            out[name] = f"tokenizer {info.name} is not installed; install it: {info.install_hint}"
    return out


def _result_key(*inputs: Any) -> str:
    """sha256 over every input of a comparison, costcalc's installed code (which includes the tokenizer
    manifest) and the versions of the tokenizer libraries: a code change or an upgrade gives a new key."""
    import hashlib

    from costcalc.cache import code_fingerprint, library_versions

    # the code fingerprint covers costcalc/__init__.py, where the version is
    digest = hashlib.sha256(f"{code_fingerprint()}|{library_versions()}|".encode())
    digest.update(repr(inputs).encode())
    return digest.hexdigest()
