"""PNG heatmaps (matplotlib, an optional extra): the relative-cost matrix, or premiums per language."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from costcalc.errors import MissingDependencyError

if TYPE_CHECKING:
    import pandas as pd


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise MissingDependencyError("matplotlib is not installed, so --plot cannot draw",
                                     "pip install 'costcalc[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def heatmap(frame: pd.DataFrame, path: str | Path, *, title: str, log: bool = True, fmt: str = "{:.2f}",
            caption: str = "") -> Path:
    """Write `frame` (rows x columns of positive numbers) as an annotated heatmap PNG."""
    import numpy as np

    plt = _pyplot()
    from matplotlib.colors import LogNorm, Normalize

    values = frame.to_numpy(dtype=float)
    finite = values[np.isfinite(values) & (values > 0)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.1, 10)
    if log:
        bound = max(hi, 1 / lo, 1.01)
        norm = LogNorm(vmin=1 / bound, vmax=bound)
    else:
        norm = Normalize(vmin=lo, vmax=hi)
    height = 1.2 + 0.42 * len(frame.index)
    width = 2.5 + 0.9 * len(frame.columns)
    fig, ax = plt.subplots(figsize=(min(width, 30), min(height, 40)), dpi=110)
    image = ax.imshow(values, cmap="RdYlGn_r", norm=norm, aspect="auto")
    ax.set_xticks(range(len(frame.columns)), [str(c) for c in frame.columns], rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(frame.index)), [str(i) for i in frame.index], fontsize=8)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, fmt.format(v) if np.isfinite(v) else "", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.8)
    ax.set_title(title, fontsize=10)
    if caption:
        fig.text(0.01, 0.005, caption, fontsize=6, color="#444", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03 if caption else 0, 1, 1))
    out = Path(path)
    fig.savefig(out)
    plt.close(fig)
    return out
