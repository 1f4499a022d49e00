"""What one comparison computed: the CostMatrix reporters render and library users read as DataFrames."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

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
class CostMatrix:
    """Everything one comparison computed, with its provenance; frozen: a finished comparison is never changed,
    `with_provenance` makes a new one. Reporters render the row lists; library users get the same data as pandas
    DataFrames (`absolute`, `relative`, `premiums`, `matrix(language)`)."""

    absolute_rows: tuple[OfferingCost, ...]  # one per (language, offering)
    relative_rows: tuple[Ratio, ...]  # one per (language, offering): ratio = cost(offering) / cost(base)
    premium_rows: list[dict[str, Any]]  # one per (tokenizer, language): tokens vs the reference language
    provenance: dict[str, Any]  # what it was computed from: "offerings" holds OfferingSource records, "caveats"
    # Caveat records
    base: str
    languages: list[str]
    offerings: list[str]
    published: dict[str, Any] | None = field(default=None)
    genre_rows: tuple[GenreCost, ...] = ()  # one per (language, genre, offering)
    documents: dict[str, Any] = field(default_factory=dict)  # per-document chars and tokens, for the HTML page
    price_history: dict[str, Any] = field(default_factory=dict)  # prices on earlier dates, for the HTML page

    def with_provenance(self, **parts: Any) -> CostMatrix:
        """A copy whose provenance also says `parts` (e.g. the preset it was asked under)."""
        from dataclasses import replace

        return replace(self, provenance={**self.provenance, **parts})

    @property
    def caveats(self) -> tuple[Caveat, ...]:
        return tuple(self.provenance.get("caveats") or ())

    def source(self, offering: str) -> OfferingSource:
        return self.provenance["offerings"][offering]

    def exact(self, offering: str) -> bool:
        """Counted with the offering's own tokenizer (False: an estimate)."""
        return self.provenance["tokenizers"][self.source(offering).tokenizer]["exact"]

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

        from costcalc.counting import PREMIUM_COLUMNS

        return pd.DataFrame(self.premium_rows, columns=PREMIUM_COLUMNS)

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
        names = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) != names:
            return None

        def price(p: dict[str, Any] | None) -> PriceSource | None:
            return None if p is None else PriceSource(**p)

        try:
            prov = data["provenance"]
            history = data["price_history"]
            return cls(**{
                **data, "absolute_rows": tuple(OfferingCost(**r) for r in data["absolute_rows"]),
                "relative_rows": tuple(Ratio(**r) for r in data["relative_rows"]),
                "genre_rows": tuple(GenreCost(**r) for r in data["genre_rows"]),
                "provenance": {**prov, "caveats": [Caveat(**c) for c in prov["caveats"]],
                               "offerings": {ref: OfferingSource(**{**o, "price": PriceSource(**o["price"])})
                                             for ref, o in prov["offerings"].items()}},
                "price_history": {**history, "offerings": {
                    ref: [{**c, "price": price(c["price"])} for c in kept]
                    for ref, kept in history.get("offerings", {}).items()}} if history else history})
        except (TypeError, KeyError):  # written by another version of these records
            return None

    def __repr__(self) -> str:
        return (f"<CostMatrix {len(self.offerings)} offerings x {len(self.languages)} languages, base {self.base}, "
                f"as of {self.provenance.get('as_of')}, {self.provenance.get('currency')}>")

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
