"""Closed tokenizer families: registered, never exact, base count x the calibration for the language."""

from __future__ import annotations

import gzip
import hashlib
from decimal import ROUND_HALF_UP, Decimal

import pytest

from costcalc.calibrate import load_set, resolve, using
from costcalc.errors import PriceTableError
from costcalc.tokenizers import assets, get_tokenizer, is_known, list_tokenizers
from costcalc.tokenizers.families import FAMILIES

TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
TEXTS = ["Hello world, this is plain English text.", "Ciao a tutti, come state oggi?", "日本語のテキストです。",
         "<|start|>user<|message|>looks like harmony<|end|>", "  spaced\n\n\tcode = f(x) + 42;  "]


def scaled(n: int, factor: Decimal) -> int:
    return int((Decimal(n) * factor).to_integral_value(rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_family_is_known_and_listed_as_not_exact(name):
    assert is_known(name)
    info = {i.name: i for i in list_tokenizers()}[name]
    assert info.exact is False and FAMILIES[name].base in info.source


@pytest.mark.parametrize("name", ["anthropic:claude-3", "anthropic:claude-4.7", "amazon:titan", "amazon:nova",
                                  "mistral:closed"])
def test_family_counts_base_times_language_agnostic_factor(name):
    tok = get_tokenizer(name)
    base = get_tokenizer(FAMILIES[name].base)
    factor = resolve(name).factor
    assert tok.exact is False
    for text in TEXTS:
        assert tok.count(text) == scaled(base.count(text), factor), text


def test_shipped_defaults_cite_sources_and_uncalibrated_families_say_so():
    cal = load_set()
    claude = cal.resolve("anthropic:claude-3", "it")
    assert claude.factor == Decimal("1.16") and not claude.language_specific
    assert "language-agnostic, applied to it" in claude.label() and claude.calibration.sources
    assert cal.resolve("anthropic:claude-3", "en").language_specific
    assert cal.resolve("anthropic:claude-4.7", "ja").factor > cal.resolve("anthropic:claude-3", "ja").factor
    nova = cal.resolve("amazon:nova", "en")
    assert nova.calibration is None and nova.factor == 1 and "uncalibrated" in nova.label()


def _write(path, entries: str):
    path.write_text("calibrations:\n" + entries, encoding="utf-8")
    return path


ENTRY = """  - family: anthropic:claude-3
    base: openai:o200k_base
    language: {lang}
    factor: {factor}
    tokens_measured: 1000
    method: vendor-count
    measured: {day}
    confidence: high
"""


def test_overlay_precedence_language_specific_then_user_then_latest(tmp_path):
    user = _write(tmp_path / "cal.yaml", ENTRY.format(lang="it", factor="1.4", day="2026-11-01")
                  + ENTRY.format(lang="it", factor="1.5", day="2026-11-20")
                  + ENTRY.format(lang="'*'", factor="1.9", day="2026-11-21"))
    with using([user]):
        it = resolve("anthropic:claude-3", "it")
        assert it.factor == Decimal("1.5") and it.origin == "cal.yaml" and it.language_specific
        # a language-specific shipped entry beats the user's language-agnostic one
        assert resolve("anthropic:claude-3", "en").factor == Decimal("1.16")
        assert resolve("anthropic:claude-3", "de").factor == Decimal("1.9")
        tok = get_tokenizer("anthropic:claude-3")
        assert tok.count(TEXTS[0]) == scaled(get_tokenizer("openai:o200k_base").count(TEXTS[0]), Decimal("1.9"))
    assert resolve("anthropic:claude-3", "it").factor == Decimal("1.16")


@pytest.mark.parametrize("body, message", [
    (ENTRY.format(lang="it", factor="0", day="2026-11-01"), "greater than 0"),
    (ENTRY.format(lang="it", factor="1.2", day="2026-11-01").replace("openai:o200k_base", "openai:cl100k_base"),
     "counts with base openai:o200k_base"),
    (ENTRY.format(lang="it", factor="1.2", day="2026-11-01").replace("anthropic:claude-3", "anthropic:claude-9"),
     "unknown tokenizer family"),
    (ENTRY.format(lang="it", factor="1.2", day="2026-11-01").replace("    tokens_measured: 1000\n", ""),
     "needs tokens_measured"),
    (ENTRY.format(lang="it", factor="1.2", day="2026-11-01").replace("vendor-count", "published"),
     "needs sources"),
])
def test_bad_calibration_file_names_the_problem(tmp_path, body, message):
    bad = _write(tmp_path / "bad.yaml", body)
    with pytest.raises(PriceTableError, match=message):
        load_set([bad])


def test_missing_calibration_file_is_one_clear_error(tmp_path):
    with pytest.raises(PriceTableError, match="not found"):
        load_set([tmp_path / "nope.yaml"])


@pytest.fixture(scope="module")
def harmony_reference(tmp_path_factory):
    """tiktoken's own o200k_harmony, served offline from our shipped o200k_base ranks (the same file)."""
    import tiktoken
    import tiktoken.registry

    cache = tmp_path_factory.mktemp("tiktoken-cache")
    raw = gzip.decompress((assets.ASSETS_DIR / "openai-o200k_base.tiktoken.gz").read_bytes())
    (cache / hashlib.sha1(TIKTOKEN_URL.format("o200k_base").encode()).hexdigest()).write_bytes(raw)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TIKTOKEN_CACHE_DIR", str(cache))
        for enc in ("o200k_base", "o200k_harmony"):
            tiktoken.registry.ENCODINGS.pop(enc, None)
        encodings = tiktoken.get_encoding("o200k_harmony"), tiktoken.get_encoding("o200k_base")
        for enc in ("o200k_base", "o200k_harmony"):
            tiktoken.registry.ENCODINGS.pop(enc, None)
    return encodings


def test_o200k_harmony_is_exact_and_equals_tiktoken(harmony_reference):
    harmony, base = harmony_reference
    tok = get_tokenizer("openai:o200k_harmony")
    assert tok.exact and tok.vocab_size == harmony.n_vocab
    for text in TEXTS:
        assert tok.encode(text) == harmony.encode_ordinary(text) == base.encode_ordinary(text), text
    assert tok.fingerprint == get_tokenizer("openai:o200k_base").fingerprint


def test_tokenizers_list_says_how_each_family_is_calibrated(run):
    import json

    rows = {r["name"]: r for r in json.loads(run("tokenizers", "list", "--format", "json").output)}
    assert rows["anthropic:claude-3"]["calibrated"] == "*: published 2025-05-01; en: published 2025-05-01"
    assert rows["amazon:nova"]["calibrated"] == "uncalibrated (x 1)" and rows["amazon:nova"]["exact"] is False
    assert rows["openai:o200k_harmony"]["exact"] is True and rows["openai:o200k_base"]["calibrated"] == ""
