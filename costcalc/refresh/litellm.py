"""LiteLLM's model_prices_and_context_window.json: {model key: {input_cost_per_token: USD, ...}}.

The litellm package ships the same file as litellm/model_prices_and_context_window_backup.json, which the
refresh reads (without importing litellm) when asked to use the installed package.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from costcalc.errors import FormatError, RefreshError
from costcalc.refresh._json import load_json, number
from costcalc.refresh.model import NewModel, Normalised, observe, per_million

NAME = "litellm"
LABEL = "litellm model_prices_and_context_window.json"
PUBLISHER = "BerriAI"
DEFAULT_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
HOME_URL = "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json"
DIST = "litellm"
PACKAGE_FILE = "litellm/model_prices_and_context_window_backup.json"
# litellm_provider -> our billing provider, and the key prefix that is not part of the provider's API id
PROVIDERS = {"openai": ("openai", ""), "anthropic": ("anthropic", ""), "mistral": ("mistral", "mistral/"),
             "gemini": ("google", "gemini/"), "bedrock": ("aws-bedrock", ""), "bedrock_converse": ("aws-bedrock", "")}
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


def read_package() -> tuple[bytes, str]:
    """The price file of the installed litellm package, and its version (litellm is not imported)."""
    from importlib import metadata

    try:
        dist = metadata.distribution(DIST)
    except metadata.PackageNotFoundError:
        raise RefreshError("litellm is not installed, so its price file cannot be read",
                           "pip install litellm, or pass --input FILE (a model_prices_and_context_window.json)") \
            from None
    path = dist.locate_file(PACKAGE_FILE)
    try:
        return path.read_bytes(), dist.version
    except OSError:
        raise RefreshError(f"litellm {dist.version} has no {PACKAGE_FILE}", "pass --input FILE instead") from None


def _tokens(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def normalise(data: dict[str, Any], mapping: dict[str, str], track: tuple[str, ...] = ()) -> Normalised:
    def prices(key: str, entry: Any) -> dict[str, Decimal | None]:
        if not isinstance(entry, dict):
            raise FormatError(f"entry {key!r} is {type(entry).__name__}, not an object: the upstream format changed")
        per_token = {ours: number(entry.get(theirs), f"{key}.{theirs}") for ours, theirs in _FIELDS.items()}
        return {ours: per_million(v) if v is not None else None for ours, v in per_token.items()}

    out = observe(NAME, mapping, data.get, prices, lambda key: f"{key} has no per-token price")
    mapped = set(mapping.values())
    out.unmapped = sorted(k for k, v in data.items() if k not in mapped and isinstance(v, dict)
                          and v.get("litellm_provider") in track and v.get("mode") == "chat")
    for key in out.unmapped:
        entry = data[key]
        provider, prefix = PROVIDERS.get(entry["litellm_provider"], (entry["litellm_provider"], ""))
        prices = {ours: number(entry.get(theirs), f"{key}.{theirs}")
                  for ours, theirs in {**_FIELDS, "batch_input": "input_cost_per_token_batches",
                                       "batch_output": "output_cost_per_token_batches"}.items()}
        if prices["input"] is None and prices["output"] is None:
            continue
        out.new.append(NewModel(NAME, key, provider, key.removeprefix(prefix),
                                **{k: per_million(v) if v is not None else None for k, v in prices.items()},
                                context_window=_tokens(entry.get("max_input_tokens")),
                                max_output=_tokens(entry.get("max_output_tokens"))))
    return out
