"""Textual, append-only edits: new dated price entries, the model's `checked:` date, new FX rates, the
changelog and the calendar version. Every other byte of a file stays as it was (comments, quoting, order)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import yaml

from costcalc.errors import ApplyError
from costcalc.prices.schema import ProviderTable
from costcalc.prices.yamlio import DecimalLoader


@dataclass(frozen=True)
class NewEntry:
    model_id: str
    fields: tuple[tuple[str, object], ...]  # in file order: from, currency, input, ..., source, confidence, note


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def yaml_scalar(value: object) -> str:
    if isinstance(value, Decimal):
        return _num(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", value):
        return value
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def _compose(text: str, where: str) -> yaml.Node:
    loader = DecimalLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as e:
        raise ApplyError(f"{where}: cannot parse for editing: {e}") from None
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode):
        raise ApplyError(f"{where}: expected a YAML mapping at the top")
    return node


def _get(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _end_line(node: yaml.Node) -> int:
    """0-based index of the line after `node`'s last character: where appended lines go."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value:
        node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
    mark = node.end_mark
    return mark.line if mark.column == 0 else mark.line + 1


def _insert(lines: list[str], at: int, new: Iterable[str]) -> None:
    if at > 0 and at == len(lines) and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines[at:at] = list(new)


def append_price_entries(text: str, entries: list[NewEntry], checked: date, where: str) -> str:
    """`text` with each entry appended at the end of its model's `prices:` list and `checked:` set."""
    root = _compose(text, where)
    models = _get(root, "models")
    if not isinstance(models, yaml.SequenceNode):
        raise ApplyError(f"{where}: no `models:` list")
    by_id = {}
    for item in models.value:
        id_node = _get(item, "id") if isinstance(item, yaml.MappingNode) else None
        if id_node is not None:
            by_id[id_node.value] = item
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, str, list[str]]] = []  # (line, kind, new lines), applied bottom-up
    for entry in entries:
        model = by_id.get(entry.model_id)
        prices = _get(model, "prices") if model is not None else None
        if not isinstance(prices, yaml.SequenceNode) or prices.flow_style or not prices.value:
            raise ApplyError(f"{where}: model {entry.model_id!r} has no block-style `prices:` list to append to",
                             "write its prices as a `- from: ...` list, one entry per item")
        last = prices.value[-1]
        dash = lines[last.start_mark.line][: last.start_mark.column]
        if not re.fullmatch(r"\s*-\s+", dash):
            raise ApplyError(f"{where}: cannot tell the indentation of {entry.model_id!r}'s price entries")
        pad = " " * len(dash)
        new = [f"{dash if i == 0 else pad}{k}: {yaml_scalar(v)}\n" for i, (k, v) in enumerate(entry.fields)]
        edits.append((_end_line(last), "insert", new))
        checked_node = _get(model, "checked")
        if checked_node is None:
            raise ApplyError(f"{where}: model {entry.model_id!r} has no `checked:` date")
        line_no = checked_node.start_mark.line
        m = re.fullmatch(r"(\s*checked:\s*)(\d{4}-\d{2}-\d{2})(.*\n?)", lines[line_no], flags=re.DOTALL)
        if m is None:
            raise ApplyError(f"{where}: model {entry.model_id!r}: `checked:` is not on its own line as a date")
        edits.append((line_no, "replace", [m.group(1) + checked.isoformat() + m.group(3)]))
    for line_no, kind, new in sorted(edits, key=lambda e: (e[0], e[1] == "replace"), reverse=True):
        if kind == "replace":
            lines[line_no] = new[0]
        else:
            _insert(lines, line_no, new)
    return "".join(lines)


def append_fx_rates(text: str, rates: dict[date, Decimal], where: str) -> str:
    root = _compose(text, where)
    node = _get(root, "rates")
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
        raise ApplyError(f"{where}: no block-style `rates:` mapping to append to")
    lines = text.splitlines(keepends=True)
    indent = " " * node.value[-1][0].start_mark.column
    new = [f"{indent}{day.isoformat()}: {_num(rate)}\n" for day, rate in sorted(rates.items())]
    _insert(lines, _end_line(node), new)
    return "".join(lines)


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
