"""Designs: the points of a sweep, one row each, from the spec's factors.

``factorial`` crosses every level of every factor (the first factor varies slowest).
``lhs`` draws ``samples`` points by Latin hypercube (:mod:`scipy.stats.qmc`) over the
ranges; ``sobol`` makes Saltelli's design (:func:`SALib.sample.sobol.sample`), analysable
with :func:`SALib.analyze.sobol.analyze` in ``point_id`` order (the design's order).
Factors given as levels are crossed with the sample: each combination of levels meets
the same sampled points, numbered by the column ``sample``. Samples are drawn from the
root seed's design stream (:func:`sim.sweep.seeds.design_rng`), so a spec always gives
the same design. ``point_key`` names each point by its values (:func:`point_key`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario import ScenarioError, build_scenario
from sim.sweep.seeds import design_rng
from sim.sweep.spec import Factor, SpecError, SweepSpec


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem of the spec's ranges: ``num_vars``, ``names``, ``bounds``.

    Integer ranges ``[low, high]`` are sampled over ``[low, high + 1)`` and floored.
    """
    ranges = [f for f in spec.factors if f.is_range]
    return {
        "num_vars": len(ranges),
        "names": [f.key for f in ranges],
        "bounds": [[f.low, f.high + 1 if f.integer else f.high] for f in ranges],
    }


def _sample(spec: SweepSpec) -> np.ndarray:
    """The sampled values of the ranges, one row per sample, one column per range."""
    problem = salib_problem(spec)
    rng = design_rng(spec.root_seed)
    s = spec.settings
    if s.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, s.samples, calc_second_order=s.second_order, seed=rng)
    from scipy.stats import qmc

    bounds = np.asarray(problem["bounds"], dtype=float)
    unit = qmc.LatinHypercube(d=problem["num_vars"], rng=rng).random(s.samples)
    return qmc.scale(unit, bounds[:, 0], bounds[:, 1])


def _column(factor: Factor, values: list[Any]) -> pd.Series:
    if factor.is_range and factor.integer:
        v = np.floor(np.asarray(values, dtype=float)).astype(np.int64)
        return pd.Series(np.minimum(v, int(factor.high)), name=factor.key)
    if factor.is_range:
        return pd.Series(np.asarray(values, dtype=float), name=factor.key)
    first = factor.levels[0]
    if isinstance(first, str):
        return pd.Series(values, name=factor.key, dtype=object)
    return pd.Series(values, name=factor.key)


def make_design(spec: SweepSpec) -> pd.DataFrame:
    """One row per point: ``point_id``, ``sample`` (lhs, sobol) and one column per factor.

    Raises
    ------
    SpecError
        A point that is not a valid scenario (e.g. more great powers than states).
    """
    levels = [f for f in spec.factors if not f.is_range]
    ranges = [f for f in spec.factors if f.is_range]
    combos = list(itertools.product(*(f.levels for f in levels)))
    columns: dict[str, list[Any]] = {f.key: [] for f in spec.factors}
    if spec.settings.design == "factorial":
        for combo in combos:
            for f, v in zip(levels, combo, strict=True):
                columns[f.key].append(v)
        sample = None
    else:
        values = _sample(spec)
        n = len(values)
        for combo in combos:
            for f, v in zip(levels, combo, strict=True):
                columns[f.key].extend([v] * n)
            for j, f in enumerate(ranges):
                columns[f.key].extend(values[:, j].tolist())
        sample = np.tile(np.arange(n, dtype=np.int64), len(combos))
    n_points = len(combos) * (1 if sample is None else len(sample) // max(len(combos), 1))
    frame = pd.DataFrame({"point_id": np.arange(n_points, dtype=np.int64)})
    if sample is not None:
        frame["sample"] = sample
    for f in spec.factors:
        frame[f.key] = _column(f, columns[f.key]).to_numpy()
    keys = [point_key(row, spec) for row in frame.to_dict("records")]
    if len(set(keys)) != len(keys):
        raise SpecError("in [sweep], two points of the design are the same (a level repeats)")
    frame.insert(1, "point_key", np.asarray(keys, dtype=np.int64))
    check_points(spec, frame)
    return frame


def point_key(row: dict[str, Any], spec: SweepSpec) -> int:
    """A number that names a point by its values alone (63 bits of their SHA-256).

    Runs are seeded by ``(point_key, replicate)``, not by the point's place in the design,
    so adding levels to any factor (or points to a design) leaves the seeds, and so the
    results, of the points already there unchanged.
    """
    values: list[Any] = [
        [key, point_params(row, spec)[key]] for key in sorted(f.key for f in spec.factors)
    ]
    if "sample" in row:
        values.append(["sample", int(row["sample"])])
    text = json.dumps(values, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


def point_params(row: dict[str, Any], spec: SweepSpec) -> dict[str, Any]:
    """The scenario overrides of one design row (plain Python values)."""
    out = {}
    for f in spec.factors:
        v = row[f.key]
        out[f.key] = v.item() if hasattr(v, "item") else v
    return out


def check_points(spec: SweepSpec, design: pd.DataFrame) -> None:
    """Every point must be a valid scenario; the first that is not raises SpecError."""
    for row in design.to_dict("records"):
        params = point_params(row, spec)
        try:
            build_scenario(spec.base, **params)
        except ScenarioError as exc:
            shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
            raise SpecError(f"in [sweep], point {row['point_id']} ({shown}): {exc}") from None
