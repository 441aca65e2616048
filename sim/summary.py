"""Run-level summaries: each metric's mean over steps after burn-in, and its final value."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.metrics import METRICS


def summarise(frame: pd.DataFrame, burn_in: int) -> dict[str, float]:
    """Summarise per-step metrics (a frame with one column per metric).

    For each metric ``m``: ``m`` is its mean over steps after ``burn_in`` (its sum for
    counts and totals such as ``veto_count`` and ``harm``, its last value for running
    figures such as ``flexibility`` that already cover the whole run; steps where it is
    undefined are skipped), and ``m_final`` its last defined value. ``effectiveness`` is
    ``1 - harm / shadow_harm`` over the steps after burn-in (DESIGN.md, Outcomes).
    """
    return summarise_array(frame[list(METRICS)].to_numpy(dtype=float), burn_in)


def summarise_array(values: np.ndarray, burn_in: int) -> dict[str, float]:
    """:func:`summarise` of per-step metrics as an array: one row per step, one column
    per metric in :data:`sim.metrics.METRICS` order.
    """  # noqa: D205
    after = values[burn_in:] if len(values) > burn_in else values
    out: dict[str, float] = {}
    for j, (name, metric) in enumerate(METRICS.items()):
        col = after[:, j]
        defined = col[~np.isnan(col)]
        full = values[:, j]
        full = full[~np.isnan(full)]
        if metric.summary == "sum":
            out[name] = float(defined.sum())
        elif metric.summary == "final":
            out[name] = float(full[-1]) if len(full) else math.nan
        else:
            out[name] = float(defined.mean()) if len(defined) else math.nan
        out[f"{name}_final"] = float(full[-1]) if len(full) else math.nan
    # effectiveness over the run is a ratio of totals (DESIGN.md), not a mean of ratios
    if out.get("shadow_harm", 0.0) > 0:
        out["effectiveness"] = 1 - out["harm"] / out["shadow_harm"]
    return out
