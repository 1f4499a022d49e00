"""Read and check a pricing directory: providers/*.yaml and sources.yaml against the schema, then across files.

`check_dir` collects every problem (for `costcalc prices validate`); `load_tables` raises on the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from costcalc.errors import PriceTableError, closest
from costcalc.prices.fx import FxTable, load_fx
from costcalc.prices.schema import RULE_FIELDS, ProviderTable, Source, SourcesFile
from costcalc.prices.version import table_files, table_version
from costcalc.prices.yamlio import duplicate_ids, line_of, read_validated


@dataclass(frozen=True)
class LoadedTables:
    root: Path
    providers: tuple[ProviderTable, ...]
    fx: FxTable
    version: str  # calendar version from pricing/VERSION + short content hash
    sources: dict[str, Source]


@dataclass(frozen=True)
class _File:
    path: Path
    table: ProviderTable
    node: object  # the YAML node tree, for line numbers

    def at(self, *loc: int | str) -> str:
        line = line_of(self.node, loc)  # type: ignore[arg-type]
        return f"{self.path}:{line}" if line else str(self.path)


def _read_provider(path: Path) -> tuple[_File | None, list[str]]:
    table, node, problems = read_validated(path, ProviderTable)
    if table is None:
        return None, problems
    if table.provider != path.stem:
        return _File(path, table, node), [f"{path}: provider {table.provider!r} does not match the file name; "
                                          f"rename the file to {table.provider}.yaml or fix the provider field"]
    return _File(path, table, node), []


def sources_path(root: Path) -> Path:
    return root / "sources.yaml"


def read_sources(root: Path) -> tuple[dict[str, Source] | None, list[str]]:
    """The citations of pricing/sources.yaml by id (None when the file is unusable), and every problem
    (duplicate ids named with file:line)."""
    path = sources_path(root)
    if not path.is_file():
        return None, [f"{path}: missing; every price entry cites ids defined there (see docs/pricing-format.md)"]
    parsed, node, problems = read_validated(path, SourcesFile)
    if parsed is None:
        return None, problems
    ids = [source.id for source in parsed.sources]
    return {source.id: source for source in parsed.sources}, duplicate_ids(path, node, "sources", ids, "source id")


def _check_sources(f: _File, sources: dict[str, Source]) -> list[str]:
    problems = []

    def check(ids: list[str], what: str, *loc: int | str) -> None:
        for k, sid in enumerate(ids):
            if sid not in sources:
                hint = closest(sid, sources)
                problems.append(f"{f.at(*loc, k)}: {what}: unknown source id {sid!r}; define it in sources.yaml"
                                + (f" ({hint})" if hint else ""))

    for r, rule in enumerate(f.table.rules):
        check(rule.source, f"rule {rule.kind!r}", "rules", r, "source")
    for m, model in enumerate(f.table.models):
        for e, entry in enumerate(model.prices):
            check(entry.source, f"model {model.id!r}: entry from {entry.from_}", "models", m, "prices", e, "source")
        for n, absent in enumerate(model.not_offered):
            check(absent.source, f"model {model.id!r}: not_offered {absent.component}", "models", m, "not_offered",
                  n, "source")
    return problems


def _check_names(f: _File) -> list[str]:
    """Ids and plain aliases are unique; a dated alias name never points to two models on the same day."""
    problems = []
    provider = f.table.provider
    spans: dict[str, list[tuple[date, date | None, str, int]]] = {}
    for m, model in enumerate(f.table.models):
        for a, alias in enumerate([model.id, *model.aliases]):
            if isinstance(alias, str):
                span = (date.min, None, model.id, m)
                name = alias
            else:
                span = (alias.from_, alias.until, model.id, m)
                name = alias.name
            for start, end, other, _ in spans.get(name, []):
                if (end is None or span[0] < end) and (span[1] is None or start < span[1]):
                    where = f.at("models", m, "aliases", a - 1) if a else f.at("models", m, "id")
                    if start == date.min and span[0] == date.min:
                        problems.append(f"{where}: model {model.id!r}: {provider}/{name} is already used by "
                                        f"{other!r}; ids and aliases must be unique")
                    else:
                        problems.append(f"{where}: model {model.id!r}: alias {provider}/{name} overlaps its "
                                        f"target {other!r}; give the dated targets of one name disjoint "
                                        "[from, until) ranges")
                    break
            spans.setdefault(name, []).append(span)
    return problems


def _check_rules(f: _File) -> list[str]:
    """A rule names known models; a rule and an explicit price for the same field never meet on one entry."""
    problems = []
    ids = {m.id for m in f.table.models}
    for r, rule in enumerate(f.table.rules):
        for k, mid in enumerate(rule.applies_to or []):
            if mid not in ids:
                problems.append(f"{f.at('rules', r, 'applies_to', k)}: rule {rule.kind!r} applies to unknown "
                                f"model {mid!r}; use an id of this file")
        fields = [name for name, _ in RULE_FIELDS[rule.kind]]
        for m, model in enumerate(f.table.models):
            if not rule.covers(model.id):
                continue
            for e, entry in enumerate(model.prices):
                explicit = [n for n in fields if getattr(entry, n) is not None]
                if explicit and rule.overlaps(*model.period(e)):
                    problems.append(
                        f"{f.at('models', m, 'prices', e, explicit[0])}: model {model.id!r}: entry from "
                        f"{entry.from_} has explicit {', '.join(explicit)} and the provider's {rule.kind} rule "
                        f"(from {rule.from_}) also applies; remove one (or list the other models in applies_to)")
    return problems


# The entry fields a `not_offered` component rules out.
_COMPONENT_FIELDS = {"batch": ("batch_input", "batch_output"), "caching": ("cached_input", "cache_write",
                                                                          "cache_write_1h")}


def _check_not_offered(f: _File) -> list[str]:
    """A component the model lists as not offered has no price: neither on an entry nor by a provider rule."""
    problems = []
    for m, model in enumerate(f.table.models):
        for n, absent in enumerate(model.not_offered):
            where = f.at("models", m, "not_offered", n)
            for e, entry in enumerate(model.prices):
                priced = [name for name in _COMPONENT_FIELDS[absent.component] if getattr(entry, name) is not None]
                rules = [r for r in f.table.rules if absent.component == "batch" == r.kind and r.covers(model.id)
                         and r.overlaps(*model.period(e))]
                if priced or rules:
                    what = ", ".join(priced) if priced else f"the provider's batch rule (from {rules[0].from_})"
                    problems.append(f"{where}: model {model.id!r}: not_offered {absent.component}, yet the entry "
                                    f"from {entry.from_} is priced with {what}; remove one of them")
    return problems


def _cross_checks(files: list[_File], fx: FxTable | None, sources: dict[str, Source] | None) -> list[str]:
    from costcalc.tokenizers.registry import is_known

    problems: list[str] = []
    seen_provider: dict[str, Path] = {}
    for f in files:
        path, table = f.path, f.table
        if table.provider in seen_provider:
            problems.append(f"{path}: provider {table.provider!r} is also defined in {seen_provider[table.provider]}")
        seen_provider[table.provider] = path
        problems += _check_names(f) + _check_rules(f) + _check_not_offered(f)
        if sources is not None:
            problems += _check_sources(f, sources)
        for model in table.models:
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
    loaded, fx, _, problems = _check(root)
    return loaded, fx, problems


def _check(root: Path) -> tuple[list[tuple[Path, ProviderTable]], FxTable | None, dict[str, Source], list[str]]:
    problems: list[str] = []
    files = table_files(root)
    if not files:
        problems.append(f"{root}: no price tables found under providers/*.yaml")
    fx = None
    try:
        fx = load_fx(root / "fx.yaml")
    except PriceTableError as e:
        problems.append(str(e))
    sources, found = read_sources(root)
    problems += found
    loaded = []
    for path in files:
        parsed, found = _read_provider(path)
        problems += found
        if parsed is not None:
            loaded.append(parsed)
    problems += _cross_checks(loaded, fx, sources)
    problems += _calibration_problems(root, sources)
    from costcalc.prices.models import check_models

    problems += check_models(root, [(f.path, f.table) for f in loaded])
    return [(f.path, f.table) for f in loaded], fx, sources or {}, problems


def _calibration_problems(root: Path, sources: dict[str, Source] | None) -> list[str]:
    """Problems in the shipped calibrations of closed tokenizers (pricing/calibrations/*.yaml), including
    source ids that sources.yaml does not define."""
    from costcalc.calibrate.store import check_file
    from costcalc.calibrate.store import table_files as calibration_files

    problems = []
    for path in calibration_files(root):
        table, found = check_file(path)
        problems += found
        for i, entry in enumerate(table.calibrations if table and sources is not None else []):
            problems += [f"{path}: calibrations[{i}]: unknown source id {sid!r}; define it in sources.yaml"
                         for sid in entry.sources if sid not in sources]
    return problems


def load_tables(root: Path) -> LoadedTables:
    loaded, fx, sources, problems = _check(root)
    if problems:
        extra = len(problems) - 1
        more = f" (and {extra} more problem{'s' if extra > 1 else ''})" if extra else ""
        raise PriceTableError(problems[0] + more, f"run `costcalc prices validate {root}` to list them all")
    assert fx is not None
    return LoadedTables(root, tuple(t for _, t in loaded), fx, table_version(root), sources)
