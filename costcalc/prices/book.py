"""PriceBook: every offering (`provider/model-id`) with its dated prices, looked up as of a date."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.errors import NoPriceError, UnknownOfferingError, closest, closest_by_tokens
from costcalc.prices.fx import FxTable
from costcalc.prices.schema import Model, PriceEntry, ProviderTable

if TYPE_CHECKING:
    import pandas as pd

_PRICE_FIELDS = ("input", "output", "cached_input", "cache_write", "batch_input", "batch_output")


@dataclass(frozen=True)
class Quote:
    """The prices of one offering on one date, in the requested currency, with where they came from."""

    offering: str
    as_of: date
    currency: str
    billed_currency: str
    fx_rate: Decimal | None  # billed -> currency; None when no conversion happened
    fx_date: date | None
    entry: PriceEntry
    tokenizer: str
    prices: dict[str, Decimal | None]
    tiers: tuple[dict[str, Any], ...] = ()

    @property
    def input(self) -> Decimal | None:
        return self.prices["input"]

    @property
    def output(self) -> Decimal | None:
        return self.prices["output"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "offering": self.offering,
            "as_of": self.as_of,
            "currency": self.currency,
            "unit": f"per 1M {self.entry.unit}s",
            **self.prices,
            "tiers": list(self.tiers),
            "billed_currency": self.billed_currency,
            "fx_rate": self.fx_rate,
            "fx_date": self.fx_date,
            "effective_from": self.entry.from_,
            "until": self.entry.until,
            "source": self.entry.source,
            "confidence": self.entry.confidence,
            "note": self.entry.note,
            "tokenizer": self.tokenizer,
        }


@dataclass(frozen=True)
class Offering:
    """One model as sold by one billing provider."""

    provider: ProviderTable
    model: Model
    book: PriceBook = field(repr=False, compare=False)

    @property
    def ref(self) -> str:
        return f"{self.provider.provider}/{self.model.id}"

    @property
    def tokenizer(self) -> str:
        return self.model.tokenizer

    @property
    def first_priced(self) -> date:
        return self.model.prices[0].from_

    def entry(self, as_of: date | None = None) -> PriceEntry:
        """The price entry in force on `as_of` (default: the book's as-of date)."""
        day = as_of or self.book.as_of
        entries = self.model.prices
        i = bisect.bisect_right([e.from_ for e in entries], day)
        if i == 0:
            raise NoPriceError(f"no price for {self.ref} on {day}; first price from {self.first_priced}",
                               f"use --as-of {self.first_priced} or later")
        entry = entries[i - 1]
        if entry.until is not None and day >= entry.until:
            raise NoPriceError(f"no price for {self.ref} on {day}; retired on {entry.until} "
                               f"(priced from {self.first_priced})", "choose an earlier --as-of")
        return entry

    def is_priced(self, as_of: date | None = None) -> bool:
        try:
            self.entry(as_of)
        except NoPriceError:
            return False
        return True

    def price(self, as_of: date | None = None, currency: str | None = None) -> Quote:
        """Prices per 1M tokens (or characters) on `as_of`, converted to `currency` at that day's FX rate."""
        day = as_of or self.book.as_of
        entry = self.entry(day)
        target = currency or entry.currency
        conv = self.book.fx.conversion(entry.currency, target, day)
        convert = self.book.fx.convert
        prices = {name: convert(getattr(entry, name), conv) for name in _PRICE_FIELDS}
        tiers = tuple({"above": t.above, "input": convert(t.input, conv), "output": convert(t.output, conv),
                       "cached_input": convert(t.cached_input, conv)} for t in entry.tiers)
        return Quote(
            offering=self.ref, as_of=day, currency=target, billed_currency=entry.currency,
            fx_rate=conv.rate if conv.rate_date else None, fx_date=conv.rate_date, entry=entry,
            tokenizer=self.tokenizer, prices=prices, tiers=tiers,
        )


@dataclass(frozen=True)
class PriceBook:
    """All price tables of one pricing directory. `as_of` is the default date for lookups."""

    root: Path
    providers: tuple[ProviderTable, ...]
    fx: FxTable
    version: str
    as_of: date
    overlay_notes: tuple[str, ...] = ()  # bundled models that a user's price overlay replaced

    def __repr__(self) -> str:
        return (f"<PriceBook {self.version}: {len(self.providers)} providers, {len(self.offerings)} offerings, "
                f"as of {self.as_of}, from {self.root}>")

    @cached_property
    def offerings(self) -> tuple[Offering, ...]:
        return tuple(Offering(p, m, self) for p in self.providers for m in p.models)

    @cached_property
    def _index(self) -> dict[str, Offering]:
        index: dict[str, Offering] = {}
        for off in self.offerings:
            for name in [off.model.id, *off.model.aliases]:
                index[f"{off.provider.provider}/{name}"] = off
        return index

    def lookup(self, ref: str) -> Offering:
        """An offering by `provider/model-id`, `provider/alias`, or a bare id/alias that only one provider sells."""
        if ref in self._index:
            return self._index[ref]
        if "/" not in ref:
            hits = {off.ref: off for key, off in self._index.items() if key.split("/", 1)[1] == ref}
            if len(hits) == 1:
                return next(iter(hits.values()))
            if hits:
                raise UnknownOfferingError(f"{ref!r} is sold by several providers: {', '.join(sorted(hits))}",
                                           "name one as provider/model")
        suggestion = (closest_by_tokens(ref, self._index) or closest(ref, self._index)
                      or closest(ref.split("/")[-1], [k.split("/", 1)[1] for k in self._index]))
        raise UnknownOfferingError(f"unknown offering {ref!r}", suggestion or "see `costcalc prices list`")

    def select(self, provider: str | None = None, as_of: date | None = None) -> list[Offering]:
        """Offerings (of one provider, if given) that have a price on `as_of`."""
        slugs = [p.provider for p in self.providers]
        if provider is not None and provider not in slugs:
            raise UnknownOfferingError(f"unknown provider {provider!r}",
                                       closest(provider, slugs) or f"choose one of {', '.join(slugs)}")
        return [o for o in self.offerings
                if (provider is None or o.provider.provider == provider) and o.is_priced(as_of)]

    def to_frame(self, as_of: date | None = None, currency: str | None = None,
                 provider: str | None = None) -> pd.DataFrame:
        """One row per offering priced on `as_of`: prices (Decimal) and their provenance."""
        import pandas as pd

        rows = [o.price(as_of, currency).to_dict() for o in self.select(provider, as_of)]
        return pd.DataFrame(rows, columns=list(rows[0]) if rows else ["offering"])
