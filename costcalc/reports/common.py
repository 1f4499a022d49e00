"""Wording and numbers shared by every report format."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from costcalc.languages import name as language_name
from costcalc.numbers import money, ratio_text

__all__ = ["money", "ratio_text"]  # re-exported: every renderer formats numbers the same way

if TYPE_CHECKING:
    from costcalc.matrix import CostMatrix, TokenizerUsed

# What the words in every report mean; JSON carries this block so a reader never has to guess a direction.
DEFINITIONS = {
    "cost": "what the content costs on an offering: per 1M characters of English-equivalent text, in the report "
            "currency, under the stated workload",
    "ratio": "cost(offering) / cost(base) for the same content: below 1 the offering is cheaper than the base",
    "premium": "tokens(language) / tokens(reference language) with the same tokenizer, over the same documents",
}


def inverse(ratio: float) -> float:
    """cost(base) / cost(offering) from a ratio cost(offering) / cost(base)."""
    return 1 / ratio if ratio else math.inf


def ratio_header(matrix: CostMatrix) -> str:
    """The column heading of a ratio: the direction stated where it is used."""
    return f"cost / cost of {matrix.base.split('/')[-1]}"


def label(matrix: CostMatrix, ref: str) -> str:
    """'Llama 2 Chat 70B on Amazon Bedrock' style display name; estimates say so."""
    info = matrix.source(ref)
    return f"{info.name} on {info.provider}{'' if matrix.exact(ref) else ' (estimate)'}"


def tokenizer_kind(tok: TokenizerUsed) -> str:
    """How a tokenizer's counts were made, for users: exact, a calibrated estimate (naming the calibration
    per language), or a stand-in."""
    if tok.exact:
        return "exact"
    per_language = tok.calibration
    if not per_language:
        return "ESTIMATE: the vendor's tokenizer is not public; counted with a stand-in"
    return "ESTIMATE: the vendor's tokenizer is not public; " + "; ".join(
        f"{lang}: {info['label']}" for lang, info in per_language.items())


def summary(matrix: CostMatrix, language: str) -> str:
    """One paragraph in plain words: the base offering's cost relative to each other offering (the reading of the
    published comparison: "Mistral Medium costs 0.33x of Claude 2", i.e. 1 / ratio)."""
    base = matrix.base
    others = [o for o in matrix.offerings if o != base]
    parts = [f"{ratio_text(inverse(matrix.row(language, o).ratio))} of {label(matrix, o)}" for o in others]
    what = matrix.provenance.workload
    lead = (f"{language_name(language)} text, billed as {what}, costs on {label(matrix, base)} about "
            if others else f"{language_name(language)} text on {label(matrix, base)}")
    listing = ", ".join(parts[:-1]) + (f" and {parts[-1]}" if len(parts) > 1 else (parts[0] if parts else ""))
    return (lead + listing + f", with prices as of {matrix.provenance.as_of} in "
            f"{matrix.provenance.currency} and each model's own tokenizer.")


def published_rows(matrix: CostMatrix) -> list[dict[str, Any]]:
    """Published vs computed ratios for the default comparison, each with the reasons they differ."""
    if not matrix.published:
        return []
    lang = matrix.languages[0]
    base_price = matrix.source(matrix.base).price
    rows = []
    for ref, published in matrix.published.items():
        ratio = matrix.row(lang, ref).ratio
        ours = inverse(ratio)  # in the published reading: cost(base) / cost(offering)
        info = matrix.source(ref)
        price = info.price
        reasons = ["corpus: the published text is unknown; ours is " + matrix.provenance.corpus.name]
        if base_price.fx_rate is not None:
            reasons.append(f"exchange rate: Mistral bills EUR, converted at ECB {base_price.fx_rate} "
                           f"({base_price.fx_date})")
        if not matrix.exact(ref):
            reasons.append(f"estimate: tokenizer not public, counted with {info.tokenizer}")
        if price.confidence != "high":
            reasons.append(f"price entry ({price.confidence} confidence): {price.billed_input}/{price.billed_output} "
                           f"from {price.source}" + (f"; {price.note}" if price.note else ""))
        rows.append({"offering": ref, "reading": f"cost of {matrix.base} / cost of {ref}, as published",
                     "published": published, "ours": ours, "ratio": ratio,
                     "difference_pct": (ours / published - 1) * 100, "exact": matrix.row(lang, ref).exact,
                     "reasons": reasons})
    return rows


def title(matrix: CostMatrix) -> str:
    """The report's first line: which preset (and what overrode it), then what is compared."""
    langs = matrix.languages
    names = ", ".join(language_name(lang) for lang in langs)
    what = f"{names} text" if len(langs) <= 3 else f"{len(langs)} languages"
    header = matrix.provenance.preset
    lead = f"{header.heading}: relative cost" if header and header.name else "Relative cost"
    return f"{lead} of {what}, prices as of {matrix.provenance.as_of}"


def preset_note(matrix: CostMatrix) -> str:
    """What the preset is, what was overridden, and how to get today's models."""
    from costcalc.presets import DEFAULT

    header = matrix.provenance.preset
    if not header or not header.name:
        return ""
    text = f"Preset {header.name}: {header.description}."
    if header.overridden:
        text += f" Overridden by options: {', '.join(p.replace('_', '-') for p in header.overridden)}."
    if header.name == DEFAULT:
        text += " For today's models: `costcalc report --preset current`."
    return text


def many_summary(matrix: CostMatrix) -> str:
    """Plain words for a many-language report: which offering is cheapest where, and the spread of each."""
    from collections import Counter

    cheapest = Counter(min(matrix.offerings, key=lambda o: matrix.row(lang, o).cost) for lang in matrix.languages)
    wins = ", ".join(f"{label(matrix, o)} in {n}" for o, n in cheapest.most_common())
    return (f"Across {len(matrix.languages)} languages, billed as {matrix.provenance.workload} with prices as of "
            f"{matrix.provenance.as_of} in {matrix.provenance.currency}, the cheapest offering is {wins}. "
            f"The table gives, per language, each offering's cost divided by the cost on {label(matrix, matrix.base)}.")


def overview(matrix: CostMatrix) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the languages x offerings table of ratios cost(offering) / cost(base)."""
    header = ["language", *(o.split("/")[-1] for o in matrix.offerings)]
    rows = [[language_name(lang), *(ratio_text(matrix.row(lang, o).ratio) for o in matrix.offerings)]
            for lang in matrix.languages]
    return header, rows


def compact(n: int) -> str:
    """612345 -> '612k', 1234567 -> '1.23M': character counts as people read them."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.3g}M"
    return f"{n / 1000:.3g}k" if n >= 1000 else str(n)


def context_table(matrix: CostMatrix) -> tuple[list[str], list[list[str]]]:
    """Languages x offerings with a context window: characters of the language the window holds, and the
    share of the content English would fit. Empty when no offering has a context window."""
    refs = [o for o in matrix.offerings if matrix.row(matrix.languages[0], o).context_window]
    if not refs:
        return [], []
    header = ["language", *(f"{o.split('/')[-1]} ({compact(matrix.row(matrix.languages[0], o).context_window)}"
                            " tokens)" for o in refs)]
    rows = [[language_name(lang), *(f"{compact(r.context_chars)} chars ({r.context_vs_en:.2f}x en)"
                                    for o in refs for r in [matrix.row(lang, o)])] for lang in matrix.languages]
    return header, rows


CONTEXT_LEGEND = ("Characters of each language a context window holds (window / tokens per character of that "
                  "language), and in brackets the share of the content it holds relative to English.")


def genre_table(matrix: CostMatrix) -> tuple[list[str], list[list[str]]]:
    """Languages x genres: the premium over English under the base offering's tokenizer, per corpus document."""
    base = matrix.base
    rows_by = {(r.language, r.genre): r for r in matrix.genre_rows if r.offering == base}
    genres = list(matrix.provenance.genres)
    header = ["language", *genres]
    rows = [[language_name(lang), *(f"{rows_by[(lang, g)].premium:.2f}" if (lang, g) in rows_by else ""
                                    for g in genres)] for lang in matrix.languages]
    return header, rows


def caveat_lines(matrix: CostMatrix) -> list[str]:
    """One sentence per caveat, naming the offering it concerns; every format prints these."""
    return [(f"{label(matrix, c.offering)}: " if c.offering else "") + c.text.rstrip(".") + "."
            for c in matrix.caveats]


def row_notes(matrix: CostMatrix, ref: str) -> str:
    """The caveats that apply to one offering's figures (its own and the report-wide ones), for a notes column."""
    return "; ".join(c.text for c in matrix.caveats if c.offering in (None, ref))
