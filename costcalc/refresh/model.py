"""What a source reports, normalised to our units: USD (or the stated currency) per 1M tokens, as Decimal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

PRICE_FIELDS = ("input", "output", "cached_input")
_PLACES = Decimal("1e-9")  # per 1M tokens: far below any list price, removes binary-float noise upstream


def per_million(per_token: Decimal) -> Decimal:
    """A per-token price as a per-1M-tokens Decimal, trailing zeros removed."""
    return (per_token * 1_000_000).quantize(_PLACES).normalize()


def tidy(value: Decimal) -> Decimal:
    return value.quantize(_PLACES).normalize()


@dataclass(frozen=True)
class Observed:
    """One offering's prices as one source reports them today."""

    source: str  # source name: litellm, openrouter, genai-prices
    upstream_id: str  # the source's own key for the model
    input: Decimal | None
    output: Decimal | None
    cached_input: Decimal | None = None
    currency: str = "USD"

    def values(self) -> dict[str, Decimal | None]:
        return {name: getattr(self, name) for name in PRICE_FIELDS}


@dataclass(frozen=True)
class NewModel:
    """A model a source lists in a tracked namespace that pricing/source-map.yaml does not map: the makings of a
    ready-to-review table stanza."""

    source: str
    upstream_id: str
    provider: str  # our billing provider slug the namespace belongs to
    model_id: str  # the provider's API id as far as the source tells
    input: Decimal | None
    output: Decimal | None
    cached_input: Decimal | None = None
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None
    context_window: int | None = None
    max_output: int | None = None


@dataclass
class Normalised:
    """A source's answer after mapping to our offering refs."""

    observed: dict[str, Observed] = field(default_factory=dict)  # offering ref -> prices
    gone: list[str] = field(default_factory=list)  # mapped offering refs whose upstream id is missing
    unmapped: list[str] = field(default_factory=list)  # upstream ids in tracked namespaces, not in the map
    new: list[NewModel] = field(default_factory=list)  # the unmapped ones with a price, for table stanzas
    skipped: dict[str, str] = field(default_factory=dict)  # offering ref -> why no comparable price
    fx: dict[date, Decimal] = field(default_factory=dict)  # ECB only: day -> USD per 1 EUR


def observe(source: str, mapping: dict[str, str], find: Callable[[str], Any],
            prices: Callable[[str, Any], dict[str, Decimal | None]],
            no_price: Callable[[str], str]) -> Normalised:
    """The loop every source shares: each mapped offering's upstream entry (`find`; None: gone from upstream),
    its prices per 1M units (`prices`), and, when it has neither an input nor an output price, the reason it is
    skipped (`no_price`, which may raise FormatError instead)."""
    out = Normalised()
    for ref, key in mapping.items():
        entry = find(key)
        if entry is None:
            out.gone.append(ref)
            continue
        values = prices(key, entry)
        if values["input"] is None and values["output"] is None:
            out.skipped[ref] = no_price(key)
            continue
        out.observed[ref] = Observed(source, key, **values)
    return out
