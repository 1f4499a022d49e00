"""Models and their hosts: every offering of one model, side by side.

A *model* (the weights or the product, `mistralai/mixtral-8x7b-instruct-v0.1`) is not an *offering* (a host
selling it, `together/mistralai/Mixtral-8x7B-Instruct-v0.1`). `pricing/models.yaml` lists the models once, with
the tokenizer that belongs to each; every offering's `model` field points there, so every host of an open model
counts with the model's own (exact) tokenizer. `hosts_of()` prices every host of a model on one date for a workload,
cheapest first; `host_history()` lists each host's dated prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.listing import Listing
from costcalc.prices.models import ALL_HOSTS, CanonicalModel, ModelIndex, check_models, read_models

PRICE_COLUMNS = ["input", "output", "cached_input", "batch_input", "batch_output"]
HISTORY_COLUMNS = ["offering", "from", "until", "input", "output", "cached_input", "currency", "context_window",
                   "precision", "confidence", "source"]

if TYPE_CHECKING:
    from costcalc.cost_model import Workload
    from costcalc.matrix import CorpusInfo, TokenizerUsed


@dataclass(frozen=True)
class HostsProvenance:
    """What a hosts table was computed from: the comparison's price table, corpus and tokenizers."""

    price_table: str
    corpus: CorpusInfo
    tokenizers: dict[str, TokenizerUsed]
    content_unit: str
    counting_protocol: str
    fx_source: str


@dataclass(frozen=True)
class HostsTable:
    """Every host of one model on one date, cheapest first for the workload, with where each price came from."""

    model: str
    name: str
    tokenizer: str
    exact: bool
    as_of: date
    currency: str
    workload: str
    languages: list[str]
    rows: list[dict[str, Any]]
    provenance: HostsProvenance

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "name": self.name, "tokenizer": self.tokenizer, "exact": self.exact,
                "as_of": self.as_of, "currency": self.currency, "workload": self.workload,
                "languages": self.languages, "hosts": self.rows, "provenance": self.provenance}

    def listing(self) -> Listing:
        """The table `costcalc hosts` prints: costs to 6 decimal places and source ids in the rows (JSON, the
        payload, keeps exact values and full citations), and what the columns mean in the notes."""
        from costcalc.numbers import places

        costs = [_cost_column(lang) for lang in self.languages]
        rows = [{**row, **{c: places(row[c], 6) for c in costs}, "source": ", ".join(s["id"] for s in row["sources"])}
                for row in self.rows]
        columns = ["offering", *PRICE_COLUMNS, "context_window", "max_output", "precision", *costs,
                   "effective_from", "confidence", "source"]
        kind = "exact" if self.exact else "estimate"
        notes = [
            f"{self.name} ({self.model}): {len(self.rows)} hosts on {self.as_of}, cheapest first for {self.workload}.",
            f"Prices in {self.currency} per 1M tokens; cost_<language>: {self.currency} per 1M characters of "
            "English-equivalent content in that language.",
            f"Tokenizer {self.tokenizer} ({kind}), the same for every host; price table "
            f"{self.provenance.price_table}; corpus {self.provenance.corpus.name}.",
            "Sources (ids): see pricing/sources.yaml or --format json for titles, links and dates.",
        ]
        return Listing(rows, columns, notes, payload=self.to_dict())


def _cost_column(lang: str) -> str:
    return f"cost_{lang}"


def hosts_of(model: str, as_of: str | date | None = None, languages: Sequence[str] = ("en",), currency: str = "USD",
          workload: Workload | None = None, corpus: str = "bundled", pricing_dir: str | None = None,
          workers: int | None = None, progress=None) -> HostsTable:
    """Every host of `model` on `as_of` (default today), cheapest first for the workload.

    Each row has the host's input/output/cached/batch prices, context window, precision, maximum output, and the
    cost of 1M characters of English-equivalent content in each language (counted with the model's tokenizer,
    the same for every host), with the price's source and date.

        t = costcalc.hosts_of("meta-llama/llama-3.3-70b-instruct", languages=["it", "ja"])
        t.rows[0]["offering"]   # the cheapest host
    """
    from costcalc.cost_model import Workload
    from costcalc.costing import compare
    from costcalc.dates import parse_date
    from costcalc.prices import default_pricing_dir, load_prices

    day = parse_date(as_of)
    workload = workload or Workload()
    root = Path(pricing_dir) if pricing_dir is not None else default_pricing_dir()
    book = load_prices(as_of=day, path=root)
    index = ModelIndex.of(book)
    canonical = index.resolve(model, day)
    offerings = index.require_hosts(canonical, day)
    langs = list(dict.fromkeys(languages)) or ["en"]
    matrix = compare(language=langs, models=[o.ref for o in offerings], base=offerings[0].ref, as_of=day,
                     currency=currency, workload=workload, corpus=corpus, pricing_dir=str(root), workers=workers,
                     progress=progress)
    langs = matrix.languages
    rows = []
    for off in offerings:
        quote = off.price(day, currency)
        costs = {_cost_column(lang): matrix.row(lang, off.ref).cost for lang in langs}
        rows.append({
            "offering": off.ref, "host": off.provider.name, "id": off.model.id,
            "input": quote.input, "output": quote.output, "cached_input": quote.prices["cached_input"],
            "batch_input": quote.prices["batch_input"], "batch_output": quote.prices["batch_output"],
            "currency": quote.currency, "unit": f"per 1M {quote.entry.unit}s",
            "context_window": off.model.context_window, "max_output": getattr(off.model, "max_output", None),
            "precision": getattr(off.model, "precision", None), **costs,
            "mean_cost": sum(costs.values(), Decimal(0)) / len(costs),
            "effective_from": quote.entry.from_, "from_basis": getattr(quote.entry, "from_basis", None),
            "until": off.model.until, "confidence": quote.entry.confidence,
            "sources": _citations(quote), "note": quote.entry.note,
        })
    rows.sort(key=lambda r: (r["mean_cost"], r["offering"]))
    registered = index.registry.get(canonical)
    tokenizer = registered.tokenizer if registered else offerings[0].tokenizer
    exact = all(matrix.row(langs[0], o.ref).exact for o in offerings)
    prov = matrix.provenance
    return HostsTable(
        model=canonical, name=registered.name if registered else offerings[0].model.name, tokenizer=tokenizer,
        exact=exact, as_of=day, currency=currency, workload=workload.describe(), languages=langs, rows=rows,
        provenance=HostsProvenance(prov.price_table, prov.corpus, prov.tokenizers, prov.content_unit,
                                   prov.counting_protocol, prov.fx_source),
    )


def _citations(quote) -> list[dict[str, Any]]:
    if hasattr(quote, "citations"):
        return quote.citations()
    source = quote.entry.source
    return [{"id": s} for s in ([source] if isinstance(source, str) else source)]


def history_listing(model: str, pricing_dir: str | None = None, currency: str | None = None) -> Listing:
    """`costcalc hosts --history`: host_history with each row's source titles in one column."""
    rows = [{**row, "source": "; ".join(s.get("title", s["id"]) for s in row["sources"])}
            for row in host_history(model, pricing_dir, currency)]
    return Listing(rows, HISTORY_COLUMNS,
                   ["Prices per 1M tokens; [from, until): until is the next price or the host's retirement."],
                   payload={"model": model, "history": rows})


def host_history(model: str, pricing_dir: str | None = None, currency: str | None = None) -> list[dict[str, Any]]:
    """Each host's dated prices for `model`, oldest first per host: [from, until) and where they came from."""
    from costcalc.prices import default_pricing_dir, load_prices

    root = Path(pricing_dir) if pricing_dir is not None else default_pricing_dir()
    book = load_prices(path=root)
    index = ModelIndex.of(book)
    canonical = index.resolve(model)
    rows = []
    for off in sorted(index.offerings[canonical], key=lambda o: o.ref):
        entries = off.model.prices
        for i, entry in enumerate(entries):
            until = entries[i + 1].from_ if i + 1 < len(entries) else off.model.until
            quote = off.price(entry.from_, currency)
            rows.append({"offering": off.ref, "from": entry.from_, "until": until,
                         "from_basis": getattr(entry, "from_basis", None), "input": quote.input,
                         "output": quote.output, "cached_input": quote.prices["cached_input"],
                         "currency": quote.currency, "context_window": off.model.context_window,
                         "precision": getattr(off.model, "precision", None), "confidence": entry.confidence,
                         "sources": _citations(quote), "note": entry.note})
    return rows


__all__ = ["ALL_HOSTS", "CanonicalModel", "HostsTable", "ModelIndex", "check_models", "history_listing", "host_history",
           "hosts_of", "read_models"]
