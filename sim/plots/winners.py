"""Which regime ranks first for each issue type and rivalry level."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from scipy import stats

from sim.metrics import METRICS
from sim.plots.data import (
    BINNED,
    check_metric,
    regime_column,
    require,
    rivalry_levels,
    runs_frame,
)
from sim.plots.style import (
    issue_label,
    issue_order,
    metric_label,
    new_axes,
    regime_colour,
    regime_order,
    style,
)
from sim.stats import LEVEL


def winners_table(
    results: Any,
    metric: str = "effectiveness",
    *,
    margin: float = 0.02,
    level: float = LEVEL,
) -> pd.DataFrame:
    """Per issue type and rivalry level: the best regime by mean ``metric``, the
    runner-up, the lead, and whether the lead is clear.

    Columns ``issue``, ``rivalry``, ``winner``, ``runner_up``, ``best`` (the winner's
    mean), ``lead`` (its distance to the runner-up's mean), ``p_value`` (Welch's t-test
    of the winner's runs against the runner-up's: unequal variances, unpaired, so it
    holds whether or not the sweep used common random numbers) and ``clear``: the lead
    is at least ``margin`` and significant at ``level`` (``p_value < 1 - level``). With
    fewer than two runs of either regime in a cell nothing is significant (``p_value``
    NaN, ``clear`` false): a ranking of single runs is not a finding (PAPER.md#C18 is
    about the ranking's dependence on the problem, not about noise).

    Higher is better unless the metric's definition says ``better="lower"``. A sampled
    design's rivalry values are binned (:func:`sim.plots.data.rivalry_levels`;
    ``table.attrs["rivalry_binned"]``).
    """  # noqa: D205
    runs = regime_column(runs_frame(results))
    check_metric(runs, metric)
    require(runs, ["issue", "rivalry"])
    runs, binned = rivalry_levels(runs)
    lower = getattr(METRICS.get(metric), "better", "higher") == "lower"
    values = runs.dropna(subset=[metric]).groupby(["issue", "rivalry", "regime"])[metric]
    means = values.mean()
    rows = []
    for (issue, rivalry), group in means.groupby(level=["issue", "rivalry"], sort=True):
        g = group.droplevel(["issue", "rivalry"]).sort_values(ascending=lower, kind="stable")
        runner_up = g.index[1] if len(g) > 1 else None
        lead = abs(g.iloc[0] - g.iloc[1]) if len(g) > 1 else np.nan
        p_value = (
            _welch_p(
                values.get_group((issue, rivalry, g.index[0])).to_numpy(dtype=float),
                values.get_group((issue, rivalry, runner_up)).to_numpy(dtype=float),
            )
            if runner_up is not None
            else np.nan
        )
        rows.append(
            {
                "issue": issue,
                "rivalry": rivalry,
                "winner": g.index[0],
                "runner_up": runner_up,
                "best": float(g.iloc[0]),
                "lead": float(lead),
                "p_value": p_value,
                "clear": bool(lead >= margin and p_value < 1 - level),
            }
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table.attrs["rivalry_binned"] = binned  # a sampled design's rivalry, in bins
    return table


#: The columns of :func:`winners_table`.
COLUMNS = ("issue", "rivalry", "winner", "runner_up", "best", "lead", "p_value", "clear")


def _welch_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided p-value of Welch's t-test of ``a`` against ``b`` (NaN with < 2 of either).

    Two groups without spread: 0 if their means differ, 1 if they are equal (where
    scipy gives NaN: no test is needed to tell constants apart).
    """
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return 0.0 if a[0] != b[0] else 1.0
    return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def fig_winners(
    results: Any,
    metric: str = "effectiveness",
    ax: Axes | None = None,
    *,
    margin: float = 0.02,
    level: float = LEVEL,
) -> Axes:
    """A grid of issue type x rivalry, each cell coloured by the regime that ranks first.

    PAPER.md#C18 at a glance: no single winner; which approach is best depends on the
    problem and on great-power rivalry. A cell whose lead is not clear (below ``margin``,
    or not significant at ``level`` by Welch's t-test over the cell's runs,
    :func:`winners_table`) is pale and reads ``winner ≈ runner-up``: only a solid cell is
    a finding. Each cell is tested on its own (no correction for the number of cells), so
    among many cells a few solid ones may be chance at the 5 % level.

    Parameters
    ----------
    results : sim.results.Results or pandas.DataFrame
        Runs with ``regime``, ``issue``, ``rivalry`` and ``metric`` columns.
    metric : str
        The run-level metric to rank by (higher is better unless its definition in
        ``sim.metrics.METRICS`` says ``better="lower"``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    margin : float
        Lead below which a cell counts as a near tie (0.02 as in the C18 check).
    level : float
        Confidence level of the test of the lead (0.95).

    Returns
    -------
    matplotlib.axes.Axes
        One rectangle per cell (``ax.patches``, gid ``winner-<regime>``)
        and one text per cell naming the winner.
    """
    table = winners_table(results, metric, margin=margin, level=level)
    issues = issue_order(table["issue"])
    levels = sorted(table["rivalry"].unique())
    with style():
        ax = new_axes(ax, (3.46 * 1.25, 0.4 * len(issues) + 1.3))
        any_close = False
        for row in table.itertuples():
            i, j = issues.index(row.issue), levels.index(row.rivalry)
            close = not row.clear and row.runner_up is not None
            any_close |= close
            rect = ax.add_patch(
                _cell(j, i, regime_colour(row.winner), alpha=0.45 if close else 1.0)
            )
            rect.set_gid(f"winner-{row.winner}")
            text = f"{row.winner}\n≈ {row.runner_up}" if close else row.winner
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=6,
                color="black" if close else text_colour(regime_colour(row.winner)),
            )
        ax.set_xlim(-0.5, len(levels) - 0.5)
        ax.set_ylim(len(issues) - 0.5, -0.5)
        ax.set_xticks(range(len(levels)), [f"{v:g}" for v in levels])
        ax.set_yticks(range(len(issues)), [issue_label(v) for v in issues])
        ax.set_xlabel(metric_label("rivalry") + (BINNED if table.attrs["rivalry_binned"] else ""))
        ax.set_ylabel(metric_label("issue"))
        for spine in ax.spines.values():
            spine.set_visible(False)
        present = set(table["winner"])
        handles = [
            Patch(color=regime_colour(r), label=r) for r in regime_order(present) if r in present
        ]
        if any_close:  # what a pale cell means, in the figure itself
            handles.append(
                Patch(
                    color="0.6",
                    alpha=0.45,
                    label=f"pale: lead < {margin:g}\nor p ≥ {1 - level:.2g} (Welch)",
                )
            )
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
        better = "lowest" if getattr(METRICS.get(metric), "better", "") == "lower" else "highest"
        ax.set_title(f"Regime with the {better} {metric_label(metric).lower()}")
    return ax


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG luminance)."""
    from matplotlib.colors import to_rgb

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(background))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if luminance > 0.179 else "white"


def _cell(x: float, y: float, colour: str, alpha: float = 1.0) -> Any:
    """A unit square centred on (x, y)."""
    from matplotlib.patches import Rectangle

    return Rectangle(
        (x - 0.5, y - 0.5), 1, 1, facecolor=colour, alpha=alpha, edgecolor="white", linewidth=1
    )
