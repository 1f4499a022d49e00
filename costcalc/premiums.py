"""Token premiums of a corpus: tokens(language) / tokens(reference) per tokenizer, over the documents present in
both (what `costcalc premiums` prints and plots)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.listing import Listing

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["language", "tokenizer", "documents", "tokens", "reference_tokens", "premium", "exact"]


@dataclass(frozen=True)
class PremiumTable:
    rows: list[dict[str, Any]]  # one per (language, tokenizer); premium to 4 decimal places
    languages: list[str]
    reference: str
    corpus: str  # its name
    corpus_sha256: str
    notes: list[str]

    def listing(self) -> Listing:
        """One row per (language, tokenizer), for CSV, JSON and markdown."""
        return Listing(self.rows, COLUMNS)

    def grid(self) -> Listing:
        """Languages x tokenizers, as people read it; an estimate's premium carries a '*'."""
        cells: dict[str, dict[str, Any]] = {lang: {"language": lang} for lang in self.languages}
        for row in self.rows:
            cells[row["language"]][row["tokenizer"]] = f"{row['premium']:.2f}{'' if row['exact'] else '*'}"
        return Listing(list(cells.values()), ["language", *dict.fromkeys(r["tokenizer"] for r in self.rows)],
                       self.notes)

    def frame(self) -> pd.DataFrame:
        """languages x tokenizers of premiums."""
        import pandas as pd

        return pd.DataFrame(self.rows).pivot(index="language", columns="tokenizer", values="premium")

    def plot(self, path: str | Path) -> Path:
        """A PNG heatmap of the premiums (matplotlib, the `plot` extra)."""
        from costcalc.reports.plot import heatmap

        return heatmap(self.frame(), path, title=f"Tokens per language relative to {self.reference} ({self.corpus})",
                       log=False, caption=f"corpus sha256 {self.corpus_sha256[:16]}")


def default_tokenizers() -> list[str]:
    """Every installed exact tokenizer, once per vocabulary (o200k_harmony counts text like o200k_base)."""
    from costcalc.tokenizers import list_tokenizers

    distinct: dict[str | None, str] = {}
    for t in list_tokenizers():
        if t.exact and t.installed:
            distinct.setdefault(t.fingerprint, t.name)
    return list(distinct.values())


def premiums(corpus: str = "bundled", tokenizers: Sequence[str] = (), languages: Sequence[str] = (),
             reference: str = "en", workers: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> PremiumTable:
    """The premium of each language in `languages` (default: all of the corpus) over `reference`, under each of
    `tokenizers` (default: every installed exact tokenizer)."""
    from costcalc.corpus import load_corpus
    from costcalc.counting import count_rows, premium_rows
    from costcalc.languages import normalize

    text = load_corpus(corpus)
    reference = normalize(reference)
    wanted = text.require_languages(list(languages)) if languages else list(text.languages)
    names = list(tokenizers) or default_tokenizers()
    counts = count_rows(text, names, languages=sorted({*wanted, reference}), workers=workers, progress=progress)
    rows = [{**asdict(r), "premium": round(r.premium, 4)} for r in premium_rows(counts, reference)
            if r.language in wanted]
    notes = [f"Corpus {text.name} (sha256 {text.sha256[:16]}): {len(text.languages)} languages, "
             f"{len(text.doc_ids)} documents; premium = tokens / {reference} tokens over the documents in both."]
    if not all(r["exact"] for r in rows):
        notes.append("* an estimate: the vendor's tokenizer is not public.")
    missing = text.missing()
    if missing:
        notes.append("Not aligned (compared on shared documents only): " +
                     "; ".join(f"{lang} lacks {', '.join(docs[:3])}" for lang, docs in sorted(missing.items())))
    return PremiumTable(rows, wanted, reference, text.name, text.sha256, notes)
