"""What one comparison computed: the CostMatrix reporters render and library users read as DataFrames."""

from __future__ import annotations

import math
import types
import typing
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from costcalc.presets import PresetHeader  # at run time: rebuild() resolves the field types

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class OfferingCost:
    """What the content costs on one offering in one language, and the counts and prices behind it."""

    language: str
    offering: str
    name: str
    tokenizer: str
    exact: bool  # counted with the model's own tokenizer (False: an estimate)
    calibration: str  # a closed tokenizer's calibration, in words ("" for an open one)
    documents: int
    chars: int
    chars_en: int
    tokens: int
    tokens_en: int
    tokens_per_1m_chars: float
    premium: float  # tokens / English tokens under the same tokenizer
    unit: str  # token or character: what the price is per
    input_price: Decimal | None
    output_price: Decimal | None
    currency: str
    cost: Decimal  # per 1M characters of English-equivalent content, under the workload
    confidence: str
    notes: str  # price fallbacks under the workload
    context_window: int | None
    context_chars: int | None  # characters of this language the window holds
    context_vs_en: float | None  # share of the content English would fit


@dataclass(frozen=True)
class Ratio:
    language: str
    offering: str
    base: str
    ratio: float  # cost(offering) / cost(base)
    exact: bool  # both sides counted exactly


@dataclass(frozen=True)
class CostRow(OfferingCost):
    """An OfferingCost with its ratio to the base: what `CostMatrix.row` gives."""

    ratio: float


@dataclass(frozen=True)
class GenreCost:
    """One corpus document (one genre) on one offering in one language."""

    language: str
    genre: str
    offering: str
    tokenizer: str
    tokens: int
    tokens_en: int
    chars_en: int
    premium: float
    cost: Decimal


@dataclass(frozen=True)
class Caveat:
    """Something a reader must know before trusting a figure; `offering` None: the whole report."""

    offering: str | None
    kind: str
    text: str


@dataclass(frozen=True)
class PriceSource:
    """What an offering's price entry says on one day, converted to the report currency, with its sources."""

    effective_from: date
    billed_currency: str
    billed_input: Decimal | None
    billed_output: Decimal | None
    fx_rate: Decimal | None  # None: billed in the report currency
    fx_date: date | None
    input: Decimal | None  # per 1M units, in the report currency
    output: Decimal | None
    unit: str
    source: str  # the citations in one line
    sources: list[dict[str, Any]]
    confidence: str
    note: str | None
    prices: dict[str, Decimal | None]  # every price component (cached input, batch, ...)
    tiers: list[Any]
    derived: dict[str, Any]
    batch_factor: Decimal | None
    regional_uplift: Decimal | None


@dataclass(frozen=True)
class OfferingSource:
    """Where one compared offering's figures come from. JSON writes its price's fields in line with the others."""

    name: str
    provider: str
    tokenizer: str
    context_window: int | None
    price: PriceSource = field(metadata={"inline": True})


@dataclass(frozen=True)
class CorpusInfo:
    """The corpus the counts come from."""

    name: str
    sha256: str
    origin: str
    languages: int
    documents: int


@dataclass(frozen=True)
class TokenizerUsed:
    """One tokenizer a comparison counted with (what `list_tokenizers` says of every tokenizer is
    costcalc.tokenizers.TokenizerInfo). A closed family carries the calibration its counts used."""

    exact: bool
    fingerprint: str
    # {language: the calibration's fields (costcalc.calibrate.store.Resolved.to_dict)}; JSON omits it when None
    calibration: dict[str, dict[str, Any]] | None = field(default=None, metadata={"omit_none": True})


@dataclass(frozen=True)
class LeftOut:
    """An offering asked for but not compared, and why."""

    offering: str
    reason: str


@dataclass(frozen=True)
class Provenance:
    """What a comparison was computed from. JSON writes the fields in this order."""

    price_table: str
    as_of: date
    currency: str
    workload: str  # the workload in words
    workload_parameters: dict[str, Any]
    reference_language: str
    content_unit: str
    counting_protocol: str
    corpus: CorpusInfo
    tokenizers: dict[str, TokenizerUsed]
    offerings: dict[str, OfferingSource]
    fx_source: str
    left_out: tuple[LeftOut, ...] = ()
    caveats: tuple[Caveat, ...] = ()
    genre: str = ""  # how the documents were weighted, in words
    genre_weights: dict[str, Decimal] | None = None
    genres: dict[str, str] = field(default_factory=dict)  # {genre id: description}
    preset: PresetHeader | None = None


@dataclass(frozen=True)
class PriceChange:
    """An offering's price from one day on: None with `why` when it had none (not yet priced, retired)."""

    from_: date
    price: PriceSource | None
    why: str | None


@dataclass(frozen=True)
class PriceHistory:
    """The days up to the as-of date on which a compared offering's price changed, and each offering's prices
    from those days (only the days its own price differs from the day before), for the HTML page."""

    dates: list[date] = field(default_factory=list)
    offerings: dict[str, list[PriceChange]] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentCounts:
    """Per-document characters and tokens, for the HTML page to re-weight genres in the browser."""

    chars: dict[str, dict[str, int]] = field(default_factory=dict)  # {language: {document: characters}}
    tokens: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # {tokenizer: {language: {doc: n}}}


@dataclass(frozen=True)
class CostMatrix:
    """Everything one comparison computed, with its provenance; frozen: a finished comparison is never changed,
    `with_provenance` makes a new one. Reporters render the row lists; library users get the same data as pandas
    DataFrames (`absolute`, `relative`, `premiums`, `matrix(language)`)."""

    absolute_rows: tuple[OfferingCost, ...]  # one per (language, offering)
    relative_rows: tuple[Ratio, ...]  # one per (language, offering): ratio = cost(offering) / cost(base)
    premium_rows: tuple[Premium, ...]  # one per (tokenizer, language): tokens vs the reference language
    provenance: Provenance
    base: str
    languages: list[str]
    offerings: list[str]
    published: dict[str, float] | None = None  # {offering: the published ratio} for the published comparison
    genre_rows: tuple[GenreCost, ...] = ()  # one per (language, genre, offering)
    documents: DocumentCounts = field(default_factory=DocumentCounts)
    price_history: PriceHistory = field(default_factory=PriceHistory)

    def with_provenance(self, **parts: Any) -> CostMatrix:
        """A copy whose provenance also says `parts` (e.g. the preset it was asked under)."""
        return replace(self, provenance=replace(self.provenance, **parts))

    @property
    def caveats(self) -> tuple[Caveat, ...]:
        return self.provenance.caveats

    def source(self, offering: str) -> OfferingSource:
        return self.provenance.offerings[offering]

    def exact(self, offering: str) -> bool:
        """Counted with the offering's own tokenizer (False: an estimate)."""
        return self.provenance.tokenizers[self.source(offering).tokenizer].exact

    def row(self, language: str, offering: str) -> CostRow:
        return self._by_key[(language, offering)]

    @cached_property
    def _by_key(self) -> dict[tuple[str, str], CostRow]:
        ratios = {(r.language, r.offering): r.ratio for r in self.relative_rows}
        return {(r.language, r.offering): CostRow(**asdict(r), ratio=ratios[(r.language, r.offering)])
                for r in self.absolute_rows}

    def grid(self, language: str) -> list[list[float]]:
        """R[i][j] = cost(i) / cost(j) in `language`, offerings in order."""
        costs = [self.row(language, o).cost for o in self.offerings]
        return [[float(ci / cj) if cj else math.inf for cj in costs] for ci in costs]

    @property
    def absolute(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self.absolute_rows], columns=[f.name for f in fields(OfferingCost)])

    @property
    def relative(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self.relative_rows], columns=[f.name for f in fields(Ratio)])

    @property
    def premiums(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self.premium_rows], columns=[f.name for f in fields(Premium)])

    def matrix(self, language: str) -> pd.DataFrame:
        """offerings x offerings: R[i, j] = cost(i) / cost(j) in `language`."""
        import pandas as pd

        return pd.DataFrame(self.grid(language), index=self.offerings, columns=self.offerings)

    def to_cache(self) -> dict[str, Any]:
        """The fields (records as their fields, Decimal and date kept) for the JSON result cache."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_cache(cls, data: Any) -> CostMatrix | None:
        """The inverse of `to_cache`; None for anything that is not a complete matrix (a stale or foreign file)."""
        try:
            return rebuild(cls, data)
        except (TypeError, KeyError):  # written by another version of these records
            return None

    def __repr__(self) -> str:
        return (f"<CostMatrix {len(self.offerings)} offerings x {len(self.languages)} languages, base {self.base}, "
                f"as of {self.provenance.as_of}, {self.provenance.currency}>")

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


@dataclass(frozen=True)
class Premium:
    """One language's token premium under one tokenizer: tokens / tokens of the reference language, over the
    documents present in both."""

    tokenizer: str
    language: str
    documents: int
    chars: int
    tokens: int
    reference_tokens: int
    premium: float
    exact: bool


@cache
def _field_types(kind: type) -> dict[str, Any]:
    """A record's field types, resolved once per class (rebuild meets thousands of rows of a few classes)."""
    hints = typing.get_type_hints(kind)
    return {f.name: hints[f.name] for f in fields(kind)}


def rebuild(kind: Any, value: Any) -> Any:
    """`value` (plain dicts and lists, Decimal and date kept, as the result cache reads them) as `kind`: typed
    records are rebuilt field by field from their type hints; a key that is not a field raises TypeError, a
    missing one KeyError."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if is_dataclass(kind) and isinstance(kind, type):
        if not isinstance(value, dict):
            raise TypeError(f"{kind.__name__}: expected its fields, got {type(value).__name__}")
        hints = _field_types(kind)
        known = hints.keys()
        if set(value) - known:
            raise TypeError(f"{kind.__name__}: unknown fields {sorted(set(value) - known)}")
        return kind(**{name: rebuild(hints[name], value[name]) for name in known})
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        return rebuild(next(a for a in args if a is not type(None)), value)
    if origin is tuple:
        return tuple(rebuild(args[0], v) for v in value)
    if origin in (list, dict) and not _holds_records(kind):  # plain data as JSON gave it (counts, parameters)
        return value
    if origin is list:
        return [rebuild(args[0], v) for v in value]
    if origin is dict:
        return {k: rebuild(args[1], v) for k, v in value.items()}
    return value


@cache
def _holds_records(kind: Any) -> bool:
    return (is_dataclass(kind) and isinstance(kind, type)) or any(_holds_records(a) for a in typing.get_args(kind))
