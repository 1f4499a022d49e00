"""Fast counting (splintr-rs) against the reference library (tiktoken), count for count.

Every tokenizer the fast backend serves is compared on the differential battery (tests/differential.py): the
multilingual id-equality set, the bundled corpus whole and line by line, code, whitespace runs, emoji/ZWJ,
combining marks, lone surrogates, invalid UTF-8 as decoded with --errors replace, special-token look-alikes,
100k-character words, a sweep of every code point in several contexts, and hypothesis fuzzing. A test double
that miscounts by one on one script must make these checks fail.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc.cache import CountCache, count_key, text_key
from costcalc.counting import count_texts, identity
from costcalc.tokenizers import assets, get_tokenizer, list_tokenizers, registry
from costcalc.tokenizers.backends import fastcount, tiktoken_bpe
from tests import differential

SERVED = sorted(fastcount.SERVED)
PARTS = dict(differential.battery())


def reference(tok) -> differential.Counter:
    """The reference library's own count: tiktoken's encode_ordinary on the same ranks and regex."""
    model = tok._model if tok.name == "mistral:tekken" else tok.encoding
    return lambda text: len(model.encode_ordinary(text))


def assert_identical(tok, texts) -> None:
    wrong = differential.mismatches(tok.count, reference(tok), texts)
    assert not wrong, f"{tok.name}: fast counts differ from the reference on: {wrong}"


def assert_sweep_identical(tok) -> None:
    wrong = differential.sweep_mismatches(tok.count, reference(tok))
    assert not wrong, f"{tok.name}: fast counts differ from the reference on the code-point sweep: {wrong}"


@pytest.mark.parametrize("name", SERVED)
def test_fast_backend_counts_every_served_tokenizer(name):
    tok = get_tokenizer(name)
    assert tok._counter is not None
    assert tok.fingerprint.endswith(f"+splintr-rs-{fastcount.version()}")
    assert identity(name)[0] == tok.fingerprint  # the manifest path (no load) gives the same cache key


@pytest.mark.parametrize("part", sorted(PARTS))
@pytest.mark.parametrize("name", SERVED)
def test_counts_identical_on_battery(name, part):
    assert_identical(get_tokenizer(name), PARTS[part])


@pytest.mark.parametrize("name", SERVED)
def test_counts_identical_on_every_code_point(name):
    assert_sweep_identical(get_tokenizer(name))


# Any code point (surrogates included) mixed with the characters the regexes treat specially.
_FUZZ_TEXT = st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from(list(" \t\n\r'aZ1.!-/é"))),
                     max_size=200)


@pytest.mark.parametrize("name", SERVED)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_FUZZ_TEXT)
def test_counts_identical_fuzzed(name, text):
    tok = get_tokenizer(name)
    assert tok.count(text) == reference(tok)(text)


def test_lone_surrogates_are_replaced_like_tiktoken():
    tok = get_tokenizer("openai:cl100k_base")
    for text in ("\ud800", "a\udfffb", "\udc00\ud800x"):
        replaced = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        assert tok.count(text) == tok.count(replaced) == len(tok.encoding.encode_ordinary(text))


class WrongOnOneScript:
    """A test double backend: the real fast count, plus one on any text with a character in [lo, hi]."""

    def __init__(self, real, lo: int, hi: int) -> None:
        self.real, self.lo, self.hi = real, lo, hi

    def __call__(self, text: str) -> int:
        return self.real(text) + any(self.lo <= ord(c) <= self.hi for c in text)


# (script, first and last code point, a battery part whose texts use it, or None when only the sweep has it)
SCRIPTS = [("Devanagari", 0x0900, 0x097F, "corpus-lines"), ("Hangul", 0xAC00, 0xD7A3, "multilingual"),
           ("Thai", 0x0E00, 0x0E7F, "corpus"), ("Georgian", 0x10A0, 0x10FF, None)]


@pytest.mark.parametrize(("script", "lo", "hi", "part"), SCRIPTS, ids=[s[0] for s in SCRIPTS])
def test_a_backend_wrong_on_one_script_fails_the_checks(script, lo, hi, part):
    real = get_tokenizer("openai:o200k_base")
    wrong = copy.copy(real)
    wrong._counter = WrongOnOneScript(real._counter, lo, hi)
    assert wrong.encode("ok") == real.encode("ok")  # ids never come from the counter
    with pytest.raises(AssertionError, match="code-point sweep"):
        assert_sweep_identical(wrong)
    if part is not None:
        with pytest.raises(AssertionError, match="differ from the reference"):
            assert_identical(wrong, PARTS[part])


@pytest.fixture
def reference_only(monkeypatch):
    """As on a platform without splintr-rs wheels."""
    monkeypatch.setattr(fastcount, "version", lambda: None)
    registry.clear_cache()
    yield
    registry.clear_cache()


def test_without_the_fast_package_tiktoken_counts_and_says_so(reference_only):
    tok = tiktoken_bpe.load_openai("cl100k_base")
    assert tok._counter is None
    assert tok.fingerprint == assets.entry("openai:cl100k_base").sha256
    info = {i.name: i.to_dict() for i in list_tokenizers()}["openai:cl100k_base"]
    assert (info["backend"], info["counts_with"]) == ("tiktoken", "tiktoken")
    texts = differential.multilingual()
    assert [tok.count(t) for t in texts] == [len(tok.encoding.encode_ordinary(t)) for t in texts]


def test_switched_off_by_environment(monkeypatch):
    monkeypatch.setenv(fastcount.DISABLE_ENV, "0")
    tok = tiktoken_bpe.load_llama("llama-3")
    assert tok._counter is None
    assert tok.fingerprint == assets.entry("meta:llama-3").sha256


def test_tokenizers_list_names_the_counting_library():
    info = {i.name: i.to_dict() for i in list_tokenizers()}
    for name in SERVED:
        assert info[name]["counts_with"] == f"splintr-rs {fastcount.version()}"
        assert info[name]["fingerprint"].endswith(f"+splintr-rs-{fastcount.version()}")
    assert info["meta:llama-2"]["counts_with"] == "sentencepiece"


def test_count_cache_never_mixes_backends(tmp_path, monkeypatch):
    cache = CountCache(tmp_path / "counts.sqlite")
    texts = {text_key(t): t for t in differential.multilingual()[:5]}
    fast = count_texts(texts, ["openai:o200k_base"], workers=1, cache=cache)
    fast_key = count_key("openai:o200k_base", identity("openai:o200k_base")[0])
    assert cache.get_many(fast_key, texts).keys() == texts.keys()
    monkeypatch.setattr(fastcount, "version", lambda: None)
    registry.clear_cache()
    try:
        slow_key = count_key("openai:o200k_base", identity("openai:o200k_base")[0])
        assert slow_key != fast_key
        assert cache.get_many(slow_key, texts) == {}  # nothing counted by splintr-rs is served as tiktoken's
        slow = count_texts(texts, ["openai:o200k_base"], workers=1, cache=cache)
    finally:
        registry.clear_cache()
    assert slow == fast
