"""The models of pricing/models.yaml and the index from a model to the offerings that sell it.

A *model* (the weights or the product, `mistralai/mixtral-8x7b-instruct-v0.1`) is not an *offering* (a host
selling it, `together/mistralai/Mixtral-8x7B-Instruct-v0.1`). `pricing/models.yaml` lists the models once, with
the tokenizer that belongs to each; every offering's `model` field points there, so every host of an open model
counts with the model's own (exact) tokenizer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from costcalc.errors import NoPriceError, PriceTableError, UnknownOfferingError, closest

if TYPE_CHECKING:
    from costcalc.prices.book import Offering, PriceBook

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
    from costcalc.prices.yamlio import duplicate_ids, read_validated

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
