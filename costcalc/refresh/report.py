"""Render a RefreshResult: rows for the CLI table, a JSON-ready dict, and the Markdown report (PR body)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from costcalc.refresh.diff import STATUS_ORDER, Finding
from costcalc.refresh.model import PRICE_FIELDS
from costcalc.refresh.run import RefreshResult

COLUMNS = ["offering", "status", "input", "output", "cached_input", "sources", "agree", "note"]
_SHOWN = ("repriced", "quarantined", "discrepancy", "new", "gone")
_MAX_LISTED = 50  # unmapped upstream models listed in the Markdown report


def _num(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _cell(f: Finding, name: str) -> str:
    old = (f.current or {}).get(name)
    new = (f.proposed or {}).get(name)
    if f.proposed is None or new is None or new == old:
        value = old if old is not None else next((v[name] for v in f.observed.values() if v.get(name)), None)
        return _num(value)
    pct = f.pct(name)
    return f"{_num(old) or '-'} -> {_num(new)}" + (f" ({pct:+}%)" if pct is not None else "")


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (STATUS_ORDER.index(f.status), f.ref))


def rows(result: RefreshResult) -> list[dict[str, str]]:
    out = []
    for f in _sorted(result.findings):
        if f.status in _SHOWN:
            out.append({"offering": f.ref, "status": f.status, **{n: _cell(f, n) for n in PRICE_FIELDS},
                        "sources": ", ".join(f.sources), "agree": f.agreement or "", "note": f.reason})
    for x in result.fx:
        if x.status != "unchanged":
            out.append({"offering": f"fx EUR/USD {x.day}", "status": x.status, "input": _num(x.rate),
                        "sources": "ecb", "note": x.reason})
    return out


def unmapped(result: RefreshResult) -> dict[str, list[str]]:
    return {r.name: r.result.unmapped for r in result.sources if r.result is not None and r.result.unmapped}


def new_upstream(result: RefreshResult) -> list[dict[str, Any]]:
    """Each priced model a source lists and the source map does not, with a ready-to-review table stanza."""
    from costcalc.refresh.stanza import stanza

    return [{"source": r.name, "upstream_id": n.upstream_id, "provider": n.provider, "model_id": n.model_id,
             "stanza": stanza(n, str(r.citation.get("id", r.name)), result.run_date)}
            for r in result.sources if r.result is not None for n in r.result.new]


def summary(result: RefreshResult) -> str:
    counts: dict[str, int] = {}
    for f in result.findings:
        counts[f.status] = counts.get(f.status, 0) + 1
    for x in result.fx:
        counts[f"fx {x.status}"] = counts.get(f"fx {x.status}", 0) + 1
    parts = [f"{counts[s]} {s}" for s in (*STATUS_ORDER, *(f"fx {s}" for s in STATUS_ORDER)) if counts.get(s)]
    done = f"applied as pricing version {result.version}" if result.applied else "nothing applied"
    failed = f"; {len(result.failed)} source(s) failed" if result.failed else ""
    return f"Refresh of {result.run_date}: {', '.join(parts) or 'no data'}; {done}{failed}."


def to_dict(result: RefreshResult) -> dict[str, Any]:
    return {
        "run_date": result.run_date, "pricing_dir": str(result.pricing_dir), "exit_code": result.exit_code,
        "applied": result.applied, "version": result.version, "recovered": result.recovered,
        "sources": [{"name": r.name, "url": r.where, "ok": r.ok, "error": r.error, "citation": r.citation,
                     "offerings": len(r.result.observed) if r.result else 0,
                     "gone": r.result.gone if r.result else []} for r in result.sources],
        "findings": [{"offering": f.ref, "status": f.status, "reason": f.reason, "current": f.current,
                      "current_from": f.current_from, "confidence": f.confidence, "proposed": f.proposed,
                      "pct": {n: f.pct(n) for n in PRICE_FIELDS if f.pct(n) is not None},
                      "observed": f.observed, "agreement": f.agreement} for f in _sorted(result.findings)],
        "fx": [{"day": x.day, "rate": x.rate, "status": x.status, "current": x.current, "reason": x.reason}
               for x in result.fx],
        "unmapped_upstream": unmapped(result),
        "new_upstream": new_upstream(result),
    }


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(result: RefreshResult) -> str:
    lines = [f"# Price refresh {result.run_date}", "", summary(result), ""]
    if result.recovered:
        lines += [f"Note: {result.recovered}.", ""]
    lines += ["## Sources", "", "| source | url | result |", "|---|---|---|"]
    for r in result.sources:
        state = f"failed: {r.error}" if r.error else f"ok, {len(r.result.observed) if r.result else 0} offerings"
        if r.result and r.result.fx:
            state = f"ok, {len(r.result.fx)} dated rate(s)"
        lines.append(f"| {r.name} | {r.where} | {_md_escape(state)} |")
    table = rows(result)
    if table:
        lines += ["", "## Findings", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(_md_escape(str(row.get(c, ""))) for c in COLUMNS) + " |" for row in table]
    lines += ["", "Statuses: *repriced* = appended (with --apply) as a dated entry, confidence medium; "
              "*discrepancy* = not applied, a person must check the vendor's page; *quarantined* = suspicious "
              "value (negative, zero, over 5x), not applied; *new* / *gone* = report only."]
    extra = unmapped(result)
    if extra:
        lines += ["", "## Upstream models not in pricing/source-map.yaml", ""]
        for source, ids in extra.items():
            shown = ", ".join(f"`{i}`" for i in ids[:_MAX_LISTED])
            more = f" and {len(ids) - _MAX_LISTED} more" if len(ids) > _MAX_LISTED else ""
            lines += [f"<details><summary>{source}: {len(ids)}</summary>", "", shown + more, "", "</details>", ""]
    new = new_upstream(result)
    if new:
        lines += ["", "## New upstream models: ready-to-review table stanzas", "",
                  "Each block is a `models:` item for the provider file it names (prices as the source lists them, "
                  "first seen today, confidence medium). Check the name, class, tokenizer and launch day, then "
                  "add it and its source-map line.", ""]
        for item in new[:_MAX_LISTED]:
            lines += ["```yaml", item["stanza"].rstrip("\n"), "```", ""]
        if len(new) > _MAX_LISTED:
            lines += [f"And {len(new) - _MAX_LISTED} more (all of them: `--format json`, key new_upstream).", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
