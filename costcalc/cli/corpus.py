"""`costcalc corpus list|stats`: the bundled parallel corpora and what a corpus holds."""

from __future__ import annotations

import click

from costcalc.cli._options import format_option
from costcalc.cli._output import emit


@click.group()
def corpus() -> None:
    """Parallel corpora: the same content in many languages.

    \b
    Examples:
      costcalc corpus list
      costcalc corpus stats
      costcalc corpus stats ./flores200_dataset/devtest --format json
    """


@corpus.command("list")
@format_option()
def list_(fmt: str) -> None:
    """The bundled corpus sets."""
    from costcalc.corpus import bundled_sets, load_corpus

    rows = [{"name": name, "languages": len(c.languages), "documents": len(c.doc_ids), "chars": c.chars,
             "sha256": c.sha256[:16]} for name, c in ((name, load_corpus(name)) for name in bundled_sets())]
    emit(rows, ["name", "languages", "documents", "chars", "sha256"], fmt)


@corpus.command()
@click.argument("source", default="bundled")
@format_option()
def stats(source: str, fmt: str) -> None:
    """Languages, documents, characters and alignment of a corpus (bundled name or path)."""
    from costcalc.corpus import load_corpus

    c = load_corpus(source)
    rows = c.language_stats()
    aligned = len(c.aligned(c.languages))
    emit(rows, ["language", "name", "documents", "chars", "bytes", "missing"], fmt,
         footer=[f"Corpus {c.name} ({c.origin}): {len(c.languages)} languages, {len(c.doc_ids)} document ids, "
                 f"{aligned} present in every language; sha256 {c.sha256[:16]}.",
                 "Genres (for --genre): " + "; ".join(f"{doc}: {what}" for doc, what in c.genres.items()) + "."],
         json_payload={"name": c.name, "origin": c.origin, "sha256": c.sha256, "aligned_documents": aligned,
                       "genres": c.genres, "languages": rows})
