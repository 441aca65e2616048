"""Per-run seeds keyed by the run, never by its place in a queue.

A run's generator comes from ``SeedSequence(root_seed, spawn_key=(point_key, replicate))``
(``spawn_key=(replicate,)`` with common random numbers), where ``point_key`` names the
point by its parameter values (:func:`sim.sweep.design.point_key`), not by its place in
the design. So serial, parallel, Dask and resumed sweeps give the same runs, and adding
replicates, levels or points leaves the existing runs unchanged.
"""

from __future__ import annotations

import numpy as np

#: Spawn key of the design's own stream (LHS and Sobol samples): three entries, so it
#: can never equal a run's key of one or two.
DESIGN_KEY = (2**32 - 1, 2**32 - 1, 0)


def spawn_key(point_key: int, replicate: int, common_random_numbers: bool = False) -> tuple:
    """The spawn key of one run (``point_key``: :func:`sim.sweep.design.point_key`)."""
    return (replicate,) if common_random_numbers else (point_key, replicate)


def run_seed_sequence(
    root_seed: int, point_key: int, replicate: int, common_random_numbers: bool = False
) -> np.random.SeedSequence:
    """The seed sequence of one run (pass ``np.random.default_rng`` of it to the model)."""
    return np.random.SeedSequence(
        root_seed, spawn_key=spawn_key(point_key, replicate, common_random_numbers)
    )


def key_text(key: tuple) -> str:
    """A spawn key as stored in results: ``"K,7"`` (point key K, replicate 7) or ``"7"``."""
    return ",".join(str(int(k)) for k in key)


def parse_key(text: str) -> tuple[int, ...]:
    """The spawn key stored as :func:`key_text`."""
    return tuple(int(k) for k in str(text).split(","))


def design_rng(root_seed: int) -> np.random.Generator:
    """The generator that samples LHS and Sobol designs."""
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=DESIGN_KEY))
