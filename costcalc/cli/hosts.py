"""`costcalc hosts MODEL`: every host of one model, cheapest first for the workload."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from costcalc.cli._options import (
    as_of_option,
    corpus_option,
    currency_option,
    format_option,
    pricing_dir_option,
    workers_option,
    workload_options,
)
from costcalc.cli._output import emit


@click.command()
@click.argument("model")
@as_of_option(help="Hosts and prices on this date (default: today).")
@click.option("--history", is_flag=True, help="Each host's dated prices instead of one date.")
@click.option("-l", "--language", "languages", multiple=True,
              help="Language of the content (BCP-47, repeatable), or 'all'. Default: en.")
@workload_options
@currency_option(default="USD", help="Convert prices at the ECB rate of the as-of date.")
@corpus_option
@workers_option
@format_option()
@pricing_dir_option
def hosts(model: str, as_of: date | None, history: bool, languages: tuple[str, ...], direction: str,
          output_ratio: Decimal, cached_share: Decimal, batch_share: Decimal, currency: str, corpus: str,
          workers: int | None, fmt: str, pricing_dir: str | None) -> None:
    """Every host of MODEL on the as-of date, cheapest first for the workload.

    MODEL is a model id (mistralai/mixtral-8x7b-instruct-v0.1, meta-llama/llama-3.3-70b-instruct) or any
    offering of it (together/mistralai/Mixtral-8x7B-Instruct-v0.1). Every host counts with the model's own
    tokenizer, so the cost columns (per 1M characters of English-equivalent content in each language) differ
    only by price.

    \b
    Examples:
      costcalc hosts meta-llama/llama-3.3-70b-instruct
      costcalc hosts mistralai/mixtral-8x7b-instruct-v0.1 --as-of 2024-06-01 --format json
      costcalc hosts openai/gpt-oss-120b -l it -l ja --direction mixed --output-ratio 0.3
      costcalc hosts deepseek-ai/deepseek-r1 --history
    """
    from costcalc import hosts as lib

    if history:
        listing = lib.history_listing(model, pricing_dir=pricing_dir, currency=currency)
    else:
        from costcalc.cli._progress import ProgressBar
        from costcalc.cost_model import Workload

        listing = lib.hosts_of(model, as_of=as_of, languages=list(languages) or ["en"], currency=currency,
                               workload=Workload(direction, output_ratio, cached_share, batch_share), corpus=corpus,
                               pricing_dir=pricing_dir, workers=workers, progress=ProgressBar()).listing()
    emit(listing.rows, listing.columns, fmt, footer=listing.notes, json_payload=listing.payload)
