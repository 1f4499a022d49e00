"""The result of a list-style library call (`costcalc prices list`, `count`, `premiums`, ...): rows of plain
values, the columns a table shows, notes that go under it (provenance, estimates, what was left out) and, when
JSON should carry more than the rows, the payload it prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Listing:
    rows: list[dict[str, Any]]
    columns: list[str]
    notes: list[str] = field(default_factory=list)
    payload: Any = None  # what --format json prints instead of the rows (None: the rows)
