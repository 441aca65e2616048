"""A metric against great-power rivalry, one line per regime, 95% band over replicates."""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes

from sim.plots.data import (
    BINNED,
    check_metric,
    mean_ci,
    over_replicates,
    regime_column,
    require,
    rivalry_levels,
    runs_frame,
    select,
)
from sim.plots.style import (
    issue_label,
    metric_label,
    new_axes,
    regime_lines,
    style,
)


def fig_rivalry(
    results: Any,
    metric: str = "effectiveness",
    ax: Axes | None = None,
    *,
    issue: str | None = None,
    ci: float = 0.95,
) -> Axes:
    """Mean of ``metric`` against rivalry per regime, with a ``ci`` band over replicates.

    Shows how rivalry weighs on each regime: the charter's veto paralysis
    (PAPER.md#C2), institutions mirroring their members (PAPER.md#C4), the concert's
    fragility (PAPER.md#C11) and forum shopping (PAPER.md#C15).

    Parameters
    ----------
    results : sim.results.Results or pandas.DataFrame
        Runs with ``regime``, ``rivalry`` and ``metric`` columns.
    metric : str
        A run-level metric (``multilat metrics``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new one-column figure by default.
    issue : str, optional
        Only the runs of this issue type; by default every issue type, averaged within
        each replicate before the interval is taken over replicates.
    ci : float
        Confidence level of the band.

    Returns
    -------
    matplotlib.axes.Axes
        One line per regime (labelled with its name) and one band each.
    """
    runs = regime_column(runs_frame(results))
    check_metric(runs, metric)
    require(runs, ["rivalry"])
    if issue is not None:
        runs = select(runs, "issue", issue)
    runs, binned = rivalry_levels(runs)
    # a sampled design's runs are independent draws: the interval is over the runs of a
    # bin; a factorial design's is over replicates (other factors averaged within each)
    per_rep = runs if binned else over_replicates(runs, ["regime", "rivalry"], metric)
    table = mean_ci(per_rep, ["regime", "rivalry"], metric, ci)
    with style():
        ax = new_axes(ax)
        regime_lines(ax, table, "rivalry")
        ax.set_xlabel(metric_label("rivalry") + (BINNED if binned else ""))
        ax.set_ylabel(metric_label(metric))
        scope = f" ({issue_label(issue)})" if issue else ""
        ax.set_title(f"{metric_label(metric)} by rivalry{scope}, {ci:.0%} CI")
        ax.legend(title=None, ncols=2)
    return ax
