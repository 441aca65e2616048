"""Concert: hand-worked small worlds for great-power consensus (PAPER.md#C10, C11).

Three great powers (H0, H1 Western; H2 in the other camp) and two other states. Any
power that opposes blocks; with no opposition the concert agrees at the least any
power accepts.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import add_problem, make_model, make_world, step_until_attempt, votes_of

from sim.positions import take_positions
from sim.world import DEVELOPING, GREAT_POWER


def five_states():
    return make_world(
        5,
        kind=[GREAT_POWER] * 3 + [DEVELOPING] * 2,
        power=[5, 3, 3, 1, 1],
        democracy=[0.9, 0.85, 0.1, 0.5, 0.5],
        alignment=[0.9, 0.8, -0.9, 0.0, -0.2],
        revisionist=[0, 0, 1, 0, 0],
        exposure_default=0.8,
        exposure={"cyber_norms": [0.9, 0.8, 0.8, 0.7, 0.7]},
    )


def test_members_are_the_great_powers():
    m = make_model(five_states(), "concert")
    np.testing.assert_array_equal(m.regime.concert.members, [1, 1, 1, 0, 0])


class TestScriptedConsensus:
    def test_agrees_at_the_minimum_of_the_powers(self, script):
        m = make_model(five_states(), "concert")
        # the others' positions do not count: they are not at the table
        script.set([0.6, 0.4, 0.8, 0.0, 0.0])
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        np.testing.assert_array_equal(script.calls[-1], [0, 1, 2])
        assert p.agreement is not None
        assert p.agreement.ambition == 0.4
        np.testing.assert_array_equal(p.agreement.signatories, [0, 1, 2])
        assert votes_of(m, p) == {"H0": "Y", "H1": "Y", "H2": "Y"}

    @pytest.mark.parametrize("blocker", [0, 1, 2])
    def test_one_aggrieved_power_blocks(self, script, blocker):
        m = make_model(five_states(), "concert")
        oppose = [0] * 5
        oppose[blocker] = 1
        script.set([0.6, 0.4, 0.8, 0.5, 0.5], oppose=oppose)
        p = add_problem(m, "climate")
        step = step_until_attempt(m, p)
        assert p.agreement is None
        row = m.metrics_frame().loc[step]
        assert row["deadlock_rate"] == 1.0
        assert row["veto_count"] == 0  # no formal veto, but blocked all the same
        assert votes_of(m, p)[f"H{blocker}"] == "N"

    def test_blocked_decision_has_no_signatories(self, script):
        m = make_model(five_states(), "concert")
        script.set([0.6, 0.4, 0.8, 0.5, 0.5], oppose=[0, 0, 1, 0, 0])
        p = add_problem(m, "climate")
        d = m.regime.decide(m.regime.concert, p)
        assert not d.agreed
        assert len(d.signatories) == 0
        np.testing.assert_array_equal(d.opposed, [2])

    def test_outsiders_cannot_block(self, script):
        m = make_model(five_states(), "concert")
        script.set([0.6, 0.4, 0.8, 0.5, 0.5], oppose=[0, 0, 0, 1, 1])
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        assert p.agreement is not None


class TestRealPositions:
    """Rivalry 0, no noise: positions are deterministic and only a party opposes."""

    def test_a_power_that_is_the_party_blocks(self):
        m = make_model(five_states(), "concert")
        p = add_problem(m, "security_crisis", party=2)
        step_until_attempt(m, p)
        assert p.agreement is None
        assert votes_of(m, p)["H2"] == "N"

    def test_no_opposition_agrees_at_the_least_any_power_accepts(self):
        m = make_model(five_states(), "concert")
        p = add_problem(m, "security_crisis", party=4)
        members = m.regime.concert.member_ids
        pos = take_positions(
            m.world, m.trust, m.behaviour, 0.0, np.random.default_rng(0), p, members
        )
        assert not pos.oppose.any()
        step_until_attempt(m, p)
        assert p.agreement is not None
        assert p.agreement.ambition == pytest.approx(pos.ambition.min())
        np.testing.assert_array_equal(p.agreement.signatories, members)

    def test_linkage_makes_a_distant_rival_power_block(self):
        """PAPER.md#C11: at full rivalry and linkage 1 the rival power always blocks.

        The proposer is H0 (most exposed x capable); H2 sits at alignment distance
        |0.9 - (-0.9)| / 2 = 0.9 > 0.5 from it, so its block probability is at least
        ``linkage x rivalry = 1``.
        """
        for seed in range(5):
            linkage = {"behaviour.linkage": 1.0}
            m = make_model(five_states(), "concert", rivalry=1.0, seed=seed, **linkage)
            p = add_problem(m, "cyber_norms")
            d = m.regime.decide(m.regime.concert, p)
            assert 2 in d.opposed
            assert not d.agreed

    def test_without_rivalry_the_same_draft_passes(self):
        m = make_model(five_states(), "concert", **{"behaviour.linkage": 1.0})
        p = add_problem(m, "cyber_norms")
        d = m.regime.decide(m.regime.concert, p)
        assert d.agreed
        assert len(d.opposed) == 0


def test_world_without_great_powers_does_not_crash():
    m = make_model(make_world(3), "concert")
    p = add_problem(m, "climate")
    m.run(3)
    assert p.agreement is None
