"""Self-hosting costs for `costcalc selfhost`: a quote on the as-of date's price tables, and the monthly volume
from which an always-on fleet beats the cheapest API host. The cost model and the GPU and throughput data are in
costcalc.prices.selfhost (the price book prices `selfhost/...` offerings with it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.prices.selfhost import (
    ASSUMPTIONS,
    COST_MODEL,
    HOURS_PER_MONTH,
    MILLION,
    SelfHostQuote,
    load_selfhost,
)

if TYPE_CHECKING:
    from costcalc.cost_model import Workload
    from costcalc.listing import Listing
    from costcalc.prices.book import PriceBook

__all__ = ["ASSUMPTIONS", "COST_MODEL", "SelfHostQuote", "break_even", "load_selfhost", "quote", "summary"]


def quote(model: str, gpu: str, gpus: int, *, as_of: str | date | None = None,
          usd_per_gpu_hour: Decimal | None = None, prefill_tps: Decimal | None = None,
          decode_tps: Decimal | None = None, utilisation: Decimal = Decimal(1), pricing_dir: str | None = None,
          book: PriceBook | None = None) -> SelfHostQuote:
    """Per-1M-token prices of self-hosting `model` on `gpus` x `gpu`, from the data files or the given values."""
    from costcalc.dates import parse_date
    from costcalc.prices import default_pricing_dir, load_prices
    from costcalc.prices.selfhost import quote_from

    day = parse_date(as_of)
    root = Path(pricing_dir) if pricing_dir is not None else (book.root if book else default_pricing_dir())
    return quote_from(book or load_prices(as_of=day, path=root), model, gpu, gpus, as_of=day,
                      usd_per_gpu_hour=usd_per_gpu_hour, prefill_tps=prefill_tps, decode_tps=decode_tps,
                      utilisation=utilisation)


def break_even(q: SelfHostQuote, workload: Workload, tokens_per_month: Decimal | None = None,
               currency: str = "USD") -> dict[str, Any]:
    """Monthly cost at a volume, and the volume from which an always-on fleet beats the cheapest API host."""
    from costcalc.prices import load_prices
    from costcalc.prices.models import ModelIndex

    index = ModelIndex.of(load_prices(as_of=q.as_of, path=q.pricing_dir))
    self_price = q.blended(workload)
    fleet_month = q.gpus * q.usd_per_gpu_hour * HOURS_PER_MONTH
    capacity = fleet_month / self_price * MILLION
    apis = []
    for off in index.hosts(q.model, q.as_of):
        price = off.price(q.as_of, currency)
        if price.entry.unit != "token" or price.input is None or price.output is None:
            continue
        share_in, share_out = workload.units
        blended = (share_in * price.input + share_out * price.output) / (share_in + share_out)
        apis.append((blended, off.ref, price))
    out: dict[str, Any] = {"self_hosted_usd_per_1m_tokens": self_price, "fleet_usd_per_month": fleet_month,
                           "fleet_capacity_tokens_per_month": capacity}
    if tokens_per_month is not None:
        out["tokens_per_month"] = tokens_per_month
        out["usd_per_month_at_volume"] = self_price * tokens_per_month / MILLION
    if not apis:
        out["cheapest_api_host"] = None
        out["break_even"] = f"no API host sells {q.model} on {q.as_of}: nothing to break even against"
        return out
    api_price, ref, quote_ = min(apis, key=lambda a: (a[0], a[1]))
    out["cheapest_api_host"] = {"offering": ref, "usd_per_1m_tokens": api_price,
                                "effective_from": quote_.entry.from_}
    if tokens_per_month is not None:
        out["api_usd_per_month_at_volume"] = api_price * tokens_per_month / MILLION
    # The volume at which the API bill equals the fleet's monthly cost; the fleet wins above it only if it can
    # serve that much, which is the case exactly when it is cheaper per token than the API host.
    volume = fleet_month / api_price * MILLION
    out["break_even_tokens_per_month"] = volume
    out["break_even_within_capacity"] = volume <= capacity
    if volume <= capacity:
        out["break_even"] = (f"an always-on fleet of {q.gpus} x {q.gpu} costs less than {ref} from "
                             f"{_human(volume)} tokens per month, up to its capacity of {_human(capacity)} "
                             f"tokens per month at utilisation {q.utilisation}")
    else:
        out["break_even"] = (f"{ref} is cheaper at every volume: its bill reaches the fleet's "
                             f"{fleet_month:.2f} {currency} per month at {_human(volume)} tokens, more than the "
                             f"fleet's capacity of {_human(capacity)} ({api_price:.4f} vs {self_price:.4f} "
                             f"{currency} per 1M tokens self-hosted)")
    return out


def _human(n: Decimal) -> str:
    for size, unit in ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M")):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return f"{n:.0f}"


def summary(model: str, gpu: str, gpus: int, workload: Workload, *, as_of: str | date | None = None,
            usd_per_gpu_hour: Decimal | None = None, prefill_tps: Decimal | None = None,
            decode_tps: Decimal | None = None, utilisation: Decimal = Decimal(1),
            tokens_per_month: Decimal | None = None, pricing_dir: str | None = None) -> Listing:
    """What `costcalc selfhost` prints: the quote and break-even as field/value rows (money to 4 decimal places,
    tokens whole), where the GPU price and throughput came from and the assumptions as notes, and everything with
    its sources as the JSON payload."""
    from costcalc.listing import Listing
    from costcalc.numbers import places

    q = quote(model, gpu, gpus, as_of=as_of, usd_per_gpu_hour=usd_per_gpu_hour, prefill_tps=prefill_tps,
              decode_tps=decode_tps, utilisation=utilisation, pricing_dir=pricing_dir)
    result = break_even(q, workload, tokens_per_month)
    payload = {
        "offering": q.ref, "model": q.model, "gpu": q.gpu, "gpus": q.gpus, "as_of": q.as_of, "currency": "USD",
        "unit": "per 1M tokens", "input": places(q.input, 4), "output": places(q.output, 4),
        "usd_per_gpu_hour": q.usd_per_gpu_hour, "prefill_tps": q.prefill_tps, "decode_tps": q.decode_tps,
        "utilisation": q.utilisation, "tokenizer": q.tokenizer, "workload": workload.describe(),
        **{k: _rounded(k, v) for k, v in result.items()},
        "gpu_price": q.gpu_price_source, "throughput": q.throughput_source,
        "cost_model": COST_MODEL, "assumptions": list(ASSUMPTIONS), "hours_per_month": int(HOURS_PER_MONTH),
    }
    rows = [{"field": k, "value": v} for k, v in payload.items()
            if k not in ("gpu_price", "throughput", "assumptions", "cheapest_api_host")]
    api = result.get("cheapest_api_host")
    if api:
        rows.insert(rows.index({"field": "break_even", "value": result["break_even"]}),
                    {"field": "cheapest_api_host",
                     "value": f"{api['offering']} at {places(api['usd_per_1m_tokens'], 4)} USD per 1M tokens"})
    notes = [f"GPU price: {q.gpu_price_source.describe()}; throughput: {q.throughput_source.describe()}.",
             *(f"Assumes: {a}." for a in ASSUMPTIONS)]
    return Listing(rows, ["field", "value"], notes, payload=payload)


def _rounded(key: str, value: Any) -> Any:
    """Tokens to whole tokens, money to 4 decimal places; the rest as computed."""
    from costcalc.numbers import places

    if not isinstance(value, Decimal):
        return value
    return places(value, 0) if "tokens" in key and "usd" not in key else places(value, 4)

