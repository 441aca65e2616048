"""Tests of sim.voting: exact indices against brute force, published values, sampling."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import voting
from sim.voting import banzhaf, council_game, shapley_shubik

# ----------------------------------------------------------------------------- helpers


def brute_force(weights: list[int], quota: int) -> tuple[list[Fraction], list[Fraction]]:
    """Shapley-Shubik and normalised Banzhaf by enumerating all 2^n coalitions."""
    n = len(weights)
    masks = np.arange(1 << n, dtype=np.int64)
    bits = ((masks[:, None] >> np.arange(n)) & 1).astype(np.int64)
    sums = bits @ np.asarray(weights, dtype=np.int64)
    sizes = bits.sum(axis=1)
    loses = sums < quota
    ss: list[Fraction] = []
    raw: list[int] = []
    for i, w in enumerate(weights):
        swing = (bits[:, i] == 0) & loses & (sums + w >= quota)
        by_size = np.bincount(sizes[swing], minlength=n)
        ss.append(
            sum(
                (
                    Fraction(int(c) * math.factorial(k) * math.factorial(n - 1 - k))
                    for k, c in enumerate(by_size[:n])
                ),
                Fraction(0),
            )
            / math.factorial(n)
        )
        raw.append(int(swing.sum()))
    total = sum(raw)
    return ss, [Fraction(r, total) for r in raw]


def wins(weights: list[int], quota: int, members: set[int]) -> bool:
    return sum(weights[i] for i in members) >= quota


# ----------------------------------------------------------------------------- UN Security Council

# Published values for the post-1965 council (Shapley-Shubik as in Shapley & Shubik 1954,
# Banzhaf as in Felsenthal & Machover 1998). The Banzhaf values are the exact
# 848/5080 (permanent: the other 4 permanent + at least 4 of 10 elected) and 84/5080
# (elected: all 5 permanent + exactly 3 of the other 9 elected). The figures 0.16673 and
# 0.01663 sometimes quoted are off by 2e-4 and 1e-4 and fail the brute-force check below.
SC_SS_PERMANENT = 0.19627
SC_SS_ELECTED = 0.001865
SC_BZ_PERMANENT = 0.16693
SC_BZ_ELECTED = 0.016535


def test_council_game_standard():
    assert council_game() == ([7] * 5 + [1] * 10, 39)


@pytest.mark.parametrize("n_permanent", range(0, 4))
@pytest.mark.parametrize("n_elected", range(0, 5))
def test_council_game_rule(n_permanent, n_elected):
    n = n_permanent + n_elected
    if n == 0:
        with pytest.raises(ValueError, match="at least one member"):
            council_game(n_permanent, n_elected, 1)
        return
    for votes_needed in range(1, n + 1):
        weights, quota = council_game(n_permanent, n_elected, votes_needed)
        assert len(weights) == n
        for mask in range(1 << n):
            members = {i for i in range(n) if mask >> i & 1}
            rule = set(range(n_permanent)) <= members and len(members) >= votes_needed
            assert wins(weights, quota, members) == rule, (n_permanent, n_elected, votes_needed)


def test_security_council_published_values():
    weights, quota = council_game()
    ss = shapley_shubik(weights, quota)
    bz = banzhaf(weights, quota)
    assert ss[:5] == pytest.approx([SC_SS_PERMANENT] * 5, abs=1e-4)
    assert ss[5:] == pytest.approx([SC_SS_ELECTED] * 10, abs=1e-5)
    assert bz[:5] == pytest.approx([SC_BZ_PERMANENT] * 5, abs=1e-4)
    assert bz[5:] == pytest.approx([SC_BZ_ELECTED] * 10, abs=1e-4)
    assert ss[5] == pytest.approx(84 * math.factorial(8) * math.factorial(6) / math.factorial(15))
    assert bz[0] == pytest.approx(848 / 5080) and bz[5] == pytest.approx(84 / 5080)


def test_security_council_brute_force():
    weights, quota = council_game()
    ss_bf, bz_bf = brute_force(weights, quota)  # 2^15 coalitions
    assert [float(x) for x in ss_bf] == pytest.approx(shapley_shubik(weights, quota), abs=1e-15)
    assert [float(x) for x in bz_bf] == pytest.approx(banzhaf(weights, quota), abs=1e-15)
    # the reference numbers themselves, checked independently of sim.voting
    assert float(ss_bf[0]) == pytest.approx(SC_SS_PERMANENT, abs=1e-4)
    assert float(ss_bf[5]) == pytest.approx(SC_SS_ELECTED, abs=1e-5)
    assert float(bz_bf[0]) == pytest.approx(SC_BZ_PERMANENT, abs=1e-4)
    assert float(bz_bf[5]) == pytest.approx(SC_BZ_ELECTED, abs=1e-4)
    assert sum(ss_bf) == 1 and sum(bz_bf) == 1


def test_security_council_veto_equivalent_to_weighted_rule():
    # The same rule written with other weights has the same power.
    assert shapley_shubik([15] * 5 + [2] * 10, 83) == pytest.approx(shapley_shubik(*council_game()))


# ----------------------------------------------------------------------------- simple games


@pytest.mark.parametrize("quota", [129, 2 / 3 * 193, Fraction(386, 3)])
def test_assembly_two_thirds(quota):
    for index in (shapley_shubik, banzhaf):
        power = index([1] * 193, quota)
        assert len(power) == 193
        assert all(p == 1 / 193 for p in power)


def test_consensus_of_six():
    for index in (shapley_shubik, banzhaf):
        assert index([1] * 6, 6) == pytest.approx([1 / 6] * 6)
        # unanimity gives equal power whatever the weights
        assert index([1, 2, 3, 4, 5, 6], 21) == pytest.approx([1 / 6] * 6)


def test_dictator():
    for index in (shapley_shubik, banzhaf):
        assert index([10, 1, 1, 1], 10) == [1.0, 0.0, 0.0, 0.0]
        assert index([1, 1, 6], 5.5) == [0.0, 0.0, 1.0]


def test_dummy_players():
    for index in (shapley_shubik, banzhaf):
        assert index([4, 4, 1], 8) == [0.5, 0.5, 0.0]  # the 1 never swings
        base = index([2, 1, 1], 3)
        assert index([2, 0, 1, 1], 3) == base[:1] + [0.0] + base[1:]  # null player


def test_shapley_shubik_small_known_game():
    # [3; 2, 1, 1]: player 0 is pivotal in 4 of 6 orderings; Banzhaf swings 3, 1, 1.
    assert shapley_shubik([2, 1, 1], 3) == pytest.approx([2 / 3, 1 / 6, 1 / 6])
    assert banzhaf([2, 1, 1], 3) == pytest.approx([3 / 5, 1 / 5, 1 / 5])


def test_non_integer_weights():
    expected_ss = shapley_shubik([2, 1, 1], 2)
    expected_bz = banzhaf([2, 1, 1], 2)
    assert shapley_shubik([0.5, 0.25, 0.25], 0.5) == expected_ss
    assert banzhaf([Fraction(2, 3), Fraction(1, 3), Fraction(1, 3)], Fraction(2, 3)) == expected_bz
    assert banzhaf(np.array([2.0, 1.0, 1.0]), 2) == expected_bz
    # many equal non-integer weights with a huge common denominator: still exact
    tenth = shapley_shubik([0.1] * 40 + [0.3] * 20, 6.0)
    assert sum(tenth) == pytest.approx(1.0)
    assert len(set(tenth[:40])) == 1 and len(set(tenth[40:])) == 1


def test_twenty_five_distinct_players_exact_and_fast():
    rng = np.random.default_rng(7)
    weights = [int(w) for w in rng.integers(1, 200, size=25)]
    quota = sum(weights) // 2 + 1
    for index in (shapley_shubik, banzhaf):
        power = index(weights, quota)  # no rng: must be exact, not sampled
        assert sum(power) == pytest.approx(1.0)
        order = np.argsort(weights, kind="stable")
        assert all(np.diff(np.asarray(power)[order]) >= 0)


# ----------------------------------------------------------------------------- properties


@st.composite
def small_games(draw):
    n = draw(st.integers(1, 8))
    weights = draw(st.lists(st.integers(0, 12), min_size=n, max_size=n))
    if sum(weights) == 0:
        weights[draw(st.integers(0, n - 1))] = draw(st.integers(1, 12))
    quota = draw(st.integers(1, sum(weights)))
    return weights, quota


@settings(max_examples=150, deadline=None)
@given(small_games())
def test_exact_equals_brute_force(game):
    weights, quota = game
    ss_bf, bz_bf = brute_force(weights, quota)
    assert shapley_shubik(weights, quota) == pytest.approx([float(x) for x in ss_bf], abs=1e-15)
    assert banzhaf(weights, quota) == pytest.approx([float(x) for x in bz_bf], abs=1e-15)


@settings(max_examples=150, deadline=None)
@given(small_games())
def test_index_properties(game):
    weights, quota = game
    for index in (shapley_shubik, banzhaf):
        power = index(weights, quota)
        assert len(power) == len(weights)
        assert all(p >= 0 for p in power)
        assert sum(power) == pytest.approx(1.0, abs=1e-12)
        for i, wi in enumerate(weights):
            assert (power[i] == 0) or wi > 0  # a zero weight is a dummy
            for j, wj in enumerate(weights):
                if wi == wj:
                    assert power[i] == power[j]
                elif wi > wj:
                    assert power[i] >= power[j]


@settings(max_examples=60, deadline=None)
@given(small_games(), st.sampled_from([10**9, 2**70]))
def test_scale_invariance(game, factor):
    # Large integer weights and binary fractions give the same game, through a table of
    # sparse sums rather than a dense range.
    weights, quota = game
    for index in (shapley_shubik, banzhaf):
        base = index(weights, quota)
        assert index([w * factor for w in weights], quota * factor) == base
        assert index([w / 1024 for w in weights], quota / 1024) == base
        assert index(weights, quota - 0.5) == base  # integer weights: same as ceil


@settings(max_examples=60, deadline=None)
@given(small_games(), st.randoms(use_true_random=False))
def test_permutation_equivariance(game, rnd):
    weights, quota = game
    order = list(range(len(weights)))
    rnd.shuffle(order)
    for index in (shapley_shubik, banzhaf):
        power = index(weights, quota)
        permuted = index([weights[i] for i in order], quota)
        assert permuted == [power[i] for i in order]


# ----------------------------------------------------------------------------- sampling


@pytest.mark.parametrize("index", [shapley_shubik, banzhaf])
def test_sampling_close_to_exact_and_reproducible(index):
    weights, quota = council_game()
    exact = index(weights, quota)
    state_np, state_py = np.random.get_state(), random.getstate()  # noqa: NPY002
    first = index(weights, quota, rng=np.random.default_rng(2024), samples=40_000, method="sample")
    again = index(weights, quota, rng=np.random.default_rng(2024), samples=40_000, method="sample")
    assert first == again
    assert first != exact  # really sampled
    assert first == pytest.approx(exact, abs=0.01)
    assert sum(first) == pytest.approx(1.0)
    # the global random states are untouched
    assert random.getstate() == state_py
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == state_np[0] and np.array_equal(after[1], state_np[1])


@pytest.mark.parametrize("index", [shapley_shubik, banzhaf])
def test_sampling_huge_integer_weights(index):
    weights, quota = [3 * 2**70, 2**70, 2**70], 3 * 2**70  # object arithmetic path
    power = index(weights, quota, rng=np.random.default_rng(0), samples=5_000, method="sample")
    assert power == pytest.approx(index([3, 1, 1], 3), abs=0.03)


@pytest.mark.parametrize("index", [shapley_shubik, banzhaf])
def test_auto_falls_back_to_sampling_above_the_limit(index, monkeypatch):
    weights, quota = council_game()
    exact = index(weights, quota)
    monkeypatch.setattr(voting, "EXACT_CELL_LIMIT", 16)
    with pytest.raises(ValueError, match="exceeds the exact limit"):
        index(weights, quota)
    sampled = index(weights, quota, rng=np.random.default_rng(5), samples=40_000)
    assert sampled != exact
    assert sampled == pytest.approx(exact, abs=0.01)
    assert index(weights, quota, method="exact") == exact  # forced exact ignores the limit


def test_sampling_requires_rng():
    with pytest.raises(ValueError, match="rng"):
        shapley_shubik([1, 1, 1], 2, method="sample")
    with pytest.raises(ValueError, match="rng"):
        banzhaf([1, 1, 1], 2, method="sample", rng=random.Random(0))  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize("index", [shapley_shubik, banzhaf])
def test_bad_input(index):
    with pytest.raises(ValueError, match="empty"):
        index([], 1)
    with pytest.raises(ValueError, match=r"weights\[1\] = -2"):
        index([3, -2, 1], 1)
    with pytest.raises(ValueError, match="finite"):
        index([1, float("nan")], 1)
    with pytest.raises(ValueError, match="quota must be > 0, got 0"):
        index([1, 2], 0)
    with pytest.raises(ValueError, match="got -1.5"):
        index([1, 2], -1.5)
    with pytest.raises(ValueError, match="must not exceed.*got 3.5"):
        index([1, 2], 3.5)
    with pytest.raises(ValueError, match="real number"):
        index(["1", 2], 1)
    with pytest.raises(ValueError, match="method"):
        index([1, 2], 2, method="enumerate")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="samples"):
        index([1, 2], 2, samples=0, rng=np.random.default_rng(0), method="sample")


def test_council_game_bad_input():
    with pytest.raises(ValueError, match="votes_needed.*got 16"):
        council_game(5, 10, 16)
    with pytest.raises(ValueError, match="votes_needed.*got 0"):
        council_game(5, 10, 0)
    with pytest.raises(ValueError, match="n_elected.*got -1"):
        council_game(5, -1, 3)
