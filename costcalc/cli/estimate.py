"""`costcalc estimate`: tokens and cost of your own files on each offering, exact or sampled."""

from __future__ import annotations

from datetime import date

import click

from costcalc.cli._options import (
    as_of_option,
    calibrations_option,
    currency_option,
    errors_option,
    format_option,
    prices_option,
    pricing_dir_option,
    workers_option,
)
from costcalc.cli._output import emit


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-m", "--model", "models", multiple=True,
              help="Offering provider/model (repeatable). Default: the flagships of `report --preset current`.")
@click.option("--glob", "pattern", help="Only files whose name matches this pattern, e.g. '*.jsonl'.")
@click.option("--jsonl-field", default="text", show_default=True, help="Field holding the text in .jsonl files.")
@click.option("--csv-column", default="text", show_default=True, help="Column holding the text in .csv files.")
@click.option("--sample", type=click.FloatRange(0, 1, min_open=True), default=None,
              help="Tokenize only this fraction of the units, e.g. 0.01, and give a 95 % interval.")
@click.option("--seed", type=int, default=0, show_default=True, help="Which units --sample picks.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local processes, or a dask.distributed cluster (pip install 'costcalc[dask]').")
@click.option("--scheduler", help="Dask scheduler address (default with --engine dask: a LocalCluster).")
@click.option("--scheduler-timeout", type=click.FloatRange(0.1, 600), default=10, show_default=True,
              help="Seconds to wait for the Dask scheduler before giving up.")
@workers_option
@as_of_option()
@currency_option(default="USD", help="Report currency (converted at the ECB rate of the as-of date).")
@click.option("--direction", type=click.Choice(["input", "output"]), default="input", show_default=True,
              help="Price the text as input (prompts) or as output (completions).")
@errors_option("Non-UTF-8 bytes: skip the file (strict) or count with U+FFFD (replace).")
@click.option("--strict", is_flag=True, help="Fail on the first unreadable file or record instead of skipping it.")
@click.option("-l", "--language", default=None,
              help="Language of the files: closed tokenizers (Claude, Gemini, ...) use its calibration.")
@calibrations_option
@format_option(("table", "md", "csv", "json"))
@pricing_dir_option
@prices_option
def estimate(paths: tuple[str, ...], models: tuple[str, ...], pattern: str | None, jsonl_field: str,
             csv_column: str, sample: float | None, seed: int, engine: str, scheduler: str | None,
             scheduler_timeout: float, workers: int | None, as_of: date | None, currency: str, direction: str,
             errors: str, strict: bool, language: str | None, calibrations: tuple[str, ...],
             fmt: str, pricing_dir: str | None, prices: tuple[str, ...]) -> None:
    """Total documents, characters, tokens and cost of your files (txt, md, jsonl, csv; directories recursive).

    Streams in bounded memory and uses every core. With --sample, only that fraction of the units is
    tokenized; tokens and cost then come with a 95 % confidence interval (ratio estimator on characters).

    \b
    Examples:
      costcalc estimate tickets/ -m openai/gpt-5 -m anthropic/claude-sonnet-4-5 -m mistral/mistral-large-2512
      costcalc estimate dump.jsonl --jsonl-field body --sample 0.01 --format json
      costcalc estimate exports/ --glob '*.csv' --csv-column message --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from costcalc.cli._progress import ProgressBar
    from costcalc.estimate import estimate as run_estimate
    from costcalc.languages import normalize
    from costcalc.presets import flagships

    chosen = list(models) or flagships(as_of, pricing_dir)
    result = run_estimate(paths, chosen, pattern=pattern, jsonl_field=jsonl_field, csv_column=csv_column,
                          sample=sample, seed=seed, engine=engine, scheduler=scheduler,
                          scheduler_timeout=scheduler_timeout, workers=workers, as_of=as_of,
                          currency=currency, direction=direction, errors=errors, strict=strict,
                          progress=ProgressBar("Reading", min_chars=50_000_000), pricing_dir=pricing_dir,
                          language=normalize(language) if language else None, calibrations=calibrations,
                          prices=list(prices))
    emit(result.rows(), result.columns, fmt, footer=result.notes(), json_payload=result.to_dict())

