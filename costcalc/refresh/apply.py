"""Append-only edits of the YAML tables with ruamel.yaml's round trip: new dated price entries, the model's
`checked:` date, new FX rates and new citations in sources.yaml. Comments, quoting, flow style and order are kept;
`_kept` then proves that every other byte of the file is unchanged, and keeps a comment that followed the last
entry below the appended one. The changelog and the calendar version are plain text."""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from costcalc.errors import ApplyError
from costcalc.prices.schema import ProviderTable

PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")  # written unquoted; any other string is double-quoted


@dataclass(frozen=True)
class NewEntry:
    model_id: str
    fields: tuple[tuple[str, object], ...]  # in file order: from, currency, input, ..., source, confidence, note


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line
    yaml.indent(mapping=2, sequence=4, offset=2)  # the tables' layout: "  - key: value" under a key
    yaml.representer.add_representer(Decimal, _represent_decimal)
    yaml.representer.ignore_aliases = lambda _data: True  # one date set on two models is written twice, no anchor
    return yaml


def _represent_decimal(representer: Any, value: Decimal) -> Any:
    text = format(value.normalize(), "f")  # exact digits, never a binary float
    return representer.represent_scalar("tag:yaml.org,2002:" + ("float" if "." in text else "int"), text)


def _node(value: object) -> object:
    """A new value as the tables write it: lists in flow style, prose double-quoted, identifiers plain."""
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, list):
        seq = CommentedSeq(_node(v) for v in value)
        seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and not PLAIN.fullmatch(value):
        return DoubleQuotedScalarString(value)
    return value


def _mapping(fields: object) -> object:
    from ruamel.yaml.comments import CommentedMap

    items = fields.items() if isinstance(fields, dict) else fields
    return CommentedMap((k, _node(v)) for k, v in items)  # type: ignore[union-attr]


def _load(text: str, where: str) -> Any:
    from ruamel.yaml import YAMLError

    try:
        data = _yaml().load(text)
    except YAMLError as e:
        raise ApplyError(f"{where}: cannot parse for editing: {e}") from None
    if not isinstance(data, dict):
        raise ApplyError(f"{where}: expected a YAML mapping at the top")
    return data


def _dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _block_list(node: object) -> bool:
    return isinstance(node, list) and bool(node) and not node.fa.flow_style()  # type: ignore[attr-defined]


def _kept(old: str, new: str, where: str, replaced: re.Pattern[str] | None = None) -> str:
    """`new` if it is `old` plus inserted lines (and lines starting with `replaced` changed in place). An
    insertion that landed below comments or blank lines ending the previous entry moves above them, so they keep
    following the content they followed."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if a and not a[-1].endswith("\n"):
        a[-1] += "\n"

    def key(line: str) -> str:
        m = replaced.match(line) if replaced else None
        return m.group(0) if m else line

    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, [key(x) for x in a], [key(y) for y in b], autojunk=False)
    for op, _, _, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += b[j1:j2]
        elif op == "insert":
            back = 0
            while back < len(out) and re.fullmatch(r"\s*(#.*)?\n", out[-1 - back]):
                back += 1
            out[len(out) - back:len(out) - back] = b[j1:j2]
        else:
            raise ApplyError(f"{where}: appending would rewrite other lines of the file; nothing was written",
                             "report this as a bug with the file attached")
    return "".join(out)


def append_price_entries(text: str, entries: list[NewEntry], checked: date, where: str) -> str:
    """`text` with each entry appended at the end of its model's `prices:` list and `checked:` set."""
    root = _load(text, where)
    models = root.get("models")
    if not isinstance(models, list):
        raise ApplyError(f"{where}: no `models:` list")
    by_id = {m.get("id"): m for m in models if isinstance(m, dict)}
    for entry in entries:
        model = by_id.get(entry.model_id)
        prices = model.get("prices") if model is not None else None
        if not _block_list(prices):
            raise ApplyError(f"{where}: model {entry.model_id!r} has no block-style `prices:` list to append to",
                             "write its prices as a `- from: ...` list, one entry per item")
        if not isinstance(model.get("checked"), date):
            raise ApplyError(f"{where}: model {entry.model_id!r} has no `checked:` date")
        prices.append(_mapping(entry.fields))
        model["checked"] = checked
    return _kept(text, _dump(root), where, re.compile(r"\s*checked:"))


def append_fx_rates(text: str, rates: dict[date, Decimal], where: str) -> str:
    root = _load(text, where)
    node = root.get("rates")
    if not isinstance(node, dict) or node.fa.flow_style() or not node:
        raise ApplyError(f"{where}: no block-style `rates:` mapping to append to")
    for day, rate in sorted(rates.items()):
        node[day] = rate
    return _kept(text, _dump(root), where)


def append_sources(text: str, citations: list[dict[str, object]], where: str) -> str:
    """sources.yaml with `citations` appended to its `sources:` list."""
    root = _load(text, where)
    sources = root.get("sources")
    if not _block_list(sources):
        raise ApplyError(f"{where}: no block-style `sources:` list to append to")
    sources.extend(_mapping(c) for c in citations)
    return _kept(text, _dump(root), where)


def bump_version(current: str, today: date) -> str:
    """Calendar version YYYY.MM.DD; a second change the same day gives YYYY.MM.DD.1, then .2, ..."""
    base = today.strftime("%Y.%m.%d")
    current = current.strip()
    if current == base:
        return f"{base}.1"
    if current.startswith(base + ".") and current[len(base) + 1:].isdigit():
        return f"{base}.{int(current[len(base) + 1:]) + 1}"
    return base


CHANGELOG_HEADER = """\
# Price table changelog

Newest first. One section per change of `pricing/` (its calendar version in `pricing/VERSION`).
Sections below are written by `costcalc prices refresh --apply`; people may add their own.
"""


def add_changelog_section(text: str | None, section: str) -> str:
    """The changelog with `section` (a `## ...` block) inserted above the newest existing section."""
    text = text if text else CHANGELOG_HEADER
    match = re.search(r"^## ", text, flags=re.MULTILINE)
    if match is None:
        return text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    return text[: match.start()] + section.rstrip("\n") + "\n\n" + text[match.start():]


def check_append_only(old: ProviderTable, new: ProviderTable, appended: dict[str, int], where: str) -> None:
    """The new table must be the old one plus the appended entries and new `checked` dates, nothing else."""
    if [m.id for m in old.models] != [m.id for m in new.models] or old.model_dump(exclude={"models"}) != \
            new.model_dump(exclude={"models"}):
        raise ApplyError(f"{where}: the edit changed more than price entries; nothing was written")
    for before, after in zip(old.models, new.models, strict=True):
        n = appended.get(before.id, 0)
        same_rest = before.model_dump(exclude={"prices", "checked"}) == after.model_dump(exclude={"prices", "checked"})
        if not same_rest or after.prices[: len(before.prices)] != before.prices or \
                len(after.prices) != len(before.prices) + n or (n == 0 and after.checked != before.checked):
            raise ApplyError(f"{where}: model {before.id!r}: the edit was not a pure append; nothing was written",
                             "report this as a bug with the provider file attached")
