"""PriceBook: every offering (`provider/model-id`) with its dated prices, looked up as of a date."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.errors import NoPriceError, RetiredError, UnknownOfferingError, closest, closest_by_tokens
from costcalc.prices.fx import FxTable
from costcalc.prices.schema import RULE_FIELDS, TIER_FIELDS, Model, PriceEntry, ProviderTable, Rule, Source

if TYPE_CHECKING:
    import pandas as pd

PRICE_FIELDS = ("input", "output", "cached_input", "cache_write", "cache_write_1h", "batch_input", "batch_output")


def _rule_text(rule: Rule, base: str) -> str:
    """'50% of standard input, provider rule from 2024-10-08' for a rule-derived price."""
    share = rule.factor * 100
    how = f"{share.normalize():f}% of standard {base}" if rule.factor < 1 else f"{rule.factor.normalize():f}x {base}"
    return f"{how}, provider rule ({rule.kind}, from {rule.from_})"


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
    derived: dict[str, str] = field(default_factory=dict)  # price field -> how a provider rule computed it
    sources: tuple[Source, ...] = ()
    rules: tuple[Rule, ...] = ()  # provider rules in force for this offering on as_of
    model: Model | None = field(default=None, repr=False)

    @property
    def regional_uplift(self) -> Decimal | None:
        """Factor regional (non-global) endpoints charge over these list prices, if the provider has one."""
        return next((r.factor for r in self.rules if r.kind == "regional_uplift"), None)

    def citations(self) -> list[dict[str, Any]]:
        return [{"id": s.id, "title": s.title, "url": s.url, "retrieved": s.retrieved} for s in self.sources]

    def citation_text(self) -> str:
        """'Title <url>; Title <url>': the entry's sources as a user reads them."""
        return "; ".join(f"{s.title} <{s.url}>" for s in self.sources) or ", ".join(self.entry.source)

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
            "derived": dict(self.derived),
            "regional_uplift": self.regional_uplift,
            "billed_currency": self.billed_currency,
            "fx_rate": self.fx_rate,
            "fx_date": self.fx_date,
            "effective_from": self.entry.from_,
            "from_basis": self.entry.from_basis,
            "until": self.model.until if self.model else None,
            "successor": self.model.successor if self.model else None,
            "sources": self.citations(),
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
        until = self.model.until
        if until is not None and day >= until:
            successor = f" (successor: {self.provider.provider}/{self.model.successor})" if self.model.successor else ""
            raise RetiredError(f"{self.ref} was retired on {until}{successor}", f"choose an --as-of before {until}")
        return entries[i - 1]

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
        billed = {name: getattr(entry, name) for name in PRICE_FIELDS}
        rules = tuple(r for r in self.provider.rules if r.covers(self.model.id) and r.active(day))
        derived: dict[str, str] = {}
        for rule in rules:
            for name, base in RULE_FIELDS[rule.kind]:
                if billed[name] is None and billed[base] is not None:
                    billed[name] = billed[base] * rule.factor
                    derived[name] = _rule_text(rule, base)
        prices = {name: convert(value, conv) for name, value in billed.items()}
        tiers = tuple({"above": t.above, **{n: convert(getattr(t, n), conv) for n in TIER_FIELDS}}
                      for t in entry.tiers)
        sources = tuple(self.book.sources[s] for s in entry.source if s in self.book.sources)
        return Quote(
            offering=self.ref, as_of=day, currency=target, billed_currency=entry.currency,
            fx_rate=conv.rate if conv.rate_date else None, fx_date=conv.rate_date, entry=entry,
            tokenizer=self.tokenizer, prices=prices, tiers=tiers, derived=derived, sources=sources,
            rules=rules, model=self.model,
        )


@dataclass(frozen=True)
class PriceBook:
    """All price tables of one pricing directory. `as_of` is the default date for lookups."""

    root: Path
    providers: tuple[ProviderTable, ...]
    fx: FxTable
    version: str
    as_of: date
    sources: dict[str, Source] = field(default_factory=dict)
    overlay_notes: tuple[str, ...] = ()  # bundled models that a user's price overlay replaced

    def __repr__(self) -> str:
        return (f"<PriceBook {self.version}: {len(self.providers)} providers, {len(self.offerings)} offerings, "
                f"as of {self.as_of}, from {self.root}>")

    @cached_property
    def offerings(self) -> tuple[Offering, ...]:
        return tuple(Offering(p, m, self) for p in self.providers for m in p.models)

    @cached_property
    def _index(self) -> dict[str, list[tuple[date | None, date | None, Offering]]]:
        """`provider/name` -> its targets, each [from, until) (None: unbounded). Dated aliases have several."""
        index: dict[str, list[tuple[date | None, date | None, Offering]]] = {}
        for off in self.offerings:
            for alias in [off.model.id, *off.model.aliases]:
                if isinstance(alias, str):
                    index.setdefault(f"{off.provider.provider}/{alias}", []).append((None, None, off))
                else:
                    index.setdefault(f"{off.provider.provider}/{alias.name}", []).append(
                        (alias.from_, alias.until, off))
        return index

    def _resolve(self, key: str, day: date) -> Offering:
        targets = self._index[key]
        for start, end, off in targets:
            if (start is None or start <= day) and (end is None or day < end):
                return off
        spans = ", ".join(f"{off.model.id} from {start}" + (f" until {end}" if end else "")
                          for start, end, off in targets)
        raise NoPriceError(f"{key} points to no model on {day}; it points to {spans}",
                           "choose an --as-of inside one of those ranges, or name the model by its id")

    def lookup(self, ref: str, as_of: date | None = None) -> Offering:
        """An offering by `provider/model-id`, `provider/alias`, or a bare id/alias that only one provider sells.
        Moving aliases (such as `-latest`) resolve to their target on `as_of` (default: the book's date)."""
        day = as_of or self.as_of
        if ref.startswith("selfhost/"):  # computed from GPU prices and throughput (costcalc.selfhost)
            from costcalc.prices.selfhost import virtual_model

            return Offering(*virtual_model(self, ref, day), self)
        if ref in self._index:
            return self._resolve(ref, day)
        if "/" not in ref:
            keys = [key for key in self._index if key.split("/", 1)[1] == ref]
            if len(keys) == 1:
                return self._resolve(keys[0], day)
            if keys:
                refs = sorted({off.ref for key in keys for *_, off in self._index[key]})
                raise UnknownOfferingError(f"{ref!r} is sold by several providers: {', '.join(refs)}",
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

    def newest_by_class(self, classes: Sequence[str], as_of: date | None = None,
                        providers: Sequence[str] | None = None) -> list[Offering]:
        """Per provider, the newest model (latest first price) of each class in `classes` that is on sale on
        `as_of`: never a retired one. A model a host resells from a creator with a table of its own (Claude on
        Bedrock) is left to that table, so each product is compared where its maker sells it."""
        day = as_of or self.as_of
        slugs = {p.provider for p in self.providers}
        chosen = []
        for table in self.providers:
            if providers is not None and table.provider not in providers:
                continue
            sold = [o for o in self.offerings if o.provider is table and o.is_priced(day)
                    and (o.model.creator in (None, table.provider) or o.model.creator not in slugs)]
            for cls in classes:
                of_class = [o for o in sold if o.model.class_ == cls]
                if of_class:
                    chosen.append(max(of_class, key=lambda o: (o.first_priced, o.model.id)))
        return chosen

    def to_frame(self, as_of: date | None = None, currency: str | None = None,
                 provider: str | None = None) -> pd.DataFrame:
        """One row per offering priced on `as_of`: prices (Decimal) and their provenance."""
        import pandas as pd

        rows = [o.price(as_of, currency).to_dict() for o in self.select(provider, as_of)]
        return pd.DataFrame(rows, columns=list(rows[0]) if rows else ["offering"])
