"""A regime x issue-type heatmap of a metric, each cell's mean written in it."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes

from sim.plots.data import check_metric, regime_column, require, runs_frame, select
from sim.plots.style import (
    issue_label,
    issue_order,
    metric_label,
    metric_limits,
    new_axes,
    regime_order,
    style,
)

#: Perceptually uniform and colour-blind safe.
CMAP = "viridis"


def fig_heatmap(
    results: Any,
    metric: str = "effectiveness",
    ax: Axes | None = None,
    *,
    rivalry: float | None = None,
    fmt: str = "{:.2f}",
) -> Axes:
    """Mean of ``metric`` per regime (rows) and issue type (columns), values annotated.

    Shows where each regime does well: standing capacity (PAPER.md#C5), club
    solidarity and exclusion (PAPER.md#C6, PAPER.md#C7), the charter's slowness
    (PAPER.md#C3) and the coalition's costs (PAPER.md#C16).

    Parameters
    ----------
    results : sim.results.Results or pandas.DataFrame
        Runs with ``regime``, ``issue`` and ``metric`` columns.
    metric : str
        A run-level metric.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    rivalry : float, optional
        Only the runs at this rivalry level; by default all of them.
    fmt : str
        Format of the annotations.

    Returns
    -------
    matplotlib.axes.Axes
        A mesh of the means (``ax.collections[0]``, gid ``cells``; ``get_array()``
        gives them row by row, regimes in registry order) with one text per cell.
    """
    runs = regime_column(runs_frame(results))
    check_metric(runs, metric)
    require(runs, ["issue"])
    if rivalry is not None:
        runs = select(runs, "rivalry", rivalry)
    means = runs.groupby(["regime", "issue"])[metric].mean().unstack("issue")
    rows = [r for r in regime_order(means.index) if r in means.index]
    means = means.loc[rows, issue_order(means.columns)]
    values = means.to_numpy(dtype=float)
    limits = metric_limits(metric)
    finite = values[np.isfinite(values)]
    lo, hi = limits if limits is not None else (0.0, 1.0)
    if limits is None and finite.size:
        lo, hi = float(finite.min()), float(finite.max())
    with style():
        ax = new_axes(ax, (3.46 * 1.25, 0.45 * len(rows) + 1.4))
        # a mesh of cells, not an image: vector in PDF and SVG
        image = ax.pcolormesh(
            np.arange(values.shape[1] + 1) - 0.5,
            np.arange(values.shape[0] + 1) - 0.5,
            np.ma.masked_invalid(values),
            cmap=CMAP,
            vmin=lo,
            vmax=hi,
        )
        image.set_gid("cells")
        ax.set_ylim(values.shape[0] - 0.5, -0.5)
        ax.set_xticks(
            range(len(means.columns)),
            [issue_label(c) for c in means.columns],
            rotation=30,
            ha="right",
        )
        ax.set_yticks(range(len(rows)), rows)
        ax.set_xlabel(metric_label("issue"))
        ax.set_ylabel(metric_label("regime"))
        for spine in ax.spines.values():
            spine.set_visible(False)
        mid = (lo + hi) / 2
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                text = "n/a" if not np.isfinite(v) else fmt.format(v)
                colour = "white" if np.isfinite(v) and v <= mid else "black"
                ax.text(j, i, text, ha="center", va="center", color=colour, fontsize=7)
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
        bar.set_label(metric_label(metric))
        scope = f" at rivalry {rivalry:g}" if rivalry is not None else ""
        ax.set_title(f"{metric_label(metric)} by regime and issue{scope}")
    return ax
