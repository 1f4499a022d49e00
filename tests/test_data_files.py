"""The data files outside the price tables (fx.yaml, source-map.yaml, the tokenizer MANIFEST, a corpus manifest)
are read against their pydantic schemas: a bad file is one line naming file:line and the problem, exit 1."""

from __future__ import annotations

import re
import shutil

import pytest

from costcalc.errors import CostcalcError
from costcalc.prices import default_pricing_dir
from tests.conftest import FX, MISTRAL, write_pricing


@pytest.mark.parametrize("fx, pattern", [
    (FX.replace("1.0787", "-1.0787"), r"fx\.yaml:6: rates\.2023-12-13: Input should be greater than 0"),
    (FX.replace("base: EUR", "base: euro"), r"fx\.yaml:1: base: String should match pattern"),
    (FX.replace("rates:", "rate:"), r"fx\.yaml:1: rates: missing required field 'rates'"),
    (FX.replace("1.0787", "soon"), r"fx\.yaml:6: rates\.2023-12-13: Input should be a valid decimal"),
])
def test_bad_fx_file_is_one_line_and_exit_1(tmp_path, run, fx, pattern):
    root = write_pricing(tmp_path, {"mistral": MISTRAL}, fx=fx)
    result = run("prices", "list", "--pricing-dir", str(root))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert re.search(pattern, result.stderr), result.stderr


@pytest.mark.parametrize("line, pattern", [
    ("  anthropic/claude-x: {litelm: claude-x}", r"source-map\.yaml:\d+: offerings\.anthropic/claude-x\.litelm: "
                                                 r"unknown field 'litelm'"),
    ("  anthropic/claude-x: {litellm: claude-x, unmapped: \"not listed anywhere\"}", "stands alone"),
    ("  anthropic/claude-x: {unmapped: no}", r"unmapped: Input should be a valid string"),
    ("  claude-x: {litellm: claude-x}", r"offerings\.claude-x"),
])
def test_bad_source_map_is_one_line_and_exit_1(tmp_path, run, line, pattern):
    from costcalc.cli.prices import prices
    from costcalc.cli.refresh import refresh

    root = tmp_path / "pricing"
    shutil.copytree(default_pricing_dir(), root, ignore=shutil.ignore_patterns(".*"))
    with (root / "source-map.yaml").open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    prices.add_command(refresh)
    result = run("prices", "refresh", "--pricing-dir", str(root), "--source", "litellm",
                 "--input", str(root / "VERSION"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert re.search(r"source-map\.yaml:\d+: ", result.stderr) and re.search(pattern, result.stderr), result.stderr


def test_bad_tokenizer_manifest_is_one_line(tmp_path, monkeypatch):
    from costcalc.tokenizers import assets

    bad = tmp_path / "MANIFEST.yaml"
    text = assets.MANIFEST.read_text(encoding="utf-8")
    bad.write_text(text.replace("    vocab_size: 100277\n", "    vocab_size: lots\n", 1), encoding="utf-8")
    monkeypatch.setattr(assets, "MANIFEST", bad)
    assets.manifest.cache_clear()
    try:
        with pytest.raises(CostcalcError) as caught:
            assets.entry("openai:cl100k_base")
    finally:
        assets.manifest.cache_clear()
    message = str(caught.value)
    assert "\n" not in message
    assert re.search(r"MANIFEST\.yaml:\d+: tokenizers\.openai:cl100k_base\.vocab_size: Input should be a valid "
                     r"integer", message), message


def test_bad_corpus_manifest_is_one_line_and_exit_1(tmp_path, run):
    corpus = tmp_path / "mine"
    (corpus / "en").mkdir(parents=True)
    (corpus / "en" / "a.txt").write_text("Hello there.\n", encoding="utf-8")
    (corpus / "manifest.yaml").write_text("documents:\n  a: chat\ngenres:\n  a: chat\n", encoding="utf-8")
    result = run("corpus", "stats", str(corpus))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert re.search(r"manifest\.yaml:\d: genres: unknown field 'genres'", result.stderr), result.stderr
    (corpus / "manifest.yaml").write_text("documents:\n  a: chat\n", encoding="utf-8")
    assert run("corpus", "stats", str(corpus)).exit_code == 0
