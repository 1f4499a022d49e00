"""Counting engine: counts equal direct tokenizer calls; the on-disk cache is exact, keyed by fingerprint,
and safe to share between processes."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from costcalc.cache import CountCache, count_key, text_key
from costcalc.corpus import Corpus, Document, load_corpus
from costcalc.counting import count_corpus, count_texts, premiums
from costcalc.errors import InputError
from costcalc.tokenizers import get_tokenizer

NAMES = ["openai:cl100k_base", "mistral:spm", "anthropic:claude-2", "meta:llama-2"]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus("bundled")


def test_counts_equal_direct_tokenizer_calls(corpus, tmp_path):
    langs = ["en", "it", "ja"]
    counts = count_corpus(corpus, NAMES, languages=langs, workers=2, cache=CountCache(tmp_path))
    assert len(counts) == len(NAMES) * sum(len(corpus.by_lang[lang]) for lang in langs)
    for row in counts.itertuples():
        text = corpus.by_lang[row.lang][row.doc]
        assert row.tokens == get_tokenizer(row.tokenizer).count(text)
        assert (row.chars, row.bytes) == (len(text), len(text.encode()))


def test_cache_returns_identical_results_without_recounting(corpus, tmp_path, monkeypatch):
    cache = CountCache(tmp_path)
    cold = count_corpus(corpus, NAMES[:2], languages=["en", "de"], workers=1, cache=cache)
    import costcalc.counting as counting

    def fail(*args):
        raise AssertionError("a cached count was recomputed")

    monkeypatch.setattr(counting, "_count_batch", fail)
    warm = count_corpus(corpus, NAMES[:2], languages=["en", "de"], workers=1, cache=cache)
    assert warm.equals(cold)


def test_cache_is_keyed_by_fingerprint(tmp_path):
    cache = CountCache(tmp_path)
    texts = {text_key("Ciao a tutti"): "Ciao a tutti"}
    tok = get_tokenizer("openai:cl100k_base")
    first = count_texts(texts, ["openai:cl100k_base"], workers=1, cache=cache)
    key = count_key("openai:cl100k_base", tok.fingerprint)
    assert cache.get_many(key, texts) == first["openai:cl100k_base"]
    # A changed vocabulary (another fingerprint) must not see the old entry, nor the bare fingerprint (a count
    # made by another tiktoken version or older costcalc code).
    assert cache.get_many(count_key("openai:cl100k_base", "0" * 64), texts) == {}
    assert cache.get_many(tok.fingerprint, texts) == {}
    cache.put_many(key, {k: 999 for k in texts})  # poison: proves reads come from the cache
    assert count_texts(texts, ["openai:cl100k_base"], workers=1, cache=cache)["openai:cl100k_base"] == {
        k: 999 for k in texts}


def test_disabled_cache_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("COSTCALC_CACHE_DIR", "")
    cache = CountCache()
    assert cache.path is None
    count_texts({text_key("x"): "x"}, ["openai:cl100k_base"], workers=1, cache=cache)
    assert list(tmp_path.iterdir()) == []


def _writer(directory: str, worker: int, rounds: int) -> None:
    cache = CountCache(__import__("pathlib").Path(directory))
    for r in range(rounds):
        cache.put_many("fp", {f"{worker}-{r}-{i}": worker * 1000 + i for i in range(50)})
        cache.get_many("fp", [f"{1 - worker}-{r}-{i}" for i in range(50)])
    cache.close()


def test_concurrent_processes_share_one_cache(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    # Two processes opening the same *new* cache at once is the delicate moment (switching it to WAL): try it
    # on several fresh caches, then check one of them in depth.
    for trial in range(6):
        procs = [ctx.Process(target=_writer, args=(str(tmp_path / str(trial)), w, 3 if trial else 40))
                 for w in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
        assert [p.exitcode for p in procs] == [0, 0], f"trial {trial}"
    db = sqlite3.connect(tmp_path / "0" / "counts.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT COUNT(*) FROM counts").fetchone() == (2 * 40 * 50,)
    assert db.execute("SELECT tokens FROM counts WHERE text_sha256 = '1-39-7'").fetchone() == (1007,)


def test_premiums_use_only_documents_present_in_both(tmp_path):
    corpus = Corpus("t", (Document("en", "a", "Hello world."), Document("en", "b", "Good morning."),
                          Document("it", "a", "Ciao mondo.")), "t")
    counts = count_corpus(corpus, ["openai:cl100k_base"], workers=1, cache=CountCache(tmp_path))
    table = premiums(counts).set_index("language")
    tok = get_tokenizer("openai:cl100k_base")
    assert table.loc["it", "premium"] == tok.count("Ciao mondo.") / tok.count("Hello world.")
    assert table.loc["it", "documents"] == 1 and table.loc["en", "premium"] == 1.0
    with pytest.raises(InputError, match="--reference LANG"):
        premiums(counts[counts["lang"] == "it"])
