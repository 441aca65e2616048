"""A metric over time per regime: the mean over runs at each step and a band."""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes

from sim.plots.data import mean_ci, over_replicates, regime_column, select, steps_frame
from sim.plots.style import (
    metric_label,
    new_axes,
    regime_lines,
    style,
)


def fig_time(
    results: Any,
    metric: str = "effectiveness",
    ax: Axes | None = None,
    *,
    issue: str | None = None,
    rivalry: float | None = None,
    ci: float = 0.95,
) -> Axes:
    """Mean of ``metric`` at each step per regime, with a ``ci`` band over replicates.

    How the regimes' outcomes build up and settle: trust and compliance grow under the
    club (PAPER.md#C6), the charter's agreements come late (PAPER.md#C3).

    Parameters
    ----------
    results : sim.results.Results or pandas.DataFrame
        A results folder (its ``steps/`` joined to its runs) or a per-step frame with
        ``regime``, ``step``, ``replicate`` and ``metric`` columns.
    metric : str
        A per-step metric.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    issue, rivalry : optional
        Only the runs of this issue type and rivalry level (default: every run, averaged
        within each replicate first).
    ci : float
        Confidence level of the band.

    Returns
    -------
    matplotlib.axes.Axes
        One line per regime (labelled with its name) and one band each.
    """
    steps = regime_column(steps_frame(results, metric))
    if issue is not None:
        steps = select(steps, "issue", issue)
    if rivalry is not None:
        steps = select(steps, "rivalry", rivalry)
    per_rep = over_replicates(steps, ["regime", "step"], metric)
    table = mean_ci(per_rep, ["regime", "step"], metric, ci)
    with style():
        ax = new_axes(ax)
        regime_lines(ax, table, "step", markers=False)
        ax.set_xlabel(metric_label("step"))
        ax.set_ylabel(metric_label(metric))
        ax.set_title(f"{metric_label(metric)} over time, {ci:.0%} CI")
        ax.legend(ncols=2)
    return ax
