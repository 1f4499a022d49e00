"""Your own prices on top of ours: `--prices FILE|DIR` (repeatable) and `COSTCALC_PRICES` (paths separated by
the OS path separator) add provider tables, or models to a bundled provider, without copying `pricing/`.

An overlay file is a provider table in the bundled format (`provider`, `name`, `pricing_url`, `models`), checked
by the same schema and cross-checks; the source ids its entries cite are bundled ones or defined in a
`sources.yaml` beside it (the format of pricing/sources.yaml). For a provider the bundled tables already have,
only its `models` are used: a new model id is added; a model id the bundled table already has is replaced by
yours, and the report says so. Two overlays that define the same model fail, naming both files.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from costcalc.errors import PriceTableError, UsageError
from costcalc.prices.schema import ProviderTable, Source

ENV = "COSTCALC_PRICES"


def from_env() -> list[str]:
    value = os.environ.get(ENV, "")
    return [p for p in value.split(os.pathsep) if p]


def overlay_files(paths: Iterable[str | Path]) -> list[Path]:
    """The YAML files of each overlay: a file as is; a directory's providers/*.yaml, else its *.yaml."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            found = sorted((path / "providers").glob("*.yaml")) or sorted(
                p for p in path.glob("*.yaml") if p.name != "sources.yaml")
            if not found:
                raise UsageError(f"price overlay {str(path)!r} has no *.yaml files",
                                 "put provider tables in it, or in its providers/ folder")
            files += found
        else:
            raise UsageError(f"price overlay {str(path)!r} does not exist", f"check --prices / {ENV}")
    return files


def digest(files: Sequence[Path]) -> str:
    """A short hash of the overlay files' names and bytes, added to the table version."""
    h = hashlib.sha256()
    for path in files:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:8]


def _sources(files: Sequence[Path], bundled: dict[str, Source]) -> dict[str, Source]:
    """The bundled citations plus those in a sources.yaml beside (or one level above) each overlay file."""
    from costcalc.prices.loader import read_sources

    merged = dict(bundled)
    seen: set[Path] = set()
    for path in files:
        for folder in (path.parent, path.parent.parent):
            if folder in seen or not (folder / "sources.yaml").is_file():
                continue
            seen.add(folder)
            found, problems = read_sources(folder)
            if problems or found is None:
                raise PriceTableError(problems[0], "fix the overlay's sources.yaml")
            for sid, source in found.items():
                if sid in merged and merged[sid] != source:
                    raise PriceTableError(f"{folder / 'sources.yaml'}: source id {sid!r} is already a bundled "
                                          "citation with other details", "give your source another id")
                merged[sid] = source
            break
    return merged


def apply(providers: Sequence[ProviderTable], sources: dict[str, Source], files: Sequence[Path],
          fx) -> tuple[tuple[ProviderTable, ...], dict[str, Source], list[str]]:
    """Bundled tables with the overlays merged in, the citations they may use, and one line per bundled model
    an overlay replaced."""
    from costcalc.prices.loader import _cross_checks, _File, _read_provider

    sources = _sources(files, sources)
    tables = {p.provider: p for p in providers}
    origin: dict[tuple[str, str], Path] = {}
    replaced: list[str] = []
    for path in files:
        parsed, problems = _read_provider(path)
        # An overlay file may have any name (mine.yaml): its `provider` field says which table it extends.
        problems = [p for p in problems if parsed is None or "does not match the file name" not in p]
        if problems or parsed is None:
            raise PriceTableError(problems[0] if problems else f"{path}: not a price table",
                                  f"run `costcalc prices validate {path}` to list every problem")
        problems = _cross_checks([parsed], fx, sources)
        if problems:
            raise PriceTableError(problems[0], f"run `costcalc prices validate {path}` to list every problem")
        table = parsed.table
        current = tables.get(table.provider)
        models = {m.id: m for m in (current.models if current else [])}
        for model in table.models:
            key = (table.provider, model.id)
            if key in origin:
                raise PriceTableError(f"{path}: model {table.provider}/{model.id} is also defined in the overlay "
                                      f"{origin[key]}", "keep it in one overlay file")
            origin[key] = path
            if model.id in models:
                replaced.append(f"{table.provider}/{model.id}: prices from your overlay {path.name} replace the "
                                "bundled ones")
            models[model.id] = model
        tables[table.provider] = (current.model_copy(update={"models": list(models.values())}) if current
                                  else table)
    merged = tuple(tables.values())
    problems = _cross_checks([_File(Path(f"<{p.provider} with overlays>"), p, None) for p in merged], fx, None)
    if problems:
        raise PriceTableError(problems[0], "an id or alias in your overlay clashes with a bundled one; rename it")
    return merged, sources, replaced
