"""Sensitivity indices of a sampled sweep with SALib (``multilat sensitivity``).

A ``sobol`` sweep (Saltelli's design) gives Sobol' first-order and total indices
(:func:`SALib.analyze.sobol.analyze`): how much of a metric's variance each sampled
factor explains alone (``S1``) and with its interactions (``ST``). An ``lhs`` sweep
gives Borgonovo's moment-independent ``delta`` and a first-order ``S1``
(:func:`SALib.analyze.delta.analyze`), which need no special design. Each sample's value
is its mean over replicates; factors given as levels (e.g. ``regime = [...]``) are
crossed with the sample, so the indices are computed for each combination of levels
separately (``by``). Confidence intervals are SALib's bootstrap, seeded from the
sweep's root seed, so the same results always give the same table.

This answers the question a sampled design is for (which uncertain parameters drive an
outcome) without leaving the command line; docs/sweep.md shows the same by hand.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import warnings
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics import METRICS
from sim.stats import LEVEL

#: SALib's method for each sampled design, and the indices it reports.
METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sobol": ("sobol", ("S1", "ST")),
    "lhs": ("delta", ("delta", "S1")),
}


class SensitivityError(ValueError):
    """Results that cannot give sensitivity indices (one line: what, value, allowed)."""


def sensitivity(
    results: Any,
    metric: str = "effectiveness",
    *,
    level: float = LEVEL,
    resamples: int = 100,
    seed: int | None = None,
) -> pd.DataFrame:
    """Sensitivity indices of ``metric`` to each sampled factor of ``results``.

    Parameters
    ----------
    results : sim.results.Results
        A finished ``lhs`` or ``sobol`` sweep (:func:`sim.results.load`).
    metric : str
        A run-level metric (a column of ``results.runs``).
    level : float
        Confidence level of the bootstrap intervals.
    resamples : int
        Bootstrap resamples.
    seed : int, optional
        Seed of the bootstrap (default: the sweep's root seed).

    Returns
    -------
    pandas.DataFrame
        One row per combination of the crossed levels (columns ``by``, none if there
        are none) and sampled factor (``factor``), with each index and its interval's
        half-width (``S1``, ``S1_conf``, ``ST``, ``ST_conf`` for sobol; ``delta``,
        ``delta_conf``, ``S1``, ``S1_conf`` for lhs). ``attrs`` holds ``method``,
        ``metric``, ``by``, ``points`` (the design's points per combination of levels:
        ``N (D + 2)`` for a Sobol design of base size ``N`` over ``D`` ranges) and
        ``level``.

    Raises
    ------
    SensitivityError
        A factorial sweep, an unknown metric, samples without a finished run (resume
        the sweep, or retry its failures), or a metric undefined in some samples.
    """
    manifest = results.manifest
    design = manifest.get("design", {})
    kind = design.get("kind")
    if kind not in METHODS:
        raise SensitivityError(
            f"design {kind!r}: sensitivity indices need a sampled design; allowed: "
            "'sobol' or 'lhs' (set [sweep] design; a factorial sweep compares levels: "
            "see `multilat report`)"
        )
    runs = results.runs
    runs = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    if metric not in runs.columns or metric not in METRICS:
        known = [m for m in METRICS if m in runs.columns]
        guess = difflib.get_close_matches(metric, known, n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        raise SensitivityError(f"metric {metric!r} is unknown{hint}; allowed: {', '.join(known)}")
    problem = design["salib_problem"]
    names = list(problem["names"])
    by = [c for c in results.design.columns if c not in ("point_id", "point_key", "sample", *names)]
    points = int(results.design["sample"].nunique())
    method, indices = METHODS[kind]
    second_order = bool(manifest.get("spec", {}).get("sweep", {}).get("second_order", False))
    seed = int(manifest.get("root_seed", 0)) if seed is None else seed
    groups = runs.groupby(by, sort=False) if by else [((), runs)]
    rows: list[dict[str, Any]] = []
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        where = ", ".join(f"{k}={v}" for k, v in zip(by, key, strict=True))
        per_sample = group.groupby("sample").agg({metric: "mean", **dict.fromkeys(names, "first")})
        _check_complete(per_sample, metric, points, kind, where)
        y = per_sample[metric].to_numpy(dtype=float)
        if method == "sobol":
            from SALib.analyze import sobol

            si = sobol.analyze(
                problem,
                y,
                calc_second_order=second_order,
                num_resamples=resamples,
                conf_level=level,
                seed=seed,
            )
        else:
            from SALib.analyze import delta

            x = per_sample[names].to_numpy(dtype=float)
            # SALib >= 1.6 warns of how it bins each factor for its "balanced" variant,
            # and names the classic delta (bootstrap with replacement) "delta_raw"
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore", UserWarning)
                si = dict(
                    delta.analyze(
                        problem, x, y, num_resamples=resamples, conf_level=level, seed=seed
                    )
                )
            if "delta" not in si:
                si["delta"], si["delta_conf"] = si["delta_raw"], si["delta_raw_conf"]
        for j, name in enumerate(names):
            row: dict[str, Any] = dict(zip(by, key, strict=True))
            row["factor"] = name
            for index in indices:
                row[index] = float(si[index][j])
                row[f"{index}_conf"] = float(si[f"{index}_conf"][j])
            rows.append(row)
    columns = [*by, "factor", *(c for i in indices for c in (i, f"{i}_conf"))]
    table = pd.DataFrame(rows, columns=columns)
    table.attrs.update(method=method, metric=metric, by=by, points=points, level=level)
    return table


def _check_complete(
    per_sample: pd.DataFrame, metric: str, points: int, kind: str, where: str
) -> None:
    """SensitivityError unless every sample of a group has a finished run and a value."""
    scope = f" ({where})" if where else ""
    missing = points - len(per_sample)
    if missing and kind == "sobol":
        raise SensitivityError(
            f"{missing} of {points} points{scope} have no finished run; a Sobol analysis "
            "needs all of them: finish the sweep (--resume) or rerun its failures "
            "(--retry-failed)"
        )
    if len(per_sample) < 2:
        raise SensitivityError(f"{len(per_sample)} finished points{scope}; at least 2 needed")
    undefined = int(np.isnan(per_sample[metric].to_numpy(dtype=float)).sum())
    if undefined:
        raise SensitivityError(
            f"metric {metric!r} is undefined in {undefined} of {len(per_sample)} points"
            f"{scope} (no run had the event it measures); choose a metric defined in every "
            "run, e.g. effectiveness"
        )
