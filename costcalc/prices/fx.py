"""Currency conversion with dated reference rates (pricing/fx.yaml: ECB, USD per 1 EUR)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from costcalc.errors import FxRateError, PriceTableError
from costcalc.prices.yamlio import read_validated

# Converting USD -> EUR divides; keep 10 decimal places (far below any billed precision).
_DIVISION_PLACES = Decimal("1e-10")
# A rate older than this on the as-of date is stale: refuse rather than silently convert.
MAX_RATE_AGE_DAYS = 45


Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class FxFile(BaseModel):
    """pricing/fx.yaml: `quote` per 1 `base` on each date (ECB reference rates)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    base: Currency = "EUR"
    quote: Currency = "USD"
    source: str = ""
    source_url: str | None = None
    rates: dict[date, Annotated[Decimal, Field(gt=0)]] = Field(min_length=1)

    @field_validator("rates", mode="before")
    @classmethod
    def _iso_keys(cls, rates: object) -> object:
        # YAML reads the keys as dates; as ISO text they name the bad line in an error, and parse back to dates
        return {k.isoformat() if isinstance(k, date) else k: v for k, v in rates.items()} \
            if isinstance(rates, dict) else rates


@dataclass(frozen=True)
class Conversion:
    rate: Decimal  # multiply an amount in `source` currency by this to get `target`
    rate_date: date | None  # None when no conversion was needed
    pair: str  # e.g. "EUR/USD"


@dataclass(frozen=True)
class FxTable:
    base: str
    quote: str
    source: str
    days: tuple[date, ...]
    rates: tuple[Decimal, ...]

    @property
    def currencies(self) -> tuple[str, str]:
        return (self.base, self.quote)

    def rate_on(self, day: date) -> tuple[Decimal, date]:
        """The latest base->quote rate on or before `day`."""
        i = bisect.bisect_right(self.days, day)
        if i == 0:
            raise FxRateError(
                f"no {self.base}/{self.quote} rate on or before {day}; the rates in pricing/fx.yaml start on "
                f"{self.days[0]}", "choose a later --as-of or add older rates to pricing/fx.yaml")
        rate_day = self.days[i - 1]
        if (day - rate_day).days > MAX_RATE_AGE_DAYS:
            raise FxRateError(
                f"no {self.base}/{self.quote} rate within {MAX_RATE_AGE_DAYS} days of {day}; the latest is "
                f"{rate_day}", "run `costcalc prices refresh --source ecb --apply` or choose an earlier --as-of")
        return self.rates[i - 1], rate_day

    def conversion(self, source: str, target: str, day: date) -> Conversion:
        if source == target:
            return Conversion(Decimal(1), None, f"{source}/{target}")
        rate, rate_day = self.rate_on(day)
        if (source, target) == (self.base, self.quote):
            return Conversion(rate, rate_day, f"{source}/{target}")
        if (source, target) == (self.quote, self.base):
            return Conversion(1 / rate, rate_day, f"{source}/{target}")
        known = ", ".join(self.currencies)
        raise FxRateError(f"cannot convert {source} to {target}: pricing/fx.yaml knows {known}",
                          f"use --currency {self.quote} or {self.base}")

    def convert(self, amount: Decimal | None, conv: Conversion) -> Decimal | None:
        if amount is None or conv.rate_date is None:
            return amount
        value = amount * conv.rate
        return value if conv.pair == f"{self.base}/{self.quote}" else value.quantize(_DIVISION_PLACES).normalize()


def load_fx(path: Path) -> FxTable:
    fx, _, problems = read_validated(path, FxFile)
    if fx is None:
        raise PriceTableError(problems[0], "each rate is a line `YYYY-MM-DD: 1.0919` under `rates:`; regenerate the "
                                           "file with `python scripts/build_fx_table.py`")
    items = sorted(fx.rates.items())
    return FxTable(base=fx.base, quote=fx.quote, source=fx.source, days=tuple(d for d, _ in items),
                   rates=tuple(r for _, r in items))
