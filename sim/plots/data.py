"""Tidy frames for the figures, from a results folder or a DataFrame.

Every figure takes ``results``: a :class:`sim.results.Results` (``sim.results.load``)
or a DataFrame shaped like its ``runs`` (one row per run, the factors and the run-level
metrics). Nothing here runs a model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics import METRICS, clip_to_range
from sim.stats import estimate


class FigureError(ValueError):
    """Results that cannot make the figure asked for (one line: key, value, allowed)."""


def runs_frame(results: Any) -> pd.DataFrame:
    """The finished runs (``status == "ok"``) of ``results`` as a DataFrame."""
    runs = results.runs if hasattr(results, "runs") else results
    if not isinstance(runs, pd.DataFrame):
        raise TypeError(f"results: expected sim.results.Results or a DataFrame, got {runs!r}")
    if "status" in runs.columns:
        runs = runs[runs["status"] == "ok"]
    return runs


def require(frame: pd.DataFrame, columns: Sequence[str], what: str = "results") -> None:
    """FigureError naming the first of ``columns`` missing from ``frame``."""
    for c in columns:
        if c not in frame.columns:
            allowed = ", ".join(str(x) for x in frame.columns) or "none"
            kind = "metric" if c in METRICS else "column"
            raise FigureError(f"{kind} {c!r} is not in the {what}; columns: {allowed}")


def check_metric(frame: pd.DataFrame, metric: str) -> None:
    """FigureError unless ``metric`` is a known metric (or a column) of ``frame``."""
    if metric in frame.columns:
        return
    known = [m for m in METRICS if m in frame.columns] or list(METRICS)
    raise FigureError(f"metric {metric!r} is unknown here; allowed: {', '.join(known)}")


def select(frame: pd.DataFrame, column: str, value: Any) -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` is ``value`` (a number: equal within
    rounding); FigureError naming the values there are if no row is (e.g. a typo in
    ``issue=``, or a rivalry level the sweep did not run).
    """  # noqa: D205
    require(frame, [column])
    col = frame[column]
    if pd.api.types.is_numeric_dtype(col) and not isinstance(value, str | bool):
        try:
            rows = np.isclose(col.to_numpy(dtype=float), float(value))
        except (TypeError, ValueError):
            rows = np.zeros(len(col), dtype=bool)
    else:
        rows = (col == value).to_numpy()
    if not rows.any():
        present = ", ".join(str(v) for v in sorted(col.dropna().unique().tolist())) or "none"
        raise FigureError(f"{column} {value!r} is not in the results; they have: {present}")
    return frame[rows]


#: More distinct rivalry values than this is a sampled design (``lhs``, ``sobol``), whose
#: rivalry figures bin the values (:func:`rivalry_levels`).
MAX_RIVALRY_LEVELS = 12
#: Equal-width bins over rivalry 0..1 for a sampled design.
RIVALRY_BINS = 5
#: The rivalry axis label's note when the values were binned.
BINNED = f", sampled: {RIVALRY_BINS} bins at their centres"


def rivalry_levels(frame: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """``frame`` with its ``rivalry`` as levels, and whether they had to be binned.

    A factorial sweep runs a few rivalry levels, each with its replicates. A sampled
    design (``lhs``, ``sobol``) gives nearly every run its own value: taken as levels,
    each would be a "group" of one point's replicates, with the other sampled factors
    pooled in. Above :data:`MAX_RIVALRY_LEVELS` distinct values the values are put in
    :data:`RIVALRY_BINS` equal bins over 0..1 and stand at the bins' centres.
    """
    values = frame["rivalry"].astype(float)
    if values.nunique() <= MAX_RIVALRY_LEVELS:
        return frame, False
    width = 1.0 / RIVALRY_BINS
    index = np.minimum(np.floor(values.to_numpy() / width), RIVALRY_BINS - 1)
    return frame.assign(rivalry=np.round((index + 0.5) * width, 10)), True


def mean_ci(frame: pd.DataFrame, by: Sequence[str], value: str, ci: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval of ``value`` per group of ``by``: columns ``by``, ``mean``,
    ``ci_low``, ``ci_high``, ``n`` (as :meth:`sim.results.Results.summary` computes them,
    the interval cut to the metric's range: :func:`clip_to_range`).
    """
    rows = []
    for key, group in frame.groupby(list(by), sort=True, dropna=False):
        e = estimate(group[value].to_numpy(), ci)
        keys = key if isinstance(key, tuple) else (key,)
        low, high = clip_to_range(value, e.low, e.high)
        rows.append(
            {
                **dict(zip(by, keys, strict=True)),
                "mean": e.mean,
                "ci_low": low,
                "ci_high": high,
                "n": e.n,
            }
        )
    return pd.DataFrame(rows, columns=[*by, "mean", "ci_low", "ci_high", "n"])


def over_replicates(frame: pd.DataFrame, by: Sequence[str], value: str) -> pd.DataFrame:
    """Mean of ``value`` per ``by`` and replicate: other factors (e.g. issue) averaged
    within each replicate first, so a following interval is one over replicates.
    """
    if "replicate" not in frame.columns:
        return frame
    keys = [*by, "replicate"]
    return frame.groupby(keys, sort=True, dropna=False)[value].mean().reset_index()


def steps_frame(results: Any, metric: str) -> pd.DataFrame:
    """Per-step values of ``metric`` with each run's factors: ``regime``, ``step``...

    From a :class:`~sim.results.Results` (its ``steps/`` joined to its runs) or a
    DataFrame that already has ``step`` and ``metric`` columns.
    """
    if isinstance(results, pd.DataFrame):
        require(results, ["step"], "per-step results")
        check_metric(results, metric)
        return results
    if metric not in METRICS:
        raise FigureError(f"metric {metric!r} is unknown; allowed: {', '.join(METRICS)}")
    steps = results.steps([metric])
    if steps.empty:
        raise FigureError(f"results {str(results.path)!r} have no per-step metrics (steps/)")
    runs = runs_frame(results)
    keep = [c for c in ("point_id", "replicate", *results.factors) if c in runs.columns]
    return steps.merge(runs[keep], on=["point_id", "replicate"], how="inner")


def regime_column(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``regime`` column (one unnamed regime if the sweep did not vary it)."""
    if "regime" in frame.columns:
        return frame
    return frame.assign(regime="all runs")
