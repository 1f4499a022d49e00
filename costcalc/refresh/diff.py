"""Compare what the sources report with the tables: one Finding per offering, one FxFinding per ECB day.

Rules (issue #6): an offering is *repriced* only when every source that reports it agrees and none matches
the table; a single secondary source never overrides a `confidence: high` entry (that is a *discrepancy*);
suspicious values (negative, zero, more than 5x up or down) are *quarantined* unless large changes are accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from costcalc.numbers import percent_change
from costcalc.prices.fx import FxTable
from costcalc.prices.schema import Model, PriceEntry, ProviderTable
from costcalc.refresh.model import PRICE_FIELDS, Normalised, Observed

MAX_FACTOR = Decimal(5)
ACTIONABLE = ("repriced", "quarantined", "discrepancy")
STATUS_ORDER = ("repriced", "quarantined", "discrepancy", "new", "gone", "skipped", "unchanged")
_CARRIED = ("cache_write", "batch_input", "batch_output")

Values = dict[str, Decimal | None]


@dataclass
class Finding:
    ref: str
    status: str
    reason: str = ""
    current: Values | None = None
    current_from: date | None = None
    currency: str | None = None
    confidence: str | None = None
    proposed: Values | None = None
    observed: dict[str, Values] = field(default_factory=dict)  # source -> values it reports
    agreement: str | None = None  # "agree" / "disagree" when 2+ sources report the offering
    path: Path | None = None  # provider file, for apply
    model_id: str | None = None
    dropped: tuple[str, ...] = ()  # fields of the current entry the new entry will not have

    @property
    def sources(self) -> list[str]:
        return list(self.observed)

    def pct(self, name: str) -> Decimal | None:
        old = (self.current or {}).get(name)
        new = (self.proposed or {}).get(name)
        return percent_change(old, new)


@dataclass
class FxFinding:
    day: date
    rate: Decimal
    status: str  # new | unchanged | discrepancy | quarantined | skipped
    current: Decimal | None = None
    reason: str = ""


def _index(tables: list[tuple[Path, ProviderTable]]) -> dict[str, tuple[Path, Model]]:
    index = {}
    for path, table in tables:
        for model in table.models:
            for name in [model.id, *model.plain_aliases]:
                index[f"{table.provider}/{name}"] = (path, model)
    return index


def _current_entry(model: Model, today: date) -> tuple[PriceEntry | None, str]:
    later = [e.from_ for e in model.prices if e.from_ > today]
    if later:
        return None, f"has an entry dated {later[0]}, after the run date {today}"
    entry = [e for e in model.prices if e.from_ <= today][-1]
    if model.until is not None and model.until <= today:
        return None, f"retired on {model.until}"
    if entry.unit != "token":
        return None, f"priced per {entry.unit}; the sources price tokens"
    return entry, ""


def _same(a: Values, b: Values) -> bool | None:
    """True/False on the fields both give; None when they share none."""
    common = [n for n in PRICE_FIELDS if a.get(n) is not None and b.get(n) is not None]
    if not common:
        return None
    return all(a[n] == b[n] for n in common)


def _fmt(values: Values) -> str:
    return "/".join("-" if values.get(n) is None else format(values[n], "f") for n in PRICE_FIELDS)


def _suspicious(current: Values, proposed: Values, same_currency: bool) -> tuple[str, bool]:
    """(why, always) where `always` means even --accept-large-changes cannot apply it."""
    for name in PRICE_FIELDS:
        new, old = proposed.get(name), current.get(name)
        if new is None:
            continue
        if new < 0:
            return f"{name} {new} is negative", True
        if new == 0:
            return f"{name} is zero", False
        if same_currency and old is not None and old > 0:
            ratio = new / old
            if ratio > MAX_FACTOR or ratio < 1 / MAX_FACTOR:
                direction = "up" if ratio > 1 else "down"
                factor = ratio if ratio > 1 else 1 / ratio
                return f"{name} {old} -> {new} is {factor.quantize(Decimal('0.1'))}x {direction}", False
    return "", False


def diff_offerings(tables: list[tuple[Path, ProviderTable]], results: dict[str, Normalised], today: date,
                   *, accept_large_changes: bool = False) -> list[Finding]:
    index = _index(tables)
    refs: dict[str, None] = {}
    for result in results.values():
        refs.update(dict.fromkeys([*result.observed, *result.gone, *result.skipped]))
    findings = []
    for ref in refs:
        observations: dict[str, Observed] = {s: r.observed[ref] for s, r in results.items() if ref in r.observed}
        gone = [s for s, r in results.items() if ref in r.gone]
        found = index.get(ref)
        f = Finding(ref, "unchanged", observed={s: o.values() for s, o in observations.items()})
        if found is None:
            if observations:
                f.status, f.reason = "new", "reported upstream but not in our tables; add it by hand"
                findings.append(f)
            continue
        f.path, model = found
        f.model_id = model.id
        if not observations:
            skipped = [f"{s}: {r.skipped[ref]}" for s, r in results.items() if ref in r.skipped]
            f.status = "gone" if gone else "skipped"
            f.reason = f"missing upstream in {', '.join(gone)}" if gone else "; ".join(skipped)
            findings.append(f)
            continue
        entry, why = _current_entry(model, today)
        if entry is None:
            f.status, f.reason = "skipped", why
            findings.append(f)
            continue
        f.current = {n: getattr(entry, n) for n in PRICE_FIELDS}
        f.current_from, f.currency, f.confidence = entry.from_, entry.currency, entry.confidence
        findings.append(_judge(f, entry, observations, gone, today, accept_large_changes))
    return findings


def _judge(f: Finding, entry: PriceEntry, observations: dict[str, Observed], gone: list[str], today: date,
           accept_large: bool) -> Finding:
    assert f.current is not None
    notes = [f"missing upstream in {', '.join(gone)}"] if gone else []
    verdicts = {}
    for source, obs in observations.items():
        same = _same(f.current, obs.values()) if obs.currency == entry.currency else False
        if same is None:
            notes.append(f"{source} gives no field the table has")
        else:
            verdicts[source] = same
    if len(observations) > 1:
        values = list(f.observed.values())
        agree = all(_same(values[0], v) is not False for v in values[1:])
        f.agreement = "agree" if agree else "disagree"
    if not verdicts:
        f.status, f.reason = "skipped", "; ".join(notes)
        return f
    if any(verdicts.values()):
        differing = [s for s, same in verdicts.items() if not same]
        if differing:
            notes.append(f"{', '.join(differing)} differ{'s' if len(differing) == 1 else ''} "
                         f"({'; '.join(f'{s} {_fmt(f.observed[s])}' for s in differing)}), "
                         f"{', '.join(s for s, same in verdicts.items() if same)} agree with the table")
        f.status, f.reason = "unchanged", "; ".join(notes)
        return f
    reporting = [s for s in verdicts]
    if f.agreement == "disagree":
        f.status = "discrepancy"
        notes.insert(0, "the sources disagree with each other and with the table: "
                     + "; ".join(f"{s} {_fmt(f.observed[s])}" for s in reporting))
        f.reason = "; ".join(notes)
        return f
    proposed: Values = dict.fromkeys(PRICE_FIELDS)
    for source in reporting:
        for name, value in f.observed[source].items():
            if value is not None:
                proposed[name] = value
    f.proposed = proposed
    f.dropped = tuple(n for n in (*PRICE_FIELDS, *_CARRIED) if getattr(entry, n) is not None
                      and proposed.get(n) is None) + (("tiers",) if entry.tiers else ())
    why, always = _suspicious(f.current, proposed, observations[reporting[0]].currency == entry.currency)
    if why and (always or not accept_large):
        f.status = "quarantined"
        notes.insert(0, f"suspicious: {why}" + ("" if always else "; rerun with --accept-large-changes if real"))
    elif entry.from_ >= today:
        f.status = "discrepancy"
        notes.insert(0, f"the table already has an entry dated {entry.from_}; a second change the same day "
                     "needs a person")
    elif len(reporting) == 1 and entry.confidence == "high":
        f.status = "discrepancy"
        notes.insert(0, f"only {reporting[0]} reports this and the table entry has confidence high; "
                     "check the vendor's page")
    else:
        f.status = "repriced"
        if why:
            notes.insert(0, f"large change accepted: {why}")
    f.reason = "; ".join(notes)
    return f


def diff_fx(fx: FxTable, observed: dict[date, Decimal], *, accept_large_changes: bool = False) -> list[FxFinding]:
    known = dict(zip(fx.days, fx.rates, strict=True))
    latest_day, latest = fx.days[-1], fx.rates[-1]
    findings = []
    for day, rate in sorted(observed.items()):
        if day in known:
            status = "unchanged" if known[day] == rate else "discrepancy"
            reason = "" if status == "unchanged" else f"fx.yaml has {known[day]}; dated rates are never edited"
            findings.append(FxFinding(day, rate, status, known[day], reason))
        elif day < latest_day:
            findings.append(FxFinding(day, rate, "skipped", None,
                                      f"older than the newest rate in fx.yaml ({latest_day}); add it by hand"))
        elif rate <= 0:
            findings.append(FxFinding(day, rate, "quarantined", latest, f"suspicious: rate {rate} is not positive"))
        elif not accept_large_changes and not (1 / MAX_FACTOR <= rate / latest <= MAX_FACTOR):
            findings.append(FxFinding(day, rate, "quarantined", latest,
                                      f"suspicious: {latest} -> {rate} is more than {MAX_FACTOR}x; "
                                      "rerun with --accept-large-changes if real"))
        else:
            findings.append(FxFinding(day, rate, "new", latest))
    return findings
