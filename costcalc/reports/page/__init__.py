"""The interactive HTML report: one self-contained file (no network) that recomputes costs in the browser.

The page embeds the comparison's data as JSON (per-document character and token counts, each offering's price
components in the report currency, provenance) and a small plain-JavaScript program (page.js, next to this file)
that applies the formulas of docs/cost-model.md, the same ones costcalc.costing uses, to the workload, languages,
offerings, base and genre weights chosen in the page. The view lives in the URL fragment.
"""

from __future__ import annotations

import json
from html import escape
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from costcalc.jsonable import plain
from costcalc.languages import name as language_name
from costcalc.reports.common import title
from costcalc.reports.skeleton import Block, Bullets, Heading, Paragraph, blocks, provenance_lines

if TYPE_CHECKING:
    from costcalc.matrix import CostMatrix, PriceSource


def _asset(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def _tokenizer_label(tokenizer: str, exact: bool) -> str:
    """How a count was made, in words: exact, or an estimate made with a stand-in (calibrations, per language,
    are in `calibration`)."""
    if exact:
        return f"exact: counted with {tokenizer}, the model's own tokenizer"
    return f"estimate: the vendor's tokenizer is not public; counted with {tokenizer}"


def _price_fields(p: PriceSource) -> dict[str, Any]:
    """The parts of an offering the page reprices when another as-of date is chosen (costing.price_info)."""
    return {
        "unit": p.unit, "prices": p.prices or {"input": p.input, "output": p.output}, "tiers": p.tiers,
        "derived": p.derived, "batch_factor": p.batch_factor, "regional_uplift": p.regional_uplift,
        "effective_from": p.effective_from, "billed_currency": p.billed_currency, "billed_input": p.billed_input,
        "billed_output": p.billed_output, "fx_rate": p.fx_rate, "fx_date": p.fx_date, "source": p.source,
        "sources": p.sources, "confidence": p.confidence, "note": p.note,
    }


def _as_of_choices(matrix: CostMatrix) -> dict[str, Any]:
    """The dates the page can show prices for, each offering's price from each of them (None and why where it
    had none), and what changed on each date."""
    history = matrix.price_history
    dates = history.dates or [matrix.provenance.as_of]
    changes = {ref: [{"from": c.from_, "why": c.why,
                      "price": _price_fields(c.price) if c.price is not None else None} for c in kept]
               for ref, kept in history.offerings.items()}
    what = {str(day): sorted(ref for ref, kept in changes.items() for c in kept if c["from"] == day)
            for day in dates}
    return {"as_of_choices": [{"date": day, "changed": what[str(day)]} for day in dates],
            "price_history": changes}


def page_data(matrix: CostMatrix) -> dict[str, Any]:
    """Everything the page needs, as plain JSON values."""
    prov = matrix.provenance
    offerings = []
    for ref in matrix.offerings:
        info = matrix.source(ref)
        tok = prov.tokenizers[info.tokenizer]
        offerings.append({
            "ref": ref, "name": info.name, "provider": info.provider, "provider_id": ref.split("/")[0],
            "tokenizer": info.tokenizer, "exact": tok.exact,
            "counting": _tokenizer_label(info.tokenizer, tok.exact),
            "calibration": {lang: c["label"] for lang, c in (tok.calibration or {}).items()},
            "fingerprint": tok.fingerprint, "context_window": info.context_window, **_price_fields(info.price),
        })
    languages = sorted({*matrix.languages, prov.reference_language} & set(matrix.documents.chars))
    return {
        "title": title(matrix),
        "as_of": prov.as_of, "currency": prov.currency, "price_table": prov.price_table,
        "fx_source": prov.fx_source, "reference": prov.reference_language,
        "content_unit": prov.content_unit, "counting_protocol": prov.counting_protocol,
        "corpus": prov.corpus, "genre_default": _default_genre_text(),
        "genres": [{"id": g, "description": d} for g, d in prov.genres.items()],
        "languages": [{"code": code, "name": language_name(code)} for code in matrix.languages],
        "language_names": {code: language_name(code) for code in languages},
        "offerings": offerings,
        "chars": matrix.documents.chars, "tokens": matrix.documents.tokens,
        "view": {"languages": matrix.languages, "offerings": matrix.offerings, "base": matrix.base,
                 "workload": prov.workload_parameters, "genres": prov.genre_weights},
        "left_out": prov.left_out,
        **_as_of_choices(matrix),
        "caveats": _caveats(matrix),
    }


def _default_genre_text() -> str:
    from costcalc.genre import DEFAULT_DESCRIPTION

    return DEFAULT_DESCRIPTION


def _caveats(matrix: CostMatrix) -> list[str]:
    """The caveats every format shows, in the shared report wording; the preset line comes first."""
    from costcalc.reports.common import caveat_lines, preset_note

    note = preset_note(matrix)
    return ([note] if note else []) + caveat_lines(matrix)


def _script_json(data: dict[str, Any]) -> str:
    """JSON safe inside <script>: no '</' can close the element early."""
    return json.dumps(plain(data), ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _static_html(parts: list[Block]) -> str:
    """Skeleton blocks as plain HTML."""
    out = []
    for block in parts:
        if isinstance(block, Heading):
            out.append(f"<h{block.level}>{escape(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            out.append(f"<p>{escape(block.text)}</p>")
        elif isinstance(block, Bullets):
            out.append("<ul>" + "".join(f"<li>{escape(item)}</li>" for item in block.items) + "</ul>")
        else:
            head = "".join(f"<th>{escape(h)}</th>" for h in block.header)
            body = "".join("<tr>" + "".join(f'<td class="num">{escape(c)}</td>' if a == "r" else f"<td>{escape(c)}</td>"
                                            for c, a in zip(row, block.align, strict=True)) + "</tr>"
                           for row in block.rows)
            out.append(f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')
    return "\n".join(out)


def _static_report(matrix: CostMatrix) -> str:
    """The report's skeleton for a reader without JavaScript: every section but the title, the preset note, the
    caveats and the sources, which the page shows in its own HTML."""
    from costcalc.reports.common import preset_note

    kept, skipping = [], False
    for block in blocks(matrix)[1:]:
        if isinstance(block, Heading):
            skipping = block.text in ("Caveats", "Where the numbers come from")
        if not skipping and block != Paragraph(preset_note(matrix)):
            kept.append(block)
    return _static_html(kept)


def render(matrix: CostMatrix) -> str:
    data = page_data(matrix)
    heading = escape(data["title"])
    # The caveats and sources are in the HTML itself, so a reader without JavaScript (or a printout) still has
    # them; the script redraws the sources for the as-of date chosen in the page.
    caveats = "".join(f"<li>{escape(c)}</li>" for c in data["caveats"])
    sources = "".join(f"<li>{escape(line)}</li>" for line in provenance_lines(matrix))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{heading}</title><style>{_asset('page.css')}</style></head>\n<body>\n"
        + _asset("page.html").replace("{{heading}}", heading).replace("{{caveats}}", caveats)
        .replace("{{caveats_hidden}}", "" if caveats else " hidden").replace("{{sources}}", sources)
        .replace("{{static_report}}", _static_report(matrix))
        + f"\n<script type=\"application/json\" id=\"costcalc-data\">{_script_json(data)}</script>\n"
        f"<script>{_asset('page.js')}</script>\n</body></html>\n"
    )
