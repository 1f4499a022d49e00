"""pricing/source-map.yaml: which upstream id each source uses for our offerings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from costcalc.errors import RefreshError
from costcalc.prices.yamlio import read_yaml

PRICE_SOURCES = ("litellm", "openrouter", "genai-prices")


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


def load_source_map(path: Path) -> SourceMap:
    hint = "see the comment at the top of pricing/source-map.yaml for the format"
    if not path.is_file():
        raise RefreshError(f"no source map at {path}", "copy pricing/source-map.yaml into the pricing directory")
    data, _ = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("offerings"), dict):
        raise RefreshError(f"{path}: expected a mapping with an 'offerings' key", hint)
    ids: dict[str, dict[str, str]] = {name: {} for name in PRICE_SOURCES}
    unmapped: dict[str, str] = {}
    for ref, upstream in data["offerings"].items():
        if not isinstance(ref, str) or "/" not in ref or not isinstance(upstream, dict):
            raise RefreshError(f"{path}: bad entry {ref!r}: expected `provider/model: {{litellm: KEY, ...}}`", hint)
        if "unmapped" in upstream:
            if len(upstream) != 1 or not isinstance(upstream["unmapped"], str) or len(upstream["unmapped"]) < 5:
                raise RefreshError(f"{path}: {ref}: `unmapped` takes a reason and stands alone, "
                                   "e.g. {unmapped: \"retired before the sources listed it\"}", hint)
            unmapped[ref] = upstream["unmapped"]
            continue
        for source, upstream_id in upstream.items():
            if source not in PRICE_SOURCES or not isinstance(upstream_id, str) or not upstream_id:
                raise RefreshError(f"{path}: {ref}: unknown source {source!r} or empty id; "
                                   f"sources are {', '.join(PRICE_SOURCES)} (or `unmapped: reason`)", hint)
            ids[source][ref] = upstream_id
    track_raw = data.get("track") or {}
    if not isinstance(track_raw, dict):
        raise RefreshError(f"{path}: 'track' must map a source to a list of namespaces", hint)
    track = {str(k): tuple(str(v) for v in (vals or [])) for k, vals in track_raw.items()}
    providers = data.get("unmapped_providers") or {}
    if not isinstance(providers, dict) or not all(isinstance(v, str) and len(v) >= 5 for v in providers.values()):
        raise RefreshError(f"{path}: 'unmapped_providers' maps a provider to the reason none of its offerings is "
                           "refreshed", hint)
    return SourceMap(ids, track, unmapped, {str(k): v for k, v in providers.items()})
