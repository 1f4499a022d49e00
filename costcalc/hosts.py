"""Models and their hosts: every offering of one model, side by side.

A *model* (the weights or the product, `mistralai/mixtral-8x7b-instruct-v0.1`) is not an *offering* (a host
selling it, `together/mistralai/Mixtral-8x7B-Instruct-v0.1`). `pricing/models.yaml` lists the models once, with
the tokenizer that belongs to each; every offering's `model` field points there, so every host of an open model
counts with the model's own (exact) tokenizer. `hosts_of()` prices every host of a model on one date for a workload,
cheapest first; `host_history()` lists each host's dated prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from costcalc.errors import NoPriceError, PriceTableError, UnknownOfferingError, closest

if TYPE_CHECKING:
    from costcalc.costing import Workload
    from costcalc.prices import Offering, PriceBook

ALL_HOSTS = "@*"  # `-m MODEL@*`: every host of MODEL


class CanonicalModel(BaseModel):
    """One model, whoever sells it: its id, its tokenizer and where its weights or product page are."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*/\S+$")
    """Open weights: the Hugging Face repo id, lowercased; closed models: vendor/product-id."""
    name: str
    creator: str
    weights: Literal["open", "closed"]
    tokenizer: str = Field(pattern=r"^[a-z0-9-]+:\S+$")
    """The tokenizer of the model; every offering of the model must use it."""
    url: str = Field(pattern=r"^https?://\S+$")
    """The model card or product page."""


class ModelsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    models: list[CanonicalModel]


def models_path(root: Path) -> Path:
    return root / "models.yaml"


def read_models(root: Path) -> tuple[dict[str, CanonicalModel], list[str]]:
    """pricing/models.yaml by id, and every problem found in it (a missing file is no problem: no registry)."""
    from costcalc.prices.loader import duplicate_ids, read_validated

    path = models_path(root)
    if not path.is_file():
        return {}, []
    parsed, node, problems = read_validated(path, ModelsFile)
    if parsed is None:
        return {}, problems
    ids = [model.id for model in parsed.models]
    return {model.id: model for model in parsed.models}, duplicate_ids(path, node, "models", ids, "model")


def check_models(root: Path, tables: Sequence[tuple[Path, Any]]) -> list[str]:
    """Every offering's `model` is in pricing/models.yaml and uses that model's tokenizer."""
    registry, problems = read_models(root)
    if not registry and not problems:
        return []
    for path, table in tables:
        for off in table.models:
            canonical = getattr(off, "model", None)
            if canonical is None:
                continue
            known = registry.get(canonical)
            if known is None:
                hint = closest(canonical, registry)
                problems.append(f"{path}: model {off.id!r}: unknown model {canonical!r}; add it to "
                                f"{models_path(root).name} (id, name, creator, weights, tokenizer, url)"
                                + (f" or fix the spelling ({hint})" if hint else ""))
            elif not _same_tokenizer(off.tokenizer, known.tokenizer):
                problems.append(f"{path}: model {off.id!r}: tokenizer {off.tokenizer!r} differs from "
                                f"{known.tokenizer!r}, the tokenizer of {canonical}; the tokenizer belongs to the "
                                "model: use the same one for every host")
    return problems


def _same_tokenizer(a: str, b: str) -> bool:
    """Equal, or aliases of one tokenizer (mistral:v1 and mistral:spm count text identically)."""
    from costcalc.errors import UnknownTokenizerError
    from costcalc.tokenizers.registry import canonical

    try:
        return canonical(a) == canonical(b)
    except UnknownTokenizerError:  # reported by the tokenizer check
        return a == b


@dataclass(frozen=True)
class ModelIndex:
    """model id -> its offerings, from one PriceBook."""

    book: PriceBook
    registry: dict[str, CanonicalModel]
    offerings: dict[str, tuple[Offering, ...]]

    @classmethod
    def of(cls, book: PriceBook) -> ModelIndex:
        registry, problems = read_models(book.root)
        if problems:
            raise PriceTableError(problems[0], f"run `costcalc prices validate {book.root}`")
        grouped: dict[str, list[Offering]] = {}
        for off in book.offerings:
            canonical = getattr(off.model, "model", None)
            if canonical is not None:
                grouped.setdefault(canonical, []).append(off)
        return cls(book, registry, {k: tuple(v) for k, v in grouped.items()})

    def resolve(self, name: str, as_of: date | None = None) -> str:
        """A model id from a model id, or from any offering of it (`provider/id`)."""
        if name in self.offerings:
            return name
        try:
            off = self.book.lookup(name, as_of) if as_of else self.book.lookup(name)
        except (UnknownOfferingError, NoPriceError):
            off = None
        canonical = getattr(off.model, "model", None) if off is not None else None
        if canonical is None and name in self.registry:
            raise NoPriceError(f"no offering of {name} in the price tables",
                               "add one to pricing/providers/ with `model: " + name + "`")
        if canonical is None:
            hint = closest(name, self.offerings) or closest(name.lower(), self.offerings)
            raise UnknownOfferingError(f"unknown model {name!r}",
                                       hint or "see `costcalc prices list`; models look like org/name")
        return canonical

    def hosts(self, model: str, as_of: date) -> list[Offering]:
        """The offerings of `model` that have a price on `as_of`."""
        return [o for o in self.offerings[model] if o.is_priced(as_of)]

    def require_hosts(self, model: str, as_of: date) -> list[Offering]:
        found = self.hosts(model, as_of)
        if not found:
            raise NoPriceError(f"no host sells {model} on {as_of}; {self.nearest(model, as_of)}",
                               "choose one of those dates with --as-of")
        return found

    def nearest(self, model: str, as_of: date) -> str:
        """'nearest dates with a host: 2025-03-19 (groq/x retired 2025-03-20), 2024-01-31 (deepinfra/y)'."""
        before: list[tuple[date, str]] = []
        after: list[tuple[date, str]] = []
        for off in self.offerings[model]:
            start, until = off.first_priced, off.model.until
            if start > as_of:
                after.append((start, f"{off.ref} from {start}"))
            elif until is not None and until <= as_of:
                before.append((until - timedelta(days=1), f"{off.ref} retired {until}"))
        parts = []
        if before:
            day = max(d for d, _ in before)
            parts.append(f"{day} ({', '.join(t for d, t in before if d == day)})")
        if after:
            day = min(d for d, _ in after)
            parts.append(f"{day} ({', '.join(t for d, t in after if d == day)})")
        return "nearest dates with a host: " + "; ".join(parts) if parts else "no host has ever priced it"

    def expand(self, refs: Sequence[str], as_of: date, all_hosts: bool = False) -> list[str]:
        """`MODEL@*` (or, with all_hosts, every ref) -> the refs of every host of that model on `as_of`."""
        out: list[str] = []
        for ref in refs:
            if ref.startswith("selfhost/"):
                out.append(ref)
                continue
            if ref.endswith(ALL_HOSTS) or all_hosts:
                model = self.resolve(ref.removesuffix(ALL_HOSTS), as_of)
                out += [o.ref for o in self.require_hosts(model, as_of)]
            else:
                out.append(ref)
        return list(dict.fromkeys(out))


@dataclass
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
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "name": self.name, "tokenizer": self.tokenizer, "exact": self.exact,
                "as_of": self.as_of, "currency": self.currency, "workload": self.workload,
                "languages": self.languages, "hosts": self.rows, "provenance": self.provenance}


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
    from costcalc.costing import Workload, compare
    from costcalc.prices import default_pricing_dir, load_prices, parse_date

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
        costs = {_cost_column(lang): matrix.row(lang, off.ref)["cost"] for lang in langs}
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
    exact = all(matrix.row(langs[0], o.ref)["exact"] for o in offerings)
    prov = matrix.provenance
    return HostsTable(
        model=canonical, name=registered.name if registered else offerings[0].model.name, tokenizer=tokenizer,
        exact=exact, as_of=day, currency=currency, workload=workload.describe(), languages=langs, rows=rows,
        provenance={"price_table": prov["price_table"], "corpus": prov["corpus"], "tokenizers": prov["tokenizers"],
                    "content_unit": prov["content_unit"], "counting_protocol": prov["counting_protocol"],
                    "fx_source": prov.get("fx_source")},
    )


def _citations(quote) -> list[dict[str, Any]]:
    if hasattr(quote, "citations"):
        return quote.citations()
    source = quote.entry.source
    return [{"id": s} for s in ([source] if isinstance(source, str) else source)]


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


__all__ = ["ALL_HOSTS", "CanonicalModel", "HostsTable", "ModelIndex", "check_models", "host_history", "hosts_of",
           "read_models"]
