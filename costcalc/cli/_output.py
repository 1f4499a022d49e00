"""Shared output for list-like commands: one table, CSV or JSON renderer for a list of row dicts.

Money is Decimal throughout; JSON writes it as a number (shortest float repr round-trips the decimal text).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import click

from costcalc.jsonable import dumps

FORMATS = ("table", "csv", "json")


def format_option(default: str = "table", choices: Sequence[str] = FORMATS):
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
        help="Output format.",
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_json(payload: Any) -> str:
    return dumps(payload)


def to_csv(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return buf.getvalue()


def to_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    numeric = [all(_is_number(r[i]) for r in cells if r[i]) and any(r[i] for r in cells)
               for i in range(len(columns))]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    out = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    return "\n".join(out) + "\n"


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def emit(rows: list[dict[str, Any]], columns: Sequence[str], fmt: str, *,
         footer: Sequence[str] = (), json_payload: Any = None) -> None:
    """Print rows as a table (with footer lines for provenance), CSV, or JSON (`json_payload` if given)."""
    if fmt == "json":
        click.echo(to_json(rows if json_payload is None else json_payload))
    elif fmt == "csv":
        click.echo(to_csv(rows, columns), nl=False)
    else:
        click.echo(to_table(rows, columns), nl=False)
        for note in footer:
            click.echo(note)
