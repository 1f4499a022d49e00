"""Every host of one model: `costcalc hosts`, the model index, `report -m MODEL@*`, and bad host tables."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from costcalc.prices import default_pricing_dir, load_prices

MIXTRAL = "mistralai/mixtral-8x7b-instruct-v0.1"
LLAMA33 = "meta-llama/llama-3.3-70b-instruct"
THIRD_PARTY = ("together", "deepinfra", "groq", "openrouter", "fireworks")


def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_mixtral_on_2024_06_01_has_bedrock_and_third_party_hosts_with_prices_sources_and_dates(run):
    out = _json(run("hosts", MIXTRAL, "--as-of", "2024-06-01", "--format", "json"))
    hosts = out["hosts"]
    providers = {h["offering"].split("/")[0] for h in hosts}
    assert len(hosts) >= 4
    assert "aws-bedrock" in providers
    assert len(providers & set(THIRD_PARTY)) >= 2
    for h in hosts:
        assert Decimal(str(h["input"])) > 0 and Decimal(str(h["output"])) > 0
        assert h["sources"] and all(s.get("url") for s in h["sources"])
        assert date.fromisoformat(h["effective_from"]) <= date(2024, 6, 1)
    assert out["tokenizer"] == "mistral:v1" and out["exact"] is True


def test_hosts_are_cheapest_first_and_differ_only_by_price(run):
    out = _json(run("hosts", MIXTRAL, "--as-of", "2024-06-01", "-l", "it", "-l", "en", "--format", "json"))
    costs = [Decimal(str(h["mean_cost"])) for h in out["hosts"]]
    assert costs == sorted(costs)
    # one tokenizer for every host: cost per 1M characters / input price is the same token count for all
    per_token = {Decimal(str(h["cost_it"])) / Decimal(str(h["input"])) for h in out["hosts"]}
    assert len({round(x, 12) for x in per_token}) == 1


def test_llama_33_70b_has_at_least_four_hosts_today(run):
    out = _json(run("hosts", LLAMA33, "--format", "json"))
    assert len(out["hosts"]) >= 4
    assert len({h["offering"].split("/")[0] for h in out["hosts"]}) >= 4


def test_mixtral_today_lists_the_hosts_still_selling_it(run):
    book = load_prices()
    live = [o for o in book.offerings if getattr(o.model, "model", None) == MIXTRAL and o.is_priced(date.today())]
    result = run("hosts", MIXTRAL, "--format", "json")
    if live:
        assert {h["offering"] for h in _json(result)["hosts"]} == {o.ref for o in live}
    else:  # every host stopped: the message names when
        assert result.exit_code == 1 and "retired" in result.stderr


def test_a_model_with_no_host_on_that_date_names_the_nearest_dates(run):
    result = run("hosts", MIXTRAL, "--as-of", "2023-01-01")
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert f"no host sells {MIXTRAL} on 2023-01-01" in line
    assert re.search(r"nearest dates with a host: 20\d\d-\d\d-\d\d \(", line)


def test_unknown_model_suggests_the_closest(run):
    result = run("hosts", "mistralai/mixtral-8x7b-instruct")
    assert result.exit_code == 2
    assert "unknown model 'mistralai/mixtral-8x7b-instruct'" in result.stderr
    assert MIXTRAL in result.stderr


def test_an_offering_names_its_model(run):
    book = load_prices(as_of="2024-06-01")
    ref = next(o.ref for o in book.offerings if o.provider.provider == "together"
               and getattr(o.model, "model", None) == MIXTRAL)
    out = _json(run("hosts", ref, "--as-of", "2024-06-01", "--format", "json"))
    assert out["model"] == MIXTRAL


def test_history_lists_every_dated_price_of_every_host(run):
    out = _json(run("hosts", MIXTRAL, "--history", "--format", "json"))
    offerings = {r["offering"] for r in out["history"]}
    book = load_prices()
    assert offerings == {o.ref for o in book.offerings if getattr(o.model, "model", None) == MIXTRAL}
    assert sum(len(o.model.prices) for o in book.offerings
               if getattr(o.model, "model", None) == MIXTRAL) == len(out["history"])


def test_table_and_csv_carry_the_same_hosts(run):
    table = run("hosts", MIXTRAL, "--as-of", "2024-06-01")
    csv = run("hosts", MIXTRAL, "--as-of", "2024-06-01", "--format", "csv")
    assert table.exit_code == csv.exit_code == 0
    refs = [line.split(",")[0] for line in csv.stdout.splitlines()[1:]]
    assert refs and all(ref in table.stdout for ref in refs)
    assert "English-equivalent content" in table.stdout


def test_report_with_every_host_of_llama_33_counts_each_exactly(run):
    out = _json(run("report", "-m", f"{LLAMA33}@*", "-l", "it", "-l", "ja", "--format", "json"))
    book = load_prices()
    hosts = {o.ref for o in book.offerings
             if getattr(o.model, "model", None) == LLAMA33 and o.is_priced(date.today())}
    text = json.dumps(out)
    assert all(ref in text for ref in hosts)
    assert "estimate" not in json.dumps(out.get("provenance", {}).get("tokenizers", {}))


def test_report_all_hosts_expands_each_model(run):
    book = load_prices(as_of="2024-06-01")
    one = next(o.ref for o in book.offerings if getattr(o.model, "model", None) == MIXTRAL
               and o.is_priced(date(2024, 6, 1)))
    out = _json(run("report", "-m", one, "--all-hosts", "--as-of", "2024-06-01", "-l", "it", "--format", "json"))
    text = json.dumps(out)
    hosts = [o.ref for o in book.offerings
             if getattr(o.model, "model", None) == MIXTRAL and o.is_priced(date(2024, 6, 1))]
    assert len(hosts) >= 4 and all(ref in text for ref in hosts)


def test_all_hosts_of_a_model_named_by_its_own_id_takes_its_first_host_as_base(run):
    """`-m MODEL --all-hosts` with MODEL the model's id (no host sells it under that ref): every host, and the
    base is the first of them, as for `MODEL@*`."""
    by_id = _json(run("report", "-m", LLAMA33, "--all-hosts", "-l", "it", "--format", "json"))
    by_star = _json(run("report", "-m", f"{LLAMA33}@*", "-l", "it", "--format", "json"))
    assert by_id["offerings"] == by_star["offerings"] and len(by_id["offerings"]) >= 3
    assert by_id["base"] == by_star["base"] == by_id["offerings"][0]
    assert by_id["relative"] == by_star["relative"]


@pytest.fixture
def copied_pricing(tmp_path: Path) -> Path:
    root = tmp_path / "pricing"
    shutil.copytree(default_pricing_dir(), root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("case", "file", "old", "new", "pattern"), [
    ("offering points at an unknown model", "providers/together.yaml", f"model: {MIXTRAL}\n",
     "model: mistralai/mixtral-8x7b-instruct-v9\n",
     r"together\.yaml: model '.*': unknown model 'mistralai/mixtral-8x7b-instruct-v9'; add it to models\.yaml"),
    ("offering with another tokenizer", "providers/deepinfra.yaml",
     f"model: {MIXTRAL}\n    class: mid\n    tokenizer: mistral:v1\n",
     f"model: {MIXTRAL}\n    class: mid\n    tokenizer: meta:llama-3\n",
     r"tokenizer 'meta:llama-3' differs from 'mistral:v1', the tokenizer of mistralai/mixtral-8x7b"),
    ("two offerings claim the same id", "providers/groq.yaml", "  - id: llama-3.1-8b-instant\n",
     "  - id: mixtral-8x7b-32768\n", r"groq/mixtral-8x7b-32768 is already used"),
    ("a model listed twice", "models.yaml", "models:\n",
     f"models:\n  - id: {MIXTRAL}\n    name: x\n    creator: mistral\n    weights: open\n    tokenizer: mistral:v1\n"
     "    url: https://huggingface.co/x\n", r"models\.yaml:\d+: model '.*' is listed twice"),
])
def test_bad_host_tables_are_one_clear_line_and_nothing_is_written(copied_pricing, run, case, file, old, new,
                                                                   pattern):
    _edit(copied_pricing / file, old, new)
    before = {p: p.read_bytes() for p in copied_pricing.rglob("*") if p.is_file()}
    result = run("hosts", MIXTRAL, "--as-of", "2024-06-01", "--pricing-dir", str(copied_pricing))
    assert result.exit_code == 1 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    validate = run("prices", "validate", str(copied_pricing))
    assert validate.exit_code == 1
    assert any(re.search(pattern, line) for line in validate.stdout.splitlines()), validate.stdout
    assert before == {p: p.read_bytes() for p in copied_pricing.rglob("*") if p.is_file()}


def test_every_model_an_offering_names_is_registered_with_its_tokenizer():
    from costcalc.prices.models import check_models, read_models

    root = default_pricing_dir()
    registry, problems = read_models(root)
    assert not problems and registry
    book = load_prices()
    assert check_models(root, [(root / "providers" / f"{t.provider}.yaml", t) for t in book.providers]) == []
    used = {getattr(o.model, "model", None) for o in book.offerings} - {None}
    assert used <= set(registry)
