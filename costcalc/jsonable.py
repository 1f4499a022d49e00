"""Plain JSON values for every output: Decimal money as numbers, dates as ISO text, non-finite floats as null,
typed records as objects."""

from __future__ import annotations

import json
import math
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Whole amounts print as integers; others as the shortest float that round-trips the decimal text.
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if is_dataclass(value) and not isinstance(value, type):  # a typed record: its fields, in order
        out: dict[str, Any] = {}
        for f in fields(value):  # a field marked inline contributes its own fields at its place
            part = plain(getattr(value, f.name))
            if part is None and f.metadata.get("omit_none"):
                continue
            # a name Python reserves is spelled with a trailing underscore (from_): JSON writes the word
            out.update(part if f.metadata.get("inline") else {f.name.removesuffix("_"): part})
        return out
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(plain(value), indent=2, ensure_ascii=False)
