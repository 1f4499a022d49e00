"""LiteLLM's model_prices_and_context_window.json: {model key: {input_cost_per_token: USD, ...}}."""

from __future__ import annotations

from typing import Any

from costcalc.refresh._json import load_json, number
from costcalc.refresh.errors import FormatError
from costcalc.refresh.model import Normalised, Observed, per_million

NAME = "litellm"
LABEL = "litellm model_prices_and_context_window.json"
PUBLISHER = "BerriAI"
DEFAULT_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
_FIELDS = {"input": "input_cost_per_token", "output": "output_cost_per_token",
           "cached_input": "cache_read_input_token_cost"}


def parse(raw: bytes) -> dict[str, Any]:
    data = load_json(raw, "LiteLLM's price map (a JSON object)")
    if not isinstance(data, dict) or not data:
        raise FormatError("expected a non-empty JSON object keyed by model name: the upstream format changed")
    entries = [v for k, v in data.items() if k != "sample_spec"]
    if not any(isinstance(v, dict) and "input_cost_per_token" in v for v in entries):
        raise FormatError("no entry has 'input_cost_per_token': the upstream format changed",
                          "update costcalc/refresh/litellm.py for the new field names")
    return data


def normalise(data: dict[str, Any], mapping: dict[str, str], track: tuple[str, ...] = ()) -> Normalised:
    out = Normalised()
    for ref, key in mapping.items():
        entry = data.get(key)
        if entry is None:
            out.gone.append(ref)
            continue
        if not isinstance(entry, dict):
            raise FormatError(f"entry {key!r} is {type(entry).__name__}, not an object: the upstream format changed")
        values = {}
        for ours, theirs in _FIELDS.items():
            per_token = number(entry.get(theirs), f"{key}.{theirs}")
            values[ours] = per_million(per_token) if per_token is not None else None
        if values["input"] is None and values["output"] is None:
            out.skipped[ref] = f"{key} has no per-token price"
            continue
        out.observed[ref] = Observed(NAME, key, **values)
    mapped = set(mapping.values())
    out.unmapped = sorted(k for k, v in data.items() if k not in mapped and isinstance(v, dict)
                          and v.get("litellm_provider") in track and v.get("mode") == "chat")
    return out
