"""Versioned price tables: schema, loading and validation, as-of lookup, FX conversion.

The schema (pydantic) is imported only when tables are loaded: a cached report never needs it.
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc._paths import data_dir

if TYPE_CHECKING:
    from costcalc.prices.book import Offering, PriceBook, Quote
    from costcalc.prices.loader import check_dir

__all__ = ["Offering", "PriceBook", "Quote", "check_dir", "default_pricing_dir", "load_prices", "parse_date"]

_LAZY = {"Offering": "costcalc.prices.book", "PriceBook": "costcalc.prices.book", "Quote": "costcalc.prices.book",
         "check_dir": "costcalc.prices.loader"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'costcalc.prices' has no attribute {name!r}")


def default_pricing_dir() -> Path:
    return data_dir("pricing")


def parse_date(value: str | date | None) -> date:
    """A date from `YYYY-MM-DD` (or a date); None means today."""
    from costcalc.errors import UsageError

    if value is None:
        return date.today()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"invalid date {value!r}", "use YYYY-MM-DD, e.g. 2023-12-14") from None


def load_prices(as_of: str | date | None = None, path: str | Path | None = None) -> PriceBook:
    """Load and validate the price tables (default: the bundled ones). `as_of` (default today) is the date
    that lookups use unless they name another."""
    from costcalc.prices.book import PriceBook
    from costcalc.prices.loader import load_tables

    root = Path(path) if path is not None else default_pricing_dir()
    tables = load_tables(root)
    return PriceBook(root=root, providers=tables.providers, fx=tables.fx, version=tables.version,
                     as_of=parse_date(as_of), sources=tables.sources)
