"""`costcalc report`: the relative-cost report (the main job)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import click

from costcalc._atomic import write_atomic
from costcalc.cli._options import DATE, calibrations_option, pricing_dir_option
from costcalc.cli._progress import ProgressBar

PRESETS = ("published", "current")


@click.command()
@click.option("-l", "--language", "languages", multiple=True,
              help="Language (BCP-47, repeatable), or 'all'. Default: it.")
@click.option("-m", "--model", "models", multiple=True,
              help="Offering provider/model (repeatable); MODEL@* for every host of a model; "
                   "selfhost/MODEL@GPUxN for self-hosting.")
@click.option("--all-hosts", is_flag=True, help="Replace each -m by every host of its model on the as-of date.")
@click.option("--base", help="Offering the others are compared with (default: the first one).")
@click.option("--preset", type=click.Choice(PRESETS), default=None,
              help="published: the Dec 2023 Italian comparison (the default); current: today's flagships of "
                   "each provider, in every bundled language.")
@click.option("--as-of", type=DATE, default=None, help="Prices in force on this date.")
@click.option("--currency", type=click.Choice(["USD", "EUR"], case_sensitive=False), default="USD",
              show_default=True, help="Report currency (converted at the ECB rate of the as-of date).")
@click.option("--direction", type=click.Choice(["input", "output", "mixed"]), default="input", show_default=True,
              help="Bill the text as input, as output, or as input plus --output-ratio output.")
@click.option("--output-ratio", type=Decimal, default=Decimal(0),
              help="With --direction mixed: output tokens per input token, e.g. 0.25.")
@click.option("--cached-share", type=Decimal, default=Decimal(0), help="Share of input read from cache (0-1).")
@click.option("--cache-write-share", type=Decimal, default=Decimal(0),
              help="Share of input written to the prompt cache (0-1; with --cached-share at most 1).")
@click.option("--cache-ttl", type=click.Choice(["5m", "1h"]), default="5m", show_default=True,
              help="Cache lifetime the writes buy: 5-minute or 1-hour cache-write price.")
@click.option("--batch-share", type=Decimal, default=Decimal(0), help="Share sent through batch APIs (0-1).")
@click.option("--prompt-tokens", type=int, default=None, metavar="N",
              help="Typical prompt size in tokens; selects long-context price tiers (default: the base tier).")
@click.option("--endpoint", type=click.Choice(["global", "regional"]), default="global", show_default=True,
              help="Global or regional (data-residency) endpoints; regional applies the provider's uplift.")
@click.option("--genre", "genres", multiple=True, metavar="NAME[=WEIGHT]",
              help="Weight the corpus documents by genre (repeatable; a bare name weighs 1, unnamed genres 0). "
                   "Default: all documents, equal characters. Genres: `costcalc corpus stats`.")
@click.option("--corpus", default="bundled", show_default=True,
              help="Bundled set name or a path (directory, FLORES-style files, JSONL).")
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json", "html"]), default="md", show_default=True)
@click.option("-o", "--output", default="-", show_default=True, help="Write the report here ('-' = stdout).")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Also write a PNG heatmap.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Counting processes (default: all cores).")
@calibrations_option
@pricing_dir_option
def report(languages: tuple[str, ...], models: tuple[str, ...], all_hosts: bool, base: str | None, preset: str | None,
           as_of: date | None, currency: str, direction: str, output_ratio: Decimal, cached_share: Decimal,
           cache_write_share: Decimal, cache_ttl: str, batch_share: Decimal, prompt_tokens: int | None,
           endpoint: str, genres: tuple[str, ...], corpus: str, fmt: str, output: str, plot: Path | None,
           workers: int | None, calibrations: tuple[str, ...], pricing_dir: str | None) -> None:
    """Relative cost of the same content on each offering, counted with each model's own tokenizer.

    With no options it reproduces the published comparison: Italian input, prices as of 2023-12-14,
    Mistral Medium against Claude 2 on Bedrock, GPT-4 Turbo, GPT-3.5 Turbo, Titan Text Express (an
    estimate: its tokenizer is not public), Llama 2 70B and 13B on Bedrock, with the published figures beside
    ours.

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
    from costcalc.costing import Workload, compare, current_preset
    from costcalc.reports import render

    current = preset == "current"  # its models and base fill in what the options leave open
    chosen = current_preset(as_of, pricing_dir) if current and not (models and base) else {}
    matrix = compare(language=list(languages) or (["all"] if current else "it"),
                     models=list(models) or chosen.get("models"), base=base or chosen.get("base"),
                     as_of=chosen.get("as_of", as_of), currency=currency,
                     workload=Workload(direction, output_ratio, cached_share, batch_share, cache_write_share,
                                       cache_ttl, prompt_tokens, endpoint), corpus=corpus,
                     pricing_dir=pricing_dir, workers=workers, progress=ProgressBar(),
                     skip_unavailable=current and not models, genres=list(genres),
                     calibrations=calibrations, all_hosts=all_hosts)
    text = render(matrix, fmt)
    if output == "-":
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
        click.echo(f"Wrote {output}", err=True)
    if plot is not None:
        _plot(matrix, plot)
        click.echo(f"Wrote {plot}", err=True)


def _plot(matrix, path: Path) -> None:
    """One language: the offerings x offerings matrix; several: base/offering ratio per language."""
    from costcalc.reports.plot import heatmap

    prov = matrix.provenance
    caption = f"price table {prov['price_table']}; corpus {prov['corpus']['name']}; {prov['workload']}"
    if len(matrix.languages) == 1:
        lang = matrix.languages[0]
        grid = matrix.matrix(lang)
        title = f"Cost of row / cost of column: {lang}, prices as of {prov['as_of']}"
    else:
        grid = matrix.relative.pivot(index="language", columns="offering", values="ratio")[matrix.offerings]
        grid = grid.astype(float)
        title = f"Cost of column / cost of {matrix.base}, per language, prices as of {prov['as_of']}"
    grid = grid.rename(columns=lambda c: c.split("/")[-1], index=lambda i: i.split("/")[-1])
    heatmap(grid, path, title=title, caption=caption)
