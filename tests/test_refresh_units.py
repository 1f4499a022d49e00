"""Unit tests of the refresh pieces: URL policy, Retry-After, normalisers on the real fixtures, textual edits."""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from costcalc.errors import ApplyError, CostcalcError, FormatError, UnsafeURLError
from costcalc.prices.schema import ProviderTable
from costcalc.prices.yamlio import read_yaml
from costcalc.refresh import ecb, genai_prices, litellm, openrouter, txn
from costcalc.refresh.apply import (
    NewEntry,
    add_changelog_section,
    append_fx_rates,
    append_price_entries,
    append_sources,
    bump_version,
    check_append_only,
)
from costcalc.refresh.http import check_url

DATA = Path(__file__).parent / "data" / "refresh"
D = Decimal


@pytest.mark.parametrize("url", ["https://openrouter.ai/api/v1/models", "http://127.0.0.1:8000/x.json",
                                 "http://127.8.9.10/x", "http://[::1]:9/x", "http://localhost:1/x"])
def test_allowed_urls(url):
    assert check_url(url) == url


@pytest.mark.parametrize("url", ["http://example.com/x.json", "http://10.0.0.1/x", "ftp://127.0.0.1/x",
                                 "file:///etc/passwd", "https:///nohost", "http://127.0.0.1.evil.com/x"])
def test_refused_urls(url):
    with pytest.raises(UnsafeURLError, match="only https"):
        check_url(url)


@pytest.mark.parametrize("current, expected", [("2026.11.21", "2026.11.22"), ("2026.11.22", "2026.11.22.1"),
                                               ("2026.11.22.1\n", "2026.11.22.2"), ("", "2026.11.22")])
def test_bump_version(current, expected):
    assert bump_version(current, date(2026, 11, 22)) == expected


def _smap(source: str) -> dict[str, str]:
    from costcalc.prices import default_pricing_dir
    from costcalc.refresh.sourcemap import load_source_map

    return load_source_map(default_pricing_dir() / "source-map.yaml").for_source(source)


def test_litellm_fixture_normalises_to_per_million():
    data = litellm.parse((DATA / "litellm-1.109.1-trimmed.json").read_bytes())
    out = litellm.normalise(data, {"openai/gpt-5": "gpt-5", "x/missing": "nope"}, ("openai",))
    assert out.observed["openai/gpt-5"].values() == {"input": D("1.25"), "output": D("10"), "cached_input": D("0.125")}
    assert out.gone == ["x/missing"]
    assert "gpt-4o-mini-2024-07-18" in out.unmapped and "groq/llama-3.3-70b-versatile" not in out.unmapped


def test_every_mapped_fixture_entry_normalises():
    for module, name, fixture in [(litellm, "litellm", "litellm-1.109.1-trimmed.json"),
                                  (openrouter, "openrouter", "openrouter-models.json"),
                                  (genai_prices, "genai-prices", "genai-prices-data.json")]:
        out = module.normalise(module.parse((DATA / fixture).read_bytes()), _smap(name))
        assert not out.gone and len(out.observed) > 50, name
        assert all(v >= 0 for o in out.observed.values() for v in o.values().values() if v is not None)


def test_openrouter_fixture():
    models = openrouter.parse((DATA / "openrouter-models.json").read_bytes())
    out = openrouter.normalise(models, {"anthropic/claude-sonnet-4-5": "anthropic/claude-sonnet-4.5"}, ("openai/",))
    assert out.observed["anthropic/claude-sonnet-4-5"].values() == {"input": D(3), "output": D(15),
                                                                    "cached_input": D("0.3")}
    assert "openai/gpt-5-pro" in out.unmapped and "openai/gpt-4o-mini:batch" not in out.unmapped


def test_genai_prices_dated_variants_and_tiers():
    models = genai_prices.parse((DATA / "genai-prices-data.json").read_bytes())
    mapping = {"anthropic/claude-opus-4-6": "anthropic:claude-opus-4-6"}
    before = genai_prices.normalise(models, mapping, today=date(2026, 3, 12)).observed["anthropic/claude-opus-4-6"]
    after = genai_prices.normalise(models, mapping, today=date(2026, 3, 13)).observed["anthropic/claude-opus-4-6"]
    assert (before.input, before.output) == (D(5), D(25))  # the tiered price's base
    assert (after.input, after.cached_input) == (D(5), D("0.5"))


def test_ecb_fixture():
    assert ecb.parse((DATA / "ecb-eurofxref-daily.xml").read_bytes()) == {date(2026, 11, 20): D("1.1172")}
    with pytest.raises(FormatError, match="DOCTYPE"):
        ecb.parse(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')


@pytest.mark.parametrize("raw, message", [(b"", "empty"), (b"<html>", "HTML"), (b'{"a": NaN}', "NaN"),
                                          (b'{"a": 1', "truncated"), (b"[1, 2]", "format changed"),
                                          (b'{"gpt-5": {"input_cost_per_token": "cheap"}}', "format changed")])
def test_litellm_format_errors(raw, message):
    with pytest.raises(FormatError, match=message):
        litellm.normalise(litellm.parse(raw), {"openai/gpt-5": "gpt-5"})


TABLE = """\
# a comment that must survive
provider: acme
name: Acme
pricing_url: https://acme.example/pricing
models:
  - id: big   # trailing comment
    name: Big
    tokenizer: openai:cl100k_base
    prices:
      - {from: 2024-01-01, currency: USD, input: 1, output: 2, source: [flow-style-entry], confidence: high}
      - from: 2025-01-01
        currency: USD
        input: 0.50
        output: 1.50
        source: [single-quoted]
        confidence: medium
        note: >-
          a folded
          note
    checked: 2025-01-02   # keep me

  # ---- next section ----
  - id: small
    name: Small
    tokenizer: openai:cl100k_base
    checked: 2025-01-02
    prices:
      - from: 2025-01-01
        currency: USD
        input: 0.1
        source: [src]
        confidence: low"""


def _entry(model_id: str, value: str) -> NewEntry:
    return NewEntry(model_id, (("from", date(2026, 11, 22)), ("currency", "USD"), ("input", D(value)),
                               ("source", ["a-source", "another-source"]), ("confidence", "medium")))


def test_textual_append_keeps_every_other_byte(tmp_path):
    new = append_price_entries(TABLE, [_entry("big", "0.75"), _entry("small", "0.2")], date(2026, 11, 22), "t")
    old_lines, new_lines = TABLE.splitlines(), new.splitlines()
    assert len(new_lines) == len(old_lines) + 10
    assert [line for line in new_lines if "checked" in line] == ["    checked: 2026-11-22   # keep me",
                                                                 "    checked: 2026-11-22"]
    it = iter(new_lines)  # every old line is still there, in order
    assert all(any(line == n for n in it) for line in old_lines if "checked" not in line)
    (tmp_path / "t.yaml").write_text(TABLE)
    (tmp_path / "n.yaml").write_text(new)
    old_table = ProviderTable.model_validate(read_yaml(tmp_path / "t.yaml")[0])
    new_table = ProviderTable.model_validate(read_yaml(tmp_path / "n.yaml")[0])
    check_append_only(old_table, new_table, {"big": 1, "small": 1}, "t")
    assert new_table.models[0].prices[-1].source == ["a-source", "another-source"]
    assert new_table.models[0].prices[1].note == "a folded note"
    with pytest.raises(ApplyError, match="pure append"):
        check_append_only(old_table, new_table, {"big": 1}, "t")


def test_append_refuses_flow_style_lists():
    text = TABLE.replace("    prices:\n      - from: 2025-01-01\n        currency: USD\n        input: 0.1\n"
                         '        source: [src]\n        confidence: low',
                         '    prices: [{from: 2025-01-01, currency: USD, input: 0.1, source: [src], confidence: low}]')
    with pytest.raises(ApplyError, match="block-style"):
        append_price_entries(text, [_entry("small", "0.2")], date(2026, 11, 22), "t")


def test_fx_append():
    text = "base: EUR\nquote: USD\nrates:\n  2026-10-29: 1.113\n  2026-10-30: 1.1172"
    new = append_fx_rates(text, {date(2026, 11, 2): D("1.1201")}, "fx")
    assert new == text + "\n  2026-11-02: 1.1201\n"


def test_changelog_created_and_prepended():
    first = add_changelog_section(None, "## 1\n\n- a\n")
    assert first.startswith("# Price table changelog") and first.endswith("## 1\n\n- a\n")
    second = add_changelog_section(first, "## 2\n\n- b\n")
    assert second.index("## 2") < second.index("## 1")


def test_recover_rolls_back_uncommitted_and_forward_committed(tmp_path):
    root = tmp_path
    (root / "a.txt").write_text("old a")
    (root / "b.txt").write_text("old b")
    staged = root / txn.TXN_DIR / "new"
    staged.mkdir(parents=True)
    (staged / "a.txt").write_text("new a")
    assert "rolled back" in txn.recover(root)
    assert (root / "a.txt").read_text() == "old a" and not txn.pending(root)

    txn.commit(root, {"a.txt": b"new a", "b.txt": b"new b"})
    assert (root / "a.txt").read_text() == "new a" and not txn.pending(root)
    # A committed journal whose targets were edited by hand meanwhile is not overwritten.
    staged.mkdir(parents=True)
    (staged / "a.txt").write_text("newer a")
    (root / txn.TXN_DIR / "COMMITTED").write_text("")
    (root / txn.TXN_DIR / "manifest.json").write_text(json.dumps([{"path": "a.txt", "old": "0" * 64,
                                                                  "new": "1" * 64}]))
    with pytest.raises(ApplyError, match="changed since"):
        txn.recover(root)
    assert (root / "a.txt").read_text() == "new a" and txn.pending(root)  # left for a person to resolve


def test_one_source_registry():
    from costcalc.refresh.sources import NAMES, PRICE_SOURCES, SOURCES, source

    assert NAMES == ("litellm", "openrouter", "genai-prices", "ecb") and "ecb" not in PRICE_SOURCES
    for name, entry in SOURCES.items():
        module = entry.module
        assert name == module.NAME and module.DEFAULT_URL.startswith("https://")
        assert hasattr(module, "read_package") == entry.packaged
    with pytest.raises(CostcalcError, match="unknown source 'nope'"):
        source("nope")


def _gold(name: str, actual: str) -> None:
    gold = Path(__file__).parent / "gold" / name
    if os.environ.get("COSTCALC_REGOLD"):
        gold.write_text(actual, encoding="utf-8")
    assert actual == gold.read_text(encoding="utf-8"), f"{name} differs (regenerate: COSTCALC_REGOLD=1 pytest)"


def _comments(text: str) -> list[str]:
    return [line[line.index("#"):] for line in text.splitlines() if "#" in line and "://" not in line]


def test_append_with_comments_matches_gold_and_validates(tmp_path):
    old = (DATA / "append-input.yaml").read_text(encoding="utf-8")
    note = 'Appended by `costcalc prices refresh`; the source says: "x" changed.'
    entries = [NewEntry("big", (("from", date(2026, 11, 22)), ("currency", "USD"), ("input", D("0.75")),
                                ("output", D("1.5000")), ("source", ["a-source"]), ("confidence", "medium"),
                                ("note", note))),
               _entry("small", "0.2")]
    new = append_price_entries(old, entries, date(2026, 11, 22), "append-input.yaml")
    _gold("refresh-append.yaml", new)
    # Every old line is still there, in order (the two `checked:` dates aside), and so is every comment.
    it = iter(new.splitlines())
    assert all(any(line == n for n in it) for line in old.splitlines() if "checked:" not in line)
    assert _comments(new) == _comments(old)
    (tmp_path / "old.yaml").write_text(old)
    (tmp_path / "new.yaml").write_text(new)
    before = ProviderTable.model_validate(read_yaml(tmp_path / "old.yaml")[0])
    after = ProviderTable.model_validate(read_yaml(tmp_path / "new.yaml")[0])
    check_append_only(before, after, {"big": 1, "small": 1}, "t")
    assert after.models[0].prices[-1].note == note and after.models[0].prices[-1].output == D("1.5")
    assert [m.checked for m in after.models] == [date(2026, 11, 22)] * 2


def test_sources_and_fx_appends_keep_trailing_comments_below():
    old = (DATA / "append-sources.yaml").read_text(encoding="utf-8")
    citation = {"id": "litellm-refresh-2026-11-22", "title": "litellm, fetched by costcalc prices refresh",
                "publisher": "BerriAI", "url": "http://127.0.0.1:8000/p.json", "retrieved": date(2026, 11, 22)}
    new = append_sources(old, [citation], "sources.yaml")
    assert new == old.removesuffix("# end\n") + (
        '  - id: litellm-refresh-2026-11-22\n    title: "litellm, fetched by costcalc prices refresh"\n'
        '    publisher: BerriAI\n    url: "http://127.0.0.1:8000/p.json"\n    retrieved: 2026-11-22\n# end\n')
    fx = "base: EUR\nrates:\n  2026-10-29: 1.113  # a note\n  2026-10-30: 1.1172\n\n# appended by the refresh\n"
    assert append_fx_rates(fx, {date(2026, 11, 2): D("1.1201")}, "fx") == fx.replace(
        "1.1172\n", "1.1172\n  2026-11-02: 1.1201\n")
