"""Reports: gold files for every format (on a fixed fixture corpus and price table), HTML structure, and the
bundled example reports in reports/ kept fresh."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
GOLD = Path(__file__).parent / "gold"
ARGS = ["report", "-l", "it", "-l", "ja", "-m", "demo/euro-model", "-m", "demo/gpt-like", "-m", "demo/hidden-tokenizer",
        "--as-of", "2023-12-14", "--corpus", str(DATA / "gold-corpus"), "--pricing-dir", str(DATA / "gold-pricing"),
        "--workers", "1"]


def _stable(text: str) -> str:
    """The fixture corpus path is machine-specific; everything else must match byte for byte."""
    return text.replace(str(DATA / "gold-corpus"), "tests/data/gold-corpus")


def _check_gold(name: str, text: str) -> None:
    path = GOLD / name
    if os.environ.get("COSTCALC_REGOLD"):
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        actual = Path(__file__).parent / "actual" / name
        actual.parent.mkdir(exist_ok=True)
        actual.write_text(text, encoding="utf-8")
        pytest.fail(f"{name} differs from its gold file; see {actual} (regenerate: COSTCALC_REGOLD=1 pytest "
                    f"tests/test_reports.py)")


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "html"])
def test_gold_report(run, fmt):
    result = run(*ARGS, "--format", fmt)
    assert result.exit_code == 0, result.output
    text = _stable(result.stdout)
    if fmt == "html":  # the page's program is tested in a browser (test_page.py); its data is gold
        text = json.dumps(json.loads(_page_data(text)), indent=1, ensure_ascii=False) + "\n"
        fmt = "page.json"
    _check_gold(f"report.{fmt}", text)


def _page_data(html: str) -> str:
    start = html.index('<script type="application/json" id="costcalc-data">')
    start = html.index(">", start) + 1
    return html[start:html.index("</script>", start)]


def test_json_contract(run):
    data = json.loads(run(*ARGS, "--format", "json").stdout)
    assert {"language", "offering", "base", "ratio", "exact"} <= set(data["relative"][0])
    by = {(r["language"], r["offering"]): r for r in data["relative"]}
    assert by[("it", "demo/euro-model")]["ratio"] == 1.0
    assert by[("it", "demo/hidden-tokenizer")]["exact"] is False
    prov = data["provenance"]
    assert prov["price_table"].startswith("2026.11.22+") and prov["as_of"] == "2023-12-14"
    assert prov["tokenizers"]["estimate:openai:cl100k_base"]["exact"] is False
    assert prov["offerings"]["demo/euro-model"]["fx_rate"] == 1.0919


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.external: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        for key in ("src", "href"):
            if attrs.get(key):
                self.external.append(attrs[key])
        if tag not in {"meta", "br", "img", "link", "hr", "input"}:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


def test_html_is_well_formed_self_contained_and_marks_estimates(run):
    html = run(*ARGS, "--format", "html").stdout
    parser = _Structure()
    parser.feed(html)
    assert parser.errors == [] and parser.stack == []
    assert [x for x in parser.external if not x.startswith("#")] == []  # no network: nothing loaded from outside
    assert "<script src" not in html and "<link" not in html
    data = json.loads(_page_data(html))
    offerings = {o["ref"]: o for o in data["offerings"]}
    assert offerings["demo/hidden-tokenizer"]["counting"].startswith("estimate: the vendor's tokenizer is not public")
    assert offerings["demo/hidden-tokenizer"]["confidence"] == "low"
    assert offerings["demo/hidden-tokenizer"]["note"] == "A conflicting source says 1.30/1.70."
    assert data["view"]["languages"] == ["it", "ja"] and data["view"]["base"] == "demo/euro-model"
    assert offerings["demo/hidden-tokenizer"]["sources"][0]["url"] == "https://example.invalid/pricing"


def test_plot_writes_a_png(run, tmp_path):
    out = tmp_path / "m.png"
    result = run(*ARGS, "--plot", str(out), "-o", str(tmp_path / "r.md"))
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5000
    assert (tmp_path / "r.md").read_text().startswith("# Relative cost of Italian, Japanese text")


@pytest.mark.parametrize(("extra", "pattern", "code"), [
    (["-l", "xx"], "language 'xx' is not in corpus", 2),
    (["--as-of", "2023-12-05"], "no price for demo/euro-model on 2023-12-05; first price from 2023-12-11", 1),
    (["--base", "demo/nope"], "unknown offering 'demo/nope'", 2),
    (["--as-of", "2024-06-01"], "no EUR/USD rate within 45 days of 2024-06-01", 1),
])
def test_report_bad_input_is_one_line(run, extra, pattern, code):
    result = run(*ARGS, *extra)
    assert result.exit_code == code
    assert result.stderr.startswith("Error: ") and pattern in result.stderr and result.stderr.count("\n") == 1


def test_base_not_compared(run):
    args = ["report", "-m", "demo/euro-model", "-m", "demo/hidden-tokenizer", "--as-of", "2023-12-14",
            "--corpus", str(DATA / "gold-corpus"), "--pricing-dir", str(DATA / "gold-pricing")]
    result = run(*args, "--base", "demo/gpt-like")
    assert result.exit_code == 2 and "base 'demo/gpt-like' is not among the compared offerings" in result.stderr


def test_result_cache_serves_reruns_and_misses_when_prices_change(run, tmp_path, monkeypatch):
    import shutil

    import costcalc.costing as costing

    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(tmp_path / "cache"))
    pricing = tmp_path / "pricing"
    shutil.copytree(DATA / "gold-pricing", pricing)
    args = [*ARGS[:ARGS.index("--pricing-dir")], "--pricing-dir", str(pricing), "--format", "json"]
    first = run(*args).stdout
    assert len(list((tmp_path / "cache" / "results").glob("*.json"))) == 1

    def no_compute(*a, **k):
        raise AssertionError("recomputed despite a cached result")

    monkeypatch.setattr(costing, "compute", no_compute)
    assert run(*args).stdout == first
    monkeypatch.undo()
    monkeypatch.setenv("COSTCALC_CACHE_DIR", str(tmp_path / "cache"))
    table = pricing / "providers" / "demo.yaml"
    table.write_text(table.read_text().replace("input: 10", "input: 20"))
    changed = json.loads(run(*args).stdout)
    gpt = {(r["language"], r["offering"]): r for r in changed["absolute"]}[("it", "demo/gpt-like")]
    assert gpt["input_price"] == 20
    assert len(list((tmp_path / "cache" / "results").glob("*.json"))) == 2


def test_every_format_is_a_reporter():
    import inspect

    from costcalc.errors import InputError
    from costcalc.reports import FORMATS, reporter

    for fmt in FORMATS:
        assert list(inspect.signature(reporter(fmt).render).parameters) == ["matrix"]
    with pytest.raises(InputError, match="unknown report format 'pdf'"):
        reporter("pdf")


def test_json_ratio_is_cost_of_offering_over_cost_of_base(run):
    data = json.loads(run(*ARGS, "--format", "json").stdout)
    assert data["definitions"]["ratio"].startswith("cost(offering) / cost(base)")
    assert set(data["definitions"]) == {"ratio", "premium", "cost"}
    cost = {(r["language"], r["offering"]): r["cost"] for r in data["absolute"]}
    assert len(data["relative"]) == 6
    for r in data["relative"]:
        assert r["base"] == "demo/euro-model"
        assert r["ratio"] == pytest.approx(cost[(r["language"], r["offering"])] / cost[(r["language"], r["base"])],
                                           rel=1e-12)
    # the cheap stand-in model reads below 1, the dear one above
    by = {(r["language"], r["offering"]): r["ratio"] for r in data["relative"]}
    assert by[("it", "demo/hidden-tokenizer")] < 1 < by[("it", "demo/gpt-like")]


def test_csv_and_dataframe_use_the_same_direction(run):
    import csv
    import io

    import costcalc

    rows = list(csv.DictReader(io.StringIO(run(*ARGS, "--format", "csv").stdout)))
    m = costcalc.compare(language=["it", "ja"], models=["demo/euro-model", "demo/gpt-like", "demo/hidden-tokenizer"],
                         as_of="2023-12-14", corpus=str(DATA / "gold-corpus"), pricing_dir=str(DATA / "gold-pricing"))
    frame = m.relative.set_index(["language", "offering"])["ratio"]
    absolute = m.absolute.set_index(["language", "offering"])["cost"]
    for row in rows:
        key = (row["language"], row["offering"])
        expected = float(absolute[key] / absolute[(row["language"], "demo/euro-model")])
        assert float(row["ratio"]) == pytest.approx(expected, abs=1e-6)
        assert frame[key] == pytest.approx(expected, rel=1e-12)
