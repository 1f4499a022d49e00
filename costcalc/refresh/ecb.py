"""ECB euro reference rates (eurofxref-daily.xml, or the 90-day/historic XML): USD per 1 EUR by day."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from costcalc.errors import FormatError
from costcalc.refresh.model import Normalised

NAME = "ecb"
LABEL = "ECB euro foreign exchange reference rates (eurofxref-daily.xml)"
DEFAULT_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
HOME_URL = "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html"
PUBLISHER = "European Central Bank"
_NS = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"


def parse(raw: bytes, currency: str = "USD") -> dict[date, Decimal]:
    head = raw.lstrip()[:300].lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise FormatError("got an HTML page instead of the ECB XML", "use the eurofxref-*.xml URL")
    if b"<!doctype" in raw[:2000].lower() or b"<!entity" in raw.lower():
        raise FormatError("the ECB XML contains a DOCTYPE/ENTITY declaration; refusing to parse it")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        raise FormatError(f"malformed or truncated XML ({e}); expected the ECB eurofxref XML",
                          "the download was cut short or the source is broken; try again later") from None
    rates: dict[date, Decimal] = {}
    for day_cube in root.iter(f"{_NS}Cube"):
        if "time" not in day_cube.attrib:
            continue
        try:
            day = date.fromisoformat(day_cube.attrib["time"])
        except ValueError:
            raise FormatError(f"bad date {day_cube.attrib['time']!r} in the ECB XML") from None
        for cube in day_cube:
            if cube.attrib.get("currency") == currency:
                try:
                    rates[day] = Decimal(cube.attrib["rate"])
                except (KeyError, ArithmeticError):
                    raise FormatError(f"bad {currency} rate {cube.attrib.get('rate')!r} for {day}") from None
    if not rates:
        raise FormatError(f"no {currency} rate found (no <Cube time=...><Cube currency='{currency}'>): "
                          "the upstream format changed", "update costcalc/refresh/ecb.py for the new format")
    return rates


def normalise(rates: dict[date, Decimal]) -> Normalised:
    return Normalised(fx=dict(sorted(rates.items())))
