"""Bad price tables: each problem gives one clear line naming file, model and fix, and exit code 1."""

from __future__ import annotations

import pytest

from costcalc.errors import PriceTableError
from costcalc.prices import load_prices
from tests.conftest import BEDROCK, MISTRAL, write_pricing

NOT_OFFERED = "    not_offered:\n      - {{component: {}, source: [mistral-docs-2024-01-03]}}\n    prices:\n"

BAD_TABLES = [
    ("malformed yaml", MISTRAL.replace("    name: Mistral Medium\n", "    name: [Mistral Medium\n"),
     r"mistral\.yaml:\d+:\d+: malformed YAML"),
    ("unknown field", MISTRAL.replace("        confidence: high\n      - from: 2024",
                                      "        confidence: high\n        discount: 5\n      - from: 2024"),
     r"mistral\.yaml:17: model 'mistral-medium-2312': prices\[0\]\.discount: unknown field 'discount'"),
    ("wrong type", MISTRAL.replace("checked: 2026-11-22", "checked: soon"),
     r"mistral\.yaml:\d+: model 'mistral-medium-2312': checked: Input should be a valid date"),
    ("negative price", MISTRAL.replace("input: 2.5", "input: -2.5"),
     r"mistral\.yaml:13: model 'mistral-medium-2312': prices\[0\]\.input: "
     r"Input should be greater than or equal to 0"),
    ("non-numeric price", MISTRAL.replace("input: 2.5", "input: two"),
     r"prices\[0\]\.input: a price must be a plain number such as 2\.5, got 'two'"),
    ("quoted price", MISTRAL.replace("input: 2.5", 'input: "2.5"'), r"got '2\.5'"),
    ("out of date order", MISTRAL.replace("from: 2024-02-26", "from: 2023-01-01"),
     r"mistral\.yaml:5: model 'mistral-medium-2312': price entries out of date order: "
     r"2023-01-01 comes after 2023-12-11"),
    ("duplicate alias", MISTRAL.replace("aliases: [mistral-medium]", "aliases: [mistral-medium, mistral-medium-2312]"),
     r"mistral/mistral-medium-2312 is already used by 'mistral-medium-2312'"),
    ("unknown currency", MISTRAL.replace("currency: EUR", "currency: GBP"),
     r"unknown currency 'GBP'; pricing/fx\.yaml knows EUR, USD"),
    ("missing fx rate", MISTRAL.replace("from: 2023-12-11", "from: 2023-11-01"),
     r"no EUR rate for 2023-11-01 in pricing/fx\.yaml \(rates start 2023-12-11\)"),
    ("unknown tokenizer", MISTRAL.replace("tokenizer: mistral:spm", "tokenizer: mistral:sentencepiece"),
     r"unknown tokenizer 'mistral:sentencepiece'"),
    ("provider mismatch", MISTRAL.replace("provider: mistral", "provider: mistralai"),
     r"provider 'mistralai' does not match the file name"),
    ("price after until", MISTRAL.replace("until: 2025-06-16", "until: 2024-01-01"),
     r"mistral\.yaml:5: model 'mistral-medium-2312': a price from 2024-02-26 starts on or after the model's "
     r"retirement \(until 2024-01-01\)"),
    ("missing source", MISTRAL.replace("        source: [mistral-docs-2024-01-03]\n", ""),
     r"prices\[0\]\.source: missing required field 'source'"),
    ("unknown source id", MISTRAL.replace("source: [mistral-docs-2024-01-03]", "source: [mistral-docs-2023]"),
     r"mistral\.yaml:15: model 'mistral-medium-2312': entry from 2023-12-11: unknown source id 'mistral-docs-2023'; "
     r"define it in sources\.yaml \(did you mean: mistral-docs-2024-01-03"),
    ("source as text", MISTRAL.replace("source: [mistral-docs-2024-01-03]", 'source: "Mistral docs"'),
     r"prices\[0\]: 'source' is a list of ids defined in pricing/sources\.yaml"),
    ("entry-level until", MISTRAL.replace("        confidence: high\n      - from: 2024",
                                          "        confidence: high\n        until: 2024-01-01\n      - from: 2024"),
     r"'until' belongs to the model, not to a price entry"),
    ("overlapping alias targets", MISTRAL.replace("aliases: [mistral-medium]", "aliases: [mistral-medium, {name: "
                                                  "mistral-medium-latest, from: 2023-12-11}]")
     + MISTRAL.split("models:\n")[1].replace("id: mistral-medium-2312", "id: mistral-medium-2402")
     .replace("aliases: [mistral-medium]", "aliases: [{name: mistral-medium-latest, from: 2024-02-26}]"),
     r"mistral\.yaml:\d+: model 'mistral-medium-2402': alias mistral/mistral-medium-latest overlaps its target "
     r"'mistral-medium-2312'"),
    ("batch rule and batch price", MISTRAL.replace("models:\n", "rules:\n  - {kind: batch, factor: 0.5, from: "
                                                   "2024-01-01, source: [test]}\nmodels:\n")
     .replace("input: 2.7\n", "input: 2.7\n        batch_input: 1.35\n"),
     r"mistral\.yaml:\d+: model 'mistral-medium-2312': entry from 2024-02-26 has explicit batch_input and the "
     r"provider's batch rule \(from 2024-01-01\) also applies"),
    ("duplicate key", MISTRAL.replace("        output: 7.5\n", "        output: 7.5\n        input: 2.4\n"),
     r"^\S*mistral\.yaml:15: duplicate key 'input'$"),
    ("duplicate top-level key", MISTRAL.replace("name: Mistral AI\n", "name: Mistral AI\nname: Mistral\n"),
     r"^\S*mistral\.yaml:3: duplicate key 'name'$"),
    ("not_offered cites an unknown source", MISTRAL.replace(
        "    prices:\n", "    not_offered:\n      - {component: batch, source: [mistral-docs-2023]}\n    prices:\n"),
     r"mistral\.yaml:\d+: model 'mistral-medium-2312': not_offered batch: unknown source id 'mistral-docs-2023'"),
    ("not_offered yet priced", MISTRAL.replace(
        "    prices:\n", NOT_OFFERED.format("caching"))
     .replace("        output: 8.1\n", "        output: 8.1\n        cached_input: 0.27\n"),
     r"mistral\.yaml:\d+: model 'mistral-medium-2312': not_offered caching, yet the entry from 2024-02-26 is "
     r"priced with cached_input; remove one of them"),
    ("not_offered batch under a batch rule", MISTRAL.replace(
        "models:\n", "rules:\n  - {kind: batch, factor: 0.5, from: 2024-01-01, source: [mistral-docs-2024-01-03]}\n"
        "models:\n").replace(
        "    prices:\n", NOT_OFFERED.format("batch")),
     r"not_offered batch, yet the entry from 2024-02-26 is priced with the provider's batch rule \(from 2024-01-01\)"),
    ("not_offered without a source", MISTRAL.replace("    prices:\n", "    not_offered: [batch]\n    prices:\n"),
     r"mistral\.yaml:\d+: model 'mistral-medium-2312': not_offered\[0\]"),
    ("rule for an unknown model", MISTRAL.replace("models:\n", "rules:\n  - {kind: batch, factor: 0.5, from: "
                                                  "2024-01-01, applies_to: [nope], source: [test]}\nmodels:\n"),
     r"mistral\.yaml:5: rule 'batch' applies to unknown model 'nope'"),
]


@pytest.mark.parametrize(("case", "text", "pattern"), BAD_TABLES, ids=[c[0] for c in BAD_TABLES])
def test_bad_table_is_one_clear_line_from_validate(tmp_path, run, case, text, pattern):
    root = write_pricing(tmp_path, {"mistral": text, "aws-bedrock": BEDROCK})
    result = run("prices", "validate", str(root))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all("Traceback" not in line for line in lines)
    assert any(__import__("re").search(pattern, line) for line in lines), lines
    assert "problem(s) found" in result.stderr


@pytest.mark.parametrize(("case", "text", "pattern"), BAD_TABLES[:4], ids=[c[0] for c in BAD_TABLES[:4]])
def test_bad_table_stops_other_commands_with_one_error_line(tmp_path, run, case, text, pattern):
    root = write_pricing(tmp_path, {"mistral": text})
    result = run("prices", "list", "--pricing-dir", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "costcalc prices validate" in result.stderr
    with pytest.raises(PriceTableError):
        load_prices(path=root)


def test_every_problem_is_listed_not_just_the_first(tmp_path, run):
    text = MISTRAL.replace("input: 2.5", "input: -1").replace("currency: USD", "currency: XYZ")
    root = write_pricing(tmp_path, {"mistral": text})
    result = run("prices", "validate", str(root))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1  # schema errors stop that file before cross-checks
    root = write_pricing(tmp_path / "b", {"mistral": MISTRAL.replace("currency: USD", "currency: XYZ"),
                                          "aws-bedrock": BEDROCK.replace("tokenizer: meta:llama-2", "tokenizer: x:y")})
    result = run("prices", "validate", str(root))
    assert len(result.stdout.splitlines()) == 2


def test_duplicate_provider_across_files(tmp_path, run):
    root = write_pricing(tmp_path, {"mistral": MISTRAL, "mistral2": MISTRAL})
    result = run("prices", "validate", str(root))
    assert result.exit_code == 1
    assert "provider 'mistral' does not match the file name" in result.stdout


def test_validate_accepts_a_single_file(tmp_path, run):
    path = tmp_path / "mistral.yaml"
    path.write_text(MISTRAL)
    assert run("prices", "validate", str(path)).exit_code == 0
    path.write_text(MISTRAL.replace("input: 2.5", "input: -1"))
    result = run("prices", "validate", str(path))
    assert result.exit_code == 1 and result.stdout.startswith(f"{path}:13: ")


def test_duplicate_or_malformed_source_is_named_with_its_line(tmp_path, run):
    from tests.conftest import SOURCES

    first = SOURCES.split("  - id: mistral-docs-2024-02-26")[0].split("sources:\n")[1]
    root = write_pricing(tmp_path / "dup", {"mistral": MISTRAL}, sources=SOURCES + first)
    result = run("prices", "validate", str(root))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{root / 'sources.yaml'}:30: source id 'mistral-docs-2024-01-03' is "
                                          "listed twice; keep one entry"]
    root = write_pricing(tmp_path / "url", {"mistral": MISTRAL}, sources=SOURCES.replace("https://pypi", "pypi"))
    result = run("prices", "validate", str(root))
    assert result.exit_code == 1 and "sources.yaml:16: sources[2].url: String should match pattern" in result.stdout


def test_debug_shows_the_traceback(tmp_path):
    import subprocess
    import sys

    root = write_pricing(tmp_path, {"mistral": MISTRAL})
    cmd = [sys.executable, "-m", "costcalc", "prices", "show", "nope", "--pricing-dir", str(root)]
    plain = subprocess.run(cmd, capture_output=True, text=True)
    assert plain.returncode == 2 and plain.stderr == "Error: unknown offering 'nope' (see `costcalc prices list`)\n"
    for at in (3, 5, len(cmd)):  # --debug anywhere on the line
        debug = subprocess.run([*cmd[:at], "--debug", *cmd[at:]], capture_output=True, text=True)
        assert debug.returncode == 1 and "Traceback" in debug.stderr and "UnknownOfferingError" in debug.stderr
