"""pricing/source-map.yaml: which upstream id each source uses for our offerings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from costcalc.errors import RefreshError
from costcalc.prices.yamlio import read_validated
from costcalc.refresh.sources import PRICE_SOURCES

Id = Annotated[str, Field(min_length=1)]
Reason = Annotated[str, Field(min_length=5)]


@dataclass(frozen=True)
class SourceMap:
    ids: dict[str, dict[str, str]]  # source -> {offering ref -> upstream id}
    track: dict[str, tuple[str, ...]]  # source -> namespaces whose unmapped models are reported as new
    unmapped: dict[str, str]  # offering ref -> why no source lists it (every offering is mapped or says why)
    unmapped_providers: dict[str, str] = field(default_factory=dict)  # provider -> why none of its offerings is

    @property
    def covered(self) -> set[str]:
        """Offering refs mapped to a source or unmapped with a reason (whole providers aside: see `covers`)."""
        return set(self.unmapped).union(*(set(refs) for refs in self.ids.values()))

    def covers(self, ref: str) -> bool:
        return ref in self.covered or ref.split("/", 1)[0] in self.unmapped_providers

    def for_source(self, source: str) -> dict[str, str]:
        return self.ids.get(source, {})


class _Upstream(BaseModel):
    """The upstream id of one offering in each price source that lists it, or why none does."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    litellm: Id | None = None
    openrouter: Id | None = None
    genai_prices: Id | None = Field(default=None, alias="genai-prices")
    unmapped: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> _Upstream:
        ids = [self.litellm, self.openrouter, self.genai_prices]
        if self.unmapped is not None and (any(ids) or len(self.unmapped) < 5):
            raise ValueError("`unmapped` takes a reason and stands alone, e.g. {unmapped: \"retired before the "
                             "sources listed it\"}")
        if self.unmapped is None and not any(ids):
            raise ValueError("map at least one source (litellm, openrouter, genai-prices) or give `unmapped: reason`")
        return self


class SourceMapFile(BaseModel):
    """pricing/source-map.yaml (the format is explained in the comment at its top)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    track: dict[Literal[PRICE_SOURCES], list[str]] = {}  # type: ignore[valid-type]
    unmapped_providers: dict[str, Reason] = {}
    offerings: dict[Annotated[str, Field(pattern=r"^[^/\s]+/\S+$")], _Upstream]


def load_source_map(path: Path) -> SourceMap:
    if not path.is_file():
        raise RefreshError(f"no source map at {path}", "copy pricing/source-map.yaml into the pricing directory")
    data, _, problems = read_validated(path, SourceMapFile)
    if data is None:
        raise RefreshError(problems[0], "see the comment at the top of pricing/source-map.yaml for the format")
    ids: dict[str, dict[str, str]] = {name: {} for name in PRICE_SOURCES}
    unmapped: dict[str, str] = {}
    for ref, upstream in data.offerings.items():
        if upstream.unmapped is not None:
            unmapped[ref] = upstream.unmapped
        for name, upstream_id in upstream.model_dump(by_alias=True, exclude={"unmapped"}).items():
            if upstream_id is not None:
                ids[name][ref] = upstream_id
    return SourceMap(ids, {k: tuple(v) for k, v in data.track.items()}, unmapped, dict(data.unmapped_providers))
