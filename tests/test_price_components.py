"""Every price component in costing: cache reads and writes (5m/1h), batch (explicit and by provider rule),
long-context tiers chosen by --prompt-tokens, regional uplift. Exact Decimal money on fixed counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from costcalc.corpus import Corpus, Document
from costcalc.cost_model import Workload
from costcalc.costing import compute
from costcalc.errors import InputError, UsageError
from costcalc.prices import load_prices
from tests.conftest import write_pricing

TABLE = """\
provider: test
name: Test provider
pricing_url: https://example.invalid/pricing
rules:
  - {kind: batch, factor: 0.5, from: 2024-01-01, applies_to: [ruled], source: [test]}
  - {kind: cache_write_1h, factor: 2, from: 2024-01-01, applies_to: [ruled], source: [test]}
  - {kind: regional_uplift, factor: 1.1, from: 2024-01-01, applies_to: [ruled], source: [test]}
models:
  - id: explicit
    name: Explicit prices
    tokenizer: openai:cl100k_base
    prices:
      - from: 2024-01-01
        currency: USD
        input: 3
        output: 15
        cached_input: 0.3
        cache_write: 3.75
        cache_write_1h: 6
        batch_input: 1.5
        batch_output: 7.5
        source: [test]
        confidence: high
    checked: 2026-11-22
  - id: ruled
    name: Prices by provider rule
    tokenizer: openai:cl100k_base
    prices:
      - from: 2024-01-01
        currency: USD
        input: 3
        output: 15
        cached_input: 0.3
        cache_write: 3.75
        tiers:
          - {above: 200000, input: 6, output: 22.5, cached_input: 0.6, cache_write: 7.5}
        source: [test]
        confidence: high
    checked: 2026-11-22
"""
COUNTS = pd.DataFrame([("openai:cl100k_base", "en", "a", 1000, 1000, 1000, True),
                       ("openai:cl100k_base", "it", "a", 1000, 1000, 1000, True)],
                      columns=["tokenizer", "lang", "doc", "chars", "bytes", "tokens", "exact"])
CORPUS = Corpus("t", (Document("en", "a", "x"), Document("it", "a", "y")), "t")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return load_prices(path=write_pricing(tmp_path_factory.mktemp("p"), {"test": TABLE}))


def cost(book, offering: str, **kwargs) -> tuple[Decimal, str]:
    """Cost per 1M content units at one token per character: the effective price per 1M tokens."""
    m = compute(book, CORPUS, languages=["it"], models=[f"test/{offering}"], base=f"test/{offering}",
                as_of=date(2024, 6, 1), currency="USD", workload=Workload(**kwargs), counts=COUNTS)
    row = m.absolute.iloc[0]
    return row["cost"], row["notes"]


@pytest.mark.parametrize(("offering", "kwargs", "price"), [
    ("explicit", {}, "3"),
    ("explicit", {"direction": "output"}, "15"),
    # 60 % read at 0.3, 10 % written at 3.75 (5-minute), 30 % at 3
    ("explicit", {"cached_share": "0.6", "cache_write_share": "0.1"}, "1.455"),
    ("explicit", {"cached_share": "0.6", "cache_write_share": "0.1", "cache_ttl": "1h"}, "1.68"),
    ("explicit", {"batch_share": "1"}, "1.5"),
    ("explicit", {"batch_share": "1", "direction": "output"}, "7.5"),
    # the rule makes 1-hour writes 2 x input = 6 and batch 50 % of standard
    ("ruled", {"cache_write_share": "1", "cache_ttl": "1h"}, "6"),
    ("ruled", {"batch_share": "0.5"}, "2.25"),
    # the long-context tier applies above 200000 prompt tokens, cache prices and the batch rule with it
    ("ruled", {"prompt_tokens": 200000}, "3"),
    ("ruled", {"prompt_tokens": 200001}, "6"),
    ("ruled", {"prompt_tokens": 250000, "cached_share": "0.5"}, "3.3"),
    ("ruled", {"prompt_tokens": 250000, "cache_write_share": "1"}, "7.5"),
    ("ruled", {"prompt_tokens": 250000, "batch_share": "1", "direction": "output"}, "11.25"),
    # regional endpoints: the provider's uplift, on the blended price
    ("ruled", {"endpoint": "regional"}, "3.3"),
    ("ruled", {"endpoint": "regional", "batch_share": "1"}, "1.65"),
    ("explicit", {"endpoint": "regional"}, "3"),
])
def test_every_component_is_costed(book, offering, kwargs, price):
    assert cost(book, offering, **kwargs)[0] == Decimal(price)


def test_notes_say_what_was_assumed(book):
    assert cost(book, "ruled")[1] == ("long-context prices above 200000 prompt tokens not applied (costed at the base "
                                      "tier); pass --prompt-tokens to select a tier")
    assert "long-context tier: prompts above 200000 tokens" in cost(book, "ruled", prompt_tokens=300000)[1]
    assert "regional endpoint: list prices x 1.1 (provider rule)" in cost(book, "ruled", endpoint="regional")[1]
    assert cost(book, "explicit", endpoint="regional")[1] == "the provider lists no regional uplift: list prices"
    assert cost(book, "explicit")[1] == ""


def test_workload_is_stated_in_the_report(book):
    w = Workload(cached_share=Decimal("0.5"), cache_write_share=Decimal("0.1"), cache_ttl="1h",
                 prompt_tokens=8000, endpoint="regional")
    assert w.describe() == ("input (prompt) tokens (50 % cached, 10 % written to the 1h cache, 8000 prompt tokens "
                            "per request, regional endpoint)")


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"cached_share": "0.7", "cache_write_share": "0.4"},
     r"--cached-share 0.7 plus --cache-write-share 0.4 is more than all of the input"),
    ({"cache_write_share": "1.2"}, "cache-write-share must be between 0 and 1"),
    ({"prompt_tokens": 0}, "--prompt-tokens must be at least 1, got 0"),
    ({"prompt_tokens": -5}, "--prompt-tokens must be at least 1, got -5"),
    ({"cache_ttl": "10m"}, "unknown cache TTL '10m'"),
    ({"endpoint": "eu"}, "unknown endpoint 'eu'"),
])
def test_bad_workloads_are_usage_errors(kwargs, pattern):
    with pytest.raises(UsageError, match=pattern):
        Workload(**kwargs)


@pytest.mark.parametrize(("args", "message"), [
    (["--prompt-tokens", "0"], "Error: --prompt-tokens must be at least 1, got 0"),
    (["--cached-share", "0.8", "--cache-write-share", "0.3"],
     "Error: --cached-share 0.8 plus --cache-write-share 0.3 is more than all of the input"),
    (["--cache-ttl", "2h"], "Invalid value for '--cache-ttl'"),
])
def test_bad_workload_options_exit_2_with_one_line(run, args, message):
    result = run("report", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


PRESET_TABLE = """\
provider: acme
name: Acme
pricing_url: https://example.invalid/pricing
models:
{models}
"""
PRESET_MODEL = """\
  - id: {id}
    name: {id}
    creator: {creator}
    class: {cls}
    tokenizer: openai:o200k_base
{until}    prices:
      - from: {start}
        currency: USD
        input: 1
        output: 2
        source: [test]
        confidence: high
    checked: 2026-11-22
"""


def _preset_tables(tmp_path, rows):
    models = "".join(PRESET_MODEL.format(id=i, creator=c, cls=k, start=s, until=f"    until: {u}\n" if u else "")
                     for i, c, k, s, u in rows)
    return write_pricing(tmp_path, {"acme": PRESET_TABLE.format(models=models.rstrip())})


def test_preset_current_is_the_newest_model_of_each_class_on_sale(tmp_path, monkeypatch):
    from costcalc.presets import PRESET_CURRENT, current_preset

    root = _preset_tables(tmp_path, [
        ("big-1", "acme", "flagship", "2024-01-01", None),
        ("big-2", "acme", "flagship", "2025-01-01", "2026-01-01"),  # retired: big-1 is the flagship again
        ("small-1", "acme", "small", "2024-06-01", None),
        ("small-2", "acme", "small", "2025-06-01", None),
        ("reasoner", "acme", "reasoning", "2025-06-01", None),     # not a preset class
        ("resold", "openai", "flagship", "2025-09-01", None),      # its maker has a table of its own: left out
    ])
    (root / "providers" / "openai.yaml").write_text(PRESET_TABLE.replace("acme", "openai").replace("Acme", "OpenAI")
                                                    .format(models=PRESET_MODEL.format(
                                                        id="gpt-x", creator="openai", cls="flagship",
                                                        start="2025-03-01", until="").rstrip()))
    monkeypatch.setitem(PRESET_CURRENT, "providers", ("acme", "openai"))
    early = current_preset("2024-07-01", root)
    assert (early["models"], early["base"]) == (["acme/big-1", "acme/small-1"], "acme/big-1")
    mid = current_preset("2025-10-01", root)
    assert (mid["models"], mid["base"]) == (["acme/big-2", "acme/small-2", "openai/gpt-x"], "openai/gpt-x")
    late = current_preset("2026-01-01", root)
    assert late["models"] == ["acme/big-1", "acme/small-2", "openai/gpt-x"]
    with pytest.raises(InputError, match="no model in the price tables has a class and is on sale on 2023-01-01"):
        current_preset("2023-01-01", root)


def test_show_after_retirement_is_one_line_naming_the_date(run, tmp_path):
    from tests.conftest import MISTRAL

    text = MISTRAL.replace("until: 2025-06-16", "until: 2025-06-16\n    successor: mistral-medium-2312")
    root = write_pricing(tmp_path, {"mistral": text})
    result = run("prices", "show", "mistral/mistral-medium", "--as-of", "2025-06-16", "--pricing-dir", str(root))
    assert result.exit_code == 1
    assert result.stderr == ("Error: mistral/mistral-medium-2312 was retired on 2025-06-16 (successor: "
                             "mistral/mistral-medium-2312) (choose an --as-of before 2025-06-16)\n")


def test_show_json_lists_sources_and_rule_derived_prices(run, tmp_path):
    from tests.conftest import MISTRAL

    rules = "rules:\n  - {kind: batch, factor: 0.5, from: 2024-01-01, source: [test]}\nmodels:\n"
    root = write_pricing(tmp_path, {"mistral": MISTRAL.replace("models:\n", rules)})
    result = run("prices", "show", "mistral/mistral-medium", "--as-of", "2024-03-01", "--format", "json",
                 "--pricing-dir", str(root))
    data = __import__("json").loads(result.stdout)
    assert (data["batch_input"], data["batch_output"]) == (1.35, 4.05)
    assert data["derived"] == {"batch_input": "50% of standard input, provider rule (batch, from 2024-01-01)",
                               "batch_output": "50% of standard output, provider rule (batch, from 2024-01-01)"}
    assert [s["id"] for s in data["sources"]] == ["mistral-docs-2024-02-26"]
    assert all(s["url"].startswith("https://") and s["title"] for s in data["sources"])
