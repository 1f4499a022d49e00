"""The interactive HTML page in a real browser (Playwright driving Debian's chromium; no browser download):
the numbers it recomputes equal the CLI's JSON for the same workload, the URL fragment holds the view, bad
fragments are shown and fall back, the keyboard reaches every control, and screenshots are left for a person.

The browser is /usr/bin/chromium (`apt-get install chromium`) or COSTCALC_CHROMIUM. Screenshots go to
COSTCALC_SCREENSHOTS or a `screenshots` directory under pytest's temporary directory; the path is printed.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from costcalc.costing import compute
from costcalc.presets import current_preset

CURRENT = ["report", "--preset", "current", "-l", "it", "-l", "ja", "--workers", "1"]
# The preset follows the price tables: take its small OpenAI and Anthropic models rather than naming them.
_SMALL = {ref.split("/")[0]: ref for ref, cls in current_preset()["classes"].items() if cls == "small"}
OPENAI_SMALL, ANTHROPIC_SMALL = _SMALL["openai"], _SMALL["anthropic"]


def _chromium() -> str:
    path = os.environ.get("COSTCALC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.fail(f"no chromium at {path}: install Debian's package (apt-get install chromium) or set "
                    "COSTCALC_CHROMIUM; the page tests never download a browser")
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url) if not r.url.startswith("file:") else None)
    yield pg
    context.close()
    assert errors == [], errors  # no script error on any page a test opened
    assert requests == [], requests  # the page loads nothing from the network


@pytest.fixture(scope="module")
def current_page(tmp_path_factory):
    """`costcalc report --preset current -l it -l ja --format html -o page.html` (the issue's Done-when)."""
    from click.testing import CliRunner

    from costcalc.cli import cli

    path = tmp_path_factory.mktemp("page") / "page.html"
    # module scope runs outside conftest's per-test isolation: give it its own empty cache and tokenizer dirs
    env = {"COSTCALC_CACHE_DIR": str(tmp_path_factory.mktemp("page-cache")),
           "COSTCALC_TOKENIZERS_DIR": str(tmp_path_factory.mktemp("page-no-optional-tokenizers"))}
    result = CliRunner().invoke(cli, [*CURRENT, "--format", "html", "-o", str(path)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return path


def _json(run, *extra: str) -> dict:
    result = run(*CURRENT, *extra, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _open(page, path: Path, fragment: str = "") -> None:
    page.goto(path.as_uri() + fragment)
    page.wait_for_selector("#cost-table td[data-cost]")


def _cells(page, attr: str, where: str = "") -> dict[tuple[str, str], float]:
    values = page.eval_on_selector_all(
        f"{where} td[{attr}]",
        f"els => els.map(e => [e.dataset.language, e.dataset.offering, e.getAttribute('{attr}')])")
    return {(lang, off): float(v) for lang, off, v in values}


def _sig3(x: float) -> str:
    return f"{x:.3g}"


def _assert_matches_json(page, payload: dict) -> None:
    """Every cost and ratio cell equals the JSON's to 3 significant digits (and to 1e-9 relative)."""
    costs = {(r["language"], r["offering"]): float(r["cost"]) for r in payload["absolute"]}
    ratios = {(r["language"], r["offering"]): r["ratio"] for r in payload["relative"]}
    page_costs, page_ratios = _cells(page, "data-cost", "#cost-table"), _cells(page, "data-ratio", "#ratio-table")
    assert set(page_costs) == set(costs) and set(page_ratios) == set(ratios)
    for k, v in costs.items():
        assert _sig3(page_costs[k]) == _sig3(v) and page_costs[k] == pytest.approx(v, rel=1e-9), k
    for k, v in ratios.items():
        assert _sig3(page_ratios[k]) == _sig3(v) and page_ratios[k] == pytest.approx(v, rel=1e-9), k


def test_fragment_workload_matches_the_cli_json(page, current_page, run):
    _open(page, current_page, "#direction=mixed&output-ratio=0.5")
    _assert_matches_json(page, _json(run, "--direction", "mixed", "--output-ratio", "0.5"))
    assert page.input_value("#direction") == "mixed" and page.input_value("#w-output_ratio") == "0.5"
    assert page.inner_text("#messages") == ""


def test_cached_share_set_in_the_controls_matches_the_cli_json_and_lands_in_the_fragment(page, current_page, run):
    _open(page, current_page)
    page.fill("#w-cached_share", "0.6")
    page.dispatch_event("#w-cached_share", "change")
    assert page.evaluate("location.hash") == "#cached-share=0.6"
    _assert_matches_json(page, _json(run, "--cached-share", "0.6"))


def test_genre_weighting_matches_the_cli_json(page, current_page, run):
    _open(page, current_page, "#genre=technical-code=1,support-chat=3&batch-share=0.5")
    assert page.input_value("#g-technical-code") == "1" and page.input_value("#g-support-chat") == "3"
    payload = _json(run, "--genre", "technical-code=1", "--genre", "support-chat=3", "--batch-share", "0.5")
    _assert_matches_json(page, payload)
    assert payload["provenance"]["genre"] in page.inner_text("#lede")


@pytest.mark.parametrize(("fragment", "options"), [
    ("#cached-share=0.5&cache-write-share=0.2&cache-ttl=1h&endpoint=regional",
     ["--cached-share", "0.5", "--cache-write-share", "0.2", "--cache-ttl", "1h", "--endpoint", "regional"]),
    ("#direction=mixed&output-ratio=0.25&prompt-tokens=250000&batch-share=0.5",
     ["--direction", "mixed", "--output-ratio", "0.25", "--prompt-tokens", "250000", "--batch-share", "0.5"]),
    ("#cache-write-share=1&prompt-tokens=1000", ["--cache-write-share", "1", "--prompt-tokens", "1000"]),
])
def test_every_price_component_matches_the_cli_json(page, current_page, run, fragment, options):
    _open(page, current_page, fragment)
    assert page.inner_text("#messages") == ""
    _assert_matches_json(page, _json(run, *options))


def test_output_direction_other_base_and_a_subset(page, current_page, run):
    fragment = f"#l=ja&m={OPENAI_SMALL},{ANTHROPIC_SMALL}&base={ANTHROPIC_SMALL}&direction=output"
    _open(page, current_page, fragment)
    payload = _json(run, "-m", OPENAI_SMALL, "-m", ANTHROPIC_SMALL, "--base", ANTHROPIC_SMALL, "--direction", "output")
    payload["absolute"] = [r for r in payload["absolute"] if r["language"] == "ja"]
    payload["relative"] = [r for r in payload["relative"] if r["language"] == "ja"]
    _assert_matches_json(page, payload)


def test_a_view_reopens_exactly_from_its_link(page, current_page):
    _open(page, current_page)
    page.select_option("#direction", "mixed")
    page.fill("#w-output_ratio", "3")
    page.dispatch_event("#w-output_ratio", "change")
    page.uncheck("#lang-it")
    page.select_option("#base", OPENAI_SMALL)
    link = page.evaluate("location.href")
    before = _cells(page, "data-ratio", "#ratio-table")
    assert "l=ja" in link and "output-ratio=3" in link and f"base={OPENAI_SMALL}" in link
    page.goto("about:blank")
    page.goto(link)
    page.wait_for_selector("#ratio-table td[data-ratio]")
    assert _cells(page, "data-ratio", "#ratio-table") == before
    assert page.input_value("#base") == OPENAI_SMALL and not page.is_checked("#lang-it")


@pytest.mark.parametrize(("fragment", "shown"), [
    ("#l=it,xx", "language “xx” (not in this page)"),
    ("#l=zz", "no known language in l=…: showing Italian, Japanese"),
    ("#m=nope/model,openai/gpt-5", "offering “nope/model” (not in this page)"),
    ("#cached-share=1.5", "cached-share “1.5” (must be a number from 0 to 1): using 0"),
    ("#batch-share=abc", "batch-share “abc” (must be a number from 0 to 1): using 0"),
    ("#direction=sideways", "direction “sideways” (use input, output or mixed): using input"),
    ("#direction=mixed", "direction mixed needs output-ratio above 0: showing input"),
    ("#genre=poetry", "genre “poetry” (the genres are"),
    ("#genre=news-report=0", "gives no genre a weight"),
    ("#base=openai/gpt-4", "base “openai/gpt-4” (not among the offerings shown)"),
    ("#colour=red", "unknown setting “colour”"),
    ("#cache-ttl=2h", "cache-ttl “2h” (use 5m or 1h): using 5m"),
    ("#endpoint=moon", "endpoint “moon” (use global or regional): using global"),
    ("#prompt-tokens=0", "prompt-tokens “0” (must be a whole number from 1 to 1000000000): using none"),
    ("#cached-share=0.7&cache-write-share=0.5", "more than all of the input: using no cache writes"),
])
def test_a_bad_fragment_is_shown_and_falls_back(page, current_page, run, fragment, shown):
    _open(page, current_page, fragment)
    assert shown in page.inner_text("#messages")
    text = page.inner_text("body")
    assert "NaN" not in text and "Infinity" not in text and "undefined" not in text
    assert page.locator("#cost-table td[data-cost]").count() > 0
    values = [*_cells(page, "data-cost").values(), *_cells(page, "data-ratio").values()]
    assert all(v == v and abs(v) != float("inf") for v in values)


def test_no_language_or_no_offering_says_so_instead_of_an_empty_table(page, current_page):
    _open(page, current_page)
    page.click("#lang-none")
    assert "Choose at least one language to see costs." in page.inner_text("#cost-table")
    page.click("#lang-all")
    for box in page.query_selector_all("#offerings input[type=checkbox]"):
        box.uncheck()
    assert "Choose at least one offering to see costs." in page.inner_text("#ratio-table")
    assert "NaN" not in page.inner_text("body")


def test_offering_search_filters_the_groups(page, current_page):
    _open(page, current_page)
    page.fill("#offering-search", ANTHROPIC_SMALL.split("/")[1])
    visible = page.eval_on_selector_all("#offerings .choice:not([hidden]) input", "els => els.map(e => e.value)")
    assert visible == [ANTHROPIC_SMALL]
    page.fill("#offering-search", "no such thing")
    assert page.is_visible("#no-match")


def test_keyboard_reaches_every_control_and_every_table(page, current_page):
    _open(page, current_page)
    controls = set(page.eval_on_selector_all(
        "#controls input, #controls select, #controls button",
        "els => els.filter(e => e.offsetParent !== null && !e.disabled).map(e => e.id)"))
    reached, tables = set(), set()
    page.focus("body")
    for _ in range(len(controls) + 40):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const a = document.activeElement;
            return [a.id, a.closest('table') ? a.closest('div.scroll, #bars').id : null]; }""")
        reached.add(info[0])
        if info[1]:
            tables.add(info[1])
    assert controls - reached == set()
    assert {"cost-table", "ratio-table", "bars", "genre-table"} <= tables
    # inside a table the arrow keys move, and the focused cell shows where it comes from
    page.focus("#cost-table td[tabindex='0']")
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("[document.activeElement.dataset.language, document.activeElement.dataset.offering]")
    assert focused[0] == "it" and focused[1] == json.loads(page.text_content("#costcalc-data"))["view"]["offerings"][1]
    tip = page.inner_text("#tip")
    assert page.is_visible("#tip")
    for words in ("Price entry from", "Source:", "confidence", "Counting:", "Corpus costcalc-parallel-v1",
                  "tokenizer sha256"):
        assert words in tip
    page.keyboard.press("Escape")
    assert not page.is_visible("#tip")


def test_hover_shows_provenance_with_fx_for_a_converted_price(page, tmp_path, run, pricing_dir):
    path = tmp_path / "eur.html"
    result = run("report", "-l", "it", "-m", "mistral/mistral-medium", "-m", "aws-bedrock/meta.llama2-70b-chat-v1",
                 "--base", "mistral/mistral-medium", "--as-of", "2023-12-15", "--pricing-dir", str(pricing_dir),
                 "--workers", "1", "--format", "html", "-o", str(path))
    assert result.exit_code == 0, result.output
    _open(page, path)
    page.hover("#cost-table td[data-offering='mistral/mistral-medium-2312']")
    tip = page.inner_text("#tip")
    assert "Price entry from 2023-12-11" in tip and "Billed 2.5/7.5 EUR, converted at 1.0946 (rate of 2023-12-15" in tip
    assert "Source: Mistral AI platform docs: Pricing (retrieved 2024-01-03) (confidence high)." in tip
    assert page.get_attribute("#tip a", "href") == ("https://github.com/mistralai/platform-docs-public/blob/"
                                                     "55483de4d453c025c840ff234f66247ceefea0aa/docs/platform/05-pricing.md")


def test_effective_context_cells_equal_the_library(browser, tmp_path):
    from costcalc.cost_model import Workload
    from costcalc.prices import load_prices
    from costcalc.reports import render
    from tests.conftest import write_pricing
    from tests.test_genre import CORPUS, TABLE

    book = load_prices(path=write_pricing(tmp_path / "p", {"test": TABLE}))
    matrix = compute(book, CORPUS, languages=["it"], models=["test/m1", "test/m2"], base="test/m1",
                     as_of=date(2024, 6, 1), currency="USD", workload=Workload())
    path = tmp_path / "context.html"
    path.write_text(render(matrix, "html"), encoding="utf-8")
    pg = browser.new_page()
    pg.goto(path.as_uri())
    cells = pg.eval_on_selector_all("#context-table td", "els => els.map(e => [e.dataset.offering, "
                                    "Number(e.dataset.contextChars), Number(e.dataset.contextVsEn)])")
    row = matrix.row("it", "test/m1")
    assert cells == [["test/m1", row.context_chars, pytest.approx(row.context_vs_en, rel=1e-12)]]
    pg.close()


def test_screenshots_at_desktop_and_phone_width(browser, current_page, tmp_path_factory):
    out = Path(os.environ.get("COSTCALC_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", {"width": 1400, "height": 1000}), ("phone", {"width": 390, "height": 844})):
        pg = browser.new_page(viewport=viewport)
        pg.goto(current_page.as_uri() + "#direction=mixed&output-ratio=0.5")
        pg.wait_for_selector("#cost-table td[data-cost]")
        # nothing wider than the screen except inside the tables' own scroll boxes
        assert pg.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        pg.screenshot(path=str(out / f"page-{name}.png"), full_page=True)
        pg.emulate_media(media="print")
        assert not pg.is_visible("#controls")
        pg.close()
    print(f"\nscreenshots: {out}")
    assert sorted(p.name for p in out.glob("page-*.png")) == ["page-desktop.png", "page-phone.png"]


@pytest.mark.parametrize("fragment", [
    "#endpoint=regional&batch-share=0.5&prompt-tokens=300000&direction=mixed&output-ratio=2",
    "#cache-write-share=0.4&cache-ttl=1h&cached-share=0.3&batch-share=1",
    "#cache-write-share=0.25&prompt-tokens=250000&endpoint=regional",
])
def test_provider_rules_and_tiers_match_the_cli_json(page, run, tmp_path, fragment):
    """Batch, 1-hour cache writes and regional uplift derived by provider rules, and a tier's batch price."""
    from tests.conftest import write_pricing
    from tests.test_price_components import TABLE

    pricing = write_pricing(tmp_path / "p", {"test": TABLE})
    args = ["report", "-l", "it", "-l", "hi", "-m", "test/explicit", "-m", "test/ruled", "--as-of", "2024-06-01",
            "--pricing-dir", str(pricing), "--workers", "1"]
    path = tmp_path / "rules.html"
    assert run(*args, "--format", "html", "-o", str(path)).exit_code == 0
    _open(page, path, fragment)
    assert page.inner_text("#messages") == ""
    options = []
    for item in fragment[1:].split("&"):
        name, value = item.split("=")
        options += [f"--{name}", value]
    result = run(*args, *options, "--format", "json")
    assert result.exit_code == 0, result.output
    _assert_matches_json(page, json.loads(result.stdout))


def test_a_calibrated_estimate_names_its_calibration_per_language(page, run, tmp_path):
    from tests.conftest import write_pricing
    from tests.test_genre import TABLE

    pricing = write_pricing(tmp_path / "p", {"test": TABLE.replace("openai:o200k_base", "anthropic:claude-3")})
    path = tmp_path / "calibrated.html"
    result = run("report", "-l", "it", "-m", "test/m1", "-m", "test/m2", "--as-of", "2024-06-01",
                 "--pricing-dir", str(pricing), "--workers", "1", "--format", "html", "-o", str(path))
    assert result.exit_code == 0, result.output
    payload = json.loads(run("report", "-l", "it", "-m", "test/m1", "-m", "test/m2", "--as-of", "2024-06-01",
                             "--pricing-dir", str(pricing), "--workers", "1", "--format", "json").stdout)
    label = payload["provenance"]["tokenizers"]["anthropic:claude-3"]["calibration"]["it"]["label"]
    _open(page, path)
    page.focus("#cost-table td[data-offering='test/m2']")
    assert f"calibrated for Italian: {label}" in page.inner_text("#tip")


HISTORY = ["report", "-m", "openai/gpt-4o", "-m", "openai/gpt-4", "-m", "mistral/mistral-medium-2312",
           "-m", "anthropic/claude-3-5-sonnet-20241022", "--base", "openai/gpt-4", "-l", "it", "-l", "ja",
           "--as-of", "2024-12-01", "--workers", "1"]


@pytest.fixture(scope="module")
def history_page(tmp_path_factory):
    """A page whose offerings changed price (and came on sale) on several days before its as-of date; Mistral
    billed in EUR then, so every day also has its own exchange rate."""
    from click.testing import CliRunner

    from costcalc.cli import cli

    path = tmp_path_factory.mktemp("history") / "page.html"
    env = {"COSTCALC_CACHE_DIR": str(tmp_path_factory.mktemp("history-cache"))}
    result = CliRunner().invoke(cli, [*HISTORY, "--format", "html", "-o", str(path)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return path


def _cli_on(run, day: str, offerings: list[str]) -> dict:
    models = [x for ref in offerings for x in ("-m", ref)]
    result = run("report", *models, "--base", "openai/gpt-4", "-l", "it", "-l", "ja", "--as-of", day,
                 "--workers", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_as_of_choice_matches_the_cli_json_of_that_date(page, history_page, run):
    """Each date the page offers: the offerings on sale that day equal `costcalc report --as-of DAY` for them;
    the others say they had no price yet."""
    _open(page, history_page)
    choices = page.eval_on_selector_all("#as-of option", "os => os.map(o => o.value)")
    assert choices[0] == "2024-12-01" and "2024-05-13" in choices and "2023-12-11" in choices
    for day in choices:
        if day < "2023-12-11":
            continue  # before Mistral Medium's first price: checked below
        page.select_option("#as-of", day)
        assert page.evaluate("location.hash") == ("" if day == "2024-12-01" else f"#as-of={day}")
        on_sale = [r for r in ("openai/gpt-4o", "openai/gpt-4", "mistral/mistral-medium-2312",
                               "anthropic/claude-3-5-sonnet-20241022")
                   if page.get_attribute(f'#cost-table td[data-language="it"][data-offering="{r}"]', "data-cost")]
        payload = _cli_on(run, day, on_sale)
        assert payload["provenance"]["as_of"] == day
        _assert_matches_json(page, payload)
        assert f"prices as of {day}" in page.inner_text("#heading")
    page.select_option("#as-of", "2024-05-13")
    cell = page.locator('#cost-table td[data-language="it"][data-offering="anthropic/claude-3-5-sonnet-20241022"]')
    assert cell.inner_text() == "n/a"
    cell.focus()
    assert "no price on 2024-05-13: first priced on 2024-10-22" in page.inner_text("#tip")
    assert "caveats listed below are those of the report's date, 2024-12-01" in page.inner_text("#messages")


def test_an_as_of_date_in_the_link_reopens_and_a_bad_one_falls_back_visibly(page, history_page):
    _open(page, history_page, "#as-of=2024-05-13")
    assert page.input_value("#as-of") == "2024-05-13"
    _open(page, history_page, "#as-of=2024-06-30")
    assert page.input_value("#as-of") == "2024-05-13"
    assert "as-of “2024-06-30” (not one of this page's dates" in page.inner_text("#messages")
    for bad in ("2031-01-01", "yesterday", "1999-01-01"):
        _open(page, history_page, f"#as-of={bad}")
        assert page.input_value("#as-of") == "2024-12-01", bad
        assert f"as-of “{bad}” (this page has prices from" in page.inner_text("#messages")


def test_without_javascript_the_page_is_the_report_of_the_shared_skeleton(browser, tmp_path):
    """JavaScript off: the static report (built from the same skeleton as markdown) shows every cost, the caveats
    and the sources, with each EUR price converted to USD as the markdown report gives it."""
    from costcalc.costing import compare
    from costcalc.numbers import money
    from costcalc.reports import render

    matrix = compare()  # the published comparison: Mistral Medium is billed in EUR
    path = tmp_path / "page.html"
    path.write_text(render(matrix, "html"), encoding="utf-8")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(path.as_uri())
    text = page.inner_text("body")
    markdown = render(matrix, "md")
    for ref in matrix.offerings:
        assert f"{money(matrix.row('it', ref).cost)}\t" in text, ref  # a cell of the cost table
    fx_line = next(line for line in markdown.splitlines() if line.startswith("- mistral/") and " at " in line)
    assert fx_line.removeprefix("- ") in text  # the EUR price and its USD conversion, word for word
    assert "Italian: cost per 1M characters of English-equivalent content" in text
    context.close()
