"""The runs behind the claim checks: every regime in a few (issue, rivalry) cells.

Every regime runs in each cell of :data:`CELLS` over the same seeds (common random
numbers: seed ``s`` gives every regime the same world and the same problems), plus the
single comparisons of :data:`EXTRAS`. Two sizes: ``quick`` (what CI and the test suite
run) and ``full`` (more seeds and longer runs, for docs/validation.md). Runs go to a
process pool; results are cached per size within a process, so the test suite and
``multilat validate`` share them.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np

from sim.model import MultilatModel

#: The regimes of the paper, in its order.
PAPER = ("charter", "club", "concert", "coalition")

#: (issue, rivalry) cells every regime runs in.
CELLS: tuple[tuple[str, float], ...] = (
    ("mixed", 0.0),
    ("mixed", 0.3),
    ("mixed", 0.8),
    ("climate", 0.0),
    ("climate", 0.2),
    ("climate", 0.8),
    ("security_crisis", 0.0),
    ("security_crisis", 0.8),
    ("financial_crisis", 0.0),
    ("pandemic", 0.2),
    ("pandemic", 0.8),
)

Overrides = tuple[tuple[str, float], ...]

#: Single comparisons: (regime, issue, rivalry, scenario overrides).
EXTRAS: tuple[tuple[str, str, float, Overrides], ...] = (
    ("concert", "climate", 0.2, (("rules.concert.outsider_follow", 0.0),)),
    ("charter", "climate", 0.2, (("rules.charter.capacity", 0.0),)),
)


@dataclass(frozen=True)
class Size:
    """How many seeds and steps a validation runs."""

    name: str
    seeds: int
    steps: int


SIZES = {
    "quick": Size("quick", seeds=10, steps=80),
    "full": Size("full", seeds=30, steps=150),
}

Key = tuple[str, str, float, Overrides]


def _run(job: tuple[str, str, float, Overrides, int, int]) -> dict[str, float]:
    regime, issue, rivalry, overrides, steps, seed = job
    model = MultilatModel(
        regime=regime,
        issue=issue,
        rivalry=rivalry,
        steps=steps,
        seed=seed,
        record_votes=False,
        **dict(overrides),
    )
    return model.run().summary()


def keys() -> list[Key]:
    """Every (regime, issue, rivalry, overrides) the checks read."""
    out: list[Key] = [(r, i, x, ()) for r, (i, x) in itertools.product(PAPER, CELLS)]
    return out + list(EXTRAS)


class Runs:
    """Run summaries by (regime, issue, rivalry, overrides), one per seed."""

    def __init__(self, size: Size, summaries: dict[Key, list[dict[str, float]]]) -> None:
        self.size = size
        self._summaries = summaries

    def values(
        self, regime: str, issue: str, rivalry: float, metric: str, overrides: Overrides = ()
    ) -> np.ndarray:
        """One value per seed (NaN where the run had none, e.g. no agreement)."""
        return np.array([s[metric] for s in self._summaries[(regime, issue, rivalry, overrides)]])

    def mean(
        self, regime: str, issue: str, rivalry: float, metric: str, overrides: Overrides = ()
    ) -> float:
        """Mean over seeds, NaNs left out."""
        return float(np.nanmean(self.values(regime, issue, rivalry, metric, overrides)))


def run_grid(
    size: Size,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Runs:
    """Run every key of :func:`keys` over ``size.seeds`` seeds in a process pool.

    ``progress(done, total)`` is called as runs finish. The pool uses the ``spawn``
    start method (safe from notebooks and threads; the global start method is left
    alone).
    """
    jobs = [(*key, size.steps, seed) for key, seed in itertools.product(keys(), range(size.seeds))]
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        values = []
        for done, job in enumerate(jobs, 1):
            values.append(_run(job))
            if progress is not None:
                progress(done, len(jobs))
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            values = []
            for done, value in enumerate(pool.map(_run, jobs, chunksize=8), 1):
                values.append(value)
                if progress is not None:
                    progress(done, len(jobs))
    summaries: dict[Key, list[dict[str, float]]] = {}
    for job, value in zip(jobs, values, strict=True):
        summaries.setdefault(job[:4], []).append(value)
    return Runs(size, summaries)


_CACHE: dict[str, Runs] = {}


def runs_for(
    size_name: str,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Runs:
    """The runs of a named size, computed once per process and then reused.

    Results do not depend on ``workers`` (every run is seeded by its key), so a cached
    result serves any later call.
    """
    if size_name not in _CACHE:
        _CACHE[size_name] = run_grid(SIZES[size_name], workers=workers, progress=progress)
    return _CACHE[size_name]
