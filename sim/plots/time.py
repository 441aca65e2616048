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
    burn_in: int | None = None,
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
    burn_in : int, optional
        Steps shaded as burn-in: those the run-level means leave out (rows ``step <
        burn_in``; ``step`` counts from 0, so row 0 holds the metrics after the model's
        first step). By default the sweep's own burn-in when ``results`` is a results
        folder whose spec fixes it, none otherwise (or when ``steps`` or ``burn_in`` is
        a factor of the sweep: it differs between runs).

    Returns
    -------
    matplotlib.axes.Axes
        One line per regime (labelled with its name) and one band each; the burn-in as
        a grey span (gid ``burn-in``).
    """
    steps = regime_column(steps_frame(results, metric))
    if issue is not None:
        steps = select(steps, "issue", issue)
    if rivalry is not None:
        steps = select(steps, "rivalry", rivalry)
    per_rep = over_replicates(steps, ["regime", "step"], metric)
    table = mean_ci(per_rep, ["regime", "step"], metric, ci)
    if burn_in is None:
        burn_in = sweep_burn_in(results)
    with style():
        ax = new_axes(ax)
        if burn_in:
            span = ax.axvspan(-0.5, burn_in - 0.5, color="0.92", zorder=0, lw=0)
            span.set_gid("burn-in")
            ax.text(
                (burn_in - 1) / 2,
                0.98,
                "burn-in",
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="top",
                fontsize=6,
                color="0.35",
            )
        regime_lines(ax, table, "step", markers=False)
        ax.set_xlabel(f"{metric_label('step')} (0 = first step)")
        ax.set_ylabel(metric_label(metric))
        ax.set_title(f"{metric_label(metric)} over time, {ci:.0%} CI")
        ax.legend(ncols=2)
    return ax


def sweep_burn_in(results: Any) -> int:
    """The burn-in of every run of a results folder (0 if unknown or if it differs
    between runs: ``steps`` or ``burn_in`` varied by the sweep).
    """  # noqa: D205
    manifest = getattr(results, "manifest", None)
    if not isinstance(manifest, dict) or "spec" not in manifest:
        return 0
    spec = results.spec
    if any(f.key in ("steps", "burn_in") for f in spec.factors):
        return 0
    return int(spec.scenario().burn_in)
