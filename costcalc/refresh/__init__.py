"""Scheduled price refresh: fetch public price lists, diff them against the tables, append what changed.

`sources` names the sources (one small module each: `litellm`, `openrouter`, `genai_prices`, `ecb`); `http`
fetches safely, `diff` judges, `apply` appends entries (append-only), `txn` writes them as one unit,
`run.refresh` ties it together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from costcalc.refresh.http import HttpSettings
    from costcalc.refresh.run import RefreshResult, refresh

__all__ = ["HttpSettings", "RefreshResult", "recover", "refresh"]


def __getattr__(name: str) -> Any:
    import importlib

    where = {"HttpSettings": "costcalc.refresh.http", "RefreshResult": "costcalc.refresh.run",
             "refresh": "costcalc.refresh.run", "recover": "costcalc.refresh.txn"}
    if name in where:
        return getattr(importlib.import_module(where[name]), name)
    raise AttributeError(f"module 'costcalc.refresh' has no attribute {name!r}")
