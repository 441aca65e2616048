"""Legitimacy against effectiveness: every run a dot, the Pareto front drawn."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim.plots.data import check_metric, regime_column, runs_frame, select
from sim.plots.style import (
    metric_label,
    new_axes,
    regime_colour,
    regime_marker,
    regime_order,
    style,
)


def pareto_front(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the points no other point beats on both ``x`` and ``y`` (higher is
    better on both), ordered by ``x``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    # by x descending (ties: y descending); a point is on the front if its y beats
    # every y seen so far
    order = ok[np.lexsort((-y[ok], -x[ok]))]
    front = []
    best = -np.inf
    for i in order:
        if y[i] > best:
            front.append(i)
            best = y[i]
    return np.array(front[::-1], dtype=int)


def fig_pareto(
    results: Any,
    x: str = "legitimacy",
    ax: Axes | None = None,
    *,
    y: str = "effectiveness",
    issue: str | None = None,
    rivalry: float | None = None,
) -> Axes:
    """Every run as a dot (``x`` against ``y``, coloured by regime) and the Pareto front.

    The trade-off of PAPER.md#C17: effectiveness implies modest size, legitimacy broad
    representation. Where the front is made of different regimes' runs, no regime is
    best on both; ``x = "voice"`` (input legitimacy) is the comparison the claim checks
    use.

    Parameters
    ----------
    results : sim.results.Results or pandas.DataFrame
        Runs with ``regime``, ``x`` and ``y`` columns.
    x, y : str
        Run-level metrics of the axes (higher taken as better on both).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    issue, rivalry : optional
        Only the runs of this issue type and rivalry level.

    Returns
    -------
    matplotlib.axes.Axes
        One scatter collection per regime (labelled with its name) and the front, a
        step line labelled ``Pareto front``.
    """
    runs = regime_column(runs_frame(results))
    check_metric(runs, x)
    check_metric(runs, y)
    if issue is not None:
        runs = select(runs, "issue", issue)
    if rivalry is not None:
        runs = select(runs, "rivalry", rivalry)
    runs = runs.reset_index(drop=True)
    with style():
        ax = new_axes(ax)
        for regime in regime_order(runs["regime"].unique()):
            sub = runs[runs["regime"] == regime]
            if sub.empty:
                continue
            ax.scatter(
                sub[x],
                sub[y],
                s=6,
                alpha=0.5,
                linewidths=0,
                color=regime_colour(regime),
                marker=regime_marker(regime),
                label=regime,
            )
        front = runs.iloc[pareto_front(runs[x].to_numpy(), runs[y].to_numpy())]
        if not front.empty:
            ax.step(
                front[x], front[y], where="pre", color="black", linewidth=1, label="Pareto front"
            )
        ax.set_xlabel(metric_label(x))
        ax.set_ylabel(metric_label(y))
        ax.set_title(f"{metric_label(y)} against {metric_label(x).lower()}, every run")
        ax.legend(markerscale=2, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return ax


def front_regimes(results: Any, x: str = "legitimacy", y: str = "effectiveness") -> pd.Series:
    """How many runs of each regime lie on the Pareto front (for tables and tests)."""
    runs = regime_column(runs_frame(results)).reset_index(drop=True)
    front = runs.iloc[pareto_front(runs[x].to_numpy(), runs[y].to_numpy())]
    return front["regime"].value_counts().sort_index()
