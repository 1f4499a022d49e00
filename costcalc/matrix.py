"""What one comparison computed: the CostMatrix reporters render and library users read as DataFrames."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class CostMatrix:
    """Everything one comparison computed, with its provenance; frozen: a finished comparison is never changed,
    `with_provenance` makes a new one. Reporters render the row lists; library users get the same data as pandas
    DataFrames (`absolute`, `relative`, `premiums`, `matrix(language)`)."""

    absolute_rows: list[dict[str, Any]]  # one per (language, offering): tokens, content units, prices, cost
    relative_rows: list[dict[str, Any]]  # one per (language, offering): ratio = cost(offering) / cost(base)
    premium_rows: list[dict[str, Any]]  # one per (tokenizer, language): tokens vs the reference language
    provenance: dict[str, Any]
    base: str
    languages: list[str]
    offerings: list[str]
    published: dict[str, Any] | None = field(default=None)
    genre_rows: list[dict[str, Any]] = field(default_factory=list)  # one per (language, genre, offering)
    documents: dict[str, Any] = field(default_factory=dict)  # per-document chars and tokens, for the HTML page
    price_history: dict[str, Any] = field(default_factory=dict)  # prices on earlier dates, for the HTML page

    def with_provenance(self, **parts: Any) -> CostMatrix:
        """A copy whose provenance also says `parts` (e.g. the preset it was asked under)."""
        from dataclasses import replace

        return replace(self, provenance={**self.provenance, **parts})

    def row(self, language: str, offering: str) -> dict[str, Any]:
        return self._by_key[(language, offering)]

    @cached_property
    def _by_key(self) -> dict[tuple[str, str], dict[str, Any]]:
        rel = {(r["language"], r["offering"]): r for r in self.relative_rows}
        return {(r["language"], r["offering"]): {**r, "ratio": rel[(r["language"], r["offering"])]["ratio"]}
                for r in self.absolute_rows}

    def grid(self, language: str) -> list[list[float]]:
        """R[i][j] = cost(i) / cost(j) in `language`, offerings in order."""
        costs = [self.row(language, o)["cost"] for o in self.offerings]
        return [[float(ci / cj) if cj else math.inf for cj in costs] for ci in costs]

    @property
    def absolute(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.absolute_rows)

    @property
    def relative(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.relative_rows, columns=["language", "offering", "base", "ratio", "exact"])

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
        """The fields as plain data (Decimal and date kept) for the JSON result cache."""
        from dataclasses import fields

        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_cache(cls, data: Any) -> CostMatrix | None:
        """The inverse of `to_cache`; None for anything that is not a complete matrix (a stale or foreign file)."""
        from dataclasses import fields

        names = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) != names:
            return None
        return cls(**data)

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
