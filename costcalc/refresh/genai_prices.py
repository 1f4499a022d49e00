"""pydantic/genai-prices' data.json: [{"id": provider, "models": [{"id", "prices": ModelPrice | [ConditionalPrice]}]}].

Prices are USD per 1M tokens (`input_mtok`, `output_mtok`, `cache_read_mtok`); a price may be tiered
(`{"base": 3, "tiers": [...]}`: we compare the base) and `prices` may be a list of dated variants.
The genai-prices package ships the same data as Python objects (genai_prices/data.py); `read_package` turns
them into the data.json shape.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from costcalc.errors import FormatError, RefreshError
from costcalc.refresh._json import load_json, number
from costcalc.refresh.model import NewModel, Normalised, observe, tidy

NAME = "genai-prices"
LABEL = "pydantic/genai-prices data.json"
PUBLISHER = "Pydantic"
DEFAULT_URL = "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/data.json"
HOME_URL = "https://github.com/pydantic/genai-prices/blob/main/prices/data.json"
DIST = "genai-prices"
PROVIDERS = {"openai": "openai", "anthropic": "anthropic", "google": "google", "mistral": "mistral",
             "aws": "aws-bedrock"}  # genai-prices provider id -> our billing provider
_FIELDS = {"input": "input_mtok", "output": "output_mtok", "cached_input": "cache_read_mtok"}


def plain(value: Any) -> Any:
    """genai-prices' objects as data.json writes them (None dropped, `or_` -> `or`, dates as ISO text)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name.rstrip("_"): plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if getattr(value, f.name) is not None}
    if type(value).__name__ == "ModelPrice":  # a plain class holding one attribute per price key
        return {k: plain(v) for k, v in vars(value).items() if not k.startswith("_") and v is not None}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def read_package() -> tuple[list[Any], str]:
    """The data of the installed genai-prices package in the data.json shape, and its version."""
    from importlib import metadata

    try:
        version = metadata.version(DIST)
        from genai_prices.data import providers
    except (metadata.PackageNotFoundError, ImportError):
        raise RefreshError("genai-prices is not installed, so its data cannot be read",
                           "pip install genai-prices, or pass --input FILE (a genai-prices data.json)") from None
    return plain(providers), version


def parse(raw: bytes | list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
    data = raw if isinstance(raw, list) else load_json(raw, "genai-prices data.json (a JSON list of providers)")
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
    def prices(upstream: str, model: dict[str, Any]) -> dict[str, Decimal | None]:
        now, _ = _current(model["prices"], upstream, today)
        per_million = {ours: number(_base(now.get(theirs), upstream), f"{upstream}.{theirs}")
                       for ours, theirs in _FIELDS.items()}
        return {ours: tidy(v) if v is not None else None for ours, v in per_million.items()}

    def find(upstream: str) -> dict[str, Any] | None:
        provider, _, model_id = upstream.partition(":")
        return models.get((provider, model_id))

    out = observe(NAME, mapping, find, prices, lambda upstream: f"{upstream} has no token price")
    mapped = set(mapping.values())
    out.unmapped = sorted(f"{p}:{m}" for p, m in models if p in track and f"{p}:{m}" not in mapped)
    for upstream in out.unmapped:
        provider, _, model_id = upstream.partition(":")
        model = models[(provider, model_id)]
        try:
            prices, _ = _current(model["prices"], upstream, today)
        except FormatError:
            continue  # nothing in force today: not a model to add
        values = {ours: number(_base(prices.get(theirs), upstream), f"{upstream}.{theirs}")
                  for ours, theirs in _FIELDS.items()}
        if values["input"] is None and values["output"] is None:
            continue
        window = model.get("context_window")
        out.new.append(NewModel(NAME, upstream, PROVIDERS.get(provider, provider), model_id,
                                **{k: tidy(v) if v is not None else None for k, v in values.items()},
                                context_window=window if isinstance(window, int) and window > 0 else None))
    return out
