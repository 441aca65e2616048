"""Tests of sim.trust: the set statistics joined from per-set parts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.trust import Trust


def reference_stats(trust: Trust, sets: np.ndarray) -> dict[str, np.ndarray]:
    """The set statistics computed from the stacked 0/1 matrix (the former prepare_sets)."""
    members = np.asarray(sets, dtype=bool)
    n_sets = len(members)
    rows, cols = np.nonzero(members)
    cells = rows * trust.n_groups + trust.group[cols]
    counts = np.bincount(cells, minlength=n_sets * trust.n_groups).reshape(n_sets, -1)
    per_set = np.count_nonzero(members, axis=1)
    size = np.maximum(per_set, 1)
    signed = np.count_nonzero(members, axis=0)
    who = signed > 0
    present = (counts > 0).astype(float)
    together = present.T @ present
    mask = together > 0
    eta = trust.learning
    return {
        "sets": members.astype(float),
        "rows": rows,
        "cols": cols,
        "cells": cells,
        "flat": rows * members.shape[1] + cols,
        "any": len(rows) > 0,
        "per_set": per_set,
        "per_state": signed,
        "size": size,
        "shares": counts / size[:, None],
        "counts": counts,
        "who": who,
        "signed": signed[who],
        "reputation_step": 1 - (1 - eta) ** signed[who],
        "present": present,
        "positive": counts > 0,
        "together": together[mask],
        "mask": mask,
        "affinity_step": 1 - (1 - eta) ** together[mask],
    }


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 60),
    n_sets=st.integers(1, 12),
    share=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_joined_set_statistics_equal_those_of_the_stacked_sets(n, n_sets, share, seed):
    rng = np.random.default_rng(seed)
    trust = Trust(rng.uniform(-1, 1, n), rng.uniform(0, 1, n), 0.4)
    sets = rng.uniform(size=(n_sets, n)) < share
    stats = trust.join_sets([trust.members(row) for row in sets])
    for name, expected in reference_stats(trust, sets).items():
        got = getattr(stats, name)
        if isinstance(expected, bool):
            assert got is expected, name
        else:
            assert got.dtype == expected.dtype, name
            assert got.shape == expected.shape, name
            assert np.array_equal(got, expected), name
