"""Join token counts x prices x workload into a CostMatrix (DESIGN.md 3.4).

For offering m with tokenizer t, in language L, prices p converted to the report currency at `as_of`:

    cost(L, m) = p_in * T_in(L, t) + p_out * T_out(L, t)

where T(L, t) is the number of tokens t needs for L's translation of 1M characters of English text (the
"content unit"), measured over the documents present in both L and English; T_in/T_out split it by the
workload (input, output, or input plus `output_ratio` output tokens per input token). Cached and batch shares
blend in the cached-input and batch prices. The relative matrix is R[i, j] = cost(L, i) / cost(L, j).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from costcalc.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from costcalc.corpus import Corpus
    from costcalc.prices import Offering, PriceBook, Quote

MILLION = Decimal(1_000_000)

# The published comparison that `costcalc report` reproduces by default (DESIGN.md section 1).
PUBLISHED_DEFAULT = {
    "language": "it",
    "as_of": date(2023, 12, 14),
    "base": "mistral/mistral-medium",
    "models": [
        "mistral/mistral-medium",
        "aws-bedrock/anthropic.claude-v2",
        "openai/gpt-4-1106-preview",
        "openai/gpt-3.5-turbo-1106",
        "aws-bedrock/amazon.titan-text-express-v1",
        "aws-bedrock/meta.llama2-70b-chat-v1",
        "aws-bedrock/meta.llama2-13b-chat-v1",
    ],
    # cost(Mistral Medium) / cost(other), Italian input, as published
    "ratios": {
        "aws-bedrock/anthropic.claude-v2": 0.33,
        "openai/gpt-4-1106-preview": 0.31,
        "openai/gpt-3.5-turbo-1106": 3.1,
        "aws-bedrock/amazon.titan-text-express-v1": 2.1,
        "aws-bedrock/meta.llama2-70b-chat-v1": 1.53,
        "aws-bedrock/meta.llama2-13b-chat-v1": 4.0,
    },
}

# `--preset current`: each provider's current flagship and its smaller sibling, high-confidence prices only.
PRESET_CURRENT = {
    "base": "mistral/mistral-large-latest",
    "models": [
        "mistral/mistral-large-latest",
        "mistral/mistral-medium-latest",
        "openai/gpt-5",
        "openai/gpt-5-mini",
        "anthropic/claude-sonnet-4-5",
        "anthropic/claude-haiku-4-5",
        "google/gemini-2.5-pro",
        "google/gemini-2.5-flash",
        "aws-bedrock/amazon.nova-pro-v1:0",
        "aws-bedrock/meta.llama4-maverick-17b-instruct-v1:0",
    ],
}


@dataclass(frozen=True)
class Workload:
    """What is billed: `input` text, `output` text, or `mixed` (input plus output_ratio output tokens per
    input token); `cached_share` of input read from the prompt cache; `batch_share` sent through batch APIs."""

    direction: Literal["input", "output", "mixed"] = "input"
    output_ratio: Decimal = Decimal(0)
    cached_share: Decimal = Decimal(0)
    batch_share: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("output_ratio", "cached_share", "batch_share"):
            object.__setattr__(self, name, Decimal(str(getattr(self, name))))
        if self.direction not in ("input", "output", "mixed"):
            raise InputError(f"unknown direction {self.direction!r}", "use input, output or mixed")
        for name in ("cached_share", "batch_share"):
            value = getattr(self, name)
            if not Decimal(0) <= value <= Decimal(1):
                raise InputError(f"{name.replace('_', '-')} must be between 0 and 1, got {value}",
                                 f"e.g. --{name.replace('_', '-')} 0.25")
        if self.output_ratio < 0:
            raise InputError(f"output-ratio must not be negative, got {self.output_ratio}")
        if self.direction == "mixed" and self.output_ratio == 0:
            raise InputError("--direction mixed needs --output-ratio (output tokens per input token), e.g. 0.25")

    @property
    def units(self) -> tuple[Decimal, Decimal]:
        """(input share, output share) of each counted token."""
        if self.direction == "input":
            return Decimal(1), Decimal(0)
        if self.direction == "output":
            return Decimal(0), Decimal(1)
        return Decimal(1), self.output_ratio

    def describe(self) -> str:
        text = {"input": "input (prompt) tokens", "output": "output (completion) tokens",
                "mixed": f"input plus {self.output_ratio} output tokens per input token"}[self.direction]
        extras = [f"{self.cached_share:%} cached" if self.cached_share else "",
                  f"{self.batch_share:%} batch" if self.batch_share else ""]
        extras = [e.replace("%", " %") for e in extras if e]
        return text + (f" ({', '.join(extras)})" if extras else "")


def _blend(quote: Quote, workload: Workload) -> tuple[Decimal, Decimal, list[str]]:
    """Effective (input, output) price per 1M units under the workload, and notes on any fallback."""
    p, notes = quote.prices, []
    base_in = p["input"] if p["input"] is not None else Decimal(0)
    base_out = p["output"] if p["output"] is not None else Decimal(0)
    share_in, share_out = workload.units
    if share_in and p["input"] is None:
        raise InputError(f"{quote.offering} has no input price", "leave it out or use --direction output")
    if share_out and p["output"] is None:
        raise InputError(f"{quote.offering} has no output price (an embedding model?)", "leave it out")
    cached = p["cached_input"]
    if workload.cached_share and cached is None:
        notes.append("no cached-input price: cached share billed at the input price")
        cached = base_in
    standard_in = (1 - workload.cached_share) * base_in + workload.cached_share * (cached or 0)
    batch_in, batch_out = p["batch_input"], p["batch_output"]
    if workload.batch_share and (batch_in is None or batch_out is None):
        notes.append("no batch price: batch share billed at the standard price")
        batch_in, batch_out = batch_in or standard_in, batch_out or base_out
    b = workload.batch_share
    eff_in = (1 - b) * standard_in + b * (batch_in if b else 0)
    eff_out = (1 - b) * base_out + b * (batch_out if b else 0)
    return eff_in, eff_out, notes


@dataclass
class CostMatrix:
    """Everything one comparison computed, with its provenance. Reporters only render this."""

    absolute: pd.DataFrame  # one row per (language, offering): tokens, content units, prices, cost
    relative: pd.DataFrame  # long form: language, offering, base, ratio, exact
    premiums: pd.DataFrame  # per (tokenizer, language): tokens vs English
    provenance: dict[str, Any]
    base: str
    languages: list[str]
    offerings: list[str]
    published: dict[str, Any] | None = field(default=None)

    def matrix(self, language: str) -> pd.DataFrame:
        """offerings x offerings: R[i, j] = cost(i) / cost(j) in `language`."""
        costs = self.absolute[self.absolute["language"] == language].set_index("offering")["cost"]
        costs = costs.reindex(self.offerings).astype(float)
        import pandas as pd

        return pd.DataFrame({j: costs / costs[j] for j in self.offerings}, index=self.offerings)

    def to_markdown(self) -> str:
        from costcalc.reports import render

        return render(self, "md")

    def to_json(self) -> str:
        from costcalc.reports import render

        return render(self, "json")

    def to_csv(self) -> str:
        from costcalc.reports import render

        return render(self, "csv")

    def to_html(self) -> str:
        from costcalc.reports import render

        return render(self, "html")


def _offerings(book: PriceBook, models: Sequence[str], base: str, as_of: date) -> tuple[list[Offering], Offering]:
    offerings: list[Offering] = []
    for ref in models:
        off = book.lookup(ref)
        if off.ref not in {o.ref for o in offerings}:
            offerings.append(off)
    if not offerings:
        raise InputError("nothing to compare: no offerings selected", "pass -m provider/model (repeatable)")
    base_off = book.lookup(base)
    if base_off.ref not in {o.ref for o in offerings}:
        raise InputError(f"base {base!r} is not among the compared offerings",
                         f"add -m {base} or choose --base from: {', '.join(o.ref for o in offerings)}")
    for off in offerings:
        off.entry(as_of)  # raises "no price for X on D; first price from D0"
    return offerings, base_off


def compute(book: PriceBook, corpus: Corpus, *, languages: Sequence[str], models: Sequence[str], base: str,
            as_of: date, currency: str, workload: Workload, counts: pd.DataFrame | None = None,
            reference: str = "en", workers: int | None = None, progress=None) -> CostMatrix:
    """The cost matrix of `models` in `languages`, relative to `base`, on `as_of`."""
    import pandas as pd

    from costcalc.counting import count_corpus, premiums
    from costcalc.tokenizers import get_tokenizer

    if not languages:
        raise InputError("nothing to compare: no languages selected", "pass -l LANG or -l all")
    offerings, base_off = _offerings(book, models, base, as_of)
    if reference not in corpus.by_lang:
        raise InputError(f"corpus {corpus.name!r} has no {reference!r} text: costs are per 1M characters of "
                         "English-equivalent content", "add English documents to the corpus")
    tokenizer_names = sorted({o.tokenizer for o in offerings})
    if counts is None:
        counts = count_corpus(corpus, tokenizer_names, languages=sorted({*languages, reference}),
                              workers=workers, progress=progress)
    quotes = {o.ref: o.price(as_of, currency) for o in offerings}
    rows = []
    for lang in languages:
        shared = corpus.aligned([lang, reference])
        if not shared:
            raise InputError(f"no documents shared by {lang!r} and {reference!r} in corpus {corpus.name!r}")
        sel = counts[counts["doc"].isin(shared)]
        chars_en = int(sel[(sel["lang"] == reference)].drop_duplicates("doc")["chars"].sum())
        chars_l = int(sel[(sel["lang"] == lang)].drop_duplicates("doc")["chars"].sum())
        for off in offerings:
            q = quotes[off.ref]
            t = sel[sel["tokenizer"] == off.tokenizer]
            tokens = int(t[t["lang"] == lang]["tokens"].sum())
            tokens_en = int(t[t["lang"] == reference]["tokens"].sum())
            units = chars_l if q.entry.unit == "character" else tokens
            eff_in, eff_out, notes = _blend(q, workload)
            share_in, share_out = workload.units
            cost = (eff_in * share_in + eff_out * share_out) * Decimal(units) / Decimal(chars_en)
            rows.append({
                "language": lang, "offering": off.ref, "name": off.model.name, "tokenizer": off.tokenizer,
                "exact": get_tokenizer(off.tokenizer).exact, "documents": len(shared), "chars": chars_l,
                "chars_en": chars_en, "tokens": tokens, "tokens_en": tokens_en,
                "tokens_per_1m_chars": tokens * 1_000_000 / chars_en, "premium": tokens / tokens_en,
                "unit": q.entry.unit, "input_price": q.input, "output_price": q.output, "currency": currency,
                "cost": cost, "confidence": q.entry.confidence, "notes": "; ".join(notes),
            })
    absolute = pd.DataFrame(rows)
    relative_rows = []
    for lang in languages:
        part = absolute[absolute["language"] == lang].set_index("offering")
        base_cost = part.loc[base_off.ref, "cost"]
        for off in offerings:
            relative_rows.append({
                "language": lang, "offering": off.ref, "base": base_off.ref,
                "ratio": float(base_cost / part.loc[off.ref, "cost"]) if part.loc[off.ref, "cost"] else float("inf"),
                "exact": bool(part.loc[off.ref, "exact"] and part.loc[base_off.ref, "exact"]),
            })
    relative = pd.DataFrame(relative_rows)
    prem = premiums(counts[counts["lang"].isin([*languages, reference])], reference)
    provenance = _provenance(book, corpus, offerings, quotes, as_of, currency, workload, reference)
    published = None
    if (list(languages) == [PUBLISHED_DEFAULT["language"]] and as_of == PUBLISHED_DEFAULT["as_of"]
            and base_off.ref == book.lookup(PUBLISHED_DEFAULT["base"]).ref and workload == Workload()):
        published = {book.lookup(k).ref: v for k, v in PUBLISHED_DEFAULT["ratios"].items()}
    return CostMatrix(absolute, relative, prem, provenance, base_off.ref, list(languages),
                      [o.ref for o in offerings], published)


def _provenance(book: PriceBook, corpus: Corpus, offerings: list[Offering], quotes: dict[str, Quote],
                as_of: date, currency: str, workload: Workload, reference: str) -> dict[str, Any]:
    from costcalc.tokenizers import get_tokenizer

    tokenizers = {}
    for name in sorted({o.tokenizer for o in offerings}):
        tok = get_tokenizer(name)
        tokenizers[name] = {"exact": tok.exact, "fingerprint": tok.fingerprint}
    return {
        "price_table": book.version,
        "as_of": as_of,
        "currency": currency,
        "workload": workload.describe(),
        "reference_language": reference,
        "content_unit": f"1M characters of {reference} text (parallel translations count their own tokens)",
        "counting_protocol": "each document encoded on its own, no special tokens or BOS; summed per language",
        "corpus": {"name": corpus.name, "sha256": corpus.sha256, "origin": corpus.origin,
                   "languages": len(corpus.languages), "documents": len(corpus.doc_ids)},
        "tokenizers": tokenizers,
        "offerings": {
            ref: {"name": off.model.name, "provider": off.provider.name, "tokenizer": off.tokenizer,
                  "effective_from": q.entry.from_, "billed_currency": q.billed_currency,
                  "billed_input": q.entry.input, "billed_output": q.entry.output, "fx_rate": q.fx_rate,
                  "fx_date": q.fx_date, "input": q.input, "output": q.output, "unit": q.entry.unit,
                  "source": q.entry.source, "confidence": q.entry.confidence, "note": q.entry.note}
            for off in offerings for ref, q in [(off.ref, quotes[off.ref])]
        },
        "fx_source": book.fx.source,
    }


def compare(language: str | Sequence[str] = "it", models: Sequence[str] | None = None, base: str | None = None,
            as_of: str | date | None = None, currency: str = "USD", workload: Workload | None = None,
            corpus: str = "bundled", pricing_dir: str | None = None, workers: int | None = None,
            progress=None) -> CostMatrix:
    """Relative cost of `models` for text in `language` ("all" for every corpus language), as of a date.

    With no arguments: the published comparison (Italian input on 2023-12-14, Mistral Medium as base).

        m = costcalc.compare(language="it", as_of="2023-12-14", base="mistral/mistral-medium")
        m.relative        # DataFrame: language, offering, base, ratio, exact
        m.to_markdown()   # the report `costcalc report` prints
    """
    from costcalc.corpus import load_corpus
    from costcalc.prices import load_prices, parse_date

    default = PUBLISHED_DEFAULT
    day = parse_date(as_of if as_of is not None else (default["as_of"] if models is None else None))
    book = load_prices(as_of=day, path=pricing_dir)
    models = list(models) if models else list(default["models"])
    base = base or (default["base"] if default["base"] in models else models[0])
    text = load_corpus(corpus)
    if isinstance(language, str):
        languages = list(text.languages) if language == "all" else [language]
    else:
        languages = list(language)
    if "all" in languages:
        languages = list(text.languages)
    languages = text.require_languages(languages)
    return compute(book, text, languages=languages, models=models, base=base, as_of=day,
                   currency=currency.upper(), workload=workload or Workload(), workers=workers, progress=progress)
