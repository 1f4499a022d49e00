"""Strict JSON decoding for sources: exact Decimals, and one-line errors for the usual upstream failures."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from costcalc.errors import FormatError


def _no_constants(name: str) -> Any:
    raise FormatError(f"JSON contains {name}, which is not a price")


def load_json(raw: bytes, what: str) -> Any:
    """Decoded JSON with numbers as Decimal. Raises FormatError naming what was expected."""
    head = raw.lstrip()[:200].lower()
    if head.startswith((b"<!doctype html", b"<html", b"<")):
        raise FormatError(f"got an HTML/XML page instead of {what}",
                          "the URL probably points at a web page or an error page; use the raw file URL")
    if not head:
        raise FormatError(f"got an empty response instead of {what}")
    try:
        text = raw.decode("utf-8-sig")
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constants)
    except UnicodeDecodeError as e:
        raise FormatError(f"response is not UTF-8 text (byte {e.start}), expected {what}") from None
    except json.JSONDecodeError as e:
        # A document that does not end like one was cut short (a dropped connection, a proxy's size limit).
        truncated = e.pos >= len(text.rstrip()) - 1 or not text.rstrip().endswith(("}", "]"))
        problem = "truncated" if truncated else "malformed"
        raise FormatError(f"{problem} JSON at line {e.lineno} column {e.colno} ({e.msg}); expected {what}",
                          "the download was cut short or the source is broken; try again later") from None


def number(value: Any, where: str) -> Decimal | None:
    """A JSON number (or a decimal string, as OpenRouter sends) as Decimal; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise FormatError(f"{where} is {value!r}, not a number: the upstream format changed")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except ArithmeticError:
            result = None
        if result is not None and result.is_finite():
            return result
    raise FormatError(f"{where} is {value!r}, not a number: the upstream format changed",
                      "update the source module for the new format")
