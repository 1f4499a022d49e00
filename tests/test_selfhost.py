"""Self-hosting: the per-1M-token cost model, break-even against the cheapest host, data files, bad input."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from costcalc.cost_model import Workload
from costcalc.prices import load_prices
from costcalc.selfhost import break_even, load_selfhost, quote

MIXTRAL = "mistralai/mixtral-8x7b-instruct-v0.1"
LLAMA33 = "meta-llama/llama-3.3-70b-instruct"
DONE_WHEN = ["selfhost", MIXTRAL, "--gpu", "h100", "--gpus", "2", "--usd-per-gpu-hour", "4", "--prefill-tps", "20000",
             "--decode-tps", "2000", "--utilisation", "1"]


def test_done_when_numbers_and_a_break_even_volume(run):
    result = run(*DONE_WHEN, "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert Decimal(str(out["input"])) == Decimal("0.1111")
    assert Decimal(str(out["output"])) == Decimal("1.1111")
    assert out["unit"] == "per 1M tokens" and out["currency"] == "USD"
    assert out["cheapest_api_host"]["offering"]
    api = Decimal(str(out["cheapest_api_host"]["usd_per_1m_tokens"]))
    assert Decimal(str(out["break_even_tokens_per_month"])) == (Decimal(8 * 730) / api * 1_000_000).quantize(1)
    assert out["break_even"] and out["cost_model"].startswith("input = gpus")
    assert out["gpu_price"] == {"given": "--usd-per-gpu-hour"}


def test_prices_follow_the_formula_exactly():
    q = quote(MIXTRAL, "h100", 2, usd_per_gpu_hour=Decimal(4), prefill_tps=Decimal(20000), decode_tps=Decimal(2000),
              utilisation=Decimal("0.5"))
    assert q.input == Decimal(2) * 4 / 3600 / 20000 / Decimal("0.5") * 1_000_000
    assert q.output == Decimal(2) * 4 / 3600 / 2000 / Decimal("0.5") * 1_000_000


def test_break_even_is_the_always_on_fleet_over_the_cheapest_api_price():
    q = quote(MIXTRAL, "h100", 2, as_of="2024-06-01", usd_per_gpu_hour=Decimal(4), prefill_tps=Decimal(20000),
              decode_tps=Decimal(2000))
    result = break_even(q, Workload(), Decimal(10) ** 9)
    book = load_prices(as_of="2024-06-01")
    cheapest = min(o.price(date(2024, 6, 1), "USD").input for o in book.offerings
                   if getattr(o.model, "model", None) == MIXTRAL and o.is_priced(date(2024, 6, 1)))
    assert result["cheapest_api_host"]["usd_per_1m_tokens"] == cheapest
    fleet = Decimal(2) * 4 * 730
    assert result["fleet_usd_per_month"] == fleet
    assert result["break_even_tokens_per_month"] == fleet / cheapest * 1_000_000
    assert result["usd_per_month_at_volume"] == q.input * 1000


def test_published_throughput_and_the_cheapest_gpu_price_are_the_defaults():
    q = quote(LLAMA33, "h100", 2)
    data = load_selfhost(load_prices().root)
    run = data.measurement(LLAMA33, data.gpu("h100"), 2)
    assert (q.prefill_tps, q.decode_tps) == (run.prefill.tokens_per_second, run.decode.tokens_per_second)
    assert q.usd_per_gpu_hour == data.price(data.gpu("h100"), date.today()).usd_per_gpu_hour
    assert q.throughput_source.source[0]["url"].startswith("https://")
    assert q.source_ids == list(dict.fromkeys(s["id"] for s in q.gpu_price_source.source + q.throughput_source.source))


def test_a_selfhost_offering_goes_into_report_and_count(run, tmp_path):
    ref = f"selfhost/{LLAMA33}@h100x2,usd=4,prefill=20000,decode=2000"
    result = run("report", "-m", ref, "-m", f"{LLAMA33}@*", "-l", "it", "--format", "json")
    assert result.exit_code == 0, result.output
    assert ref in result.stdout
    text = tmp_path / "t.txt"
    text.write_text("Ciao a tutti, come state?", encoding="utf-8")
    counted = run("count", str(text), "-m", ref, "--format", "json")
    assert counted.exit_code == 0, counted.output
    assert ref in counted.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--gpus", "0"], "--gpus must be at least 1, got 0"),
    (["--prefill-tps", "0"], "--prefill-tps must be positive, got 0"),
    (["--decode-tps", "-5"], "--decode-tps must be positive, got -5"),
    (["--usd-per-gpu-hour", "0"], "--usd-per-gpu-hour must be positive, got 0"),
    (["--utilisation", "0"], "--utilisation must be in (0, 1], got 0"),
    (["--utilisation", "1.5"], "--utilisation must be in (0, 1], got 1.5"),
    (["--gpu", "h10"], "unknown GPU 'h10' (did you mean: h100"),
])
def test_bad_input_is_one_line_and_an_exit_code(run, args, message):
    base = {"--gpu": "h100", "--gpus": "2", "--usd-per-gpu-hour": "4", "--prefill-tps": "20000",
            "--decode-tps": "2000"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    result = run("selfhost", MIXTRAL, *[x for kv in base.items() for x in kv])
    assert result.exit_code == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert message in line


def test_without_a_published_figure_the_message_names_the_options(run):
    result = run("selfhost", MIXTRAL, "--gpu", "h100", "--gpus", "2")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert f"no published throughput for {MIXTRAL} on 2 x h100" in line
    assert "--prefill-tps P --decode-tps D" in line


def test_every_gpu_price_and_throughput_cites_a_defined_source():
    book = load_prices()
    data = load_selfhost(book.root)
    ids = {s for g in data.gpus.values() for p in g.prices for s in p.source}
    ids |= {s for t in data.throughput for s in t.source}
    assert ids <= set(book.sources)
    registry_models = {t.model for t in data.throughput}
    assert registry_models <= {getattr(o.model, "model", None) for o in book.offerings}
