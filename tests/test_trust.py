"""Tests of sim.trust: the seed over camps, trust between states and sets, reversion.

Reciprocity after agreements is computed in :func:`sim.kernels.agreements_step`; it is
pinned to its numpy statement in tests/test_kernels.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.trust import AFFINITY_WEIGHT, Trust


def world(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, n), rng.uniform(0, 1, n)


def test_seed_trust_falls_with_camp_distance_and_more_so_under_rivalry():
    # two autocracies in the same alignment bin, and one at the far end (DESIGN.md)
    alignment = np.array([-0.9, -0.9, 0.9])
    autocracies = np.zeros(3)
    calm, rivals = Trust(alignment, autocracies, 0.0), Trust(alignment, autocracies, 1.0)
    for trust in (calm, rivals):
        assert trust.pair(0, 1) > trust.pair(0, 2)
    assert calm.pair(0, 1) - calm.pair(0, 2) < rivals.pair(0, 1) - rivals.pair(0, 2)


def test_like_minded_democracies_trust_each_other_more_than_autocracies_do():
    # PAPER.md#C6: the same alignment, only the regime type differs
    alignment = np.array([0.5, 0.5, 0.5, 0.5])
    democracy = np.array([1.0, 1.0, 0.0, 0.0])
    trust = Trust(alignment, democracy, 0.4)
    assert trust.pair(0, 1) > trust.pair(2, 3)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 30), k=st.integers(1, 30), seed=st.integers(0, 2**32 - 1))
def test_trust_in_a_set_and_among_it_are_means_over_pairs(n, k, seed):
    trust = Trust(*world(n, seed), 0.5)
    rng = np.random.default_rng(seed)
    trust.affinity = rng.uniform(0, 1, trust.affinity.shape)
    trust.reputation = rng.uniform(0, 1, n)
    members = np.unique(rng.integers(0, n, min(k, n)))
    states = np.arange(n)
    pairs = np.array([[trust.pair(i, j) for j in members] for i in states])
    np.testing.assert_allclose(trust.toward(states, members), pairs.mean(axis=1), rtol=1e-12)
    among = np.mean([[trust.pair(i, j) for j in members] for i in members])
    assert trust.among(members) == pytest.approx(among, rel=1e-12)


def test_pair_weighs_the_groups_affinity_and_the_trustees_reputation():
    trust = Trust(*world(6, 1), 0.3)
    trust.reputation[4] = 0.9
    g = trust.group
    expected = AFFINITY_WEIGHT * trust.affinity[g[2], g[4]] + (1 - AFFINITY_WEIGHT) * 0.9
    assert trust.pair(2, 4) == pytest.approx(expected)


def test_an_empty_set_gets_neutral_trust():
    trust = Trust(*world(5, 2), 0.3)
    none = np.zeros(0, dtype=int)
    np.testing.assert_array_equal(trust.toward(np.arange(5), none), np.full(5, 0.5))
    assert trust.among(none) == 0.0


def test_revert_closes_its_share_of_the_gap_to_the_seed():
    trust = Trust(*world(8, 3), 0.6, reversion=0.25)
    trust.affinity = np.zeros_like(trust.affinity)
    trust.reputation = np.ones(8)
    trust.revert()
    np.testing.assert_allclose(trust.affinity, 0.25 * trust.seed)
    np.testing.assert_allclose(trust.reputation, np.full(8, 1 - 0.25 * 0.5))
