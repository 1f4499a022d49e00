"""Markdown report: a plain-words summary, then the tables, then footnotes with provenance."""

from __future__ import annotations

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


def _table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    marks = {"l": ":--", "r": "--:"}
    return ["| " + " | ".join(header) + " |", "| " + " | ".join(marks[a] for a in align) + " |",
            *("| " + " | ".join(r) + " |" for r in rows)]


def render(matrix: CostMatrix) -> str:
    prov = matrix.provenance
    many = len(matrix.languages) > 3
    out = [f"# {title(matrix)}", ""]
    if preset_note(matrix):
        out += [preset_note(matrix), ""]
    if many:
        header, rows = overview(matrix)
        out += [many_summary(matrix), "", f"## Each offering's {ratio_header(matrix)}", ""]
        out += [*_table(header, rows, "l" + "r" * (len(header) - 1)), ""]
    else:
        for lang in matrix.languages:
            out += [summary(matrix, lang), ""]
    notes = caveat_lines(matrix)
    if notes:
        out += ["## Caveats", "", *(f"- {n}" for n in notes), ""]
    for lang in matrix.languages:
        out += [f"## {language_name(lang)}: cost per 1M characters of English-equivalent content", ""]
        rows = []
        for ref in matrix.offerings:
            r = matrix.row(lang, ref)
            mark = "" if r["exact"] else " *"
            rows.append([label(matrix, ref), r["tokenizer"] + mark, f"{r['tokens_per_1m_chars']:,.0f}",
                         f"{r['premium']:.2f}", money(r["input_price"]), money(r["output_price"]),
                         money(r["cost"]), ratio_text(r["ratio"])])
        out += _table(["offering", "tokenizer", "tokens / 1M chars", "premium vs en", "input /1M",
                       "output /1M", f"cost ({prov['currency']})", ratio_header(matrix)],
                      rows, "llrrrrrr")
        out.append("")
        if many:
            continue
        out += [f"Matrix: cost of the row offering / cost of the column offering ({language_name(lang)}).", ""]
        grid = matrix.grid(lang)
        short = [ref.split("/")[-1] for ref in matrix.offerings]
        out += _table(["", *short], [[short[i], *(f"{v:.2f}" for v in grid[i])]
                                     for i in range(len(short))], "l" + "r" * len(short))
        out.append("")
    header, rows = context_table(matrix)
    if rows:
        out += ["## Effective context per language", "", CONTEXT_LEGEND, ""]
        out += [*_table(header, rows, "l" + "r" * (len(header) - 1)), ""]
    header, rows = genre_table(matrix)
    out += ["## Premium by genre", "",
            f"Tokens of each corpus document relative to its English original, under "
            f"{matrix.row(matrix.languages[0], matrix.base)['tokenizer']} (the tokenizer of {matrix.base}).", ""]
    out += [*_table(header, rows, "l" + "r" * (len(header) - 1)), ""]
    published = published_rows(matrix)
    if published:
        out += ["## Against the published figures", "",
                f"Published: {language_name(matrix.languages[0])} input on {prov['as_of']}, "
                f"read as cost of {matrix.base} / cost of each offering (the inverse of the ratio column).", ""]
        rows = [[label(matrix, p["offering"]), ratio_text(p["published"]), ratio_text(p["ours"]),
                 f"{p['difference_pct']:+.0f} %", "; ".join(p["reasons"])] for p in published]
        out += _table(["offering", "published", "ours", "difference", "why they differ"], rows, "lrrrl")
        out.append("")
    out += ["## Where the numbers come from", ""]
    out.append(f"- Price table {prov['price_table']}; prices in force on {prov['as_of']}, converted to "
               f"{prov['currency']} with {prov['fx_source']} where billed in another currency.")
    out.append(f"- Corpus {prov['corpus']['name']} ({prov['corpus']['languages']} languages, "
               f"{prov['corpus']['documents']} documents, sha256 {prov['corpus']['sha256'][:16]}); content unit: "
               f"{prov['content_unit']}; {prov['counting_protocol']}.")
    out.append(f"- Workload: {prov['workload']}.")
    out.append(f"- Documents: {prov['genre']}.")
    for gone in prov.get("left_out", []):
        out.append(f"- Left out: {gone['offering']}: {gone['reason']}.")
    for ref in matrix.offerings:
        info = prov["offerings"][ref]
        fx = (f"; {info['input']}/{info['output']} {prov['currency']} at {info['fx_rate']} ({info['fx_date']})"
              if info["fx_rate"] else "")
        note = f" Note: {info['note']}" if info["note"] else ""
        out.append(f"- {ref}: {info['billed_input']}/{info['billed_output']} {info['billed_currency']} per 1M "
                   f"{info['unit']}s "
                   f"from {info['effective_from']}{fx}; source: {info['source']} (confidence "
                   f"{info['confidence']}).{note}")
    for name, tok in prov["tokenizers"].items():
        out.append(f"- Tokenizer {name}: {tokenizer_kind(tok)}; fingerprint sha256 {tok['fingerprint'][:16]}.")
    if not all(t["exact"] for t in prov["tokenizers"].values()):
        out.append("- \\* marks counts made with a stand-in tokenizer: an estimate, not the vendor's count.")
    return "\n".join(out) + "\n"
