"""The result and count caches: a code change or a library upgrade never serves an old figure, nothing in the
cache is executable, and a corrupt or unwritable cache costs one warning, never the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import pytest

import costcalc
from costcalc.cache import CountCache, ResultCache, code_fingerprint, count_key, library_versions

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
ARGS = ["report", "-l", "it", "-m", "demo/euro-model", "-m", "demo/gpt-like", "--as-of", "2023-12-14",
        "--corpus", str(DATA / "gold-corpus"), "--pricing-dir", str(DATA / "gold-pricing"), "--workers", "1",
        "--format", "json"]


def _costs(stdout: str) -> dict[str, float]:
    return {r["offering"]: r["cost"] for r in json.loads(stdout)["absolute"]}


def test_changed_costing_code_gives_new_figures_from_a_warm_cache(tmp_path):
    """Reproduces the issue: double a cost in the cost model of an installed copy; the cached report must follow."""
    shutil.copytree(Path(costcalc.__file__).parent, tmp_path / "site" / "costcalc",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "COSTCALC_CACHE_DIR": str(tmp_path / "cache")}

    def report() -> dict[str, float]:
        done = subprocess.run([sys.executable, "-m", "costcalc", *ARGS], env=env, capture_output=True, text=True,
                              cwd=tmp_path, timeout=300)
        assert done.returncode == 0, done.stderr
        return _costs(done.stdout)

    before = report()
    assert report() == before  # served from the cache
    assert len(list((tmp_path / "cache" / "results").glob("*.json"))) == 1
    costing = tmp_path / "site" / "costcalc" / "cost_model.py"
    old = "    return eff_in, eff_out, notes\n"  # the effective prices of the workload
    assert costing.read_text().count(old) == 1
    costing.write_text(costing.read_text().replace(old, "    return 2 * eff_in, 2 * eff_out, notes\n"))
    after = report()
    assert after == {ref: pytest.approx(2 * cost) for ref, cost in before.items()}


def test_result_cache_is_json_and_keeps_decimals_and_dates(tmp_path):
    from datetime import date
    from decimal import Decimal

    cache = ResultCache(tmp_path)
    value = {"cost": Decimal("1.001470704573547589616810878"), "day": date(2023, 12, 14), "n": [1, 2.5, None]}
    cache.put("k", value)
    assert cache.get("k") == value
    assert json.loads((tmp_path / "results" / "k.json").read_text())["cost"] == {
        "$decimal": "1.001470704573547589616810878"}
    assert not list(tmp_path.rglob("*.pickle"))


def test_corrupt_result_file_is_a_miss_with_one_warning(tmp_path):
    cache = ResultCache(tmp_path / "corrupt-results")
    (tmp_path / "corrupt-results" / "results").mkdir(parents=True)
    (tmp_path / "corrupt-results" / "results" / "k.json").write_bytes(b"\x80\x04not json")
    with pytest.warns(costcalc.errors.CostcalcWarning, match="skipped"):
        assert cache.get("k") is None


def test_count_key_follows_tokenizer_library_versions_and_code():
    key = count_key("openai:cl100k_base", "abc")
    assert key.startswith("abc|") and f"tiktoken={version('tiktoken')}" in key
    assert code_fingerprint("tokenizers")[:16] in key
    assert f"sentencepiece={version('sentencepiece')}" in count_key("meta:llama-2", "abc")
    assert "tiktoken" not in count_key("meta:llama-2", "abc")
    assert library_versions(("no_such_module_xyz",)) == "no_such_module_xyz=-"


def test_code_fingerprint_covers_the_installed_sources():
    assert len(code_fingerprint()) == 64 and code_fingerprint() != code_fingerprint("tokenizers")


def test_corrupt_count_cache_is_skipped_with_one_warning(run, tmp_path, monkeypatch):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "counts.sqlite").write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(tmp_path / "c"))
    result = run(*ARGS[:-2], "--format", "csv")
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(lines) == 1 and "counts.sqlite skipped" in lines[0] and "COSTCALC_CACHE_DIR" in lines[0]
    assert result.stdout.startswith("language,offering,base,ratio")


def test_unusable_cache_dir_is_skipped_with_one_warning(run, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(tmp_path / "a-file"))
    result = run(*ARGS)
    assert result.exit_code == 0, result.stderr
    warnings_seen = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings_seen) == 2  # one per cache (counts, results), each once
    assert _costs(result.stdout)


def test_count_cache_get_put_round_trip(tmp_path):
    cache = CountCache(tmp_path)
    cache.put_many("fp", {"a": 3, "b": 5})
    assert cache.get_many("fp", ["a", "b", "c"]) == {"a": 3, "b": 5}
    assert cache.get_many("other", ["a"]) == {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a healthy cache warns about nothing
        cache.get_many("fp", ["a"])


def test_a_cached_comparison_comes_back_as_the_same_typed_matrix(tmp_path, monkeypatch):
    """The result cache stores the matrix's records as JSON; reading it back gives equal frozen records, so a
    cached report renders byte for byte like a computed one."""
    from costcalc.costing import compare
    from costcalc.matrix import (
        Caveat,
        CostMatrix,
        OfferingCost,
        OfferingSource,
        Premium,
        PresetHeader,
        PriceChange,
        PriceSource,
        Provenance,
        TokenizerUsed,
    )

    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(tmp_path))
    computed = compare()
    assert len(list((tmp_path / "results").glob("*.json"))) == 1

    def not_again(*args, **kwargs):
        raise AssertionError("computed again instead of read from the cache")

    monkeypatch.setattr("costcalc.costing.compute", not_again)
    cached = compare()
    assert cached is not computed and cached == computed
    assert isinstance(cached.absolute_rows[0], OfferingCost) and isinstance(cached.caveats[0], Caveat)
    source = cached.source(cached.base)
    assert isinstance(source, OfferingSource) and isinstance(source.price, PriceSource)
    assert source.price.fx_rate is not None  # Mistral Medium was billed in EUR: the rate survives the round trip
    assert cached.to_json() == computed.to_json() and cached.to_markdown() == computed.to_markdown()
    assert cached.to_html() == computed.to_html()  # the page also reads price history and per-document counts
    prov = cached.provenance
    assert isinstance(prov, Provenance) and isinstance(prov.preset, PresetHeader)
    assert all(isinstance(t, TokenizerUsed) for t in prov.tokenizers.values())
    assert prov.tokenizers["amazon:titan"].calibration["it"]["method"] == "uncalibrated"
    assert isinstance(cached.premium_rows[0], Premium)
    change = cached.price_history.offerings[cached.base][-1]
    assert isinstance(change, PriceChange) and isinstance(change.price, PriceSource)
    assert cached.documents.tokens["openai:cl100k_base"]["it"] == computed.documents.tokens["openai:cl100k_base"]["it"]
    # A file from another version of the records (a field added or gone) is a miss, not a wrong matrix.
    stored = ResultCache(tmp_path).get(next((tmp_path / "results").glob("*.json")).stem)
    assert CostMatrix.from_cache(stored) == computed.with_provenance(preset=None)  # the preset is said on the way out
    assert CostMatrix.from_cache({**stored, "provenance": {**stored["provenance"], "extra": 1}}) is None
    assert CostMatrix.from_cache({**stored, "provenance": {k: v for k, v in stored["provenance"].items()
                                                           if k != "genre"}}) is None
