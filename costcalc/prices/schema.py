"""The price-table schema: strict pydantic models, Decimal money, dated append-only entries.

One YAML file per billing provider (`pricing/providers/<provider>.yaml`) and one list of citations
(`pricing/sources.yaml`) that entries name by id. `pricing/schema.json` is generated from these models
(`costcalc prices schema > pricing/schema.json`) and a test keeps it in sync. docs/pricing-format.md explains
the format to contributors.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


def _money(value: object) -> object:
    # YAML floats arrive as Decimal (see loader); refuse what would silently coerce: bools, text, floats.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"a price must be a plain number such as 2.5, got {value!r}")
    return Decimal(value)


Money = Annotated[Decimal, BeforeValidator(_money), Field(ge=0)]
Factor = Annotated[Decimal, BeforeValidator(_money), Field(gt=0)]
Confidence = Literal["high", "medium", "low"]
FromBasis = Literal["announced", "snapshot-id", "first-seen"]
ModelClass = Literal["flagship", "mid", "small", "reasoning", "code", "embedding", "audio", "other"]
SourceId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
Url = Annotated[str, Field(pattern=r"^https?://\S+$")]
SourceList = Annotated[list[SourceId], Field(min_length=1)]
"""Ids of citations defined in pricing/sources.yaml."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True, populate_by_name=True)


class Source(_Strict):
    """One citation: a page, package or repository a user can open to check a price."""

    id: SourceId
    """Lowercase slug, unique in the file, publisher first (e.g. anthropic-pricing-2026-12, litellm-1.14.4)."""
    title: str = Field(min_length=3)
    publisher: str = Field(min_length=2)
    url: Url
    """A page a user can open (http or https)."""
    retrieved: date
    """The day the content was read; for a package, its upload day."""
    version: str | None = None
    """Package version, for package sources."""
    commit: str | None = Field(default=None, pattern=r"^[0-9a-f]{7,40}$")
    """Commit, for repository sources."""
    archived_url: Url | None = None
    note: str | None = None


class SourcesFile(_Strict):
    """pricing/sources.yaml: every source once."""

    sources: list[Source]


class Tier(_Strict):
    """Long-context pricing: these prices apply to a whole request whose prompt is longer than `above` tokens."""

    above: int = Field(gt=0)
    """Prompt length in tokens above which this tier applies."""
    input: Money
    output: Money | None = None
    cached_input: Money | None = None
    cache_write: Money | None = None
    cache_write_1h: Money | None = None


TIER_FIELDS = ("input", "output", "cached_input", "cache_write", "cache_write_1h")


class PriceEntry(_Strict):
    """List prices in force from `from` (inclusive) until the next entry, or until the model's `until`."""

    from_: date = Field(alias="from")
    """The day these prices took effect (see from_basis for how that day is known)."""
    from_basis: FromBasis | None = None
    """announced: a vendor page gives the day; snapshot-id: the date in a dated model id;
    first-seen: the earliest date a cited source shows the price (the true day may be earlier)."""
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    """Currency as billed (ISO 4217), e.g. EUR for Mistral in 2023."""
    unit: Literal["token", "character"] = "token"
    """What the prices count: per 1M tokens (default) or per 1M characters."""
    input: Money | None = None
    output: Money | None = None
    cached_input: Money | None = None
    """Price of input read from the prompt cache."""
    cache_write: Money | None = None
    """Price of writing input to the prompt cache (the 5-minute cache where a vendor sells several)."""
    cache_write_1h: Money | None = None
    """Price of writing input to the 1-hour prompt cache, where sold."""
    batch_input: Money | None = None
    batch_output: Money | None = None
    tiers: list[Tier] = []
    source: SourceList
    confidence: Confidence
    """high: the vendor's own page, or two independent sources that agree; medium: one secondary source;
    low: sources conflict (the note says how)."""
    note: str | None = None
    """For users: plain sentences, no shorthand."""

    @model_validator(mode="before")
    @classmethod
    def _moved_fields(cls, data: Any) -> Any:
        if isinstance(data, dict) and "until" in data:
            raise ValueError("'until' belongs to the model, not to a price entry; move it to the model "
                             "(the first day the model is no longer served)")
        if isinstance(data, dict) and isinstance(data.get("source"), str):
            raise ValueError("'source' is a list of ids defined in pricing/sources.yaml, "
                             "e.g. source: [litellm-1.14.4]")
        return data

    @model_validator(mode="after")
    def _check(self) -> PriceEntry:
        if self.input is None and self.output is None:
            raise ValueError("an entry needs at least an input or an output price")
        if [t.above for t in self.tiers] != sorted({t.above for t in self.tiers}):
            raise ValueError("tiers must be in increasing, distinct order of 'above'")
        if len(set(self.source)) != len(self.source):
            raise ValueError("a source id is listed twice")
        return self


class DatedAlias(_Strict):
    """A moving name (such as `-latest`) that points to this model from `from` (inclusive) to `until` (exclusive)."""

    name: str = Field(min_length=1, pattern=r"^\S+$")
    from_: date = Field(alias="from")
    until: date | None = None

    @model_validator(mode="after")
    def _check(self) -> DatedAlias:
        if self.until is not None and self.until <= self.from_:
            raise ValueError(f"alias {self.name!r}: until {self.until} must be after from {self.from_}")
        return self


class NotOffered(_Strict):
    """A component the provider sells for other models but not for this one, and the citation that says so."""

    component: Literal["batch", "caching"]
    source: SourceList
    note: str | None = None


class Model(_Strict):
    """One model as sold by one provider."""

    id: str = Field(min_length=1, pattern=r"^\S+$")
    """The provider's own model id, as used in its API."""
    name: str
    creator: str | None = None
    model: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9._-]*/\S+$")
    """Canonical model id (the weights or the product), the same for every host selling it: open weights use the
    Hugging Face repo id lowercased (meta-llama/llama-3.3-70b-instruct), closed models vendor/id."""
    class_: ModelClass | None = Field(default=None, alias="class")
    """What the model is for; presets such as `current` pick the newest model of each class."""
    tokenizer: str = Field(pattern=r"^[a-z0-9-]+:\S+$")
    """A tokenizer registry name, e.g. openai:o200k_base or estimate:anthropic:claude-2."""
    context_window: int | None = Field(default=None, gt=0)
    """Tokens, as this provider serves the model."""
    max_output: int | None = Field(default=None, gt=0)
    """Maximum output tokens per request."""
    precision: str | None = None
    """Quantization or precision where the host states it (fp8, bf16, ...)."""
    aliases: list[str | DatedAlias] = []
    """Plain strings are permanent aliases (dated snapshot ids); {name, from, until} are moving names."""
    until: date | None = None
    """First day the model is no longer served (retired)."""
    successor: str | None = None
    """The id the vendor names as replacement."""
    not_offered: list[NotOffered] = []
    """Components the provider sells for other models but not for this one (e.g. no batch API for a chat-latest
    alias, no prompt caching for a pro model), each with its citation: the data checks then expect no such
    price."""
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
        components = [n.component for n in self.not_offered]
        if len(set(components)) < len(components):
            raise ValueError("not_offered lists a component twice; keep one entry per component")
        if self.until is not None and self.prices[-1].from_ >= self.until:
            raise ValueError(f"a price from {self.prices[-1].from_} starts on or after the model's retirement "
                             f"(until {self.until}); a retired model takes no new prices")
        return self

    def offers(self, component: Literal["batch", "caching"]) -> bool:
        """False when `not_offered` says the provider does not sell this component for the model."""
        return all(n.component != component for n in self.not_offered)

    @property
    def plain_aliases(self) -> list[str]:
        return [a for a in self.aliases if isinstance(a, str)]

    @property
    def dated_aliases(self) -> list[DatedAlias]:
        return [a for a in self.aliases if isinstance(a, DatedAlias)]

    def period(self, index: int) -> tuple[date, date | None]:
        """[from, until) of price entry `index`: until the next entry, or the model's retirement."""
        end = self.prices[index + 1].from_ if index + 1 < len(self.prices) else self.until
        return self.prices[index].from_, end


class Rule(_Strict):
    """A dated provider-level price rule that lookups apply (and say so) where an entry has no explicit price.

    batch: batch_input/batch_output = factor x input/output; cache_write_1h: cache_write_1h = factor x input;
    regional_uplift: regional (non-global) endpoints cost factor x every list price."""

    kind: Literal["batch", "cache_write_1h", "regional_uplift"]
    factor: Factor
    from_: date = Field(alias="from")
    until: date | None = None
    applies_to: list[str] | None = None
    """Model ids the rule covers (default: every model of the file)."""
    source: SourceList
    note: str | None = None

    def covers(self, model_id: str) -> bool:
        return self.applies_to is None or model_id in self.applies_to

    def active(self, day: date) -> bool:
        return self.from_ <= day and (self.until is None or day < self.until)

    def overlaps(self, start: date, end: date | None) -> bool:
        """Does [start, end) overlap the rule's [from, until)?"""
        return (end is None or self.from_ < end) and (self.until is None or start < self.until)


# Fields each rule kind fills in, and which entry fields it is computed from.
RULE_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "batch": (("batch_input", "input"), ("batch_output", "output")),
    "cache_write_1h": (("cache_write_1h", "input"),),
    "regional_uplift": (),
}


class ProviderTable(_Strict):
    """All models one billing provider sells, with their dated prices."""

    provider: str = Field(pattern=r"^[a-z0-9-]+$")
    """Slug of the billing provider; must equal the file name."""
    name: str
    pricing_url: Url
    region: str | None = None
    note: str | None = None
    rules: list[Rule] = []
    models: list[Model]


def json_schema() -> dict:
    schema = ProviderTable.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "costcalc price table"
    return schema


def sources_json_schema() -> dict:
    schema = SourcesFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "costcalc price sources"
    return schema
