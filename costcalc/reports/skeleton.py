"""The one skeleton of a report: what it says and in which order, as plain blocks (headings, paragraphs, bullet
lists, tables of text) built once from a CostMatrix. Markdown (which the terminal shows through rich) writes the
blocks as markdown; the HTML page writes them as its static report, readable without JavaScript, beside the
tables it recomputes in the browser. A section added here appears in every format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from costcalc.languages import name as language_name
from costcalc.reports.common import (
    CONTEXT_LEGEND,
    caveat_lines,
    context_table,
    genre_table,
    label,
    many_summary,
    money,
    overview,
    preset_note,
    published_rows,
    ratio_header,
    ratio_text,
    summary,
    title,
    tokenizer_kind,
)

if TYPE_CHECKING:
    from costcalc.matrix import CostMatrix


@dataclass(frozen=True)
class Heading:
    level: int  # 1: the report's title, 2: a section
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str  # one letter per column: l(eft) or r(ight)


Block = Heading | Paragraph | Bullets | Table

ESTIMATE_MARK = "* marks counts made with a stand-in tokenizer: an estimate, not the vendor's count."


def _table(header: list[str], rows: list[list[str]], align: str | None = None) -> Table:
    return Table(tuple(header), tuple(tuple(r) for r in rows), align or "l" + "r" * (len(header) - 1))


def cost_table(matrix: CostMatrix, lang: str) -> Table:
    """Per offering in one language: tokenizer, tokens per 1M characters, premium, prices, cost and ratio."""
    rows = []
    for ref in matrix.offerings:
        r = matrix.row(lang, ref)
        rows.append([label(matrix, ref), r.tokenizer + ("" if r.exact else " *"), f"{r.tokens_per_1m_chars:,.0f}",
                     f"{r.premium:.2f}", money(r.input_price), money(r.output_price), money(r.cost),
                     ratio_text(r.ratio)])
    return _table(["offering", "tokenizer", "tokens / 1M chars", "premium vs en", "input /1M", "output /1M",
                   f"cost ({matrix.provenance.currency})", ratio_header(matrix)], rows, "llrrrrrr")


def provenance_lines(matrix: CostMatrix) -> list[str]:
    """Where the numbers come from: price table, corpus, workload, documents, what was left out, each offering's
    price as billed and as converted, each tokenizer."""
    prov = matrix.provenance
    corpus = prov.corpus
    lines = [f"Price table {prov.price_table}; prices in force on {prov.as_of}, converted to "
             f"{prov.currency} with {prov.fx_source} where billed in another currency.",
             f"Corpus {corpus.name} ({corpus.languages} languages, {corpus.documents} documents, sha256 "
             f"{corpus.sha256[:16]}); content unit: {prov.content_unit}; {prov.counting_protocol}.",
             f"Workload: {prov.workload}.", f"Documents: {prov.genre}."]
    lines += [f"Left out: {gone.offering}: {gone.reason}." for gone in prov.left_out]
    for ref in matrix.offerings:
        p = matrix.source(ref).price
        fx = f"; {p.input}/{p.output} {prov.currency} at {p.fx_rate} ({p.fx_date})" if p.fx_rate else ""
        note = f" Note: {p.note}" if p.note else ""
        lines.append(f"{ref}: {p.billed_input}/{p.billed_output} {p.billed_currency} per 1M {p.unit}s from "
                     f"{p.effective_from}{fx}; source: {p.source} (confidence {p.confidence}).{note}")
    lines += [f"Tokenizer {name}: {tokenizer_kind(tok)}; fingerprint sha256 {tok.fingerprint[:16]}."
              for name, tok in prov.tokenizers.items()]
    if not all(t.exact for t in prov.tokenizers.values()):
        lines.append(ESTIMATE_MARK)
    return lines


def blocks(matrix: CostMatrix) -> list[Block]:
    """The whole report, in order."""
    many = len(matrix.languages) > 3
    out: list[Block] = [Heading(1, title(matrix))]
    if preset_note(matrix):
        out.append(Paragraph(preset_note(matrix)))
    if many:
        header, rows = overview(matrix)
        out += [Paragraph(many_summary(matrix)), Heading(2, f"Each offering's {ratio_header(matrix)}"),
                _table(header, rows)]
    else:
        out += [Paragraph(summary(matrix, lang)) for lang in matrix.languages]
    notes = caveat_lines(matrix)
    if notes:
        out += [Heading(2, "Caveats"), Bullets(tuple(notes))]
    for lang in matrix.languages:
        out += [Heading(2, f"{language_name(lang)}: cost per 1M characters of English-equivalent content"),
                cost_table(matrix, lang)]
        if many:
            continue
        grid = matrix.grid(lang)
        short = [ref.split("/")[-1] for ref in matrix.offerings]
        out += [Paragraph(f"Matrix: cost of the row offering / cost of the column offering ({language_name(lang)})."),
                _table(["", *short], [[short[i], *(f"{v:.2f}" for v in grid[i])] for i in range(len(short))])]
    header, rows = context_table(matrix)
    if rows:
        out += [Heading(2, "Effective context per language"), Paragraph(CONTEXT_LEGEND), _table(header, rows)]
    header, rows = genre_table(matrix)
    out += [Heading(2, "Premium by genre"),
            Paragraph(f"Tokens of each corpus document relative to its English original, under "
                      f"{matrix.row(matrix.languages[0], matrix.base).tokenizer} (the tokenizer of "
                      f"{matrix.base})."),
            _table(header, rows)]
    published = published_rows(matrix)
    if published:
        out += [Heading(2, "Against the published figures"),
                Paragraph(f"Published: {language_name(matrix.languages[0])} input on {matrix.provenance.as_of}, "
                          f"read as cost of {matrix.base} / cost of each offering (the inverse of the ratio column)."),
                _table(["offering", "published", "ours", "difference", "why they differ"],
                       [[label(matrix, p["offering"]), ratio_text(p["published"]), ratio_text(p["ours"]),
                         f"{p['difference_pct']:+.0f} %", "; ".join(p["reasons"])] for p in published], "lrrrl")]
    out += [Heading(2, "Where the numbers come from"), Bullets(tuple(provenance_lines(matrix)))]
    return out
