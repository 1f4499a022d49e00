"""HTML report: one self-contained file (inline CSS, no script, no network) with a colour-scaled matrix and
footnotes for estimates and low-confidence prices."""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

from costcalc.languages import name as language_name
from costcalc.reports.common import (
    CONTEXT_LEGEND,
    context_table,
    genre_table,
    label,
    many_summary,
    money,
    overview,
    published_rows,
    ratio_header,
    ratio_text,
    summary,
    title,
    tokenizer_kind,
)

if TYPE_CHECKING:
    from costcalc.costing import CostMatrix

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:72rem;
color:#1c1e21;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{padding:.3rem .6rem;border:1px solid #d0d4d9}
th{background:#f3f5f7;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.cell{text-align:center;font-variant-numeric:tabular-nums;min-width:4.5rem}
p.summary{font-size:1.05rem;background:#f7f9fb;border-left:4px solid #3a78c2;padding:.6rem 1rem}
sup{color:#a33}.legend{font-size:.85rem;color:#555}ol.notes{font-size:.85rem;color:#333}
"""


def _colour(value: float) -> str:
    """Green below 1 (row is cheaper), red above, white at 1; log scale saturating at 10x."""
    if not math.isfinite(value) or value <= 0:
        return "#eeeeee"
    t = max(-1.0, min(1.0, math.log10(value)))
    if t < 0:
        r, g, b = 255 - int(-t * 120), 255, 255 - int(-t * 120)
    else:
        r, g, b = 255, 255 - int(t * 130), 255 - int(t * 130)
    return f"#{r:02x}{g:02x}{b:02x}"


def render(matrix: CostMatrix) -> str:
    prov = matrix.provenance
    notes: list[str] = []

    def footnote(text: str) -> int:
        if text not in notes:
            notes.append(text)
        return notes.index(text) + 1

    def offering_cell(ref: str) -> str:
        info = prov["offerings"][ref]
        marks = []
        if not prov["tokenizers"][info["tokenizer"]]["exact"]:
            marks.append(footnote(f"{ref}: estimate. The vendor's tokenizer is not public; counted with "
                                  f"{info['tokenizer']}."))
        if info["confidence"] == "low":
            marks.append(footnote(f"{ref}: low-confidence price ({info['billed_input']}/{info['billed_output']} "
                                  f"{info['billed_currency']}, {info['source']})." +
                                  (f" {info['note']}" if info["note"] else "")))
        sup = f"<sup>{','.join(map(str, marks))}</sup>" if marks else ""
        return f"{escape(label(matrix, ref))}{sup}"

    heading = title(matrix)
    many = len(matrix.languages) > 3
    body = [f"<h1>{escape(heading)}</h1>"]
    if many:
        header, rows = overview(matrix)
        body.append(f'<p class="summary">{escape(many_summary(matrix))}</p>')
        body.append(f"<h2>Each offering's {escape(ratio_header(matrix))}</h2>")
        cells = "".join(
            f"<tr><th>{escape(row[0])}</th>" + "".join(
                f'<td class=cell style="background:{_colour(matrix.row(lang, o)["ratio"])}">{escape(v)}</td>'
                for o, v in zip(matrix.offerings, row[1:], strict=True)) + "</tr>"
            for lang, row in zip(matrix.languages, rows, strict=True))
        body.append('<table class="matrix"><thead><tr>' + "".join(f"<th>{escape(h)}</th>" for h in header) +
                    f"</tr></thead><tbody>{cells}</tbody></table>")
        body.append(f'<p class="legend">Each cell: cost on the column offering divided by cost on '
                    f"{escape(matrix.base)}, for the same content. Green: the column offering is cheaper than "
                    "the base; red: dearer.</p>")
    else:
        body += [f'<p class="summary">{escape(summary(matrix, lang))}</p>' for lang in matrix.languages]
    for lang in matrix.languages:
        body.append(f"<h2>{escape(language_name(lang))}: cost per 1M characters of English-equivalent content</h2>")
        head = ["offering", "tokenizer", "tokens / 1M chars", "premium vs en", "input /1M", "output /1M",
                f"cost ({prov['currency']})"]
        rows = []
        for ref in matrix.offerings:
            r = matrix.row(lang, ref)
            rows.append(f"<tr><td>{offering_cell(ref)}</td><td>{escape(r['tokenizer'])}</td>"
                        f"<td class=num>{r['tokens_per_1m_chars']:,.0f}</td><td class=num>{r['premium']:.2f}</td>"
                        f"<td class=num>{money(r['input_price'], 2)}</td><td class=num>{money(r['output_price'], 2)}"
                        f"</td><td class=num>{money(r['cost'])}</td></tr>")
        body.append("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) +
                    "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        if many:
            continue
        grid = matrix.grid(lang)
        short = [ref.split("/")[-1] for ref in matrix.offerings]
        cells = []
        for i in range(len(matrix.offerings)):
            tds = "".join(f'<td class=cell style="background:{_colour(v)}">{v:.2f}</td>' for v in grid[i])
            cells.append(f"<tr><th>{escape(short[i])}</th>{tds}</tr>")
        body.append(f'<p class="legend">Cost of the row offering divided by the cost of the column offering '
                    f"({escape(language_name(lang))}). Green: the row is cheaper; red: dearer.</p>")
        body.append('<table class="matrix"><thead><tr><th></th>' + "".join(f"<th>{escape(s)}</th>" for s in short) +
                    "</tr></thead><tbody>" + "".join(cells) + "</tbody></table>")
    for heading_text, legend, (header, rows) in (
            ("Effective context per language", CONTEXT_LEGEND, context_table(matrix)),
            ("Premium by genre", f"Tokens of each corpus document relative to its English original, under the "
                                 f"tokenizer of {matrix.base}.", genre_table(matrix))):
        if rows:
            body.append(f"<h2>{heading_text}</h2><p class=legend>{escape(legend)}</p><table><thead><tr>" +
                        "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead><tbody>" +
                        "".join("<tr><th>" + escape(r[0]) + "</th>" + "".join(f"<td class=num>{escape(v)}</td>"
                                                                              for v in r[1:]) + "</tr>"
                                for r in rows) + "</tbody></table>")
    published = published_rows(matrix)
    if published:
        body.append("<h2>Against the published figures</h2><table><thead><tr><th>offering</th><th>published</th>"
                    "<th>ours</th><th>difference</th><th>why they differ</th></tr></thead><tbody>")
        for p in published:
            body.append(f"<tr><td>{offering_cell(p['offering'])}</td>"
                        f"<td class=num>{ratio_text(p['published'])}</td>"
                        f"<td class=num>{ratio_text(p['ours'])}</td><td class=num>{p['difference_pct']:+.0f} %</td>"
                        f"<td>{escape('; '.join(p['reasons']))}</td></tr>")
        body.append("</tbody></table>")
    body.append("<h2>Where the numbers come from</h2><ul>")
    body.append(f"<li>Price table {escape(prov['price_table'])}; prices in force on {prov['as_of']}, in "
                f"{prov['currency']} ({escape(prov['fx_source'])}).</li>")
    body.append(f"<li>Corpus {escape(prov['corpus']['name'])}, sha256 {prov['corpus']['sha256'][:16]}; "
                f"{escape(prov['content_unit'])}; {escape(prov['counting_protocol'])}.</li>")
    body.append(f"<li>Workload: {escape(prov['workload'])}.</li>")
    body.append(f"<li>Documents: {escape(prov['genre'])}.</li>")
    for gone in prov.get("left_out", []):
        body.append(f"<li>Left out: {escape(gone['offering'])}: {escape(gone['reason'])}.</li>")
    for ref in matrix.offerings:
        info = prov["offerings"][ref]
        price = f"{info['billed_input']}/{info['billed_output']} {info['billed_currency']}"
        body.append(f"<li>{escape(ref)}: {price} per 1M "
                    f"{info['unit']}s from {info['effective_from']}; {escape(info['source'])} "
                    f"(confidence {info['confidence']}).</li>")
    for tok_name, tok in prov["tokenizers"].items():
        body.append(f"<li>Tokenizer {escape(tok_name)}: {escape(tokenizer_kind(tok))}, "
                    f"sha256 {tok['fingerprint'][:16]}.</li>")
    body.append("</ul>")
    if notes:
        body.append('<ol class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ol>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{escape(heading)}</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
