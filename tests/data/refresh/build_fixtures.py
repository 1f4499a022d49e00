"""Rebuild the refresh fixtures from pinned PyPI wheels (see README.md here). Not run by the tests.

    pip download --no-deps litellm==1.109.1 genai-prices==0.2.3 -d /tmp/wheels
    python tests/data/refresh/build_fixtures.py /tmp/wheels
"""

from __future__ import annotations

import json
import sys
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))

from costcalc.refresh.genai_prices import plain  # noqa: E402
from costcalc.refresh.sourcemap import load_source_map  # noqa: E402

# A few unmapped entries of each source, so "new upstream" reporting has something to find.
EXTRA_LITELLM = ["gpt-4o-mini-2024-07-18", "chatgpt-4o-latest", "gemini/gemini-2.0-flash-001",
                 "groq/llama-3.3-70b-versatile", "tts-1"]
EXTRA_GENAI = [("openai", "gpt-4o-mini-2024-07-18"), ("openai", "o1-pro"), ("mistral", "mistral-tiny")]
EXTRA_OPENROUTER = ["openai/gpt-5-pro", "meta-llama/llama-3.3-70b-instruct", "openai/gpt-4o-mini:batch"]


def _wheel(wheels: Path, prefix: str) -> Path:
    return next(wheels.glob(f"{prefix}-*.whl"))


def build_litellm(wheels: Path, mapped: set[str]) -> None:
    with zipfile.ZipFile(_wheel(wheels, "litellm")) as z:
        data = json.loads(z.read("litellm/model_prices_and_context_window_backup.json"))
    keep = {k: v for k, v in data.items() if k == "sample_spec" or k in mapped or k in EXTRA_LITELLM}
    text = "{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in keep.items()) + "\n}\n"
    (HERE / "litellm-1.109.1-trimmed.json").write_text(text, encoding="utf-8")


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _load_genai(wheels: Path):
    tmp = tempfile.mkdtemp()
    with zipfile.ZipFile(_wheel(wheels, "genai_prices")) as z:
        z.extractall(tmp)
    sys.path.insert(0, tmp)
    from genai_prices.data import providers

    return {p.id: p for p in providers}


def build_genai(providers, mapped: set[str]) -> None:
    out = []
    for pid in ("anthropic", "aws", "google", "mistral", "openai"):
        p = providers[pid]
        models = [m for m in p.models if f"{pid}:{m.id}" in mapped or (pid, m.id) in EXTRA_GENAI]
        out.append({"id": p.id, "name": p.name, "pricing_urls": p.pricing_urls, "api_pattern": p.api_pattern,
                    "models": [{k: v for k, v in plain(m).items()
                                if k in ("id", "name", "match", "context_window", "prices")} for m in models]})
    text = json.dumps(out, separators=(",", ":"), default=_number) + "\n"
    (HERE / "genai-prices-data.json").write_text(text, encoding="utf-8")


def _per_token(value) -> str:
    base = getattr(value, "base", value)
    return format((Decimal(base) / 1_000_000).normalize(), "f") if base is not None else "0"


def build_openrouter(providers, mapped: set[str]) -> None:
    data = []
    for m in providers["openrouter"].models:
        if m.id not in mapped and m.id not in EXTRA_OPENROUTER:
            continue
        price = m.prices if not isinstance(m.prices, list) else m.prices[-1].prices
        pricing = {"prompt": _per_token(price.input_mtok), "completion": _per_token(price.output_mtok),
                   "request": "0", "image": "0", "web_search": "0", "internal_reasoning": "0"}
        if price.cache_read_mtok is not None:
            pricing["input_cache_read"] = _per_token(price.cache_read_mtok)
        data.append({"id": m.id, "canonical_slug": m.id, "name": m.name or m.id, "created": 1754524800,
                     "description": "", "context_length": m.context_window or 128000,
                     "architecture": {"modality": "text->text", "input_modalities": ["text"],
                                      "output_modalities": ["text"], "tokenizer": "Other", "instruct_type": None},
                     "pricing": pricing,
                     "top_provider": {"context_length": m.context_window or 128000, "max_completion_tokens": None,
                                      "is_moderated": False},
                     "per_request_limits": None, "supported_parameters": ["max_tokens", "temperature"]})
    text = '{"data": [\n' + ",\n".join(json.dumps(d) for d in data) + "\n]}\n"
    (HERE / "openrouter-models.json").write_text(text, encoding="utf-8")


def main(wheels: Path) -> None:
    smap = load_source_map(REPO / "pricing" / "source-map.yaml")
    build_litellm(wheels, set(smap.for_source("litellm").values()))
    providers = _load_genai(wheels)
    build_genai(providers, set(smap.for_source("genai-prices").values()))
    build_openrouter(providers, set(smap.for_source("openrouter").values()))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
