"""`costcalc selfhost MODEL --gpu NAME --gpus N`: what serving open weights on rented GPUs costs per 1M tokens."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from costcalc.cli._options import as_of_option, format_option, pricing_dir_option, workload_options
from costcalc.cli._output import emit_listing


@click.command()
@click.argument("model")
@click.option("--gpu", required=True, help="GPU name from pricing/selfhost/gpus.yaml, e.g. h100, a100-80gb.")
@click.option("--gpus", type=int, required=True, help="Number of GPUs serving one copy of the model.")
@click.option("--usd-per-gpu-hour", type=Decimal, default=None,
              help="Price of one GPU-hour (default: the cheapest on-demand price in force on the as-of date).")
@click.option("--prefill-tps", type=Decimal, default=None,
              help="Input tokens per second of the whole fleet (default: the published figure).")
@click.option("--decode-tps", type=Decimal, default=None,
              help="Output tokens per second of the whole fleet (default: the published figure).")
@click.option("--utilisation", type=Decimal, default=Decimal(1), show_default=True,
              help="Share of paid GPU time spent serving, in (0, 1].")
@click.option("--tokens-per-month", type=Decimal, default=None, help="Monthly volume to price, in tokens.")
@as_of_option(help="GPU and API prices on this date (default: today).")
@workload_options
@format_option()
@pricing_dir_option
def selfhost(model: str, gpu: str, gpus: int, usd_per_gpu_hour: Decimal | None, prefill_tps: Decimal | None,
             decode_tps: Decimal | None, utilisation: Decimal, tokens_per_month: Decimal | None,
             as_of: date | None, direction: str, output_ratio: Decimal, cached_share: Decimal,
             batch_share: Decimal, fmt: str, pricing_dir: str | None) -> None:
    """Per-1M-token prices of serving MODEL yourself, and the volume from which it beats the cheapest host.

    \b
    input  = gpus x USD per GPU-hour / 3600 / prefill tokens/s / utilisation x 1e6
    output = gpus x USD per GPU-hour / 3600 / decode tokens/s  / utilisation x 1e6
    A request takes input/prefill + output/decode seconds of the whole fleet. Published throughput is
    measured at full load on fixed lengths; storage, networking and people are not included.
    Use the result as an offering elsewhere: -m selfhost/MODEL@GPUxN (add ,usd=X,prefill=P,decode=D,util=U).

    \b
    Examples:
      costcalc selfhost meta-llama/llama-3.3-70b-instruct --gpu h100 --gpus 2 --utilisation 0.6
      costcalc selfhost mistralai/mixtral-8x7b-instruct-v0.1 --gpu h100 --gpus 2 --usd-per-gpu-hour 4 \\
          --prefill-tps 20000 --decode-tps 2000 --tokens-per-month 5e9 --format json
    """
    from costcalc.cost_model import Workload
    from costcalc.selfhost import summary

    emit_listing(summary(model, gpu, gpus, Workload(direction, output_ratio, cached_share, batch_share),
                         as_of=as_of, usd_per_gpu_hour=usd_per_gpu_hour, prefill_tps=prefill_tps,
                         decode_tps=decode_tps, utilisation=utilisation, tokens_per_month=tokens_per_month,
                         pricing_dir=pricing_dir), fmt)
