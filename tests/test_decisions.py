"""Unit tests of sim.decisions: the decision rules on hand-built positions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import positions
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.decisions import (
    MIN_AMBITION,
    Decision,
    consensus,
    council,
    kth_highest,
    supermajority,
)
from sim.forums import ABSTAIN, NO, VOTE_LETTERS, YES


def letters(decision: Decision) -> str:
    return "".join(VOTE_LETTERS[v] for v in decision.votes)


# ------------------------------------------------------------------------- kth_highest


class TestKthHighest:
    def test_first_is_max_and_last_is_min(self):
        v = np.array([0.3, 0.9, 0.1, 0.5])
        assert kth_highest(v, 1) == 0.9
        assert kth_highest(v, 2) == 0.5
        assert kth_highest(v, 3) == 0.3
        assert kth_highest(v, 4) == 0.1

    def test_ties_count_separately(self):
        v = np.array([0.5, 0.5, 0.5, 0.2])
        assert kth_highest(v, 3) == 0.5
        assert kth_highest(v, 4) == 0.2

    @pytest.mark.parametrize("k", [0, -1, 5])
    def test_out_of_range_is_minus_infinity(self, k):
        assert kth_highest(np.array([0.3, 0.9, 0.1, 0.5]), k) == -math.inf

    def test_empty(self):
        assert kth_highest(np.array([]), 1) == -math.inf

    def test_input_not_modified(self):
        v = np.array([0.3, 0.9, 0.1, 0.5])
        kth_highest(v, 2)
        np.testing.assert_array_equal(v, [0.3, 0.9, 0.1, 0.5])

    @given(
        st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=30),
        st.integers(1, 30),
    )
    @settings(max_examples=50, deadline=None)
    def test_matches_sorting(self, values, k):
        v = np.array(values)
        expected = sorted(values, reverse=True)[k - 1] if k <= len(values) else -math.inf
        assert kth_highest(v, k) == expected


# ----------------------------------------------------------------------- supermajority


class TestSupermajority:
    """The Assembly's 2/3 rule on six members (PAPER.md#C3)."""

    AMB = [0.9, 0.7, 0.5, 0.4, 0.3, 0.2]

    def test_two_thirds_of_six_is_the_fourth_highest(self):
        d = supermajority(positions(self.AMB), 2 / 3)
        assert d.agreed
        assert d.ambition == 0.4
        assert letters(d) == "YYYYAA"
        np.testing.assert_array_equal(d.signatories, [0, 1, 2, 3])
        assert len(d.opposed) == 0
        assert len(d.vetoed_by) == 0

    def test_opposer_votes_no_and_is_counted_in_the_quota(self):
        # the keenest member opposes: 4th highest of the five others is 0.3
        d = supermajority(positions(self.AMB, oppose=[1, 0, 0, 0, 0, 0]), 2 / 3)
        assert d.agreed
        assert d.ambition == 0.3
        assert letters(d) == "NYYYYA"
        np.testing.assert_array_equal(d.signatories, [1, 2, 3, 4])
        np.testing.assert_array_equal(d.opposed, [0])

    def test_fewer_than_two_thirds_non_opposers_is_deadlock(self):
        d = supermajority(positions(self.AMB, oppose=[0, 1, 0, 1, 1, 0]), 2 / 3)
        assert not d.agreed
        assert d.ambition == 0.0
        assert len(d.signatories) == 0
        assert [VOTE_LETTERS[v] for v in d.votes[[1, 3, 4]]] == ["N", "N", "N"]
        assert d.shortfall == 1.0

    def test_exactly_two_thirds_non_opposers_agrees_at_their_minimum(self):
        d = supermajority(positions(self.AMB, oppose=[0, 0, 1, 0, 1, 0]), 2 / 3)
        assert d.agreed
        assert d.ambition == 0.2  # 0.9, 0.7, 0.4, 0.2: the 4th is the least
        assert letters(d) == "YYNYNY"

    def test_quota_counts_all_members_not_just_voters(self):
        # 3 of 4 is 75%: 3 states needed out of 4 (ceil(2/3 * 4) = 3)
        d = supermajority(positions([0.8, 0.6, 0.4, 0.1]), 2 / 3)
        assert d.ambition == 0.4
        # 2/3 of 3 is exactly 2: no rounding up from floating error
        d3 = supermajority(positions([0.8, 0.6, 0.4]), 2 / 3)
        assert d3.ambition == 0.6

    def test_unanimity_quota_is_the_minimum(self):
        assert supermajority(positions(self.AMB), 1.0).ambition == 0.2

    def test_level_below_min_ambition_is_deadlock(self):
        low = MIN_AMBITION / 2
        d = supermajority(positions([0.9, 0.8, 0.7, low, low, low]), 2 / 3)
        assert not d.agreed
        assert len(d.signatories) == 0

    def test_level_at_min_ambition_agrees(self):
        d = supermajority(positions([0.9, 0.8, 0.7, MIN_AMBITION, 0.0, 0.0]), 2 / 3)
        assert d.agreed
        assert d.ambition == MIN_AMBITION

    def test_signatories_are_state_ids_not_positions(self):
        d = supermajority(positions(self.AMB, states=[10, 11, 12, 13, 14, 15]), 2 / 3)
        np.testing.assert_array_equal(d.signatories, [10, 11, 12, 13])
        np.testing.assert_array_equal(d.voters, [10, 11, 12, 13, 14, 15])


# ----------------------------------------------------------------------------- council


def council_positions(n_yes: int, opposers: list[int], ambition: float = 0.6):
    """Fifteen seats, the first five permanent; ``n_yes`` accept ``ambition``."""
    amb = np.zeros(15)
    amb[:n_yes] = ambition
    oppose = np.zeros(15, dtype=bool)
    oppose[opposers] = True
    permanent = np.zeros(15, dtype=bool)
    permanent[:5] = True
    return positions(amb, oppose), permanent


class TestCouncil:
    """The Security Council: 9 of 15 and no permanent no (PAPER.md#C2)."""

    def test_nine_yes_and_no_veto_passes(self):
        pos, perm = council_positions(9, [])
        d = council(pos, 9, perm)
        assert d.agreed
        assert d.ambition == 0.6
        assert len(d.signatories) == 9
        assert len(d.vetoed_by) == 0

    def test_elected_member_no_is_not_a_veto(self):
        pos, perm = council_positions(14, [14])
        d = council(pos, 9, perm)
        assert d.agreed
        assert len(d.vetoed_by) == 0
        assert d.votes[14] == NO

    def test_one_permanent_no_vetoes_a_draft_with_the_votes(self):
        pos, perm = council_positions(14, [2])
        d = council(pos, 9, perm)
        assert not d.agreed
        assert d.ambition == 0.0
        assert len(d.signatories) == 0
        np.testing.assert_array_equal(d.vetoed_by, [2])
        np.testing.assert_array_equal(d.opposed, [2])

    def test_two_permanent_nos_are_both_recorded(self):
        pos, perm = council_positions(15, [0, 3])
        d = council(pos, 9, perm)
        np.testing.assert_array_equal(d.vetoed_by, [0, 3])

    def test_fewer_than_nine_supporters_fails_without_a_veto(self):
        # a permanent member votes no, but the draft lacked the votes anyway: no veto
        pos, perm = council_positions(8, [1])
        d = council(pos, 9, perm)
        assert not d.agreed
        assert len(d.vetoed_by) == 0

    def test_eight_supporters_fail_even_unopposed(self):
        pos, perm = council_positions(8, [])
        d = council(pos, 9, perm)
        assert not d.agreed
        assert len(d.signatories) == 0

    def test_level_is_ninth_highest_and_abstentions_below_it(self):
        amb = np.linspace(0.9, 0.2, 15)
        perm = np.zeros(15, dtype=bool)
        perm[:5] = True
        d = council(positions(amb), 9, perm)
        assert d.ambition == pytest.approx(amb[8])
        assert (d.votes[:9] == YES).all()
        assert (d.votes[9:] == ABSTAIN).all()

    def test_ninth_supporter_below_min_ambition_fails(self):
        pos, perm = council_positions(8, [])
        pos.ambition[8] = MIN_AMBITION / 2
        d = council(pos, 9, perm)
        assert not d.agreed
        assert len(d.vetoed_by) == 0


# --------------------------------------------------------------------------- consensus


class TestConsensus:
    """Club and concert: the least anyone accepts; one opposer blocks (PAPER.md#C11)."""

    def test_no_opposition_agrees_at_the_minimum(self):
        d = consensus(positions([0.6, 0.4, 0.8]))
        assert d.agreed
        assert d.ambition == 0.4
        assert letters(d) == "YYY"
        np.testing.assert_array_equal(d.signatories, [0, 1, 2])

    @pytest.mark.parametrize("blocker", [0, 1, 2])
    def test_any_one_opposer_blocks(self, blocker):
        oppose = [0, 0, 0]
        oppose[blocker] = 1
        d = consensus(positions([0.6, 0.4, 0.8], oppose))
        assert not d.agreed
        assert d.ambition == 0.0
        assert len(d.signatories) == 0
        np.testing.assert_array_equal(d.opposed, [blocker])
        assert d.votes[blocker] == NO
        assert len(d.vetoed_by) == 0  # blocking is not a formal veto

    def test_minimum_below_min_ambition_is_deadlock(self):
        d = consensus(positions([0.6, MIN_AMBITION / 2, 0.8]))
        assert not d.agreed
        assert len(d.signatories) == 0

    def test_empty_forum_never_agrees(self):
        d = consensus(positions([]))
        assert not d.agreed


# ---------------------------------------------------------------------------- shortfall


class TestShortfall:
    def test_relative_to_demand(self):
        d = consensus(positions([0.6, 0.4, 0.8]))
        d.demand = 0.8
        assert d.shortfall == pytest.approx(0.5)

    def test_deadlock_falls_short_entirely(self):
        d = consensus(positions([0.6, 0.4, 0.8], [1, 0, 0]))
        d.demand = 0.8
        assert d.shortfall == 1.0

    def test_no_demand(self):
        agreed = consensus(positions([0.6, 0.4, 0.8]))
        agreed.demand = 0.0
        assert agreed.shortfall == 0.0
        failed = consensus(positions([0.6, 0.4, 0.8], [1, 0, 0]))
        failed.demand = 0.0
        assert failed.shortfall == 1.0

    def test_above_demand_is_clipped_to_zero(self):
        d = consensus(positions([0.6, 0.9]))
        d.demand = 0.3
        assert d.shortfall == 0.0
