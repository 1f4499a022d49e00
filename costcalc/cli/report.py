"""`costcalc report`: the relative-cost report (the main job)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import click

from costcalc.cli._options import (
    OUTPUT,
    SHARE,
    as_of_option,
    calibrations_option,
    corpus_option,
    currency_option,
    format_option,
    plot_option,
    prices_option,
    pricing_dir_option,
    workers_option,
    workload_options,
)
from costcalc.cli._progress import ProgressBar

FORMAT_BY_SUFFIX = {".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json", ".html": "html", ".htm": "html"}


@click.command()
@click.option("-l", "--language", "languages", multiple=True,
              help="Language (BCP-47 code or English name, repeatable), or 'all'. Default: the preset's (it).")
@click.option("-m", "--model", "models", multiple=True,
              help="Offering provider/model (repeatable); MODEL@* for every host of a model; "
                   "selfhost/MODEL@GPUxN for self-hosting.")
@click.option("--all-hosts", is_flag=True, help="Replace each -m by every host of its model on the as-of date.")
@click.option("--base", help="Offering the others are compared with (default: the preset's, else the first -m).")
@click.option("--preset", default=None, metavar="NAME",
              help="published-2023-12-14: the Dec 2023 Italian comparison (the default); current: today's "
                   "flagships of each provider, in every bundled language. Options override its parts.")
@as_of_option(help="Prices in force on this date (default: the preset's).")
@currency_option(default="USD", help="Report currency (converted at the ECB rate of the as-of date).")
@workload_options
@click.option("--cache-write-share", type=SHARE, default=Decimal(0),
              help="Share of input written to the prompt cache (0-1; with --cached-share at most 1).")
@click.option("--cache-ttl", type=click.Choice(["5m", "1h"]), default="5m", show_default=True,
              help="Cache lifetime the writes buy: 5-minute or 1-hour cache-write price.")
@click.option("--prompt-tokens", type=int, default=None, metavar="N",
              help="Typical prompt size in tokens; selects long-context price tiers (default: the base tier).")
@click.option("--endpoint", type=click.Choice(["global", "regional"]), default="global", show_default=True,
              help="Global or regional (data-residency) endpoints; regional applies the provider's uplift.")
@click.option("--genre", "genres", multiple=True, metavar="NAME[=WEIGHT]",
              help="Weight the corpus documents by genre (repeatable; a bare name weighs 1, unnamed genres 0). "
                   "Default: all documents, equal characters. Genres: `costcalc corpus stats`.")
@corpus_option
@format_option(("table", "md", "csv", "json", "html"), default=None)
@click.option("-o", "--output", type=OUTPUT, default="-", show_default=True,
              help="Write the report here ('-' = stdout); the format follows the suffix unless --format is given.")
@plot_option
@workers_option
@calibrations_option
@pricing_dir_option
@prices_option
def report(languages: tuple[str, ...], models: tuple[str, ...], all_hosts: bool, base: str | None,
           preset: str | None,
           as_of: date | None, currency: str, direction: str, output_ratio: Decimal, cached_share: Decimal,
           cache_write_share: Decimal, cache_ttl: str, batch_share: Decimal, prompt_tokens: int | None,
           endpoint: str, genres: tuple[str, ...], corpus: str, fmt: str | None, output: str, plot: str | None,
           workers: int | None, calibrations: tuple[str, ...], pricing_dir: str | None,
           prices: tuple[str, ...]) -> None:
    """Relative cost of the same content on each offering, counted with each model's own tokenizer.

    With no options it is the preset published-2023-12-14, the published comparison: Italian input, prices
    as of 2023-12-14, Mistral Medium against Claude 2 on Bedrock, GPT-4 Turbo, GPT-3.5 Turbo, Titan Text
    Express (an estimate: its tokenizer is not public), Llama 2 70B and 13B on Bedrock, with the published
    figures beside ours. `--preset current` compares today's models. Every ratio is cost(offering) /
    cost(base); a table at the terminal, markdown when piped or written to a file.

    \b
    Examples:
      costcalc report
      costcalc report -l de -l ja --format html -o report.html --plot matrix.png
      costcalc report --preset current --format json -o current.json
      costcalc report -m meta-llama/llama-3.3-70b-instruct@* -l it -l ja
      costcalc report -l fr -m openai/gpt-4o -m anthropic/claude-sonnet-4-5 -m mistral/mistral-large-2512 \\
          --as-of 2026-11-01 --direction mixed --output-ratio 0.3
      costcalc report -m anthropic/claude-sonnet-4-5 -m openai/gpt-5 --cached-share 0.6 \\
          --cache-write-share 0.1 --cache-ttl 1h --batch-share 0.5 --prompt-tokens 250000 --endpoint regional
      costcalc report -l hi --genre technical-code=1 --genre support-chat=3
    """
    from costcalc.cli._options import terminal_or
    from costcalc.cli._output import write_or_print
    from costcalc.cost_model import Workload
    from costcalc.costing import compare
    from costcalc.reports import render

    if plot is not None and Path(plot).suffix.lower() != ".png":
        raise click.BadParameter(f"{plot!r}: the plot is a PNG; name it *.png", param_hint="--plot")
    if fmt is None and output != "-":
        fmt = FORMAT_BY_SUFFIX.get(Path(output).suffix.lower(), "md")
    fmt = terminal_or(fmt, output)
    if fmt == "table" and output != "-":
        raise click.BadParameter("table is for the terminal; write md, csv, json or html to a file",
                                 param_hint="--format")
    workload = Workload(direction, output_ratio, cached_share, batch_share, cache_write_share, cache_ttl,
                        prompt_tokens, endpoint)  # bad combinations: exit 2 here
    matrix = compare(language=list(languages) or None, models=list(models) or None, base=base, as_of=as_of,
                     currency=currency, workload=workload, corpus=corpus, pricing_dir=pricing_dir,
                     prices=list(prices), workers=workers, progress=ProgressBar(), genres=list(genres),
                     preset=preset, calibrations=calibrations, all_hosts=all_hosts)
    write_or_print(render(matrix, "md" if fmt == "table" else fmt), output, markdown=fmt == "table")
    if plot is not None:
        from costcalc.reports.plot import plot_matrix

        plot_matrix(matrix, plot)
        click.echo(f"Wrote {plot}", err=True)
