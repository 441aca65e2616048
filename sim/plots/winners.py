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
    luminance,
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
    mean), ``lead`` (its distance to the runner-up's mean), ``p_value`` and ``test``
    (the t-test of the winner's runs against the runner-up's, below) and ``clear``: the
    lead is at least ``margin`` and significant at ``level`` (``p_value < 1 - level``).
    With fewer than two runs (two pairs) in a cell nothing is significant (``p_value``
    NaN, ``clear`` false): a ranking of single runs is not a finding (PAPER.md#C18 is
    about the ranking's dependence on the problem, not about noise).

    The test is ``paired`` (a t-test of the differences, run by run) where every run of
    the winner has a partner among the runner-up's that drew the same random numbers
    (the same ``seed`` and ``spawn_key``, one run each), as a factorial sweep with
    ``common_random_numbers = true`` gives them: the same world and problems under both
    regimes, so the difference is the regime's alone (the same test as the C18 claim
    check). Otherwise it is ``Welch`` (unequal variances, unpaired): without common
    random numbers; where the metric is undefined in some runs, so that not every run
    has its partner; where a cell holds several points of a regime (another factor
    varied, or a sampled design's binned rivalry), whose runs share streams.

    Higher is better unless the metric's definition says ``better="lower"``. A sampled
    design's rivalry values are binned (:func:`sim.plots.data.rivalry_levels`;
    ``table.attrs["rivalry_binned"]``).
    """  # noqa: D205
    runs = regime_column(runs_frame(results))
    check_metric(runs, metric)
    require(runs, ["issue", "rivalry"])
    runs, binned = rivalry_levels(runs)
    lower = getattr(METRICS.get(metric), "better", "higher") == "lower"
    defined = runs.dropna(subset=[metric])
    defined = defined.assign(**{STREAM: _streams(defined)})
    cells = defined.groupby(["issue", "rivalry", "regime"])
    means = cells[metric].mean()
    rows = []
    for (issue, rivalry), group in means.groupby(level=["issue", "rivalry"], sort=True):
        g = group.droplevel(["issue", "rivalry"]).sort_values(ascending=lower, kind="stable")
        runner_up = g.index[1] if len(g) > 1 else None
        lead = abs(g.iloc[0] - g.iloc[1]) if len(g) > 1 else np.nan
        p_value, test = (
            _lead_p(
                cells.get_group((issue, rivalry, g.index[0])),
                cells.get_group((issue, rivalry, runner_up)),
                metric,
            )
            if runner_up is not None
            else (np.nan, "")
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
                "test": test,
                "clear": bool(lead >= margin and p_value < 1 - level),
            }
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table.attrs["rivalry_binned"] = binned  # a sampled design's rivalry, in bins
    return table


#: The columns of :func:`winners_table`.
COLUMNS = (
    "issue",
    "rivalry",
    "winner",
    "runner_up",
    "best",
    "lead",
    "p_value",
    "test",
    "clear",
)


#: Column of the runs' random streams while :func:`winners_table` works.
STREAM = "_stream"


def _streams(runs: pd.DataFrame) -> pd.Series:
    """Each run's random stream: its ``seed`` and ``spawn_key`` (a sweep's root seed and
    the run's key, :mod:`sim.sweep.seeds`; either alone where only one is there), or
    None where neither is. Two runs share a stream when they drew the same numbers: with
    common random numbers, the same replicate of two points.
    """  # noqa: D205
    columns = [c for c in ("seed", "spawn_key") if c in runs.columns]
    if not columns:
        return pd.Series(None, index=runs.index, dtype=object)
    stream = runs[columns[0]].astype(str)
    for c in columns[1:]:
        stream = stream + "|" + runs[c].astype(str)
    return stream


def _lead_p(a: pd.DataFrame, b: pd.DataFrame, metric: str) -> tuple[float, str]:
    """The p-value of the lead of ``a`` over ``b`` in ``metric`` (the runs of one cell
    with their :data:`STREAM`) and the test that gave it: ``paired`` where the two have
    the same streams, one run each (every run has its partner, so the mean difference is
    the difference of the means), else ``Welch``.
    """  # noqa: D205
    sa, sb = a[STREAM], b[STREAM]
    if sa.notna().all() and sa.is_unique and sb.is_unique and set(sa) == set(sb):
        diff = pd.Series(a[metric].to_numpy(float), index=sa.to_numpy()) - pd.Series(
            b[metric].to_numpy(float), index=sb.to_numpy()
        )
        return _paired_p(diff.to_numpy(dtype=float)), "paired"
    return _welch_p(a[metric].to_numpy(dtype=float), b[metric].to_numpy(dtype=float)), "Welch"


def _paired_p(diff: np.ndarray) -> float:
    """Two-sided p-value of the one-sample t-test of the differences ``diff`` against 0
    (NaN with fewer than 2; differences equal but for rounding: 0 if not zero, 1 if zero,
    where the t statistic would be rounding error over rounding error).
    """  # noqa: D205
    if len(diff) < 2:
        return float("nan")
    if np.ptp(diff) <= 1e-12 * max(1.0, float(np.abs(diff).max())):  # equal but for rounding
        return 0.0 if abs(diff.mean()) > 1e-12 else 1.0
    return float(stats.ttest_1samp(diff, 0.0).pvalue)


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
    or not significant at ``level`` by a t-test over the cell's runs, paired run by run
    under common random numbers, :func:`winners_table`) is pale and reads
    ``winner ≈ runner-up``: only a solid cell is a finding. Each cell is tested on its
    own (no correction for the number of cells), so among many cells a few solid ones
    may be chance at the 5 % level.

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
                    label=f"pale: lead < {margin:g}\nor p ≥ {1 - level:.2g} ({_tests(table)})",
                )
            )
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
        better = "lowest" if getattr(METRICS.get(metric), "better", "") == "lower" else "highest"
        ax.set_title(f"Regime with the {better} {metric_label(metric).lower()}")
    return ax


def _tests(table: pd.DataFrame) -> str:
    """The tests behind the table's p-values, for the legend: ``paired t``, ``Welch``
    or ``t-test`` (some cells of each).
    """  # noqa: D205
    used = set(table["test"]) - {""}
    if used == {"paired"}:
        return "paired t"
    if used == {"Welch"}:
        return "Welch"
    return "t-test"


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG luminance)."""
    return "black" if luminance(background) > 0.179 else "white"


def _cell(x: float, y: float, colour: str, alpha: float = 1.0) -> Any:
    """A unit square centred on (x, y)."""
    from matplotlib.patches import Rectangle

    return Rectangle(
        (x - 0.5, y - 0.5), 1, 1, facecolor=colour, alpha=alpha, edgecolor="white", linewidth=1
    )
