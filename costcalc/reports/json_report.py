"""JSON report: relative ratios, absolute costs, premiums and the full provenance."""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from costcalc.reports.common import published_rows

if TYPE_CHECKING:
    from costcalc.costing import CostMatrix


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def render(matrix: CostMatrix) -> str:
    payload = {
        "report": "costcalc relative cost",
        "base": matrix.base,
        "languages": matrix.languages,
        "offerings": matrix.offerings,
        "relative": matrix.relative_rows,
        "absolute": matrix.absolute_rows,
        "premiums": matrix.premium_rows,
        "published": published_rows(matrix),
        "provenance": matrix.provenance,
    }
    return json.dumps(_plain(payload), indent=2, ensure_ascii=False) + "\n"
