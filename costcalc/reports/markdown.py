"""Markdown report: the shared skeleton (costcalc.reports.skeleton) written as markdown; the terminal shows it
through rich."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from costcalc.reports.skeleton import Block, Bullets, Heading, Paragraph, blocks

if TYPE_CHECKING:
    from costcalc.matrix import CostMatrix


def _lines(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * block.level} {block.text}"]
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Bullets):  # a leading '*' would start a nested list
        return ["- " + ("\\" + item if item.startswith("* ") else item) for item in block.items]
    return table_lines(block.header, block.rows, block.align)


def table_lines(header: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> list[str]:
    """A markdown table; `align` has one letter per column, l(eft) or r(ight). Every markdown table costcalc
    writes (reports and the CLI's `--format md`) comes from here."""
    marks = {"l": ":--", "r": "--:"}
    return ["| " + " | ".join(header) + " |", "| " + " | ".join(marks[a] for a in align) + " |",
            *("| " + " | ".join(row) + " |" for row in rows)]


def render(matrix: CostMatrix) -> str:
    return "\n".join(line for block in blocks(matrix) for line in [*_lines(block), ""]).rstrip("\n") + "\n"
