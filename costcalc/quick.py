"""What one text costs: `costcalc.cost(text, models=[...])` for a string, `count_text` for a file or stream (what
`costcalc count` prints), both counting with each model's own tokenizer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    import pandas as pd

    from costcalc.listing import Listing


def cost(text: str, models: Sequence[str], *, as_of: str | date | None = None, currency: str = "USD",
         direction: str = "input", pricing_dir: str | Path | None = None,
         prices: Sequence[str | Path] | None = None) -> pd.DataFrame:
    """What `text` costs on each offering in `models`, counted with each model's own tokenizer.

        costcalc.cost("Ciao a tutti", models=["openai/gpt-5", "anthropic/claude-sonnet-4-5"])

    Parameters:
        text: the string to price.
        models: offerings as "provider/model" (aliases resolve on the as-of date).
        as_of: prices in force on this date (default: today).
        currency: "USD" or "EUR" (converted at the ECB rate of the as-of date).
        direction: "input" (the text is a prompt) or "output" (the text is a completion).
        pricing_dir: price tables to use instead of the bundled ones.
        prices: your own price tables on top (None reads $COSTCALC_PRICES).

    Returns one row per offering: offering, tokenizer, exact (False: an estimate), tokens, chars, unit,
    price (per 1M units), cost (Decimal), currency, as_of, price_table.
    """
    import pandas as pd

    from costcalc.cost_model import billed_units, cost_of
    from costcalc.errors import UsageError
    from costcalc.prices import load_prices
    from costcalc.tokenizers import get_tokenizer

    if not isinstance(text, str):
        raise UsageError(f"text must be a string, got {type(text).__name__}")
    if isinstance(models, str):
        models = [models]
    if not models:
        raise UsageError("no offerings to price", "pass models=['provider/model', ...]")
    if direction not in ("input", "output"):
        raise UsageError(f"unknown direction {direction!r}", "use input or output")
    book = load_prices(as_of=as_of, path=pricing_dir, overlays=prices)
    rows = []
    for ref in dict.fromkeys(models):
        off = book.lookup(ref)
        quote = off.price(book.as_of, currency.upper())
        tok = get_tokenizer(off.tokenizer)
        tokens = tok.count(text)
        units = billed_units(quote.entry.unit, tokens, len(text))
        price = quote.input if direction == "input" else quote.output
        rows.append({"offering": off.ref, "tokenizer": tok.name, "exact": tok.exact, "tokens": tokens,
                     "chars": len(text), "unit": quote.entry.unit, "price": price, "cost": cost_of(price, units),
                     "currency": quote.currency, "as_of": book.as_of, "price_table": book.version})
    return pd.DataFrame(rows)


def count_text(open_input: Callable[[], AbstractContextManager[BinaryIO]], source: str, *,
               tokenizers: Sequence[str] = (), offerings: Sequence[str] = (), as_of: str | date | None = None,
               currency: str | None = None, pricing_dir: str | None = None, prices: Sequence[str] = (),
               errors: str = "strict", language: str | None = None, calibrations: Sequence[str] = ()) -> Listing:
    """Count the text `open_input()` streams (UTF-8 bytes, in bounded memory) with each tokenizer in `tokenizers`
    and the tokenizer of each offering in `offerings`, and price it per offering. Every name is resolved before
    the input is opened, so a typo fails before anything is read."""
    from costcalc.calibrate.store import load_set
    from costcalc.cost_model import billed_units, cost_of
    from costcalc.errors import UsageError
    from costcalc.languages import normalize
    from costcalc.listing import Listing
    from costcalc.prices import load_prices
    from costcalc.tokenizers import get_tokenizer
    from costcalc.tokenizers.backends.family import calibrated
    from costcalc.tokenizers.stream import count_stream

    if not tokenizers and not offerings:
        raise UsageError("give at least one -t TOKENIZER or -m OFFERING")
    plan: list[tuple[str, Any, Any]] = [(name, None, None) for name in tokenizers]  # (tokenizer, offering, quote)
    book = load_prices(as_of=as_of, path=pricing_dir, overlays=list(prices)) if offerings else None
    if book is not None:
        plan += [(off.tokenizer, off, off.price(as_of=as_of, currency=currency))
                 for off in (book.lookup(ref) for ref in offerings)]
    names = list(dict.fromkeys(name for name, _, _ in plan))  # each tokenizer counts once
    cal = load_set(calibrations, pricing_dir)
    language = normalize(language) if language else None
    toks = {name: calibrated(get_tokenizer(name), cal, language) for name in names}
    with open_input() as stream:
        totals, stats = count_stream(list(toks.values()), stream, source, errors)
    counted = dict(zip(names, totals, strict=True))
    rows = []
    for name, off, quote in plan:
        tok = toks[name]
        row: dict[str, Any] = {"tokenizer": tok.name, "offering": off.ref if off else None, "tokens": counted[name],
                               "chars": stats.chars, "bytes": stats.bytes, "exact": tok.exact,
                               "fingerprint": tok.fingerprint,
                               "calibration": tok.calibration.to_dict() if hasattr(tok, "calibration") else None}
        if quote is not None:
            units = billed_units(quote.entry.unit, counted[name], stats.chars)
            row.update(input_cost=cost_of(quote.input, units), output_cost=cost_of(quote.output, units),
                       currency=quote.currency, as_of=quote.as_of, price_source=quote.citation_text(),
                       price_table=book.version)
        rows.append(row)
    columns = ["tokenizer", "tokens", "chars", "bytes", "exact"]
    if offerings:
        columns = ["offering", *columns, "input_cost", "output_cost", "currency"]
    notes = []
    estimates = sorted({r["tokenizer"] for r in rows if not r["exact"] and not r["calibration"]})
    if estimates:
        notes.append(f"estimate: {', '.join(estimates)} - not the model's own tokenizer; counts are approximate.")
    notes += [f"{name}: {info['label']}." for name, info in
              {r["tokenizer"]: r["calibration"] for r in rows if r["calibration"]}.items()]
    if offerings:
        notes.append("input_cost / output_cost: this text billed as input / as output, at each offering's price "
                     f"in force on {rows[-1]['as_of']} (price table {rows[-1]['price_table']}).")
    return Listing(rows, columns, notes)
