"""`prices refresh` without the network: --input FILE and --from-package (a fake installed package on sys.path,
laid out as pip installs it), the citations they add, and ready-to-review stanzas for new upstream models."""

from __future__ import annotations

import json
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from costcalc.prices import load_prices
from costcalc.prices.schema import Model
from tests.test_refresh import DATA, genai_payload, litellm_payload, pick, refresh, tables, today  # noqa: F401


def test_genai_prices_from_a_local_file_applies_and_cites_it(run, tables, tmp_path, today):  # noqa: F811
    ref, upstream, entry = pick(tables, today, "genai-prices", "medium")
    new = entry.input * Decimal("1.2")
    data = tmp_path / "data.json"
    data.write_text(json.dumps(genai_payload(tables, today, {upstream: {"input_mtok": float(new)}})))
    result = refresh(run, tables, today, "--source", "genai-prices", "--input", str(data), "--apply",
                     "--format", "json")
    assert result.exit_code == 3, result.output
    payload = json.loads(result.stdout)
    assert payload["sources"][0]["url"] == str(data) and payload["sources"][0]["ok"]
    book = load_prices(as_of=today, path=tables)
    last = book.lookup(ref).model.prices[-1]
    assert (last.from_, last.input) == (today, new.normalize())
    (sid,) = last.source
    cited = book.sources[sid]
    assert cited.url == "https://github.com/pydantic/genai-prices/blob/main/prices/data.json"
    assert "a local copy (data.json, sha256 " in cited.title and cited.retrieved == today


def _fake_dist(site: Path, dist: str, version: str, files: dict[str, str]) -> None:
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    for rel, text in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(textwrap.dedent(text))


GENAI_DATA = """\
import dataclasses
import datetime
from decimal import Decimal


class ModelPrice:
    def __init__(self, **prices):
        for key, value in prices.items():
            object.__setattr__(self, key, value)


@dataclasses.dataclass
class StartDateConstraint:
    start_date: datetime.date


@dataclasses.dataclass
class ConditionalPrice:
    constraint: StartDateConstraint | None = None
    prices: ModelPrice = None


@dataclasses.dataclass
class ModelInfo:
    id: str
    prices: object


@dataclasses.dataclass
class Provider:
    id: str
    models: list


providers = [Provider(id="{provider}", models=[
    ModelInfo(id="{model}", prices=[
        ConditionalPrice(prices=ModelPrice(input_mtok=Decimal("{old}"), output_mtok=Decimal("{output}"))),
        ConditionalPrice(constraint=StartDateConstraint(datetime.date(2026, 1, 1)),
                         prices=ModelPrice(input_mtok=Decimal("{new}"), output_mtok=Decimal("{output}"))),
    ]),
    ModelInfo(id="brand-new-model", prices=ModelPrice(input_mtok=Decimal("2"), output_mtok=Decimal("8"))),
])]
"""


@pytest.fixture
def site(tmp_path, monkeypatch):
    path = tmp_path / "site-packages"
    path.mkdir()
    monkeypatch.syspath_prepend(str(path))
    yield path
    for name in [m for m in sys.modules if m.startswith("genai_prices")]:
        del sys.modules[name]


def test_from_package_reads_the_installed_genai_prices(run, tables, site, today):  # noqa: F811
    ref, upstream, entry = pick(tables, today, "genai-prices", "medium")
    provider, _, model = upstream.partition(":")
    new = entry.input * 2
    module = GENAI_DATA.format(provider=provider, model=model, old=entry.input, new=new, output=entry.output)
    _fake_dist(site, "genai-prices", "9.9.9", {"genai_prices/__init__.py": "", "genai_prices/data.py": module})
    report = site.parent / "refresh.md"
    result = refresh(run, tables, today, "--source", "genai-prices", "--from-package", "--apply",
                     "--report", str(report))
    assert result.exit_code == 3, result.output
    book = load_prices(as_of=today, path=tables)
    last = book.lookup(ref).model.prices[-1]
    assert (last.input, last.source) == (new.normalize(), ["genai-prices-9.9.9"])
    cited = book.sources["genai-prices-9.9.9"]
    assert (cited.url, cited.version) == ("https://pypi.org/project/genai-prices/9.9.9/", "9.9.9")
    text = report.read_text()
    assert "| genai-prices | installed package genai-prices 9.9.9 |" in text
    assert f"#   \"{provider if provider != 'aws' else 'aws-bedrock'}/brand-new-model\": " in text


def test_from_package_reads_litellm_without_importing_it(run, tables, site, today):  # noqa: F811
    ref, key, entry = pick(tables, today, "litellm", "medium")
    data = litellm_payload(tables, today, {key: {"output_cost_per_token": float(entry.output * 3 / 1_000_000)}})
    _fake_dist(site, "litellm", "1.200.0", {"litellm/__init__.py": "raise ImportError('never imported')\n",
                                            "litellm/model_prices_and_context_window_backup.json": json.dumps(data)})
    result = refresh(run, tables, today, "--source", "litellm", "--from-package", "--format", "json")
    assert result.exit_code == 3, result.output
    payload = json.loads(result.stdout)
    assert payload["sources"][0]["citation"]["id"] == "litellm-1.200.0"
    assert {f["offering"]: f["status"] for f in payload["findings"]}[ref] == "repriced"


def test_a_missing_package_is_one_clear_error(run, tables, site, today):  # noqa: F811
    result = refresh(run, tables, today, "--source", "genai-prices", "--from-package")
    assert result.exit_code == 1
    assert "genai-prices is not installed, so its data cannot be read (pip install genai-prices, or pass " \
           "--input FILE" in result.stderr


def test_input_needs_a_source_at_its_position(run, tables, tmp_path, today):  # noqa: F811
    data = tmp_path / "d.json"
    data.write_text("[]")
    result = refresh(run, tables, today, "--input", str(data))
    assert result.exit_code == 2 and "each --url or --input needs a --source at the same position" in result.stderr


def test_new_upstream_models_get_a_stanza_that_validates(run, tables, tmp_path, today):  # noqa: F811
    data = tmp_path / "litellm.json"
    data.write_text(json.dumps(litellm_payload(tables, today)))
    result = refresh(run, tables, today, "--source", "litellm", "--input", str(data), "--format", "json")
    payload = json.loads(result.stdout)
    new = {n["upstream_id"]: n for n in payload["new_upstream"]}
    mini = new["gpt-4o-mini-2024-07-18"]
    assert (mini["provider"], mini["model_id"]) == ("openai", "gpt-4o-mini-2024-07-18")
    item = yaml.safe_load(mini["stanza"])[0]
    assert item["prices"][0] == {"from": today, "from_basis": "first-seen", "currency": "USD", "input": 0.15,
                                 "output": 0.6, "cached_input": 0.075, "batch_input": 0.075, "batch_output": 0.3,
                                 "source": [payload["sources"][0]["citation"]["id"]], "confidence": "medium"}
    assert (item["context_window"], item["max_output"], item["tokenizer"]) == (128000, 16384, "openai:o200k_base")
    from costcalc.prices.yamlio import DecimalLoader

    Model.model_validate(yaml.load(mini["stanza"], Loader=DecimalLoader)[0])  # the table schema accepts it
    assert "tts-1" not in new  # not a chat model


@pytest.mark.parametrize(("entry", "ok"), [('{unmapped: "retired before the sources listed it"}', True),
                                           ('{unmapped: "x"}', False),
                                           ('{unmapped: "retired upstream", litellm: gpt-4}', False)])
def test_source_map_unmapped_takes_a_reason_alone(tmp_path, entry, ok):
    from costcalc.errors import RefreshError
    from costcalc.refresh.sourcemap import load_source_map

    path = tmp_path / "source-map.yaml"
    path.write_text(f"offerings:\n  openai/gpt-4: {entry}\n")
    if ok:
        assert load_source_map(path).unmapped == {"openai/gpt-4": "retired before the sources listed it"}
    else:
        with pytest.raises(RefreshError, match="`unmapped` takes a reason and stands alone"):
            load_source_map(path)


def test_source_map_can_give_the_reason_for_a_whole_host(tmp_path):
    from costcalc.refresh.sourcemap import load_source_map

    path = tmp_path / "source-map.yaml"
    path.write_text('unmapped_providers:\n  together: "host price table, not refreshed yet"\n'
                    "offerings:\n  openai/gpt-4: {litellm: gpt-4}\n")
    smap = load_source_map(path)
    assert smap.covers("together/meta-llama/Llama-3.3-70B-Instruct-Turbo") and smap.covers("openai/gpt-4")
    assert not smap.covers("openai/gpt-5")
