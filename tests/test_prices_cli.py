"""`costcalc prices list|show|history|diff`: output formats, exit codes and usage errors."""

from __future__ import annotations

import csv
import io
import json


def test_show_json_has_the_contract_fields(run, pricing_dir):
    result = run("prices", "show", "mistral/mistral-medium", "--as-of", "2023-12-14", "--currency", "USD",
                 "--format", "json", "--pricing-dir", str(pricing_dir))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ["offering", "currency", "input", "output", "billed_currency", "fx_rate",
                                 "effective_from", "sources", "confidence", "tokenizer"]} == {
        "offering": "mistral/mistral-medium-2312", "currency": "USD", "input": 2.72975, "output": 8.18925,
        "billed_currency": "EUR", "fx_rate": 1.0919, "effective_from": "2023-12-11",
        "sources": [{"id": "mistral-docs-2024-01-03", "title": "Mistral AI platform docs: Pricing",
                     "url": "https://github.com/mistralai/platform-docs-public/blob/"
                            "55483de4d453c025c840ff234f66247ceefea0aa/docs/platform/05-pricing.md",
                     "retrieved": "2024-01-03"}],
        "confidence": "high", "tokenizer": "mistral:spm"}
    assert data["price_table"].startswith("2026.11.22+")


def test_show_table_lists_fields(run, pricing_dir):
    result = run("prices", "show", "meta.llama2-70b-chat-v1", "--as-of", "2023-12-14",
                 "--pricing-dir", str(pricing_dir))
    assert result.exit_code == 0
    rows = dict(line.split(None, 1) for line in result.stdout.splitlines()[2:])
    assert (rows["input"], rows["output"], rows["currency"]) == ("1.95", "2.56", "USD")


def test_list_formats_agree(run, pricing_dir):
    args = ["prices", "list", "--as-of", "2023-12-14", "--pricing-dir", str(pricing_dir)]
    table = run(*args).stdout
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    data = json.loads(run(*args, "--format", "json").stdout)
    assert [r["offering"] for r in rows] == [d["offering"] for d in data] == [
        "aws-bedrock/meta.llama2-70b-chat-v1", "mistral/mistral-medium-2312"]
    assert rows[1]["input"] == "2.5" and rows[1]["currency"] == "EUR"
    assert "Price table 2026.11.22+" in table and "prices in force on 2023-12-14" in table


def test_list_in_usd_says_which_rate_converted_it(run, pricing_dir):
    result = run("prices", "list", "--as-of", "2023-12-14", "--currency", "usd", "--provider", "mistral",
                 "--pricing-dir", str(pricing_dir))
    assert result.exit_code == 0
    assert "2.72975" in result.stdout
    assert "EUR converted to USD at 1.0919" in result.stdout and "2023-12-14" in result.stdout


def test_history_lists_every_entry(run, pricing_dir):
    result = run("prices", "history", "mistral/mistral-medium", "--format", "json", "--pricing-dir", str(pricing_dir))
    entries = json.loads(result.stdout)
    assert [(e["from"], e["currency"], e["input"], e["source"]) for e in entries] == [
        ("2023-12-11", "EUR", 2.5, "mistral-docs-2024-01-03"), ("2024-02-26", "USD", 2.7, "mistral-docs-2024-02-26")]


def test_diff_reports_new_retired_and_repriced_with_percentages(run, pricing_dir):
    result = run("prices", "diff", "--from", "2023-12-14", "--to", "2024-03-04", "--format", "json",
                 "--pricing-dir", str(pricing_dir))
    rows = {r["offering"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {"mistral/mistral-medium-2312", "aws-bedrock/anthropic.claude-3-sonnet"}
    medium = rows["mistral/mistral-medium-2312"]
    # 2.5 EUR at 1.0919 = 2.72975 USD -> 2.7 USD: -1.1 %
    assert (medium["change"], medium["input_from"], medium["input_to"], medium["input_pct"]) == (
        "repriced", 2.72975, 2.7, -1.1)
    assert "billed in EUR, then USD" in medium["note"]
    assert rows["aws-bedrock/anthropic.claude-3-sonnet"]["change"] == "new"
    later = json.loads(run("prices", "diff", "--from", "2024-03-04", "--to", "2025-07-01", "--format", "json",
                           "--currency", "USD", "--pricing-dir", str(pricing_dir)).stdout)
    assert [(r["offering"], r["change"]) for r in later] == [("mistral/mistral-medium-2312", "retired")]


def test_usage_errors_exit_2(run, pricing_dir):
    assert run("prices", "list", "--as-of", "14/12/2023").exit_code == 2
    assert run("prices", "list", "--format", "xml").exit_code == 2
    assert run("prices", "list", "--currency", "GBP").exit_code == 2
    assert run("prices", "show").exit_code == 2
    assert run("prices", "frobnicate").exit_code == 2
    reversed_range = run("prices", "diff", "--from", "2025-01-01", "--to", "2024-01-01")
    assert reversed_range.exit_code == 2 and "--from 2025-01-01 must be before --to 2024-01-01" in reversed_range.stderr


def test_lookup_errors_exit_1_or_2_with_one_line(run, pricing_dir):
    result = run("prices", "show", "mistral/mistral-medium", "--as-of", "2023-01-01", "--pricing-dir", str(pricing_dir))
    assert result.exit_code == 1
    assert result.stderr == ("Error: no price for mistral/mistral-medium-2312 on 2023-01-01; first price from "
                             "2023-12-11 (use --as-of 2023-12-11 or later)\n")
    result = run("prices", "list", "--provider", "openia", "--pricing-dir", str(pricing_dir))
    assert result.exit_code == 2 and "unknown provider 'openia'" in result.stderr
