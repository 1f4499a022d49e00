"""Versioned price tables: schema, loading and validation, as-of lookup, FX conversion.

The schema (pydantic) is imported only when tables are loaded: a cached report never needs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc._paths import data_dir

if TYPE_CHECKING:
    from costcalc.prices.book import Offering, PriceBook, Quote
    from costcalc.prices.loader import check_dir

__all__ = ["Offering", "PriceBook", "Quote", "check_dir", "default_pricing_dir", "load_prices"]

_LAZY = {"Offering": "costcalc.prices.book", "PriceBook": "costcalc.prices.book", "Quote": "costcalc.prices.book",
         "check_dir": "costcalc.prices.loader"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'costcalc.prices' has no attribute {name!r}")


def default_pricing_dir() -> Path:
    return data_dir("pricing")


def load_prices(as_of: str | date | None = None, path: str | Path | None = None,
                overlays: Sequence[str | Path] | None = None) -> PriceBook:
    """Load and validate the price tables (default: the bundled ones). `as_of` (default today) is the date
    that lookups use unless they name another. `overlays` are your own provider tables (files or directories)
    merged on top; None reads them from $COSTCALC_PRICES (see costcalc.prices.overlay)."""
    from costcalc.dates import parse_date
    from costcalc.prices import overlay
    from costcalc.prices.book import PriceBook
    from costcalc.prices.loader import load_tables

    root = Path(path) if path is not None else default_pricing_dir()
    tables = load_tables(root)
    files = overlay.overlay_files(overlay.from_env() if overlays is None else overlays)
    providers, sources, replaced, version = tables.providers, tables.sources, [], tables.version
    if files:
        providers, sources, replaced = overlay.apply(tables.providers, tables.sources, files, tables.fx)
        version = f"{version}+overlay.{overlay.digest(files)}"
    return PriceBook(root=root, providers=providers, fx=tables.fx, version=version, as_of=parse_date(as_of),
                     sources=sources, overlay_notes=tuple(replaced))
