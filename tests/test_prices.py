"""Price tables: lookups at entry boundaries, aliases, FX conversion, tiers, versioning (library API)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from costcalc.errors import FxRateError, NoPriceError, UnknownOfferingError
from costcalc.prices import load_prices
from tests.conftest import MISTRAL, write_pricing


def test_eur_price_as_billed_and_in_usd_at_that_days_ecb_rate(pricing_dir):
    book = load_prices(as_of="2023-12-14", path=pricing_dir)
    off = book.lookup("mistral/mistral-medium")
    billed = off.price()
    assert (billed.input, billed.output, billed.currency) == (Decimal("2.5"), Decimal("7.5"), "EUR")
    assert billed.fx_rate is None
    usd = off.price(currency="USD")
    assert usd.input == Decimal("2.5") * Decimal("1.0919") == Decimal("2.72975")
    assert usd.output == Decimal("8.18925")
    assert (usd.fx_rate, usd.fx_date, usd.billed_currency) == (Decimal("1.0919"), date(2023, 12, 14), "EUR")


def test_fx_uses_latest_rate_on_or_before_as_of(pricing_dir):
    book = load_prices(path=pricing_dir)
    off = book.lookup("mistral/mistral-medium-2312")
    # 2023-12-16 is a Saturday: the Friday 15th rate applies.
    assert off.price(date(2023, 12, 16), "USD").fx_rate == Decimal("1.0946")
    assert off.price(date(2023, 12, 12), "USD").fx_date == date(2023, 12, 11)
    with pytest.raises(FxRateError, match=r"no EUR/USD rate on or before 2023-12-10; .* start on 2023-12-11"):
        book.fx.rate_on(date(2023, 12, 10))
    with pytest.raises(FxRateError, match="within 45 days"):
        book.lookup("aws-bedrock/meta.llama2-70b-chat-v1").price(date(2024, 6, 1), "EUR")


def test_usd_to_eur_divides_by_the_rate(pricing_dir):
    quote = load_prices(path=pricing_dir).lookup("meta.llama2-70b-chat-v1").price(date(2023, 12, 14), "EUR")
    assert quote.input == (Decimal("1.95") / Decimal("1.0919")).quantize(Decimal("1e-10")).normalize()
    assert quote.fx_rate == 1 / Decimal("1.0919")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 12, 11), ("2.5", "EUR")),  # first day of the first entry
        (date(2024, 2, 25), ("2.5", "EUR")),   # last day before the second entry
        (date(2024, 2, 26), ("2.7", "USD")),   # the second entry's first day
        (date(2025, 6, 15), ("2.7", "USD")),   # last day before retirement
    ],
)
def test_entry_boundaries(pricing_dir, day, expected):
    quote = load_prices(path=pricing_dir).lookup("mistral/mistral-medium").price(day)
    assert (str(quote.input), quote.currency) == expected
    assert quote.entry.from_ <= day


def test_before_first_price_and_after_retirement(pricing_dir):
    off = load_prices(path=pricing_dir).lookup("mistral/mistral-medium")
    with pytest.raises(NoPriceError, match=r"mistral/mistral-medium-2312 on 2023-12-10; first price from 2023-12-11"):
        off.price(date(2023, 12, 10))
    with pytest.raises(NoPriceError, match="retired on 2025-06-16"):
        off.price(date(2025, 6, 16))


def test_aliases_and_bare_ids_resolve_to_the_same_offering(pricing_dir):
    book = load_prices(path=pricing_dir)
    refs = {book.lookup(r).ref for r in ["mistral/mistral-medium", "mistral/mistral-medium-2312",
                                         "mistral-medium", "mistral-medium-2312"]}
    assert refs == {"mistral/mistral-medium-2312"}


def test_unknown_offering_suggests_closest(pricing_dir):
    with pytest.raises(UnknownOfferingError, match=r"'mistral/mistral-mediun'.*did you mean: mistral/mistral-medium"):
        load_prices(path=pricing_dir).lookup("mistral/mistral-mediun")


def test_ambiguous_bare_id_names_the_candidates(tmp_path):
    other = MISTRAL.replace("provider: mistral", "provider: mistral-eu")
    root = write_pricing(tmp_path, {"mistral": MISTRAL, "mistral-eu": other})
    with pytest.raises(UnknownOfferingError,
                       match="sold by several providers: mistral-eu/mistral-medium-2312, mistral/mistral-medium-2312"):
        load_prices(path=root).lookup("mistral-medium")


def test_tiers_and_cache_prices_convert_with_the_entry(pricing_dir):
    quote = load_prices(path=pricing_dir).lookup("aws-bedrock/anthropic.claude-3-sonnet").price(date(2024, 3, 4))
    assert quote.prices["cached_input"] == Decimal("0.3")
    assert quote.tiers == ({"above": 200000, "input": Decimal(6), "output": Decimal("22.5"), "cached_input": None,
                            "cache_write": None, "cache_write_1h": None},)


def test_select_lists_only_offerings_priced_on_the_date(pricing_dir):
    book = load_prices(path=pricing_dir)
    assert [o.ref for o in book.select(as_of=date(2023, 12, 14))] == [
        "aws-bedrock/meta.llama2-70b-chat-v1", "mistral/mistral-medium-2312"]
    assert len(book.select(as_of=date(2024, 3, 4))) == 3
    with pytest.raises(UnknownOfferingError, match=r"unknown provider 'mistrall'.*did you mean: mistral"):
        book.select("mistrall")


def test_to_frame_keeps_decimal_money_and_provenance(pricing_dir):
    frame = load_prices(as_of="2023-12-14", path=pricing_dir).to_frame(currency="USD")
    row = frame.set_index("offering").loc["mistral/mistral-medium-2312"]
    assert row["input"] == Decimal("2.72975")
    assert (row["sources"][0]["id"], row["confidence"], row["tokenizer"]) == (
        "mistral-docs-2024-01-03", "high", "mistral:spm")


def test_version_is_calendar_version_plus_content_hash(pricing_dir):
    first = load_prices(path=pricing_dir).version
    assert first.startswith("2026.11.22+") and len(first.split("+")[1]) == 12
    assert load_prices(path=pricing_dir).version == first
    path = pricing_dir / "providers" / "mistral.yaml"
    path.write_text(path.read_text().replace("input: 2.7", "input: 2.8"))
    assert load_prices(path=pricing_dir).version != first


def test_yaml_floats_are_read_as_exact_decimals(pricing_dir):
    entry = load_prices(path=pricing_dir).lookup("mistral-medium").model.prices[0]
    assert isinstance(entry.input, Decimal) and str(entry.input) == "2.5"


RULES = """\
rules:
  - {kind: batch, factor: 0.5, from: 2024-01-01, source: [test]}
  - {kind: cache_write_1h, factor: 2, from: 2024-01-01, applies_to: [mistral-medium-2312], source: [test]}
  - {kind: regional_uplift, factor: 1.1, from: 2024-06-01, source: [test]}
models:
"""


def test_retired_model_fails_with_date_and_successor(tmp_path):
    from costcalc.errors import RetiredError

    text = MISTRAL.replace("until: 2025-06-16", "until: 2025-06-16\n    successor: mistral-medium-2505")
    book = load_prices(path=write_pricing(tmp_path, {"mistral": text}))
    assert book.lookup("mistral/mistral-medium").price(date(2025, 6, 15)).input == Decimal("2.7")
    with pytest.raises(RetiredError, match=r"^mistral/mistral-medium-2312 was retired on 2025-06-16 "
                                           r"\(successor: mistral/mistral-medium-2505\)"):
        book.lookup("mistral/mistral-medium").price(date(2025, 6, 16))


def test_dated_aliases_resolve_by_as_of_date(tmp_path):
    newer = MISTRAL.split("models:\n")[1].replace("id: mistral-medium-2312", "id: mistral-medium-2402") \
        .replace("aliases: [mistral-medium]", "aliases: [{name: mistral-medium-latest, from: 2024-02-26}]")
    text = MISTRAL.replace("aliases: [mistral-medium]", "aliases: [mistral-medium, {name: mistral-medium-latest, "
                           "from: 2023-12-11, until: 2024-02-26}]") + newer
    book = load_prices(path=write_pricing(tmp_path, {"mistral": text}))
    assert book.lookup("mistral/mistral-medium-latest", date(2024, 2, 25)).model.id == "mistral-medium-2312"
    assert book.lookup("mistral/mistral-medium-latest", date(2024, 2, 26)).model.id == "mistral-medium-2402"
    assert book.lookup("mistral-medium-latest", date(2024, 3, 1)).model.id == "mistral-medium-2402"
    with pytest.raises(NoPriceError, match=r"mistral/mistral-medium-latest points to no model on 2023-01-01; "
                                           r"it points to mistral-medium-2312 from 2023-12-11 until 2024-02-26"):
        book.lookup("mistral/mistral-medium-latest", date(2023, 1, 1))


def test_provider_rules_fill_missing_components_and_say_so(tmp_path):
    book = load_prices(path=write_pricing(tmp_path, {"mistral": MISTRAL.replace("models:\n", RULES)}))
    before = book.lookup("mistral/mistral-medium").price(date(2023, 12, 14))
    assert before.prices["batch_input"] is None and before.derived == {} and before.regional_uplift is None
    quote = book.lookup("mistral/mistral-medium").price(date(2024, 6, 1))
    assert (quote.prices["batch_input"], quote.prices["batch_output"]) == (Decimal("1.35"), Decimal("4.05"))
    assert quote.prices["cache_write_1h"] == Decimal("5.4")
    assert quote.derived == {
        "batch_input": "50% of standard input, provider rule (batch, from 2024-01-01)",
        "batch_output": "50% of standard output, provider rule (batch, from 2024-01-01)",
        "cache_write_1h": "2x input, provider rule (cache_write_1h, from 2024-01-01)"}
    assert quote.regional_uplift == Decimal("1.1")
    assert quote.to_dict()["derived"] == quote.derived
