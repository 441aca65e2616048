"""The four virtues per regime: the paper's Table 1 re-derived from simulation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from sim.plots.data import check_metric, mean_ci, over_replicates, regime_column, runs_frame
from sim.plots.style import (
    metric_label,
    metric_limits,
    new_axes,
    regime_colour,
    regime_hatch,
    regime_order,
    style,
)

#: The paper's Table 1: the virtue each approach is known for.
VIRTUES: tuple[str, ...] = ("legitimacy", "solidarity", "capability", "flexibility")


def fig_virtues(
    results: Any,
    metrics: Sequence[str] | str = VIRTUES,
    ax: Axes | None = None,
    *,
    ci: float = 0.95,
) -> Axes:
    """Bars of each virtue's mean per regime, with ``ci`` intervals over replicates.

    The paper's Table 1 (charter: legitimacy, club: solidarity, concert: capability,
    coalition: flexibility; PAPER.md#C1, PAPER.md#C6, PAPER.md#C10, PAPER.md#C13) as the
    simulation finds it. A regime's own virtue (its class's ``virtue``) is marked with a
    dot above its bar, so the table reads off the figure: the dot should be on the
    highest bar of its group.

    Parameters
    ----------
    results : sim.results.Results or pandas.DataFrame
        Runs with ``regime`` and the ``metrics`` columns.
    metrics : sequence of str, or str
        The groups of bars (default the four virtues; e.g. add
        ``legitimacy_developing`` for PAPER.md#C9 and PAPER.md#C12); one name is one
        group.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    ci : float
        Confidence level of the error bars.

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per regime (labelled with its name), bars in ``metrics`` order.
    """
    from sim.regimes import REGIMES

    if isinstance(metrics, str):
        metrics = (metrics,)
    runs = regime_column(runs_frame(results))
    for m in metrics:
        check_metric(runs, m)
    regimes = regime_order(runs["regime"].unique())
    regimes = [r for r in regimes if r in set(runs["regime"])]
    width = 0.8 / max(len(regimes), 1)
    x = np.arange(len(metrics))
    with style():
        ax = new_axes(ax, (3.46 * 1.25, 3.46 * 0.7))
        for k, regime in enumerate(regimes):
            sub = runs[runs["regime"] == regime]
            stats = [
                mean_ci(over_replicates(sub, ["regime"], m), ["regime"], m, ci).iloc[0]
                for m in metrics
            ]
            mean = np.array([s["mean"] for s in stats], dtype=float)
            err = np.array(
                [
                    [s["mean"] - s["ci_low"] for s in stats],
                    [s["ci_high"] - s["mean"] for s in stats],
                ],
                dtype=float,
            )
            pos = x - 0.4 + width * (k + 0.5)
            ax.bar(
                pos,
                mean,
                width,
                yerr=np.nan_to_num(err),
                color=regime_colour(regime),
                hatch=regime_hatch(regime),
                edgecolor="white",
                linewidth=0,
                label=regime,
                error_kw={"elinewidth": 0.8, "capsize": 1.5},
            )
            own = getattr(REGIMES.get(regime), "virtue", None)
            if own in metrics:
                i = list(metrics).index(own)
                top = mean[i] + np.nan_to_num(err[1, i])
                ax.plot(
                    pos[i], top + 0.04, marker="o", color="black", markersize=3, linestyle="none"
                )
        ax.set_xticks(x, [metric_label(m) for m in metrics])
        if all(metric_limits(m) == (0.0, 1.0) for m in metrics):
            ax.set_ylabel("Mean over replicates (0-1)")
            ax.set_ylim(0, 1.25)
        else:
            ax.set_ylabel("Mean over replicates")
        ax.set_title(f"The four virtues per regime ({ci:.0%} CI; dot: the regime's virtue)")
        ax.legend(ncols=min(len(regimes), 4), loc="upper left", bbox_to_anchor=(0, 1.0))
    return ax
