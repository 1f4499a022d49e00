"""CSV report: one row per (language, offering) with its ratio to the base, cost, provenance columns and a notes
column carrying every caveat that applies to the row, and the preset (what it is, what options overrode) on
every row. Money to 6 significant digits (JSON has full precision)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import TYPE_CHECKING

from costcalc.reports.common import money, preset_note, row_notes

if TYPE_CHECKING:
    from costcalc.matrix import CostMatrix

COLUMNS = ["language", "offering", "base", "ratio", "exact", "tokenizer", "tokens", "tokens_per_1m_chars",
           "premium", "unit", "input_price", "output_price", "currency", "cost", "confidence",
           "effective_from", "source", "price_table", "as_of", "corpus_sha256", "context_window", "context_chars",
           "context_vs_en", "genre", "calibration", "preset", "notes"]


def render(matrix: CostMatrix) -> str:
    prov = matrix.provenance
    preset = preset_note(matrix)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for rel in matrix.relative_rows:
        r = matrix.row(rel.language, rel.offering)
        price = matrix.source(r.offering).price
        row = {**asdict(r), **asdict(rel)}  # the ratio row's `exact`: both sides counted exactly
        row.update(effective_from=price.effective_from, source=price.source, price_table=prov.price_table,
                   as_of=prov.as_of, corpus_sha256=prov.corpus.sha256, genre=prov.genre,
                   context_vs_en="" if r.context_vs_en is None else f"{r.context_vs_en:.6f}",
                   ratio=f"{rel.ratio:.6f}", tokens_per_1m_chars=f"{r.tokens_per_1m_chars:.1f}",
                   premium=f"{r.premium:.6f}", cost=money(r.cost), input_price=money(r.input_price),
                   output_price=money(r.output_price), preset=preset, notes=row_notes(matrix, r.offering))
        writer.writerow(row)
    return buf.getvalue()
