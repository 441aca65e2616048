"""Run-level summaries: each metric's mean over steps after burn-in, and its final value."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.metrics import METRICS


def summarise(frame: pd.DataFrame, burn_in: int) -> dict[str, float]:
    """Summarise per-step metrics.

    For each metric ``m``: ``m`` is its mean over steps after ``burn_in`` (its sum for
    counts and totals such as ``veto_count`` and ``harm``, its last value for running
    figures such as ``flexibility`` that already cover the whole run; steps where it is
    undefined are skipped), and ``m_final`` its last defined value. ``effectiveness`` is
    ``1 - harm / shadow_harm`` over the steps after burn-in (DESIGN.md, Outcomes).
    """
    after = frame.iloc[burn_in:] if len(frame) > burn_in else frame
    out: dict[str, float] = {}
    for name, metric in METRICS.items():
        col = after[name].to_numpy(dtype=float)
        defined = col[~np.isnan(col)]
        if metric.summary == "sum":
            out[name] = float(defined.sum())
        elif metric.summary == "final":
            whole = frame[name].to_numpy(dtype=float)
            whole = whole[~np.isnan(whole)]
            out[name] = float(whole[-1]) if len(whole) else math.nan
        else:
            out[name] = float(defined.mean()) if len(defined) else math.nan
        full = frame[name].to_numpy(dtype=float)
        full = full[~np.isnan(full)]
        out[f"{name}_final"] = float(full[-1]) if len(full) else math.nan
    # effectiveness over the run is a ratio of totals (DESIGN.md), not a mean of ratios
    if out.get("shadow_harm", 0.0) > 0:
        out["effectiveness"] = 1 - out["harm"] / out["shadow_harm"]
    return out
