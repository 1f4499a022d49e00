"""The calibration-table schema: strict pydantic models, Decimal factors, dated append-only entries.

One entry = how many tokens a closed tokenizer family needs per token of its exact base tokenizer, for one
language (or `*`: any language), measured one way on one day. `pricing/calibrations/*.yaml` holds the shipped
ones; `costcalc calibrate` writes new ones; `--calibrations FILE` overlays a user's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Method = Literal["vendor-count", "usage-log", "published"]
Confidence = Literal["high", "medium", "low"]


def _number(value: object) -> object:
    # YAML floats arrive as Decimal (prices.yamlio); refuse bools and text that would silently coerce.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"must be a plain number such as 1.16, got {value!r}")
    return Decimal(value)


Factor = Annotated[Decimal, BeforeValidator(_number), Field(gt=0)]
Overhead = Annotated[Decimal, BeforeValidator(_number)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Calibration(_Strict):
    """tokens(family) = factor x tokens(base) for text in `language`, plus `overhead_tokens` per request."""

    family: str = Field(pattern=r"^[a-z0-9-]+:\S+$")
    """The closed tokenizer family, e.g. anthropic:claude-3."""
    base: str = Field(pattern=r"^[a-z0-9-]+:\S+$")
    """The exact tokenizer the factor multiplies, e.g. openai:o200k_base."""
    language: str = Field(pattern=r"^(\*|[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)$")
    """BCP-47 language code, or * for a factor measured without regard to language."""
    factor: Factor
    factor_low: Factor | None = None
    """Lower end of the 95% interval (or of the published range)."""
    factor_high: Factor | None = None
    overhead_tokens: Overhead | None = None
    """Tokens the vendor adds to every request (message framing), not counted in `factor`."""
    tokens_measured: int | None = Field(default=None, ge=0)
    """Base-tokenizer tokens of the text the factor was measured on."""
    documents: int | None = Field(default=None, ge=0)
    """Documents (vendor-count) or requests (usage-log) measured."""
    model: str | None = None
    """The vendor model whose counts were measured, e.g. claude-sonnet-4-5."""
    corpus: str | None = None
    """The corpus measured (set name or file), for vendor-count and usage-log."""
    corpus_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    method: Method
    """vendor-count: the vendor's counting endpoint over a corpus; usage-log: billed input_tokens in a usage
    log; published: a figure from a cited publication."""
    measured: date
    """The day the measurement was made (published: the publication day)."""
    sources: list[str] = []
    """Ids from pricing/sources.yaml (required for published entries)."""
    confidence: Confidence
    note: str | None = None
    """For users: how the figure was obtained and what it does not cover."""

    @model_validator(mode="after")
    def _consistent(self) -> Calibration:
        if self.factor_low is not None and self.factor_low > self.factor:
            raise ValueError(f"factor_low {self.factor_low} is above factor {self.factor}")
        if self.factor_high is not None and self.factor_high < self.factor:
            raise ValueError(f"factor_high {self.factor_high} is below factor {self.factor}")
        if self.method == "published" and not self.sources:
            raise ValueError("a published calibration needs sources (ids from pricing/sources.yaml)")
        if self.method != "published" and self.tokens_measured is None:
            raise ValueError(f"a {self.method} calibration needs tokens_measured")
        return self


class CalibrationTable(_Strict):
    """A calibration file: entries are appended, never edited; the latest `measured` wins per language."""

    calibrations: list[Calibration]
