"""Shared output: one renderer per format for a list of row dicts (table, md, csv, json), the report writer,
and the terminal rendering (rich, fitted to the terminal width).

Money is Decimal throughout: tables, markdown and CSV show 6 significant digits (costcalc.numbers.money);
JSON keeps full precision (shortest float repr that round-trips the decimal text).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from costcalc.cli._options import format_option
from costcalc.jsonable import dumps
from costcalc.numbers import money

if TYPE_CHECKING:
    from costcalc.listing import Listing

__all__ = ["emit", "emit_listing", "format_option", "to_csv", "to_json", "to_markdown", "to_table", "write_or_print"]
# format_option lives in _options (every shared option is defined there); it is re-exported for older imports.


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return money(value)
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


def _numeric(cells: list[list[str]], columns: Sequence[str]) -> list[bool]:
    return [all(_is_number(r[i]) for r in cells if r[i]) and any(r[i] for r in cells) for i in range(len(columns))]


def to_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """Plain aligned columns (for pipes and files: no colour, no wrapping)."""
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    numeric = _numeric(cells, columns)

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    out = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    return "\n".join(out) + "\n"


def to_markdown(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    from costcalc.reports.markdown import table_lines

    cells = [[_cell(row.get(c)).replace("|", "\\|") for c in columns] for row in rows]
    align = "".join("r" if n else "l" for n in _numeric(cells, columns))
    return "\n".join(table_lines(columns, cells, align)) + "\n"


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _console():
    from rich.console import Console

    return Console(soft_wrap=False, highlight=False)


def _rich_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    from rich.table import Table

    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for column, numeric in zip(columns, _numeric(cells, columns), strict=True):
        table.add_column(column, justify="right" if numeric else "left", overflow="fold")
    for r in cells:
        table.add_row(*r)
    _console().print(table)


def at_terminal() -> bool:
    return sys.stdout.isatty()


def emit(rows: list[dict[str, Any]], columns: Sequence[str], fmt: str, *,
         footer: Sequence[str] = (), json_payload: Any = None) -> None:
    """Print rows as a table (fitted to the terminal; footer lines for provenance), markdown, CSV, or JSON
    (`json_payload` if given)."""
    if fmt == "json":
        click.echo(to_json(rows if json_payload is None else json_payload))
    elif fmt == "csv":
        click.echo(to_csv(rows, columns), nl=False)
    elif fmt == "md":
        click.echo(to_markdown(rows, columns), nl=False)
        for note in footer:
            click.echo(f"\n{note}")
    else:
        if at_terminal():
            _rich_table(rows, columns)
        else:
            click.echo(to_table(rows, columns), nl=False)
        for note in footer:
            click.echo(note)


def emit_listing(listing: Listing, fmt: str) -> None:
    """A library Listing: its rows and columns, its notes as the footer, its payload (else the rows) as JSON."""
    emit(listing.rows, listing.columns, fmt, footer=listing.notes, json_payload=listing.payload)


def write_or_print(text: str, output: str, *, markdown: bool = False) -> None:
    """A report to stdout ('-') or atomically to a file. `markdown`: render it for the terminal (rich)."""
    if output != "-":
        from costcalc._atomic import write_atomic

        write_atomic(output, text, make_parents=False)
        click.echo(f"Wrote {output}", err=True)
    elif markdown and at_terminal():
        from rich.markdown import Markdown

        _console().print(Markdown(text))
    else:
        click.echo(text, nl=False)
