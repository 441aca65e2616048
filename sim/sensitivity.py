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
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sim.metrics import METRICS
from sim.stats import LEVEL, fmt3

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
    progress: Callable[[int, int, str], None] | None = None,
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
        Seed from which the bootstrap's seed is derived (:func:`bootstrap_seed`;
        default: the sweep's root seed).
    progress : callable, optional
        Called as ``progress(k, n, where)`` before the ``k``-th of ``n`` combinations of
        levels is analysed (a delta analysis takes seconds each).

    Returns
    -------
    pandas.DataFrame
        One row per combination of the crossed levels (columns ``by``, none if there
        are none) and sampled factor (``factor``), with each index and its interval's
        half-width (``S1``, ``S1_conf``, ``ST``, ``ST_conf`` for sobol; ``delta``,
        ``delta_conf``, ``S1``, ``S1_conf`` for lhs). ``attrs`` holds ``method``,
        ``metric``, ``by``, ``points`` (the design's points per combination of levels:
        ``N (D + 2)`` for a Sobol design of base size ``N`` over ``D`` ranges, ``N (2D +
        2)`` with ``second_order``) and ``level``.

    Raises
    ------
    SensitivityError
        A factorial sweep; an unknown metric; a point without all its replicates
        finished (resume the sweep, or retry its failures); a metric undefined in some
        run, or the same at every point; too few points for SALib to give an index.
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
    plan = results.design
    by = [c for c in plan.columns if c not in ("point_id", "point_key", "sample", *names)]
    points = int(plan["sample"].nunique())
    replicates = int(manifest.get("replicates") or runs.groupby("point_id").size().max())
    method, indices = METHODS[kind]
    second_order = bool(design.get("second_order"))
    seed = bootstrap_seed(int(manifest.get("root_seed", 0)) if seed is None else seed)
    # every combination of levels of the design, whether or not any of its runs finished;
    # all checked before any is analysed
    groups = []
    for key in _level_combinations(plan, by):
        where = ", ".join(f"{k}={v}" for k, v in zip(by, key, strict=True))
        group = runs
        for k, v in zip(by, key, strict=True):
            group = group[group[k] == v]
        _complete(group, metric, points, replicates, where)
        groups.append((key, where, group))
    rows: list[dict[str, Any]] = []
    for k, (key, where, group) in enumerate(groups, start=1):
        if progress is not None:
            progress(k, len(groups), where)
        per_sample = group.groupby("sample").agg({metric: "mean", **dict.fromkeys(names, "first")})
        y = per_sample[metric].to_numpy(dtype=float)
        if np.ptp(y) == 0:
            raise SensitivityError(
                f"metric {metric!r} is {y[0]:g} at every point{_scope(where)}: with no variance "
                "there is nothing for a factor to explain; choose another metric"
            )
        si = _analyse(
            method,
            problem,
            per_sample[names].to_numpy(dtype=float),
            y,
            seed,
            level,
            resamples,
            second_order,
            where,
        )
        if any(np.isnan(si[i]).any() for i in indices):
            notes = "; ".join(dict.fromkeys(str(n).strip() for n in si.get("notes", []) if n))
            raise SensitivityError(
                f"SALib's {method} analysis gave no index for some factor{_scope(where)} from "
                f"{len(y)} points ({len(group)} runs); increase [sweep] samples"
                + (f" (SALib: {notes})" if notes else "")
            )
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


def cells(table: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """:func:`sensitivity`'s table as text: the header (the levels' columns, ``factor``,
    each index) and one row per factor, each index as ``value ±half-width`` (3 decimals;
    ``multilat sensitivity`` and the report both show it so).
    """  # noqa: D205
    keys = [*table.attrs["by"], "factor"]
    indices = [c for c in table.columns if c not in keys and not c.endswith("_conf")]
    rows = [
        [str(r[k]) for k in keys] + [f"{fmt3(r[i])} ±{fmt3(r[f'{i}_conf'])}" for i in indices]
        for r in table.to_dict("records")
    ]
    return [*keys, *indices], rows


def bootstrap_seed(root_seed: int) -> int:
    """The seed of SALib's bootstrap: derived from the sweep's root seed, never 0 (SALib
    leaves its bootstrap unseeded when given 0).
    """  # noqa: D205
    state = np.random.SeedSequence(root_seed).generate_state(1, dtype=np.uint32)[0]
    return int(state) % (2**31 - 2) + 1


def _level_combinations(plan: pd.DataFrame, by: list[str]) -> list[tuple[Any, ...]]:
    """The combinations of the crossed levels, in the design's order (one, empty, if none)."""
    if not by:
        return [()]
    return list(dict.fromkeys(map(tuple, plan[by].itertuples(index=False, name=None))))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _scope(where: str) -> str:
    return f" ({where})" if where else ""


def _analyse(
    method: str,
    problem: dict[str, Any],
    x: np.ndarray,
    y: np.ndarray,
    seed: int,
    level: float,
    resamples: int,
    second_order: bool,
    where: str = "",
) -> dict[str, Any]:
    """SALib's analysis, without its side effects on the calling process.

    SALib seeds NumPy's global generator, changes how warnings are formatted and prints
    notes on its binning (delta); all three are put back or kept quiet here. SALib >= 1.6
    names the classic delta (bootstrap with replacement) ``delta_raw``.
    """
    # put back what SALib changes (it calls np.random.seed): not a use of global random
    state, formatwarning = np.random.get_state(), warnings.formatwarning  # noqa: NPY002
    try:
        with warnings.catch_warnings(record=True), contextlib.redirect_stdout(io.StringIO()):
            if method == "sobol":
                from SALib.analyze import sobol

                si = dict(
                    sobol.analyze(
                        problem,
                        y,
                        calc_second_order=second_order,
                        num_resamples=resamples,
                        conf_level=level,
                        seed=seed,
                    )
                )
            else:
                from SALib.analyze import delta

                si = dict(
                    delta.analyze(
                        problem, x, y, num_resamples=resamples, conf_level=level, seed=seed
                    )
                )
    except (ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
        # SALib's own failures, e.g. a metric nearly constant: a kernel density of a
        # bootstrap sample with no spread ("Singular matrix")
        raise SensitivityError(
            f"SALib's {method} analysis failed{_scope(where)}: {_first_line(exc)}; the metric "
            "may vary too little, or the points be too few (increase [sweep] samples)"
        ) from None
    finally:
        np.random.set_state(state)  # noqa: NPY002
        warnings.formatwarning = formatwarning
    if method == "delta" and "delta" not in si:
        si["delta"], si["delta_conf"] = si["delta_raw"], si["delta_raw_conf"]
    return si


def _complete(group: pd.DataFrame, metric: str, points: int, replicates: int, where: str) -> None:
    """SensitivityError unless every point of a combination of levels has all its
    replicates finished, each with a value of ``metric``.

    The indices read each point as the mean over its replicates, so a point with fewer
    (runs pending or failed, or the metric undefined in some) would not be like the others.
    """  # noqa: D205
    scope = _scope(where)
    finished = group.groupby("sample").size().reindex(range(points), fill_value=0)
    short = int((finished < replicates).sum())
    if short:
        raise SensitivityError(
            f"{short} of {points} points{scope} lack finished runs (of {replicates} "
            "replicates each); the analysis needs every one: finish the sweep (--resume) "
            "or rerun its failures (--retry-failed)"
        )
    undefined = int(group[metric].isna().sum())
    if undefined:
        raise SensitivityError(
            f"metric {metric!r} is undefined in {undefined} of {len(group)} runs{scope} (no "
            "event to measure, e.g. nothing agreed); choose a metric defined in every run, "
            "e.g. effectiveness"
        )
