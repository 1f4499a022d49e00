"""PNG heatmaps (matplotlib, an optional extra): the relative-cost matrix of one language, the ratio of each
offering to the base per language, or premiums per language.

Readable at any size from 1 to 27 languages and 2 to 20 offerings: the figure grows with the grid, labels and
cell text shrink within limits, titles wrap instead of being clipped, the colour bar is on a log scale with
ratio ticks (0.5x, 1x, 2x, ...), and estimates are marked in the picture (a '*' on their labels and hatched
cells) with the caveats printed under the plot.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from costcalc.errors import MissingDependencyError

if TYPE_CHECKING:
    import pandas as pd

    from costcalc.matrix import CostMatrix

RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise MissingDependencyError("matplotlib is not installed, so --plot cannot draw",
                                     "pip install 'costcalc[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _tick_label(value: float) -> str:
    return f"{value:g}x"


def heatmap(frame: pd.DataFrame, path: str | Path, *, title: str, log: bool = True, fmt: str = "{:.2f}",
            caption: str = "", marked_rows: set[str] = frozenset(), marked_columns: set[str] = frozenset(),
            colour_label: str = "") -> Path:
    """Write `frame` (rows x columns of positive numbers) as an annotated heatmap PNG. Rows and columns named in
    `marked_rows` / `marked_columns` (estimates) get a '*' and hatched cells."""
    import numpy as np

    plt = _pyplot()
    from matplotlib.colors import LogNorm, Normalize
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    values = frame.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    finite = values[np.isfinite(values) & (values > 0)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.1, 10)
    if log:
        bound = max(hi, 1 / lo, 1.5)
        norm = LogNorm(vmin=1 / bound, vmax=bound)
    else:
        norm = Normalize(vmin=lo, vmax=hi)
    col_labels = [f"{c} *" if c in marked_columns else str(c) for c in frame.columns]
    row_labels = [f"{r} *" if r in marked_rows else str(r) for r in frame.index]
    label_chars = max(len(s) for s in row_labels)
    cell_w, cell_h = 0.95, 0.42
    width = min(max(6.5, 1.2 + label_chars * 0.075 + cell_w * n_cols + 1.6), 26)
    height = min(max(3.6, 1.6 + cell_h * n_rows + max(len(s) for s in col_labels) * 0.065 + 0.9), 30)
    wrapped = "\n".join(line for para in caption.split("\n")
                         for line in textwrap.wrap(para, width=max(60, int(width * 15))) or [""]) if caption else ""
    caption_in = (wrapped.count("\n") + 1) * 6.5 * 1.35 / 72 + 0.1 if wrapped else 0
    fig, ax = plt.subplots(figsize=(width, height + caption_in), dpi=110, layout="constrained")
    if wrapped:
        share = caption_in / (height + caption_in)
        fig.get_layout_engine().set(rect=(0, share, 1, 1 - share))
        fig.text(0.01, 0.05 * share, wrapped, fontsize=6.5, color="#333", ha="left", va="bottom")
    image = ax.imshow(values, cmap="RdYlGn_r", norm=norm, aspect="auto")
    label_size = 9 if n_cols <= 10 else 7.5
    ax.set_xticks(range(n_cols), col_labels, rotation=40 if n_cols > 3 else 0, ha="right" if n_cols > 3 else "center",
                  fontsize=label_size, rotation_mode="anchor")
    ax.set_yticks(range(n_rows), row_labels, fontsize=label_size)
    text_size = 8 if n_cols <= 10 else 6.5
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            dark = log and v > 0 and abs(math.log(v) / math.log(bound)) > 0.75
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=text_size,
                    color="white" if dark else "black")
        marked = frame.index[i] in marked_rows or frame.columns[j] in marked_columns
        if marked:
            ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor="#555",
                                       linewidth=0))
    bar = fig.colorbar(image, ax=ax, shrink=0.85, pad=0.02)
    if log:
        ticks = [t for t in RATIO_TICKS if 1 / bound <= t <= bound]
        bar.ax.yaxis.set_major_locator(FixedLocator(ticks))
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick_label(v)))
        bar.ax.yaxis.set_minor_locator(NullLocator())
    if colour_label:
        bar.set_label(colour_label, fontsize=8)
    bar.ax.tick_params(labelsize=8)
    ax.set_title("\n".join(textwrap.wrap(title, width=max(40, int(width * 9)))), fontsize=10, loc="left")
    out = Path(path)
    fig.savefig(out)
    plt.close(fig)
    return out


def plot_matrix(matrix: CostMatrix, path: str | Path) -> Path:
    """One language: offerings x offerings (cost of row / cost of column); several: each offering's cost /
    cost of the base, per language. Estimates are marked; the caveats are printed under the plot."""
    from costcalc.languages import name as language_name
    from costcalc.reports.common import caveat_lines

    prov = matrix.provenance
    short = {o: o.split("/")[-1] for o in matrix.offerings}
    estimates = {short[o] for o in matrix.offerings if not matrix.exact(o)}
    header = prov.preset
    lead = f"{header.heading}: " if header and header.name else ""
    if len(matrix.languages) == 1:
        lang = matrix.languages[0]
        grid = matrix.matrix(lang).rename(index=short, columns=short)
        title = (f"{lead}cost of row / cost of column, {language_name(lang)} text, prices as of {prov.as_of} "
                 f"({prov.currency})")
        marked_rows, marked_columns = estimates, estimates
    else:
        rows = {(r.language, r.offering): r.ratio for r in matrix.relative_rows}
        import pandas as pd

        grid = pd.DataFrame([[rows[(lang, o)] for o in matrix.offerings] for lang in matrix.languages],
                            index=[language_name(lang) for lang in matrix.languages],
                            columns=[short[o] for o in matrix.offerings], dtype=float)
        title = (f"{lead}cost / cost of {short[matrix.base]}, per language, prices as of {prov.as_of} "
                 f"({prov.currency})")
        marked_rows, marked_columns = set(), estimates
    notes = [f"price table {prov.price_table}; corpus {prov.corpus.name}; {prov.workload}"]
    if estimates:
        notes.append("* and hatched: an estimate (the vendor's tokenizer is not public).")
    notes += caveat_lines(matrix)
    return heatmap(grid, path, title=title, caption="\n".join(notes), marked_rows=marked_rows,
                   marked_columns=marked_columns, colour_label="ratio (log scale)")
