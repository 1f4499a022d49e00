"""OpenRouter's model list (GET /api/v1/models): {"data": [{"id", "pricing": {"prompt": "USD per token", ...}}]}."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from costcalc.errors import FormatError
from costcalc.refresh._json import load_json, number
from costcalc.refresh.model import Normalised, observe, per_million

NAME = "openrouter"
LABEL = "OpenRouter /api/v1/models"
PUBLISHER = "OpenRouter"
DEFAULT_URL = "https://openrouter.ai/api/v1/models"
HOME_URL = "https://openrouter.ai/models"
_FIELDS = {"input": "prompt", "output": "completion", "cached_input": "input_cache_read"}


def parse(raw: bytes) -> dict[str, dict[str, Any]]:
    data = load_json(raw, "OpenRouter's model list (a JSON object with 'data')")
    models = data.get("data") if isinstance(data, dict) else None
    if not isinstance(models, list) or not models:
        raise FormatError("expected {\"data\": [models...]}: the upstream format changed",
                          "update costcalc/refresh/openrouter.py for the new format")
    by_id = {}
    for i, model in enumerate(models):
        if not isinstance(model, dict) or not isinstance(model.get("id"), str) \
                or not isinstance(model.get("pricing"), dict):
            raise FormatError(f"data[{i}] has no 'id' or 'pricing' object: the upstream format changed")
        by_id[model["id"]] = model
    return by_id


def normalise(models: dict[str, dict[str, Any]], mapping: dict[str, str],
              track: tuple[str, ...] = ()) -> Normalised:
    def prices(model_id: str, model: dict[str, Any]) -> dict[str, Decimal | None]:
        per_token = {ours: number(model["pricing"].get(theirs), f"{model_id}.pricing.{theirs}")
                     for ours, theirs in _FIELDS.items()}
        return {ours: per_million(v) if v is not None else None for ours, v in per_token.items()}

    def no_price(model_id: str) -> str:
        raise FormatError(f"{model_id}.pricing has neither 'prompt' nor 'completion': the upstream format changed")

    out = observe(NAME, mapping, models.get, prices, no_price)
    mapped = set(mapping.values())
    # Variants such as ":free" or ":batch" are routing options, not separate models.
    out.unmapped = sorted(i for i in models if i not in mapped and ":" not in i and i.startswith(track))
    return out
