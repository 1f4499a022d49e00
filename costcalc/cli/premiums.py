"""`costcalc premiums`: how many more tokens each language needs than English, per tokenizer."""

from __future__ import annotations

from pathlib import Path

import click

from costcalc.cli._options import corpus_option, format_option, plot_option, workers_option
from costcalc.cli._output import emit
from costcalc.cli._progress import ProgressBar


@click.command()
@corpus_option
@click.option("-t", "--tokenizer", "tokenizers", multiple=True,
              help="Tokenizer registry name (repeatable). Default: every exact tokenizer that is installed.")
@click.option("-l", "--language", "languages", multiple=True, help="Language (repeatable). Default: all.")
@click.option("--reference", default="en", show_default=True, help="Language the others are compared with.")
@format_option()
@plot_option
@workers_option
def premiums(corpus: str, tokenizers: tuple[str, ...], languages: tuple[str, ...], reference: str, fmt: str,
             plot: Path | None, workers: int | None) -> None:
    """Token premium per language: tokens(L) / tokens(reference) on the same content.

    \b
    Examples:
      costcalc premiums
      costcalc premiums -t openai:o200k_base -t mistral:tekken -l it -l hi --format csv
      costcalc premiums --corpus ./flores200_dataset/devtest --plot premiums.png
    """
    from costcalc.corpus import load_corpus
    from costcalc.counting import count_rows, premium_rows
    from costcalc.languages import normalize
    from costcalc.tokenizers import list_tokenizers

    text = load_corpus(corpus)
    reference = normalize(reference)
    wanted = text.require_languages(list(languages)) if languages else list(text.languages)
    # default: every installed exact tokenizer, once per vocabulary (o200k_harmony counts text like o200k_base)
    distinct: dict[str | None, str] = {}
    for t in list_tokenizers():
        if t.exact and t.installed:
            distinct.setdefault(t.fingerprint, t.name)
    names = list(tokenizers) or list(distinct.values())
    counts = count_rows(text, names, languages=sorted({*wanted, reference}), workers=workers,
                        progress=ProgressBar())
    rows = [r for r in premium_rows(counts, reference) if r["language"] in wanted]
    for row in rows:
        row["premium"] = round(row["premium"], 4)
    footer = [f"Corpus {text.name} (sha256 {text.sha256[:16]}): {len(text.languages)} languages, "
              f"{len(text.doc_ids)} documents; premium = tokens / {reference} tokens over the documents in both."]
    if not all(r["exact"] for r in rows):
        footer.append("* an estimate: the vendor's tokenizer is not public.")
    missing = text.missing()
    if missing:
        footer.append("Not aligned (compared on shared documents only): " +
                      "; ".join(f"{lang} lacks {', '.join(docs[:3])}" for lang, docs in sorted(missing.items())))
    if fmt == "table":  # people read a languages x tokenizers grid; CSV and JSON stay one row per pair
        grid = {lang: {"language": lang} for lang in wanted}
        for row in rows:
            mark = "" if row["exact"] else "*"
            grid[row["language"]][row["tokenizer"]] = f"{row['premium']:.2f}{mark}"
        columns = ["language", *dict.fromkeys(r["tokenizer"] for r in rows)]
        emit(list(grid.values()), columns, fmt, footer=footer)
    else:
        emit(rows, ["language", "tokenizer", "documents", "tokens", "reference_tokens", "premium", "exact"], fmt)
    if plot is not None:
        import pandas as pd

        from costcalc.reports.plot import heatmap

        grid = pd.DataFrame(rows).pivot(index="language", columns="tokenizer", values="premium")
        heatmap(grid, plot, title=f"Tokens per language relative to {reference} ({text.name})", log=False,
                caption=f"corpus sha256 {text.sha256[:16]}")
        click.echo(f"Wrote {plot}", err=True)
