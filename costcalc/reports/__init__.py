"""Reporters: one module per format, each satisfying `Reporter` (a `render(matrix) -> str` function) over the
same CostMatrix, so adding a format is adding a module and a line in FORMATS."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

from costcalc.errors import UsageError

if TYPE_CHECKING:
    from costcalc.matrix import CostMatrix


class Reporter(Protocol):
    def render(self, matrix: CostMatrix) -> str: ...


FORMATS = {"md": "costcalc.reports.markdown", "csv": "costcalc.reports.csv_report",
           "json": "costcalc.reports.json_report", "html": "costcalc.reports.page"}


def reporter(fmt: str) -> Reporter:
    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r}", f"choose one of {', '.join(FORMATS)}")
    return importlib.import_module(FORMATS[fmt])


def render(matrix: CostMatrix, fmt: str) -> str:
    return reporter(fmt).render(matrix)
