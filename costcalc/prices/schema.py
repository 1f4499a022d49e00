"""The price-table schema: strict pydantic models, Decimal money, dated append-only entries.

One YAML file per billing provider (`pricing/providers/<provider>.yaml`). `pricing/schema.json` is generated
from these models (`costcalc prices schema > pricing/schema.json`) and a test keeps it in sync.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


def _money(value: object) -> object:
    # YAML floats arrive as Decimal (see loader); refuse what would silently coerce: bools, text, floats.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"a price must be a plain number such as 2.5, got {value!r}")
    return Decimal(value)


Money = Annotated[Decimal, BeforeValidator(_money), Field(ge=0)]
Confidence = Literal["high", "medium", "low"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True, populate_by_name=True)


class Tier(_Strict):
    """Long-context pricing: these prices apply to a whole request whose prompt is longer than `above` tokens."""

    above: int = Field(gt=0)
    """Prompt length in tokens above which this tier applies."""
    input: Money
    output: Money | None = None
    cached_input: Money | None = None


class PriceEntry(_Strict):
    """List prices in force from `from` (inclusive) until the next entry, or until `until` (exclusive)."""

    from_: date = Field(alias="from")
    """The earliest date the cited source confirms for these prices."""
    until: date | None = None
    """First day the offering is no longer sold at all (retired)."""
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    """Currency as billed (ISO 4217), e.g. EUR for Mistral in 2023."""
    unit: Literal["token", "character"] = "token"
    """What the prices count: per 1M tokens (default) or per 1M characters."""
    input: Money | None = None
    output: Money | None = None
    cached_input: Money | None = None
    """Price of input read from the prompt cache."""
    cache_write: Money | None = None
    """Price of writing input to the prompt cache (5-minute cache where a vendor has several)."""
    batch_input: Money | None = None
    batch_output: Money | None = None
    tiers: list[Tier] = []
    source: str = Field(min_length=3)
    """Where the figure comes from: package and version, docs commit, vendor page."""
    confidence: Confidence
    """high: primary source or two that agree; medium: one secondary source; low: sources conflict."""
    note: str | None = None

    @model_validator(mode="after")
    def _check(self) -> PriceEntry:
        if self.input is None and self.output is None:
            raise ValueError("an entry needs at least an input or an output price")
        if self.until is not None and self.until <= self.from_:
            raise ValueError(f"until {self.until} must be after from {self.from_}")
        if [t.above for t in self.tiers] != sorted({t.above for t in self.tiers}):
            raise ValueError("tiers must be in increasing, distinct order of 'above'")
        return self


class Model(_Strict):
    """One model as sold by one provider."""

    id: str = Field(min_length=1, pattern=r"^\S+$")
    """The provider's own model id, as used in its API."""
    name: str
    creator: str | None = None
    tokenizer: str = Field(pattern=r"^[a-z0-9-]+:\S+$")
    """A tokenizer registry name, e.g. openai:o200k_base or estimate:anthropic:claude-2."""
    context_window: int | None = Field(default=None, gt=0)
    aliases: list[str] = []
    prices: list[PriceEntry] = Field(min_length=1)
    """Append-only history, oldest first; the last entry with from <= as_of wins."""
    checked: date
    """When a person (or the refresh job) last confirmed these prices."""
    note: str | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Model:
        for before, after in zip(self.prices, self.prices[1:], strict=False):
            if after.from_ <= before.from_:
                raise ValueError(
                    f"price entries out of date order: {after.from_} comes after {before.from_}; "
                    "keep entries oldest first and append new ones at the end"
                )
        return self


class ProviderTable(_Strict):
    """All models one billing provider sells, with their dated prices."""

    provider: str = Field(pattern=r"^[a-z0-9-]+$")
    """Slug of the billing provider; must equal the file name."""
    name: str
    pricing_url: str
    region: str | None = None
    note: str | None = None
    models: list[Model]


def json_schema() -> dict:
    schema = ProviderTable.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "costcalc price table"
    return schema
