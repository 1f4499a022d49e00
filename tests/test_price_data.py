"""Checks that keep the bundled price data true (issue #10, item 8). They read pricing/ as it is on main.

Every source id resolves; no price starts after its model's retirement; no model is first priced after the date in
its dated snapshot id; dated snapshot ids resolve to their model; every successor is in the table; every model of a
vendor that sells batch or prompt caching has those prices, or a cited `not_offered`; confidence obeys its rule;
every preset resolves on its as-of date to models on sale; every offering is mapped for the refresh job or says why
not. Each finder returns the offending entries, and its test fails on any of them: the only way out of a check is
a cited `not_offered` in the data. `python -m tests.test_price_data` prints what each finder finds.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from costcalc.prices import check_dir, default_pricing_dir, load_prices

TODAY = date.today()
VENDORS = ("openai", "anthropic", "google", "mistral", "aws-bedrock")  # makers' own tables and Bedrock (issue #10)
SNAPSHOT = re.compile(r"-(20\d\d)-?(\d\d)-?(\d\d)$")  # claude-sonnet-4-5-20250929, gpt-4o-2024-08-06


@pytest.fixture(scope="module")
def book():
    return load_prices(as_of=TODAY)


def _models(book):
    return [(off.provider, off.model) for off in book.offerings]


def test_the_bundled_tables_validate():
    assert check_dir(default_pricing_dir())[2] == []


def test_every_citation_resolves(book):
    cited = {s for table in book.providers for rule in table.rules for s in rule.source}
    cited |= {s for _, m in _models(book) for e in m.prices for s in e.source}
    cited |= {s for _, m in _models(book) for n in m.not_offered for s in n.source}
    assert sorted(cited - set(book.sources)) == []


def orphan_successors(book) -> list[str]:
    names = {(t.provider, n) for t, m in _models(book) for n in [m.id, *m.plain_aliases]}
    return [f"{t.provider}/{m.id} -> {m.successor}" for t, m in _models(book)
            if m.successor and (t.provider, m.successor) not in names]


def test_every_successor_is_in_the_table(book):
    assert orphan_successors(book) == [], "add the successor's prices, or name the model the vendor names"


def test_no_price_starts_after_retirement(book):
    late = [f"{t.provider}/{m.id}" for t, m in _models(book) if m.until and m.prices[-1].from_ >= m.until]
    assert late == []


def late_snapshots(book) -> list[str]:
    """A maker's own model first priced after the date in its snapshot id (a host may start selling it later)."""
    late = []
    for t, m in _models(book):
        if m.creator not in (None, t.provider):
            continue
        for name in [m.id, *m.plain_aliases]:
            found = SNAPSHOT.search(name)
            if found and m.prices[0].from_ > date(*map(int, found.groups())):
                late.append(f"{t.provider}/{m.id}: first price {m.prices[0].from_}, snapshot {name}")
    return late


def test_no_model_is_first_priced_after_its_snapshot_date(book):
    assert late_snapshots(book) == [], "date the first price on or before the day in the snapshot id"


def test_dated_snapshot_ids_resolve_to_their_model(book):
    for t, m in _models(book):
        for name in [m.id, *m.plain_aliases]:
            if SNAPSHOT.search(name):
                assert book.lookup(f"{t.provider}/{name}", m.prices[0].from_).model is m


COMPONENTS = {"batch": ("batch_input", "batch_output"), "prompt caching": ("cached_input",)}


def missing_components(book, component: str) -> list[str]:
    """Models launched after their seller started selling `component` for the same maker's models, without it.
    Grouped by (provider, creator): a host sells batch or caching for some makers' models only."""
    fields = COMPONENTS[component]
    missing = []
    for table in book.providers:
        if table.provider not in VENDORS:
            continue
        groups: dict[str | None, list] = {}
        for o in book.offerings:
            if o.provider is table:
                groups.setdefault(o.model.creator, []).append(o)
        rules = [r.from_ for r in table.rules if r.kind == "batch"] if component == "batch" else []
        for offerings in groups.values():
            starts = [e.from_ for o in offerings for e in o.model.prices if getattr(e, fields[0]) is not None]
            starts += rules
            if not starts:
                continue  # not sold for this maker's models (as far as the tables know)
            since = min(starts)
            for off in offerings:
                if off.first_priced < since or not off.is_priced(TODAY) or off.model.class_ in ("embedding", "audio"):
                    continue
                quote = off.price(TODAY)
                if quote.entry.unit != "token":
                    continue
                declared = not off.model.offers("caching" if component == "prompt caching" else component)
                if declared != all(quote.prices[f] is None for f in fields):
                    missing.append(off.ref + (" (declared not_offered, yet priced)" if declared else ""))
    return missing


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_component_the_vendor_sells_is_priced_or_cited_as_not_offered(book, component):
    assert missing_components(book, component) == [], (
        f"add the {component} price (or a provider rule that covers the model), or a `not_offered` entry that "
        "cites the source saying the vendor does not sell it")


def _vendor_word(text: str) -> str:
    return text.split()[0].lower()


def confidence_problems(book) -> list[str]:
    """high: a source published by the vendor itself, or two sources from different publishers;
    low: sources conflict, so the note must say how."""
    wrong = []
    for t, m in _models(book):
        for e in m.prices:
            publishers = {book.sources[s].publisher for s in e.source if s in book.sources}
            vendor = any(_vendor_word(p) == _vendor_word(t.name) for p in publishers)
            if e.confidence == "high" and not vendor and len(publishers) < 2:
                wrong.append(f"{t.provider}/{m.id} from {e.from_}: high on one secondary source")
            if e.confidence == "low" and not e.note:
                wrong.append(f"{t.provider}/{m.id} from {e.from_}: low without a note saying how sources conflict")
    return wrong


def test_confidence_obeys_its_rule(book):
    assert confidence_problems(book) == [], "high needs the vendor's page or two publishers; low needs a note"


def test_every_preset_resolves_to_models_on_sale():
    from costcalc.presets import PRESET_CURRENT, PUBLISHED_DEFAULT, current_preset

    published = load_prices(as_of=PUBLISHED_DEFAULT["as_of"])
    for ref in PUBLISHED_DEFAULT["models"]:
        assert published.lookup(ref).is_priced(), ref
    current = current_preset(TODAY)
    book = load_prices(as_of=TODAY)
    assert current["base"] in current["models"]
    for ref in current["models"]:
        off = book.lookup(ref)
        assert off.is_priced() and (off.model.until is None or off.model.until > TODAY), ref
    flagships = {book.lookup(r).provider.provider for r, c in current["classes"].items() if c == "flagship"}
    for table in book.providers:
        if table.provider not in PRESET_CURRENT["providers"]:
            continue
        sells = [o for o in book.offerings if o.provider is table and o.model.class_ == "flagship" and o.is_priced()]
        if sells:
            assert table.provider in flagships, f"{table.provider}'s newest flagship is missing from the preset"


def source_map_gaps(book) -> tuple[list[str], list[str]]:
    """(offerings the source map does not cover, source-map refs the tables do not have)"""
    from costcalc.refresh.sourcemap import load_source_map

    smap = load_source_map(book.root / "source-map.yaml")
    refs = {o.ref for o in book.offerings}
    return sorted(r for r in refs if not smap.covers(r)), sorted(smap.covered - refs)


def test_every_offering_is_mapped_for_refresh_or_says_why(book):
    uncovered, stale = source_map_gaps(book)
    assert uncovered == [], "map it in pricing/source-map.yaml or give {unmapped: reason}"
    assert stale == [], "pricing/source-map.yaml names offerings the tables do not have"


if __name__ == "__main__":
    data = load_prices(as_of=TODAY)
    for title, found in [("first priced after the snapshot date", late_snapshots(data)),
                         ("successor not in the table", orphan_successors(data)),
                         ("batch missing", missing_components(data, "batch")),
                         ("prompt caching missing", missing_components(data, "prompt caching")),
                         ("confidence rule", confidence_problems(data))]:
        print(f"{title}: {len(found)}", *(f"  {item}" for item in found), sep="\n")
