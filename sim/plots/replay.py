"""Rebuild one run of a results folder as a model (for the network figure only).

A sweep stores metrics, not networks. The run's generator comes from the ``seed`` and
``spawn_key`` stored in its row of ``runs.parquet`` (docs/sweep.md, Seeds), so the
replayed model is the run that was recorded, however the sweep derives its keys.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.plots.data import FigureError, runs_frame


def pick_run(results: Any, regime: str | None = None) -> Any:
    """The first finished run (of ``regime`` if given) as a row of ``results.runs``."""
    runs = runs_frame(results)
    if regime is not None and "regime" in runs.columns:
        allowed = ", ".join(sorted(runs["regime"].unique()))
        runs = runs[runs["regime"] == regime]
        if runs.empty:
            raise FigureError(f"regime {regime!r} has no finished runs; allowed: {allowed}")
    if runs.empty:
        raise FigureError(f"results {str(results.path)!r} have no finished runs")
    return runs.iloc[0]


def replay(
    results: Any, run_id: int | None = None, regime: str | None = None, steps: int | None = None
) -> Any:
    """The model of one run of ``results``, run for ``steps`` steps (default: all).

    Parameters
    ----------
    results : sim.results.Results
        A results folder.
    run_id : int, optional
        The run (default: the first finished run, of ``regime`` if given).
    regime : str, optional
        Pick the first finished run of this regime.
    steps : int, optional
        Steps to run (the network is then the one at that step).
    """
    from sim.model import MultilatModel
    from sim.sweep.design import point_params
    from sim.sweep.seeds import parse_key

    if run_id is None:
        row = pick_run(results, regime)
    else:
        runs = results.runs
        match = runs[runs["run_id"] == run_id]
        if match.empty:
            raise FigureError(f"run_id {run_id} is not in {str(results.path)!r}")
        row = match.iloc[0]
    spec = results.spec
    design = results.design
    point = design[design["point_id"] == int(row["point_id"])].iloc[0].to_dict()
    seq = np.random.SeedSequence(int(row["seed"]), spawn_key=parse_key(str(row["spawn_key"])))
    model = MultilatModel(
        spec.scenario(point_params(point, spec)),
        rng=np.random.default_rng(seq),
        record_votes=False,
    )
    return model.run(steps)
