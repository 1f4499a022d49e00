"""`costcalc premiums`: how many more tokens each language needs than English, per tokenizer."""

from __future__ import annotations

from pathlib import Path

import click

from costcalc.cli._options import corpus_option, format_option, plot_option, workers_option
from costcalc.cli._output import emit_listing
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
    from costcalc.premiums import premiums as premium_table

    table = premium_table(corpus, tokenizers, languages, reference, workers, ProgressBar())
    # people read a languages x tokenizers grid; CSV and JSON stay one row per pair
    emit_listing(table.grid() if fmt == "table" else table.listing(), fmt)
    if plot is not None:
        table.plot(plot)
        click.echo(f"Wrote {plot}", err=True)
