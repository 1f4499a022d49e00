"""`costcalc corpus list|stats`: the bundled parallel corpora and what a corpus holds."""

from __future__ import annotations

import click

from costcalc.cli._output import emit, format_option


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

    rows = []
    for name in bundled_sets():
        c = load_corpus(name)
        rows.append({"name": name, "languages": len(c.languages), "documents": len(c.doc_ids),
                     "chars": sum(len(d.text) for d in c.documents), "sha256": c.sha256[:16]})
    emit(rows, ["name", "languages", "documents", "chars", "sha256"], fmt)


@corpus.command()
@click.argument("source", default="bundled")
@format_option()
def stats(source: str, fmt: str) -> None:
    """Languages, documents, characters and alignment of a corpus (bundled name or path)."""
    from costcalc.corpus import load_corpus
    from costcalc.languages import name

    c = load_corpus(source)
    missing = c.missing()
    rows = []
    for lang in c.languages:
        docs = c.by_lang[lang]
        rows.append({"language": lang, "name": name(lang), "documents": len(docs),
                     "chars": sum(len(t) for t in docs.values()),
                     "bytes": sum(len(t.encode("utf-8")) for t in docs.values()),
                     "missing": ", ".join(missing.get(lang, []))})
    aligned = len(c.aligned(c.languages))
    emit(rows, ["language", "name", "documents", "chars", "bytes", "missing"], fmt,
         footer=[f"Corpus {c.name} ({c.origin}): {len(c.languages)} languages, {len(c.doc_ids)} document ids, "
                 f"{aligned} present in every language; sha256 {c.sha256[:16]}.",
                 "Genres (for --genre): " + "; ".join(f"{doc}: {what}" for doc, what in c.genres.items()) + "."],
         json_payload={"name": c.name, "origin": c.origin, "sha256": c.sha256, "aligned_documents": aligned,
                       "genres": c.genres, "languages": rows})
