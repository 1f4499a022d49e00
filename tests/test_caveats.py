"""Every caveat in every format: price fallbacks, estimates, low confidence, FX age, future dates and options
that had no effect reach md, html, csv (notes column), json, the terminal table and the PNG."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
FIXTURE = ["--corpus", str(DATA / "gold-corpus"), "--pricing-dir", str(DATA / "gold-pricing"), "--workers", "1"]
ALL = ["report", "-l", "it", "-m", "demo/euro-model", "-m", "demo/gpt-like", "-m", "demo/hidden-tokenizer",
       "--as-of", "2024-01-10", "--cached-share", "0.5", *FIXTURE]
FORMATS = ["md", "html", "csv", "json", "table"]


def _render(run, args, fmt):
    result = run(*args, "--format", fmt) if fmt != "table" else _table(run, args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _table(run, args):
    """The terminal table is the markdown rendered by rich: same words, fitted to the width."""
    import costcalc.cli._output as output

    original = output.at_terminal
    output.at_terminal = lambda: True
    try:
        return run(*args, "--format", "table")
    finally:
        output.at_terminal = original


def _flat(text: str) -> str:
    """Whitespace-insensitive: rich wraps lines and html escapes quotes."""
    import html

    return " ".join(html.unescape(text).split())


EXPECTED = [
    ("price-fallback", "no cached-input price: cached share billed at the input price"),
    ("estimate", "token counts are an estimate: the vendor's tokenizer is not public; counted with "
                 "estimate:openai:cl100k_base"),
    ("low-confidence", "low-confidence price (sources disagree): A conflicting source says 1.30/1.70."),
    ("fx-age", "EUR/USD rate of 2023-12-14, 27 days before the as-of date"),
    ("no-effect", "--cached-share had no effect: no compared offering has a cached-input price"),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_caveat_reaches_every_format(run, fmt):
    text = _flat(_render(run, ALL, fmt))
    for kind, words in EXPECTED:
        assert _flat(words).rstrip(".") in text, (fmt, kind)


def test_json_lists_caveats_by_offering_and_kind():
    from click.testing import CliRunner

    from costcalc.cli import cli

    data = json.loads(CliRunner().invoke(cli, [*ALL, "--format", "json"]).stdout)
    kinds = {(c["offering"], c["kind"]) for c in data["caveats"]}
    assert kinds == {("demo/euro-model", "price-fallback"), ("demo/gpt-like", "price-fallback"),
                     ("demo/hidden-tokenizer", "price-fallback"), ("demo/hidden-tokenizer", "estimate"),
                     ("demo/hidden-tokenizer", "low-confidence"), ("demo/euro-model", "fx-age"),
                     (None, "no-effect")}
    assert data["caveats"] == data["provenance"]["caveats"]


def test_csv_notes_column_carries_the_row_caveats(run):
    rows = {r["offering"]: r for r in csv.DictReader(io.StringIO(_render(run, ALL, "csv")))}
    assert "27 days before the as-of date" in rows["demo/euro-model"]["notes"]
    assert "27 days" not in rows["demo/gpt-like"]["notes"]
    assert "estimate" in rows["demo/hidden-tokenizer"]["notes"]
    assert all("--cached-share had no effect" in r["notes"] for r in rows.values())


def test_future_as_of_date_is_said(run):
    args = ["report", "-l", "it", "-m", "demo/gpt-like", "-m", "demo/hidden-tokenizer", "--as-of", "2031-01-01",
            *FIXTURE]
    for fmt in ("md", "csv", "json", "html"):
        assert f"prices as of 2031-01-01, a date in the future: these are the prices recorded today ({date.today()})" \
            in _flat(_render(run, args, fmt)), fmt


def test_published_comparison_on_the_bundled_tables_names_the_missing_cached_price(run):
    """Done-when of issue #13: the cached-input fallback is in md, csv and html (and json)."""
    args = ["report", "--cached-share", "0.5", "-m", "aws-bedrock/meta.llama4-maverick-17b-instruct-v1:0",
            "-m", "openai/gpt-5", "--as-of", "2026-11-22"]
    for fmt in ("md", "csv", "html", "json"):
        text = _flat(_render(run, args, fmt))
        assert "no cached-input price: cached share billed at the input price" in text, fmt
        assert "Llama 4 Maverick" in text or "llama4-maverick" in text


def test_png_marks_estimates_and_carries_the_caveats(run, tmp_path, monkeypatch):
    import costcalc.reports.plot as plot

    seen = {}
    real = plot.heatmap

    def spy(frame, path, **kwargs):
        seen.update(kwargs, frame=frame)
        return real(frame, path, **kwargs)

    monkeypatch.setattr(plot, "heatmap", spy)
    out = tmp_path / "m.png"
    result = run(*ALL, "--plot", str(out), "-o", str(tmp_path / "r.md"))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert seen["marked_columns"] == seen["marked_rows"] == {"hidden-tokenizer"}
    for _, words in EXPECTED:
        assert words.rstrip(".") in " ".join(seen["caption"].split()), words
    assert "* and hatched: an estimate" in seen["caption"]


@pytest.mark.parametrize(("languages", "offerings"), [(1, 2), (27, 20)])
def test_plots_from_small_to_large_keep_their_title_inside(tmp_path, languages, offerings):
    """The figure grows with the grid; the title wraps and stays inside the picture (checked on the drawn
    figure's text extents)."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    import pandas as pd

    import costcalc.reports.plot as plot

    frame = pd.DataFrame(np.geomspace(0.2, 5, languages * offerings).reshape(languages, offerings),
                         index=[f"Language number {i}" for i in range(languages)],
                         columns=[f"provider-model-with-a-long-name-{j}" for j in range(offerings)])
    title = "published-2023-12-14 models and prices, German: cost / cost of mistral-medium-2312 " * 2
    captured = {}
    real_savefig = matplotlib.figure.Figure.savefig

    def savefig(fig, path, **kwargs):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        box = fig.bbox
        captured["outside"] = [t.get_text()[:30] for ax in fig.axes for t in [ax.title]
                               if (t.get_text() and not box.contains(*t.get_window_extent(renderer).p0))
                               or (t.get_text() and t.get_window_extent(renderer).x1 > box.x1 + 1)]
        captured["ticks"] = [t.get_text() for t in fig.axes[1].get_yticklabels()]
        return real_savefig(fig, path, **kwargs)

    matplotlib.figure.Figure.savefig = savefig
    try:
        plot.heatmap(frame, tmp_path / "p.png", title=title, caption="one caveat", marked_columns={frame.columns[0]})
    finally:
        matplotlib.figure.Figure.savefig = real_savefig
    assert captured["outside"] == []
    assert {"0.5x", "1x", "2x"} <= set(captured["ticks"])
