"""Read and check a pricing directory: providers/*.yaml against the schema, then across files.

`check_dir` collects every problem (for `costcalc prices validate`); `load_tables` raises on the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from costcalc.errors import PriceTableError
from costcalc.prices.fx import FxTable, load_fx
from costcalc.prices.schema import ProviderTable
from costcalc.prices.version import table_files, table_version
from costcalc.prices.yamlio import line_of, read_yaml


@dataclass(frozen=True)
class LoadedTables:
    root: Path
    providers: tuple[ProviderTable, ...]
    fx: FxTable
    version: str  # calendar version from pricing/VERSION + short content hash


def _where(loc: tuple[int | str, ...], table: dict) -> str:
    """'model 'gpt-4': prices[1].input' from a pydantic location inside a provider file."""
    parts, i = [], 0
    if len(loc) >= 2 and loc[0] == "models" and isinstance(loc[1], int):
        models = table.get("models") or []
        model_id = models[loc[1]].get("id") if loc[1] < len(models) and isinstance(models[loc[1]], dict) else None
        parts.append(f"model {model_id!r}" if model_id else f"models[{loc[1]}]")
        i = 2
    path = ""
    for key in loc[i:]:
        path += f"[{key}]" if isinstance(key, int) else (f".{key}" if path else str(key))
    return ": ".join([*parts, path] if path else parts)


def _validation_problems(path: Path, data: object, node, err: ValidationError) -> list[str]:
    problems = []
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        line = line_of(node, loc)
        where = _where(loc, data if isinstance(data, dict) else {})
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = f"unknown field {loc[-1]!r}; remove it or check its spelling (see pricing/schema.json)"
        elif e["type"] == "missing":
            msg = f"missing required field {loc[-1]!r}"
        elif "input" in e and e["type"] not in ("model_type",) and not isinstance(e["input"], dict | list):
            msg = f"{msg} (got {e['input']!r})"
        problems.append(f"{path}{':' + str(line) if line else ''}: {where + ': ' if where else ''}{msg}")
    return problems


def _read_provider(path: Path) -> tuple[ProviderTable | None, list[str]]:
    try:
        data, node = read_yaml(path)
    except PriceTableError as e:
        return None, [str(e)]
    try:
        table = ProviderTable.model_validate(data)
    except ValidationError as e:
        return None, _validation_problems(path, data, node, e)
    if table.provider != path.stem:
        return table, [f"{path}: provider {table.provider!r} does not match the file name; "
                       f"rename the file to {table.provider}.yaml or fix the provider field"]
    return table, []


def _cross_checks(files: list[tuple[Path, ProviderTable]], fx: FxTable | None) -> list[str]:
    from costcalc.tokenizers.registry import is_known

    problems: list[str] = []
    seen_provider: dict[str, Path] = {}
    for path, table in files:
        if table.provider in seen_provider:
            problems.append(f"{path}: provider {table.provider!r} is also defined in {seen_provider[table.provider]}")
        seen_provider[table.provider] = path
        refs: dict[str, str] = {}
        for model in table.models:
            for name in [model.id, *model.aliases]:
                if name in refs:
                    problems.append(f"{path}: model {model.id!r}: {table.provider}/{name} is already used by "
                                    f"{refs[name]!r}; ids and aliases must be unique")
                refs[name] = model.id
            if not is_known(model.tokenizer):
                problems.append(f"{path}: model {model.id!r}: unknown tokenizer {model.tokenizer!r}; "
                                "see `costcalc tokenizers list` for the names")
            for entry in model.prices:
                if fx is not None and entry.currency not in fx.currencies:
                    problems.append(f"{path}: model {model.id!r}: entry from {entry.from_}: unknown currency "
                                    f"{entry.currency!r}; pricing/fx.yaml knows {', '.join(fx.currencies)}")
                elif fx is not None and entry.currency != fx.quote and entry.from_ < fx.days[0]:
                    problems.append(f"{path}: model {model.id!r}: no {entry.currency} rate for {entry.from_} in "
                                    f"pricing/fx.yaml (rates start {fx.days[0]}); add older rates")
    return problems


def check_dir(root: Path) -> tuple[list[tuple[Path, ProviderTable]], FxTable | None, list[str]]:
    """Every provider table that parsed, the FX table, and every problem found (empty when all is valid)."""
    problems: list[str] = []
    files = table_files(root)
    if not files:
        problems.append(f"{root}: no price tables found under providers/*.yaml")
    fx = None
    try:
        fx = load_fx(root / "fx.yaml")
    except PriceTableError as e:
        problems.append(str(e))
    loaded = []
    for path in files:
        table, found = _read_provider(path)
        problems += found
        if table is not None:
            loaded.append((path, table))
    problems += _cross_checks(loaded, fx)
    problems += _calibration_problems(root)
    return loaded, fx, problems


def _calibration_problems(root: Path) -> list[str]:
    """Problems in the shipped calibrations of closed tokenizers (pricing/calibrations/*.yaml)."""
    from costcalc.calibrate.store import check_file
    from costcalc.calibrate.store import table_files as calibration_files

    return [p for path in calibration_files(root) for p in check_file(path)[1]]


def load_tables(root: Path) -> LoadedTables:
    loaded, fx, problems = check_dir(root)
    if problems:
        extra = len(problems) - 1
        more = f" (and {extra} more problem{'s' if extra > 1 else ''})" if extra else ""
        raise PriceTableError(problems[0] + more, f"run `costcalc prices validate {root}` to list them all")
    assert fx is not None
    return LoadedTables(root, tuple(t for _, t in loaded), fx, table_version(root))
