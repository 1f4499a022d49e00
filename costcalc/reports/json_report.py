"""JSON report: relative ratios, absolute costs, premiums and the full provenance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from costcalc.jsonable import dumps
from costcalc.reports.common import DEFINITIONS, published_rows

if TYPE_CHECKING:
    from costcalc.matrix import CostMatrix


def render(matrix: CostMatrix) -> str:
    payload = {
        "report": "costcalc relative cost",
        "preset": matrix.provenance.preset,
        "definitions": DEFINITIONS,
        "caveats": matrix.caveats,
        "base": matrix.base,
        "languages": matrix.languages,
        "offerings": matrix.offerings,
        "relative": matrix.relative_rows,
        "absolute": matrix.absolute_rows,
        "premiums": matrix.premium_rows,
        "genres": matrix.genre_rows,
        "published": published_rows(matrix),
        "provenance": matrix.provenance,
    }
    return dumps(payload) + "\n"
