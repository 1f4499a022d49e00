"""pydantic/genai-prices' data.json: [{"id": provider, "models": [{"id", "prices": ModelPrice | [ConditionalPrice]}]}].

Prices are USD per 1M tokens (`input_mtok`, `output_mtok`, `cache_read_mtok`); a price may be tiered
(`{"base": 3, "tiers": [...]}`: we compare the base) and `prices` may be a list of dated variants.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from costcalc.refresh._json import load_json, number
from costcalc.refresh.errors import FormatError
from costcalc.refresh.model import Normalised, Observed, tidy

NAME = "genai-prices"
LABEL = "pydantic/genai-prices data.json"
PUBLISHER = "Pydantic"
DEFAULT_URL = "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json"
_FIELDS = {"input": "input_mtok", "output": "output_mtok", "cached_input": "cache_read_mtok"}


def parse(raw: bytes) -> dict[tuple[str, str], dict[str, Any]]:
    data = load_json(raw, "genai-prices data.json (a JSON list of providers)")
    if not isinstance(data, list) or not data:
        raise FormatError("expected a JSON list of providers: the upstream format changed",
                          "update costcalc/refresh/genai_prices.py for the new format")
    models = {}
    for i, provider in enumerate(data):
        if not isinstance(provider, dict) or not isinstance(provider.get("id"), str) \
                or not isinstance(provider.get("models"), list):
            raise FormatError(f"providers[{i}] has no 'id' or 'models' list: the upstream format changed")
        for model in provider["models"]:
            if not isinstance(model, dict) or not isinstance(model.get("id"), str) or "prices" not in model:
                raise FormatError(f"a model of provider {provider['id']!r} has no 'id' or 'prices': "
                                  "the upstream format changed")
            models[(provider["id"], model["id"])] = model
    return models


def _current(prices: Any, where: str, today: date) -> tuple[dict[str, Any], str | None]:
    """The price dict in force today, and a note when some variants could not be considered."""
    if isinstance(prices, dict):
        return prices, None
    if not isinstance(prices, list) or not prices:
        raise FormatError(f"{where}.prices is neither an object nor a list: the upstream format changed")
    chosen, note = None, None
    for variant in prices:
        if not isinstance(variant, dict) or not isinstance(variant.get("prices"), dict):
            raise FormatError(f"{where}.prices has an entry without 'prices': the upstream format changed")
        constraint = variant.get("constraint")
        if constraint is None:
            chosen = chosen or variant["prices"]
        elif "start_date" in constraint and "start_time" not in constraint:
            if date.fromisoformat(str(constraint["start_date"])[:10]) <= today:
                chosen = variant["prices"]
        else:
            note = "time-of-day prices ignored"
    if chosen is None:
        raise FormatError(f"{where}.prices has no entry in force today: the upstream format changed")
    return chosen, note


def _base(value: Any, where: str) -> Any:
    return value.get("base") if isinstance(value, dict) else value


def normalise(models: dict[tuple[str, str], dict[str, Any]], mapping: dict[str, str],
              track: tuple[str, ...] = (), today: date | None = None) -> Normalised:
    today = today or date.today()
    out = Normalised()
    for ref, upstream in mapping.items():
        provider, _, model_id = upstream.partition(":")
        model = models.get((provider, model_id))
        if model is None:
            out.gone.append(ref)
            continue
        prices, _ = _current(model["prices"], upstream, today)
        values = {}
        for ours, theirs in _FIELDS.items():
            value = number(_base(prices.get(theirs), upstream), f"{upstream}.{theirs}")
            values[ours] = tidy(value) if value is not None else None
        if values["input"] is None and values["output"] is None:
            out.skipped[ref] = f"{upstream} has no token price"
            continue
        out.observed[ref] = Observed(NAME, upstream, **values)
    mapped = set(mapping.values())
    out.unmapped = sorted(f"{p}:{m}" for p, m in models if p in track and f"{p}:{m}" not in mapped)
    return out
