"""Costing: exact Decimal costs against direct tokenizer calls, workload blending, matrix properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costcalc.corpus import Corpus, Document
from costcalc.cost_model import Workload
from costcalc.costing import compute
from costcalc.errors import InputError, NoPriceError
from costcalc.prices import load_prices
from tests.conftest import write_pricing

TABLE = """\
provider: test
name: Test provider
pricing_url: https://example.invalid/pricing
models:
{models}
"""
MODEL = """\
  - id: {id}
    name: {id}
    tokenizer: {tokenizer}
    prices:
      - from: 2024-01-01
        currency: USD
        input: {input}
        output: {output}
{extra}        source: [test]
        confidence: high
    checked: 2026-11-22
"""
TOKENIZERS = ["openai:cl100k_base", "openai:o200k_base", "meta:llama-3"]
CORPUS = Corpus("t", (
    Document("en", "a", "The invoice is due on 14 March 2024."),
    Document("en", "b", "Please reset your password."),
    Document("it", "a", "La fattura scade il 14 marzo 2024."),
    Document("it", "b", "Reimposta la password, per favore."),
    Document("it", "c", "Solo in italiano."),
), "test")


def _book(tmp_path, prices: list[tuple[str, str, str, str]], extra: str = ""):
    models = "".join(MODEL.format(id=i, tokenizer=t, input=pin, output=pout, extra=extra) for i, t, pin, pout in prices)
    return load_prices(path=write_pricing(tmp_path / "p", {"test": TABLE.format(models=models.rstrip())}))


def test_cost_equals_price_times_tokens_per_english_character(tmp_path):
    from costcalc.tokenizers import get_tokenizer  # its ids are checked against tiktoken in test_tokenizers

    book = _book(tmp_path, [("m1", "openai:cl100k_base", "2.5", "10"), ("m2", "openai:o200k_base", "1", "4")])
    m = compute(book, CORPUS, languages=["it"], models=["test/m1", "test/m2"], base="test/m1",
                as_of=date(2024, 6, 1), currency="USD", workload=Workload())
    enc = get_tokenizer("openai:cl100k_base")
    tokens_it = enc.count(CORPUS.by_lang["it"]["a"]) + enc.count(CORPUS.by_lang["it"]["b"])  # 'c' is not aligned
    chars_en = len(CORPUS.by_lang["en"]["a"]) + len(CORPUS.by_lang["en"]["b"])
    row = m.absolute.set_index("offering").loc["test/m1"]
    assert (row["tokens"], row["chars_en"], row["documents"]) == (tokens_it, chars_en, 2)
    assert row["cost"] == Decimal("2.5") * tokens_it / chars_en
    rel = m.relative.set_index("offering")["ratio"]
    other = m.absolute.set_index("offering").loc["test/m2", "cost"]
    assert rel["test/m2"] == pytest.approx(float(other / row["cost"]))  # cost(offering) / cost(base)
    assert rel["test/m1"] == 1.0


def test_workload_mixed_cached_and_batch(tmp_path):
    extra = "        cached_input: 0.25\n        batch_input: 1.25\n        batch_output: 5\n"
    book = _book(tmp_path, [("m1", "openai:cl100k_base", "2.5", "10")], extra=extra)
    counts = pd.DataFrame([("openai:cl100k_base", "en", "a", 1000, 1000, 200, True),
                           ("openai:cl100k_base", "it", "a", 1100, 1100, 300, True)],
                          columns=["tokenizer", "lang", "doc", "chars", "bytes", "tokens", "exact"])
    corpus = Corpus("t", (Document("en", "a", "x"), Document("it", "a", "y")), "t")

    def cost(workload: Workload) -> Decimal:
        m = compute(book, corpus, languages=["it"], models=["test/m1"], base="test/m1", as_of=date(2024, 6, 1),
                    currency="USD", workload=workload, counts=counts)
        return m.absolute.loc[0, "cost"]

    per = Decimal(300) / Decimal(1000)  # tokens per English character
    assert cost(Workload()) == Decimal("2.5") * per
    assert cost(Workload("output")) == Decimal(10) * per
    assert cost(Workload("mixed", Decimal("0.5"))) == (Decimal("2.5") + Decimal(5)) * per
    # 40 % of input from cache at 0.25: 0.6 * 2.5 + 0.4 * 0.25 = 1.6
    assert cost(Workload(cached_share=Decimal("0.4"))) == Decimal("1.6") * per
    # half batch: 0.5 * 2.5 + 0.5 * 1.25
    assert cost(Workload(batch_share=Decimal("0.5"))) == Decimal("1.875") * per


@pytest.mark.parametrize(("kwargs", "pattern"), [
    ({"cached_share": Decimal("1.5")}, "cached-share must be between 0 and 1"),
    ({"batch_share": Decimal("-0.1")}, "batch-share must be between 0 and 1"),
    ({"direction": "mixed"}, "needs --output-ratio"),
])
def test_bad_workloads(kwargs, pattern):
    with pytest.raises(InputError, match=pattern):
        Workload(**kwargs)


def test_bad_selections(tmp_path):
    book = _book(tmp_path, [("m1", "openai:cl100k_base", "2.5", "10"), ("m2", "openai:o200k_base", "1", "4")])
    args = dict(languages=["it"], as_of=date(2024, 6, 1), currency="USD", workload=Workload())
    with pytest.raises(InputError, match=r"base 'test/m2' is not among the compared offerings"):
        compute(book, CORPUS, models=["test/m1"], base="test/m2", **args)
    with pytest.raises(InputError, match="no offerings selected"):
        compute(book, CORPUS, models=[], base="test/m1", **args)
    with pytest.raises(InputError, match="no languages selected"):
        compute(book, CORPUS, models=["test/m1"], base="test/m1", **{**args, "languages": []})
    with pytest.raises(NoPriceError, match="no price for test/m1 on 2023-06-01; first price from 2024-01-01"):
        compute(book, CORPUS, models=["test/m1"], base="test/m1", **{**args, "as_of": date(2023, 6, 1)})
    no_en = Corpus("t", (Document("it", "a", "x"),), "t")
    with pytest.raises(InputError, match="has no 'en' text"):
        compute(book, no_en, models=["test/m1"], base="test/m1", **args)


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)
token_counts = st.integers(min_value=1, max_value=10**7)


@settings(max_examples=40, deadline=None)
@given(p=st.lists(prices, min_size=3, max_size=3), t=st.lists(token_counts, min_size=3, max_size=3),
       en=st.integers(min_value=1, max_value=10**7))
def test_matrix_properties(tmp_path_factory, p, t, en):
    tmp = tmp_path_factory.mktemp("prop")
    book = _book(tmp, [(f"m{i}", TOKENIZERS[i], str(p[i]), "1") for i in range(3)])
    counts = pd.DataFrame(
        [(TOKENIZERS[i], "en", "a", en, en, en, True) for i in range(3)]
        + [(TOKENIZERS[i], "it", "a", en, en, t[i], True) for i in range(3)],
        columns=["tokenizer", "lang", "doc", "chars", "bytes", "tokens", "exact"])
    corpus = Corpus("t", (Document("en", "a", "x"), Document("it", "a", "y")), "t")
    models = [f"test/m{i}" for i in range(3)]
    m = compute(book, corpus, languages=["it"], models=models, base=models[0], as_of=date(2024, 6, 1),
                currency="USD", workload=Workload(), counts=counts)
    r = m.matrix("it")
    for i in models:
        for j in models:
            assert r.loc[i, j] * r.loc[j, i] == pytest.approx(1.0, rel=1e-12)
            for k in models:
                assert r.loc[i, k] == pytest.approx(r.loc[i, j] * r.loc[j, k], rel=1e-12)
    costs = m.absolute.set_index("offering")["cost"]
    for i in range(3):  # linear in price and in tokens, exactly
        assert costs[models[i]] == p[i] * t[i] / en
    doubled = compute(book, corpus, languages=["it"], models=models, base=models[0], as_of=date(2024, 6, 1),
                      currency="USD", workload=Workload(),
                      counts=counts.assign(tokens=counts["tokens"].where(counts["lang"] == "en", counts["tokens"] * 2)))
    # the final division rounds at Decimal's 28 significant digits; equal to that precision
    for twice, once in zip(doubled.absolute["cost"], m.absolute["cost"], strict=True):
        assert abs(twice - 2 * once) <= Decimal("1e-26") * twice
