"""Your own prices on top of ours: `--prices FILE|DIR` (repeatable) and `COSTCALC_PRICES` (paths separated by
the OS path separator) add provider tables, or models to a bundled provider, without copying `pricing/`.

An overlay file is a provider table in the bundled format (`provider`, `name`, `pricing_url`, `models`), checked
by the same schema and cross-checks. For a provider the bundled tables already have, only its `models` are used:
a new model id is added; a model id the bundled table already has is replaced by yours, and the report says so.
Two overlays that define the same model fail, naming both files.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from costcalc.errors import PriceTableError, UsageError
from costcalc.prices.schema import ProviderTable

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
            found = sorted((path / "providers").glob("*.yaml")) or sorted(path.glob("*.yaml"))
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


def apply(providers: Sequence[ProviderTable], files: Sequence[Path], fx) -> tuple[tuple[ProviderTable, ...],
                                                                                 list[str]]:
    """Bundled tables with the overlays merged in, and one line per bundled model an overlay replaced."""
    from costcalc.prices.loader import _cross_checks, _read_provider

    tables = {p.provider: p for p in providers}
    origin: dict[tuple[str, str], Path] = {}
    replaced: list[str] = []
    for path in files:
        table, problems = _read_provider(path)
        # An overlay file may have any name (mine.yaml): its `provider` field says which table it extends.
        problems = [p for p in problems if table is None or "does not match the file name" not in p]
        if problems or table is None:
            raise PriceTableError(problems[0] if problems else f"{path}: not a price table",
                                  f"run `costcalc prices validate {path}` to list every problem")
        problems = _cross_checks([(path, table)], fx)
        if problems:
            raise PriceTableError(problems[0], f"run `costcalc prices validate {path}` to list every problem")
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
    problems = _cross_checks([(Path(f"<{p.provider} with overlays>"), p) for p in merged], fx)
    if problems:
        raise PriceTableError(problems[0], "an alias in your overlay clashes with a bundled id or alias; rename it")
    return merged, replaced
