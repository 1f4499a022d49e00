"""`costcalc count` and `costcalc tokenizers list|check` through click's CliRunner; chunked streaming counts."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import costcalc.prices
from costcalc.cli import cli
from costcalc.errors import InputError, UnknownOfferingError, UnknownTokenizerError
from costcalc.tokenizers import get_tokenizer
from costcalc.tokenizers.stream import TextStats, count_stream, iter_chunks

DATA = Path(__file__).parent / "data" / "tokenizers"
TEXTS = [item["text"] for item in json.loads((DATA / "multilingual.json").read_text(encoding="utf-8"))["texts"]]
SHIPPED = ["openai:cl100k_base", "openai:o200k_base", "mistral:spm", "mistral:tekken", "anthropic:claude-2",
           "meta:llama-2", "meta:llama-3", "meta:llama-4"]


def run(args: list[str], input: bytes | str | None = None):
    return CliRunner().invoke(cli, args, input=input)


# --- streaming: chunked counts vs whole-text counts ---

@pytest.mark.parametrize("name", SHIPPED)
def test_chunked_count_equals_whole_text_count(name):
    """The bound for cuts at '\\n' between non-space characters: 0 tokens, for every shipped tokenizer."""
    text = "\n".join(TEXTS * 3)
    tok = get_tokenizer(name)
    stats = TextStats()
    chunks = list(iter_chunks(io.BytesIO(text.encode()), "t", stats=stats, block_bytes=97))
    assert len(chunks) > 50 and "".join(chunks) == text and stats.fallback_cuts == 0
    (total,), stats = count_stream([tok], io.BytesIO(text.encode()), "t")
    assert total == tok.count(text)
    assert stats.chars == len(text) and stats.bytes == len(text.encode())
    from costcalc.tokenizers.stream import count_chunks

    assert count_chunks([tok], chunks, batch_chunks=3) == [tok.count(text)]


@pytest.mark.parametrize("name", ["openai:cl100k_base", "mistral:spm", "anthropic:claude-2"])
def test_fallback_cuts_on_one_giant_line_stay_within_bound(name):
    """No safe newline: cuts fall back to spaces; each such cut may shift the count by at most 2 tokens."""
    text = " ".join(t.replace("\n", " ") for t in TEXTS) * 4
    tok = get_tokenizer(name)
    stats = TextStats()
    chunks = list(iter_chunks(io.BytesIO(text.encode()), "t", stats=stats, block_bytes=512, max_carry=1000))
    assert "".join(chunks) == text and stats.fallback_cuts > 5
    from costcalc.tokenizers.stream import count_chunks

    (chunked,) = count_chunks([tok], chunks)
    assert abs(chunked - tok.count(text)) <= 2 * stats.fallback_cuts


def test_invalid_utf8_offset_across_block_boundaries():
    data = ("é" * 100).encode() + "€".encode()[:2] + b"x"  # truncated 3-byte sequence at byte 200
    with pytest.raises(InputError) as e:
        list(iter_chunks(io.BytesIO(data), "notes.txt", block_bytes=7))
    assert "notes.txt" in str(e.value) and "byte offset 200" in str(e.value)
    with pytest.raises(InputError, match="byte offset 203"):
        list(iter_chunks(io.BytesIO(b"abc" + data[:-1]), "f", block_bytes=5))  # truncated at end of input
    assert "".join(iter_chunks(io.BytesIO(data), "f", errors="replace")).endswith("\ufffdx")


def test_bom_is_dropped_and_nul_is_binary():
    assert list(iter_chunks(io.BytesIO(b"\xef\xbb\xbfhi"), "f")) == ["hi"]
    with pytest.raises(InputError, match=r"NUL byte.* offset 4"):
        list(iter_chunks(io.BytesIO(b"\x89PNG\x00\x00"), "img.png"))


# --- costcalc count ---

def test_count_file_table(tmp_path):
    f = tmp_path / "it.txt"
    f.write_text("Tutti gli esseri umani nascono liberi.\nCiao!\n", encoding="utf-8")
    result = run(["count", str(f), "-t", "openai:cl100k_base", "-t", "estimate:meta:llama-3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["tokenizer", "tokens", "chars", "bytes", "exact"]
    assert "openai:cl100k_base" in lines[2] and "estimate:meta:llama-3" in lines[3]
    assert any(line.startswith("estimate:") for line in lines[4:])


def test_count_json_shape_and_values(tmp_path):
    text = "\n".join(TEXTS)
    f = tmp_path / "multi.txt"
    f.write_text(text, encoding="utf-8")
    result = run(["count", str(f), "-t", "mistral:spm", "-t", "meta:llama-2", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["tokenizer"] for r in rows] == ["mistral:spm", "meta:llama-2"]
    for row in rows:
        assert {"tokenizer", "tokens", "chars", "exact"} <= set(row)
        assert row["tokens"] == get_tokenizer(row["tokenizer"]).count(text)
        assert row["chars"] == len(text) and row["bytes"] == len(text.encode()) and row["exact"] is True


def test_count_csv(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("hello world", encoding="utf-8")
    result = run(["count", str(f), "-t", "openai:o200k_base", "--format", "csv"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["tokenizer,tokens,chars,bytes,exact", "openai:o200k_base,2,11,11,yes"]


def test_count_stdin_dash_and_default():
    for args in (["count", "-", "-t", "openai:cl100k_base"], ["count", "-t", "openai:cl100k_base"]):
        result = run([*args, "--format", "json"], input="hello world")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)[0]["tokens"] == 2


def test_count_empty_input_is_zero_tokens(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    result = run(["count", str(f), "-t", "meta:llama-2", "-t", "anthropic:claude-2", "--format", "json"])
    assert result.exit_code == 0
    assert [(r["tokens"], r["chars"], r["bytes"]) for r in json.loads(result.output)] == [(0, 0, 0), (0, 0, 0)]


def test_count_non_utf8_file_names_file_and_offset(tmp_path):
    f = tmp_path / "latin1.txt"
    f.write_bytes("perché no\n".encode() * 30000 + "città".encode("latin-1"))
    result = run(["count", str(f), "-t", "openai:cl100k_base"])
    assert result.exit_code == 1
    offset = len("perché no\n".encode()) * 30000 + 4  # the latin-1 "à" of "città"
    assert f"Error: {f}: invalid UTF-8 at byte offset {offset}" in result.output
    assert "--errors replace" in result.output
    replaced = run(["count", str(f), "-t", "openai:cl100k_base", "--errors", "replace", "--format", "json"])
    assert replaced.exit_code == 0 and json.loads(replaced.output)[0]["tokens"] > 0


def test_count_usage_and_name_errors(tmp_path):
    assert run(["count", "-"], input="x").exit_code == 2
    missing = run(["count", str(tmp_path / "missing.txt"), "-t", "meta:llama-3"])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    result = run(["count", "-", "-t", "meta:lama-3"], input="x")
    assert result.exit_code == 2
    assert "Error: unknown tokenizer 'meta:lama-3' (did you mean: meta:llama-3" in result.output
    debug = CliRunner().invoke(cli, ["--debug", "count", "-", "-t", "meta:lama-3"], input="x")
    assert isinstance(debug.exception, UnknownTokenizerError)


def test_count_binary_file_is_one_error_line(tmp_path):
    f = tmp_path / "bin.dat"
    f.write_bytes(b"ok\xff")
    result = run(["count", str(f), "-t", "openai:o200k_base"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: {f}: invalid UTF-8 at byte offset 2 "
                                     "(convert the file to UTF-8, or pass --errors replace)")


class FakeBook:
    """The slice of costcalc.prices.PriceBook that `count -m` uses."""

    version = "2026.11.22+test"

    def __init__(self, as_of=None):
        self.as_of = as_of
        entry = SimpleNamespace(unit="token")
        self.offerings = {
            "anthropic/claude-2.1": SimpleNamespace(
                ref="anthropic/claude-2.1", tokenizer="anthropic:claude-2",
                price=lambda as_of=None, currency=None: SimpleNamespace(
                    input=Decimal("8"), output=Decimal("24"), currency=currency or "USD",
                    as_of=date(2023, 12, 14), entry=entry, citation_text=lambda: "test table")),
            "amazon/titan-text-express": SimpleNamespace(
                ref="amazon/titan-text-express", tokenizer="estimate:openai:cl100k_base*1.1",
                price=lambda as_of=None, currency=None: SimpleNamespace(
                    input=Decimal("0.8"), output=None, currency="USD", as_of=date(2023, 12, 14), entry=entry,
                    citation_text=lambda: "test table")),
            "google/gemini-1.0-pro": SimpleNamespace(
                ref="google/gemini-1.0-pro", tokenizer="openai:cl100k_base",
                price=lambda as_of=None, currency=None: SimpleNamespace(
                    input=Decimal("0.125"), output=Decimal("0.375"), currency="USD", as_of=date(2024, 3, 1),
                    entry=SimpleNamespace(unit="character"), citation_text=lambda: "test table")),
        }

    def lookup(self, ref):
        if ref not in self.offerings:
            raise UnknownOfferingError(f"unknown offering {ref!r}")
        return self.offerings[ref]


def test_count_offerings_price_the_text(monkeypatch):
    monkeypatch.setattr(costcalc.prices, "load_prices", lambda as_of=None, path=None: FakeBook(as_of))
    text = "All human beings are born free and equal in dignity and rights."
    result = run(["count", "-", "-m", "anthropic/claude-2.1", "-m", "amazon/titan-text-express",
                  "-t", "openai:cl100k_base", "--as-of", "2023-12-14", "--format", "json"], input=text)
    assert result.exit_code == 0, result.output
    rows = {r["offering"] or r["tokenizer"]: r for r in json.loads(result.output)}
    claude = rows["anthropic/claude-2.1"]
    n = get_tokenizer("anthropic:claude-2").count(text)
    assert claude["tokenizer"] == "anthropic:claude-2" and claude["tokens"] == n and claude["exact"] is True
    assert Decimal(str(claude["input_cost"])) == Decimal(n) * 8 / 1_000_000
    assert Decimal(str(claude["output_cost"])) == Decimal(n) * 24 / 1_000_000
    titan = rows["amazon/titan-text-express"]
    assert titan["exact"] is False and titan["tokenizer"].startswith("estimate:") and titan["output_cost"] is None
    assert rows["openai:cl100k_base"]["offering"] is None
    per_char = json.loads(run(["count", "-", "-m", "google/gemini-1.0-pro", "--format", "json"], input=text).output)
    assert Decimal(str(per_char[0]["input_cost"])) == Decimal("0.125") * len(text) / 1_000_000  # billed per char
    table = run(["count", "-", "-m", "anthropic/claude-2.1"], input=text)
    assert table.exit_code == 0 and table.output.splitlines()[0].split()[:2] == ["offering", "tokenizer"]
    assert "in force on 2023-12-14 (price table 2026.11.22+test)" in table.output
    bad = run(["count", "-", "-m", "anthropic/claude-21"], input=text)
    assert bad.exit_code == 2 and "Error: unknown offering 'anthropic/claude-21'" in bad.output


GOLD_PRICING = Path(__file__).parent / "data" / "gold-pricing"


def test_count_offerings_with_a_real_price_table():
    text = "Tutti gli esseri umani nascono liberi ed eguali in dignità e diritti."
    result = run(["count", "-", "-m", "demo/euro-model", "-m", "demo/hidden-tokenizer", "--pricing-dir",
                  str(GOLD_PRICING), "--as-of", "2023-12-14", "--format", "json"], input=text)
    assert result.exit_code == 0, result.output
    euro, hidden = json.loads(result.output)
    n = get_tokenizer("mistral:spm").count(text)
    assert (euro["offering"], euro["tokenizer"], euro["tokens"], euro["currency"]) == ("demo/euro-model",
                                                                                      "mistral:spm", n, "EUR")
    assert Decimal(str(euro["input_cost"])) == Decimal("2.5") * n / 1_000_000
    assert hidden["tokenizer"] == "estimate:openai:cl100k_base" and hidden["exact"] is False


# --- costcalc tokenizers list | check ---

def test_tokenizers_list_formats():
    table = run(["tokenizers", "list"])
    assert table.exit_code == 0 and "openai:o200k_base" in table.output and "estimate:<name>" in table.output
    rows = json.loads(run(["tokenizers", "list", "--format", "json"]).output)
    by_name = {r["name"]: r for r in rows}
    assert set(SHIPPED) <= set(by_name)
    assert by_name["meta:llama-3"]["vocab_size"] == 128256 and by_name["meta:llama-3"]["installed"] is True
    csv_out = run(["tokenizers", "list", "--format", "csv"]).output
    assert csv_out.splitlines()[0].startswith("name,exact,vocab_size,installed")


def test_tokenizers_check_passes_and_fails_on_mismatch(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTCALC_TOKENIZERS_DIR", str(tmp_path / "cache"))
    result = run(["tokenizers", "check", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert all(rows[n]["sha256"] == "ok" and rows[n]["ok"] for n in SHIPPED)
    assert rows["meta:llama-2"]["vectors"] == "46/46" and rows["meta:llama-3"]["vectors"] == "84/84"

    import costcalc.tokenizers.assets as assets_mod
    from costcalc.tokenizers import registry

    bad = tmp_path / "assets"
    import shutil

    shutil.copytree(assets_mod.ASSETS_DIR, bad)
    (bad / "meta-llama-2.model.gz").write_bytes(__import__("gzip").compress(b"tampered"))
    monkeypatch.setattr(assets_mod, "ASSETS_DIR", bad)
    registry.clear_cache()
    try:
        failed = run(["tokenizers", "check"])
        assert failed.exit_code == 1
        line = next(ln for ln in failed.output.splitlines() if ln.startswith("meta:llama-2"))
        assert "mismatch" in line and "FAILED: meta:llama-2" in failed.output
    finally:
        registry.clear_cache()


def test_missing_file_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    from costcalc.cli import cli

    result = CliRunner().invoke(cli, ["count", str(tmp_path / "nope.txt"), "-t", "openai:cl100k_base"])
    assert result.exit_code == 2 and "does not exist" in result.stderr and "Traceback" not in result.output
