"""Genre weighting and effective context: exact Decimal values against direct tokenizer calls."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from costcalc.corpus import Corpus, Document, load_corpus
from costcalc.cost_model import Workload
from costcalc.costing import compute
from costcalc.errors import InputError
from costcalc.genre import DEFAULT_DESCRIPTION, genre_weights, parse_genre
from costcalc.prices import load_prices
from costcalc.tokenizers import get_tokenizer
from tests.conftest import write_pricing

TABLE = """\
provider: test
name: Test provider
pricing_url: https://example.invalid/pricing
models:
  - id: m1
    name: M1
    tokenizer: openai:cl100k_base
    context_window: 8192
    prices:
      - from: 2024-01-01
        currency: USD
        input: 2
        output: 8
        source: [test]
        confidence: high
    checked: 2026-11-22
  - id: m2
    name: M2
    tokenizer: openai:o200k_base
    prices:
      - from: 2024-01-01
        currency: USD
        input: 1
        output: 4
        source: [test]
        confidence: high
    checked: 2026-11-22
"""
CORPUS = Corpus("t", (
    Document("en", "chat", "Please reset your password."),
    Document("en", "code", "def total(xs):\n    return sum(xs)  # add them up\n"),
    Document("it", "chat", "Reimposta la password, per favore."),
    Document("it", "code", "def total(xs):\n    return sum(xs)  # sommali\n"),
), "t", (("chat", "support chat"), ("code", "code")))


def _compute(tmp_path, genres=None):
    book = load_prices(path=write_pricing(tmp_path / "p", {"test": TABLE}))
    return compute(book, CORPUS, languages=["it"], models=["test/m1", "test/m2"], base="test/m1",
                   as_of=date(2024, 6, 1), currency="USD", workload=Workload(), genres=genres)


def _count(lang: str, doc: str, name: str = "openai:cl100k_base") -> int:
    return get_tokenizer(name).count(CORPUS.by_lang[lang][doc])


def test_weighted_cost_is_the_weighted_mean_of_per_genre_costs(tmp_path):
    m = _compute(tmp_path, {"chat": 3, "code": 1})
    chars_en = {d: len(CORPUS.by_lang["en"][d]) for d in ("chat", "code")}
    expected = Decimal(2) * (3 * Decimal(_count("it", "chat")) / chars_en["chat"]
                             + 1 * Decimal(_count("it", "code")) / chars_en["code"]) / 4
    assert abs(m.row("it", "test/m1").cost - expected) < Decimal("1e-25")
    assert m.provenance.genre == "genre-weighted: chat 75 %, code 25 % of the content"
    assert m.provenance.genre_weights == {"chat": Decimal(3), "code": Decimal(1)}


def test_one_genre_alone_gives_that_documents_premium_and_cost(tmp_path):
    m = _compute(tmp_path, {"code": 1})
    row = m.row("it", "test/m1")
    assert row.premium == pytest.approx(_count("it", "code") / _count("en", "code"))
    per_genre = {(r.genre, r.offering): r for r in m.genre_rows}
    assert abs(per_genre[("code", "test/m1")].cost - row.cost) < Decimal("1e-25")  # Decimal's 28 digits
    assert per_genre[("chat", "test/m1")].premium == _count("it", "chat") / _count("en", "chat")


def test_default_pools_every_document_and_says_so(tmp_path):
    m = _compute(tmp_path)
    tokens = _count("it", "chat") + _count("it", "code")
    chars_en = sum(len(CORPUS.by_lang["en"][d]) for d in ("chat", "code"))
    assert m.row("it", "test/m1").cost == Decimal(2) * tokens / chars_en
    assert m.provenance.genre == DEFAULT_DESCRIPTION
    assert m.provenance.genres == {"chat": "support chat", "code": "code"}


def test_effective_context_holds_window_over_tokens_per_character(tmp_path):
    m = _compute(tmp_path)
    row = m.row("it", "test/m1")
    chars_it = sum(len(CORPUS.by_lang["it"][d]) for d in ("chat", "code"))
    tokens_it = _count("it", "chat") + _count("it", "code")
    tokens_en = _count("en", "chat") + _count("en", "code")
    assert row.context_window == 8192
    assert row.context_chars == 8192 * chars_it // tokens_it
    assert row.context_vs_en == pytest.approx(tokens_en / tokens_it)
    no_window = m.row("it", "test/m2")
    assert (no_window.context_window, no_window.context_chars, no_window.context_vs_en) == (None, None, None)


@pytest.mark.parametrize(("specs", "message"), [
    (["cod"], "unknown genre 'cod'"),
    (["code=-1"], "must be a number >= 0"),
    (["code=abc"], "is not a number"),
    (["code=0"], "add up to 0"),
    (["code=nan"], "must be a number >= 0"),
])
def test_bad_genre_specs_name_the_problem(specs, message):
    with pytest.raises(InputError, match=message):
        genre_weights(specs, ["chat", "code"])


def test_genre_specs_parse_and_repeat():
    assert parse_genre("code") == ("code", Decimal(1))
    assert genre_weights(["code=2", "chat", "code=0.5"], ["chat", "code"]) == {"code": Decimal("2.5"),
                                                                               "chat": Decimal(1)}
    assert genre_weights([], ["chat"]) is None


def test_bundled_manifest_genres_are_the_vocabulary():
    corpus = load_corpus("bundled")
    assert set(corpus.genres) == set(corpus.doc_ids)
    assert corpus.genres["technical-code"].startswith("technical text with a Python code block")
