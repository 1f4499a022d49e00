"""`costcalc.cost(text, models=[...])`: what one string costs on each offering, in one call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


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

    from costcalc.cost_model import cost_of
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
        units = len(text) if quote.entry.unit == "character" else tokens
        price = quote.input if direction == "input" else quote.output
        rows.append({"offering": off.ref, "tokenizer": tok.name, "exact": tok.exact, "tokens": tokens,
                     "chars": len(text), "unit": quote.entry.unit, "price": price, "cost": cost_of(price, units),
                     "currency": quote.currency, "as_of": book.as_of, "price_table": book.version})
    return pd.DataFrame(rows)
