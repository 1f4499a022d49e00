"""Presets that say what they are, and your own prices on top of ours (--prices / COSTCALC_PRICES)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

import costcalc

SOURCES = """\
sources:
  - id: my-contract
    title: "Our enterprise agreement with OpenAI, schedule B"
    publisher: "OpenAI"
    url: https://example.com/my-contract
    retrieved: 2026-11-22
"""

MINE = """\
provider: openai
name: OpenAI
pricing_url: https://example.com/my-contract
models:
  - id: my-finetune
    name: My fine-tuned model
    tokenizer: openai:o200k_base
    prices:
      - from: 2026-01-01
        currency: USD
        input: 4
        output: 16
        source: [my-contract]
        confidence: high
    checked: 2026-11-22
"""


def test_default_report_names_its_preset_first(run):
    text = run("report").stdout
    first, _, rest = text.partition("\n")
    assert first == "# published-2023-12-14: relative cost of Italian text, prices as of 2023-12-14"
    assert "For today's models: `costcalc report --preset current`." in rest
    assert "## Against the published figures" in rest


def test_overridden_parts_are_named_in_the_header(run):
    first = run("report", "-l", "de").stdout.splitlines()[0]
    assert first == "# published-2023-12-14 models and prices, German: relative cost of German text, prices as of " \
                    "2023-12-14"
    data = json.loads(run("report", "-l", "de", "--format", "json").stdout)
    assert data["preset"]["name"] == "published-2023-12-14" and data["preset"]["overridden"] == ["languages"]
    assert data["published"] == []  # the published figures are for Italian only


def test_preset_alias_and_same_values_are_not_overrides():
    from costcalc.presets import resolve

    plan = resolve("published", ["it"], None, "mistral/mistral-medium", "2023-12-14")
    assert plan["header"].heading == "published-2023-12-14" and plan["header"].overridden == []
    own = resolve(None, ["fr"], ["openai/gpt-5"], None, None)
    assert own["header"].name is None and own["models"] == ["openai/gpt-5"]


def test_one_model_added_to_one_provider_without_copying_pricing(run, tmp_path):
    overlay = tmp_path / "mine.yaml"
    overlay.write_text(MINE)
    (tmp_path / "sources.yaml").write_text(SOURCES)
    shown = json.loads(run("prices", "show", "openai/my-finetune", "--prices", str(overlay), "--format",
                           "json").stdout)
    assert shown["input"] == 4 and shown["price_table"].endswith("+overlay." + shown["price_table"][-8:])
    # The bundled openai models are all still there.
    assert run("prices", "show", "openai/gpt-4o", "--prices", str(overlay)).exit_code == 0
    report = json.loads(run("report", "-l", "it", "-m", "openai/my-finetune", "-m", "openai/gpt-4o",
                            "--as-of", "2026-11-22", "--prices", str(overlay), "--format", "json").stdout)
    row = {r["offering"]: r for r in report["absolute"]}["openai/my-finetune"]
    assert Decimal(str(row["input_price"])) == 4
    expected = Decimal(4) * row["tokens"] / row["chars_en"]
    assert Decimal(str(row["cost"])) == pytest.approx(expected, rel=Decimal("1e-12"))


def test_overlay_from_the_environment_and_replacing_a_bundled_price(run, tmp_path, monkeypatch):
    directory = tmp_path / "my-prices"
    directory.mkdir()
    (directory / "openai.yaml").write_text(MINE.replace("my-finetune", "gpt-4o").replace("input: 4", "input: 1.5"))
    (directory / "sources.yaml").write_text(SOURCES)
    monkeypatch.setenv("COSTCALC_PRICES", str(directory))
    shown = json.loads(run("prices", "show", "openai/gpt-4o", "--as-of", "2026-11-22", "--format", "json").stdout)
    assert shown["input"] == 1.5
    text = run("report", "-l", "it", "-m", "openai/gpt-4o", "-m", "openai/gpt-5", "--as-of", "2026-11-22").stdout
    assert "openai/gpt-4o: prices from your overlay openai.yaml replace the bundled ones" in " ".join(text.split()) \
        or "prices from your overlay openai.yaml replace the bundled ones" in " ".join(text.split())


def test_overlay_library_call_matches_the_cli(tmp_path):
    overlay = tmp_path / "mine.yaml"
    overlay.write_text(MINE)
    (tmp_path / "sources.yaml").write_text(SOURCES)
    book = costcalc.load_prices(as_of="2026-11-22", overlays=[overlay])
    assert book.lookup("openai/my-finetune").price().input == Decimal(4)
    assert "overlay" in repr(book) and len(repr(book)) < 200


@pytest.mark.parametrize(("files", "fragment"), [
    ({"a.yaml": MINE, "b/openai.yaml": MINE}, "model openai/my-finetune is also defined in the overlay"),
    ({"a.yaml": MINE.replace("input: 4", "inptu: 4")}, "unknown field 'inptu'"),
    ({"a.yaml": MINE.replace("openai:o200k_base", "openai:o300k")}, "unknown tokenizer 'openai:o300k'"),
])
def test_bad_overlays_fail_naming_the_file(run, tmp_path, files, fragment):
    paths = []
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        (path.parent / "sources.yaml").write_text(SOURCES)
        paths.append(path)
    args = [a for p in paths for a in ("--prices", str(p))]
    result = run("prices", "list", "--provider", "openai", *args)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1, result.stderr
    assert fragment in result.stderr and str(paths[-1]) in result.stderr


def test_compact_reprs():
    assert len(repr(costcalc.load_prices())) < 200
    assert len(repr(costcalc.load_corpus("bundled"))) < 200
    m = costcalc.compare(language=["it"], models=["demo/euro-model", "demo/gpt-like"], as_of="2023-12-14",
                         corpus=str(Path(__file__).parent / "data" / "gold-corpus"),
                         pricing_dir=str(Path(__file__).parent / "data" / "gold-pricing"))
    assert repr(m) == "<CostMatrix 2 offerings x 1 languages, base demo/euro-model, as of 2023-12-14, USD>"


def test_compare_documents_every_parameter():
    import inspect

    doc = inspect.getdoc(costcalc.compare)
    for name in inspect.signature(costcalc.compare).parameters:
        assert f"        {name}:" in textwrap.indent(doc, "    ") or f"    {name}:" in doc, name


def test_cost_of_one_string_on_several_models():
    frame = costcalc.cost("Ciao a tutti, come state?", models=["openai/gpt-4o", "anthropic/claude-sonnet-4-5"],
                          as_of="2026-11-22")
    rows = frame.set_index("offering")
    gpt = rows.loc["openai/gpt-4o"]
    assert gpt["tokens"] == costcalc.get_tokenizer("openai:o200k_base").count("Ciao a tutti, come state?")
    assert gpt["cost"] == gpt["price"] * gpt["tokens"] / 1_000_000 and isinstance(gpt["cost"], Decimal)
    assert list(frame.columns[:4]) == ["offering", "tokenizer", "exact", "tokens"]


def test_readme_overlay_example_works(run, tmp_path):
    import re
    import shlex

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[readme.index("### Your own prices on top of ours"):]
    yaml_text = re.search(r"```yaml\n(.*?)```", section, re.DOTALL).group(1)
    command = re.search(r"```bash\n(.*?)```", section, re.DOTALL).group(1).strip()
    (tmp_path / "my-prices.yaml").write_text(yaml_text)
    sources_text = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)[1]
    (tmp_path / "sources.yaml").write_text(sources_text)
    args = shlex.split(command)[1:]
    args[args.index("my-prices.yaml")] = str(tmp_path / "my-prices.yaml")
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {r["offering"] for r in data["absolute"]} == {"openai/my-finetune", "openai/gpt-4o"}


def test_csv_carries_the_preset_on_every_row(run):
    rows = list(csv.DictReader(io.StringIO(run("report", "-l", "de", "--format", "csv").stdout)))
    assert rows and {r["preset"] for r in rows} == {
        "Preset published-2023-12-14: " + rows[0]["preset"].split(": ", 1)[1]}
    assert "Overridden by options: languages." in rows[0]["preset"]
    assert "--preset current" in rows[0]["preset"]


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "html"])
def test_a_model_named_by_alias_says_which_model_it_resolved_to(run, fmt):
    args = ["report", "-m", "mistral-medium", "-m", "openai/gpt-4", "--base", "openai/gpt-4", "--as-of", "2024-03-01"]
    result = run(*args, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert "mistral-medium resolved to mistral/mistral-medium-2312 on 2024-03-01" in result.stdout
    assert "openai/gpt-4 resolved" not in result.stdout  # its own id: nothing to say


def test_page_shows_its_caveats_without_javascript(run):
    """The caveats are in the HTML, not only written by the script (readers without JavaScript, printouts)."""
    import re

    page = run("report", "--format", "html").stdout
    body = page.split("<script", 1)[0]
    items = re.findall(r'<ul id="caveats">(.*?)</ul>', body, re.S)
    assert items and "Preset published-2023-12-14" in items[0]
    assert "token counts are an estimate" in items[0]
    assert 'id="caveats-section" hidden' not in body
