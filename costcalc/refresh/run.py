"""The refresh job: fetch every source, diff against the tables, and (with apply) append the changes as one unit."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from costcalc.errors import ApplyError, CostcalcError, RefreshError
from costcalc.refresh import txn
from costcalc.refresh.apply import (
    NewEntry,
    add_changelog_section,
    append_fx_rates,
    append_price_entries,
    append_sources,
    bump_version,
    check_append_only,
)
from costcalc.refresh.diff import ACTIONABLE, Finding, FxFinding, diff_fx, diff_offerings
from costcalc.refresh.http import HttpSettings, check_url, fetch
from costcalc.refresh.model import PRICE_FIELDS, Normalised
from costcalc.refresh.sourcemap import load_source_map
from costcalc.refresh.sources import NAMES, source

SOURCE_MAP = "source-map.yaml"
EXIT_OK, EXIT_SOURCE_FAILED, EXIT_CHANGES = 0, 1, 3


@dataclass
class SourceRun:
    """One source of one refresh: fetched from `url`, read from a local file (`input`), or from the installed
    package (`package`). `citation` is the sources.yaml entry the new price entries cite."""

    name: str
    url: str
    error: str | None = None
    result: Normalised | None = None
    input: Path | None = None
    package: bool = False
    citation: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def where(self) -> str:
        """Where the data came from, as the report shows it."""
        if self.input is not None:
            return str(self.input)
        if self.package:
            version = self.citation.get("version")
            return f"installed package {source(self.name).module.DIST} {version}" if version else "installed package"
        return self.url


@dataclass
class RefreshResult:
    pricing_dir: Path
    run_date: date
    sources: list[SourceRun]
    findings: list[Finding] = field(default_factory=list)
    fx: list[FxFinding] = field(default_factory=list)
    applied: bool = False
    version: str | None = None  # the new calendar version when something was applied
    recovered: str | None = None  # what recovery did to an interrupted earlier apply

    @property
    def failed(self) -> list[SourceRun]:
        return [s for s in self.sources if not s.ok]

    @property
    def changes(self) -> list[Finding]:
        return [f for f in self.findings if f.status in ACTIONABLE]

    @property
    def fx_changes(self) -> list[FxFinding]:
        return [f for f in self.fx if f.status in ("new", "quarantined", "discrepancy")]

    @property
    def exit_code(self) -> int:
        if self.failed:
            return EXIT_SOURCE_FAILED
        return EXIT_CHANGES if self.changes or self.fx_changes else EXIT_OK


def source_map_path(root: Path) -> Path:
    """The pricing directory's own source map, else the bundled one."""
    from costcalc.prices import default_pricing_dir

    own = root / SOURCE_MAP
    return own if own.is_file() else default_pricing_dir() / SOURCE_MAP


def lock_path(root: Path) -> Path:
    # Outside the pricing directory so no lock file ends up in git (or in a refresh pull request).
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"costcalc-refresh-{key}.lock"


def _read(run: SourceRun, http: HttpSettings, today: date) -> object:
    """The source's raw data (from the URL, the local file or the package), and its citation set on `run`."""
    module = source(run.name).module
    publisher = getattr(module, "PUBLISHER", module.LABEL)
    if run.package:
        data, version = module.read_package()
        dist = module.DIST
        run.citation = {"id": f"{dist}-{version}", "title": f"{dist} {version}, price data (installed package)",
                        "publisher": publisher, "url": f"https://pypi.org/project/{dist}/{version}/",
                        "retrieved": today, "version": version}
        return data
    if run.input is not None:
        try:
            raw = run.input.read_bytes()
        except OSError as e:
            raise RefreshError(f"cannot read {run.input}: {e.strerror}", "check the --input path") from None
        digest = hashlib.sha256(raw).hexdigest()[:12]
        run.citation = {"id": f"{run.name}-file-{digest}", "publisher": publisher, "url": module.HOME_URL,
                        "title": f"{module.LABEL}, a local copy ({run.input.name}, sha256 {digest}...)",
                        "retrieved": today}
        return raw
    run.citation = {"id": f"{run.name}-refresh-{today}", "title": f"{module.LABEL}, fetched by costcalc prices "
                    "refresh", "publisher": publisher, "url": run.url, "retrieved": today}
    return fetch(run.url, http)


def _fetch_one(run: SourceRun, root: Path, http: HttpSettings, today: date) -> None:
    module = source(run.name).module
    try:
        payload = module.parse(_read(run, http, today))
        if source(run.name).gives == "fx":
            run.result = module.normalise(payload)
            return
        smap = load_source_map(source_map_path(root))
        kwargs = {"today": today} if run.name == "genai-prices" else {}
        run.result = module.normalise(payload, smap.for_source(run.name), smap.track.get(run.name, ()), **kwargs)
    except CostcalcError as e:
        run.error = f"{run.name}: {e}"
    except Exception as e:  # one broken source must not stop the others
        run.error = f"{run.name}: unexpected {type(e).__name__}: {e} (a format change the parser missed?)"


def _run(name: str, where: str | Path | None, from_package: bool) -> SourceRun:
    if isinstance(where, Path):
        return SourceRun(name, where.as_posix(), input=where)
    if where is None and from_package and source(name).packaged:
        return SourceRun(name, source(name).module.DEFAULT_URL, package=True)
    return SourceRun(name, check_url(where or source(name).module.DEFAULT_URL))


def refresh(pricing_dir: str | Path, sources: list[tuple[str, str | Path | None]] | None = None, *,
            apply: bool = False, accept_large_changes: bool = False, run_date: date | None = None,
            http: HttpSettings | None = None, lock_timeout: float = 600.0, from_package: bool = False) -> RefreshResult:
    """Fetch `sources` ((name, where)), compare with the tables in `pricing_dir` and, with `apply`, append the
    accepted changes. `where` is a URL, a local file (a Path), or None: the public URL, or with `from_package`
    the installed litellm / genai-prices package (no network). Source failures are recorded, not raised."""
    from filelock import FileLock, Timeout

    root = Path(pricing_dir)
    today = run_date or date.today()
    http = http or HttpSettings()
    if not (root / "providers").is_dir():
        raise RefreshError(f"{root} is not a pricing directory (no providers/)", "pass --pricing-dir DIR")
    runs = [_run(name, where, from_package) for name, where in (sources or [(name, None) for name in NAMES])]
    if any(source(r.name).gives == "prices" for r in runs):
        load_source_map(source_map_path(root))  # a broken map is our problem, not a source failure: fail early
    for run in runs:
        _fetch_one(run, root, http, today)
    result = RefreshResult(root, today, runs)
    try:
        with FileLock(lock_path(root), timeout=lock_timeout):
            result.recovered = txn.recover(root)
            _diff(result, accept_large_changes)
            if apply and (any(f.status == "repriced" for f in result.findings)
                          or any(f.status == "new" for f in result.fx)):
                result.version = _apply(result)
                result.applied = True
    except Timeout:
        raise RefreshError(f"another refresh of {root} has held the lock for {lock_timeout:.0f}s",
                           "wait for it to finish, then run again") from None
    return result


def _diff(result: RefreshResult, accept_large: bool) -> None:
    from costcalc.prices.loader import check_dir

    tables, fx, problems = check_dir(result.pricing_dir)
    if problems:
        raise RefreshError(f"the tables in {result.pricing_dir} are invalid before the refresh: {problems[0]}",
                           f"run `costcalc prices validate {result.pricing_dir}` and fix them first")
    assert fx is not None
    price_results = {r.name: r.result for r in result.sources if r.ok and source(r.name).gives == "prices" and r.result}
    result.findings = diff_offerings(tables, price_results, result.run_date, accept_large_changes=accept_large)
    for run in result.sources:
        if run.ok and source(run.name).gives == "fx" and run.result is not None:
            result.fx = diff_fx(fx, run.result.fx, accept_large_changes=accept_large)


def citation_id(result: RefreshResult, name: str) -> str:
    return next(str(r.citation["id"]) for r in result.sources if r.name == name)


def _citations(result: RefreshResult, cited: set[str], known: set[str]) -> list[dict[str, object]]:
    """The sources.yaml entries a new price entry cites that the file does not define yet."""
    return [run.citation for run in result.sources if run.name in cited and run.citation["id"] not in known]


def _entry(finding: Finding, result: RefreshResult) -> NewEntry:
    assert finding.proposed is not None and finding.current is not None and finding.model_id is not None
    old = ", ".join(f"{n} {v}" for n, v in finding.current.items() if v is not None)
    says = "the sources agree" if len(finding.sources) > 1 else "the source says"
    note = (f"Appended by `costcalc prices refresh`; {says} it changed from the entry of {finding.current_from} "
            f"({old}; confidence {finding.confidence}).")
    if finding.dropped:
        note += f" Not reported by the sources, so not carried over: {', '.join(finding.dropped)}."
    fields: list[tuple[str, object]] = [("from", result.run_date), ("currency", "USD")]
    fields += [(n, finding.proposed[n]) for n in PRICE_FIELDS if finding.proposed.get(n) is not None]
    fields += [("source", [citation_id(result, s) for s in finding.sources]), ("confidence", "medium"),
               ("note", note)]
    return NewEntry(finding.model_id, tuple(fields))


def _changelog(result: RefreshResult, version: str, changes: list[Finding], rates: list[FxFinding]) -> str:
    lines = [f"## {version} (refresh of {result.run_date})", ""]
    for f in changes:
        assert f.current is not None and f.proposed is not None
        parts = []
        for n in PRICE_FIELDS:
            old, new = f.current.get(n), f.proposed.get(n)
            if new is not None and old != new:
                pct = f.pct(n)
                parts.append(f"{n} {old} -> {new}" + (f" ({pct:+}%)" if pct is not None else ""))
        lines.append(f"- {f.ref}: {', '.join(parts)} per 1M tokens; from {', '.join(f.sources)}, confidence medium")
    for r in rates:
        lines.append(f"- EUR/USD {r.day}: {r.rate} (ECB reference rate)")
    return "\n".join(lines) + "\n"


def _apply(result: RefreshResult) -> str:
    from costcalc.prices.loader import check_dir
    from costcalc.prices.yamlio import read_yaml

    root, today = result.pricing_dir, result.run_date
    changes = [f for f in result.findings if f.status == "repriced"]
    rates = [f for f in result.fx if f.status == "new"]
    files: dict[str, str] = {}
    appended: dict[str, dict[str, int]] = {}
    by_path: dict[Path, list[Finding]] = {}
    for f in changes:
        assert f.path is not None
        by_path.setdefault(f.path, []).append(f)
    for path, group in by_path.items():
        rel = path.relative_to(root).as_posix()
        files[rel] = append_price_entries(path.read_text(encoding="utf-8"), [_entry(f, result) for f in group],
                                          today, rel)
        appended[rel] = {f.model_id: 1 for f in group if f.model_id}
    if changes:
        from costcalc.prices.loader import read_sources, sources_path

        known = set(read_sources(root)[0] or {})
        citations = _citations(result, {s for f in changes for s in f.sources}, known)
        if citations:
            files["sources.yaml"] = append_sources(sources_path(root).read_text(encoding="utf-8"), citations,
                                                   "sources.yaml")
    if rates:
        files["fx.yaml"] = append_fx_rates((root / "fx.yaml").read_text(encoding="utf-8"),
                                           {r.day: r.rate for r in rates}, "fx.yaml")
    version_file = root / "VERSION"
    version = bump_version(version_file.read_text(encoding="utf-8") if version_file.exists() else "", today)
    changelog = root / "CHANGELOG.md"
    files["CHANGELOG.md"] = add_changelog_section(
        changelog.read_text(encoding="utf-8") if changelog.exists() else None,
        _changelog(result, version, changes, rates))
    files["VERSION"] = version + "\n"

    with tempfile.TemporaryDirectory(prefix="costcalc-refresh-") as tmp:
        scratch = Path(tmp) / "pricing"
        shutil.copytree(root, scratch, ignore=shutil.ignore_patterns(txn.TXN_DIR, ".*"))
        for rel, text in files.items():
            (scratch / rel).write_text(text, encoding="utf-8")
        new_tables, _, problems = check_dir(scratch)  # also checks sources.yaml: ids unique, every cited id defined
        if problems:
            raise ApplyError(f"the refreshed tables would not validate, nothing was written: "
                             f"{problems[0].replace(str(scratch), str(root))}")
        old_tables = {p.relative_to(root).as_posix(): t for p, t in check_dir(root)[0]}
        for path, table in new_tables:
            rel = path.relative_to(scratch).as_posix()
            check_append_only(old_tables[rel], table, appended.get(rel, {}), rel)
        if rates:
            old_fx, _ = read_yaml(root / "fx.yaml")
            new_fx_data, _ = read_yaml(scratch / "fx.yaml")
            expected = {**old_fx["rates"], **{r.day: r.rate for r in rates}}
            if new_fx_data["rates"] != expected or {k: v for k, v in new_fx_data.items() if k != "rates"} != \
                    {k: v for k, v in old_fx.items() if k != "rates"}:
                raise ApplyError("fx.yaml: the edit was not a pure append of new rates; nothing was written")
    txn.commit(root, {rel: text.encode("utf-8") for rel, text in files.items()})
    return version
