"""Reporters: one module per format, each a `render(matrix) -> str` over the same CostMatrix."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from costcalc.errors import InputError

if TYPE_CHECKING:
    from costcalc.costing import CostMatrix

FORMATS = {"md": "markdown", "csv": "csv_report", "json": "json_report", "html": "html"}


def render(matrix: CostMatrix, fmt: str) -> str:
    if fmt not in FORMATS:
        raise InputError(f"unknown report format {fmt!r}", f"choose one of {', '.join(FORMATS)}")
    return importlib.import_module(f"costcalc.reports.{FORMATS[fmt]}").render(matrix)
