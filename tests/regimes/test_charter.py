"""Charter: hand-worked small worlds for the Assembly's 2/3 rule and the council veto.

PAPER.md#C2 (veto paralysis) and PAPER.md#C3 (lowest common denominator). Rivalry 0 and
no behaviour noise make positions deterministic: only the party of a crisis opposes.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import add_problem, make_model, make_world, step_until_attempt, votes_of

from sim.decisions import supermajority
from sim.positions import take_positions
from sim.world import GREAT_POWER, REGIONS

AMB = [0.9, 0.7, 0.5, 0.4, 0.3, 0.2]


def six_states():
    """Three permanent great powers (H0-H2) and three others (H3-H5), all exposed."""
    return make_world(
        6,
        kind=[GREAT_POWER] * 3 + [1, 2, 2],
        power=[5, 4, 3, 1, 1, 1],
        permanent=[1, 1, 1, 0, 0, 0],
        exposure_default=0.9,
        region=[4, 4, 1, 0, 1, 3],
    )


def fifteen_plus(extra: int = 2):
    """P5 plus ten states to elect plus ``extra`` states left off the council."""
    n = 15 + extra
    region = np.repeat(np.arange(len(REGIONS)), 4)[:n]
    region = np.resize(region, n)
    return make_world(
        n,
        kind=[GREAT_POWER] * 5 + [2] * (n - 5),
        power=[6, 5, 4, 3, 3] + [1] * (n - 5),
        permanent=[1] * 5 + [0] * (n - 5),
        exposure_default=0.9,
        region=region,
    )


SMALL = {"rules.charter.council_votes": 4}


# --------------------------------------------------------------------------- the council


class TestCouncilComposition:
    def test_permanent_plus_ten_elected_by_region(self):
        m = make_model(fifteen_plus(4), "charter")
        council = m.regime.council
        assert council.size == 15
        assert council.members[m.world.permanent].all()
        elected = council.members & ~m.world.permanent
        assert elected.sum() == 10
        np.testing.assert_array_equal(council.permanent, m.world.permanent)

    def test_small_world_seats_everyone_it_can(self):
        m = make_model(six_states(), "charter", **SMALL)
        assert m.regime.council.members.all()

    def test_security_issues_go_to_the_council_others_to_the_assembly(self):
        m = make_model(six_states(), "charter", **SMALL)
        crisis = add_problem(m, "security_crisis", party=4)
        climate = add_problem(m, "climate")
        assert m.regime.convene(crisis) is m.regime.council
        assert m.regime.convene(climate) is m.regime.assembly
        assert m.regime.assembly.members.all()
        assert m.regime.assembly.quota == pytest.approx(2 / 3)

    def test_security_can_be_sent_to_the_assembly(self):
        m = make_model(six_states(), "charter", **{"rules.charter.security_to_council": False})
        assert m.regime.convene(add_problem(m, "security_crisis", party=4)) is m.regime.assembly

    def test_elections_rotate_elected_seats_only(self):
        m = make_model(fifteen_plus(10), "charter", **{"rules.charter.council_term": 2})
        before = m.regime.council.members.copy()
        m.run(4)
        after = m.regime.council.members
        assert after[m.world.permanent].all()
        assert after.sum() == 15
        assert not np.array_equal(before, after)


@pytest.mark.parametrize(
    ("world", "overrides"),
    [(six_states, SMALL), (fifteen_plus, {})],
    ids=["six-states-4-votes", "p5-plus-ten-9-votes"],
)
class TestVeto:
    """PAPER.md#C2: the council cannot act against a permanent member that is the party."""

    def test_permanent_party_vetoes(self, world, overrides):
        m = make_model(world(), "charter", **overrides)
        party = 2  # a permanent member is the aggressor
        p = add_problem(m, "security_crisis", party=party)
        step = step_until_attempt(m, p)
        assert p.agreement is None
        assert p.deadlocks == 1
        row = m.metrics_frame().loc[step]
        assert row["veto_count"] == 1
        assert row["deadlock_rate"] == 1.0
        assert m.counters["vetoes"] == 1
        votes = votes_of(m, p)
        assert votes[f"H{party}"] == "N"
        assert list(votes.values()).count("N") == 1

    def test_the_decision_names_the_vetoer(self, world, overrides):
        m = make_model(world(), "charter", **overrides)
        p = add_problem(m, "security_crisis", party=2)
        d = m.regime.decide(m.regime.council, p)
        assert not d.agreed
        np.testing.assert_array_equal(d.vetoed_by, [2])
        assert len(d.signatories) == 0

    def test_same_draft_passes_against_a_non_permanent_party(self, world, overrides):
        m = make_model(world(), "charter", **overrides)
        party = 5
        p = add_problem(m, "security_crisis", party=party)
        step = step_until_attempt(m, p)
        assert p.agreement is not None
        assert m.metrics_frame().loc[step, "veto_count"] == 0
        assert party not in p.agreement.signatories
        np.testing.assert_array_equal(p.agreement.opposed, [party])
        assert votes_of(m, p)[f"H{party}"] == "N"


def test_council_decisions_bind_members_off_the_council():
    """Article 25: with no party, states off the council are bound too."""
    m = make_model(fifteen_plus(2), "charter")
    p = add_problem(m, "proliferation")
    step_until_attempt(m, p)
    assert p.agreement is not None
    off = np.flatnonzero(~m.regime.council.members)
    assert len(off) == 2
    assert set(off) <= set(p.agreement.signatories)


class TestScriptedCouncil:
    """Permanent and elected members that oppose, with positions set by hand."""

    def test_permanent_member_no_is_a_veto(self, script):
        m = make_model(six_states(), "charter", **SMALL)
        script.set([0.8] * 6, oppose=[0, 1, 0, 0, 0, 0])
        p = add_problem(m, "proliferation")
        step = step_until_attempt(m, p)
        assert p.agreement is None
        assert m.metrics_frame().loc[step, "veto_count"] == 1

    def test_elected_member_no_is_not(self, script):
        m = make_model(six_states(), "charter", **SMALL)
        script.set([0.8] * 6, oppose=[0, 0, 0, 1, 0, 0])
        p = add_problem(m, "proliferation")
        step = step_until_attempt(m, p)
        assert p.agreement is not None
        assert p.agreement.ambition == pytest.approx(0.8)
        assert m.metrics_frame().loc[step, "veto_count"] == 0

    def test_members_who_accept_less_are_bound_all_the_same(self, script):
        # Article 25: a council decision binds every member state that did not oppose,
        # also sitting members who abstained because they accept less
        m = make_model(six_states(), "charter", **SMALL)
        script.set([0.8, 0.8, 0.8, 0.8, 0.1, 0.0], oppose=[0, 0, 0, 0, 0, 1])
        p = add_problem(m, "proliferation")
        step_until_attempt(m, p)
        assert p.agreement is not None
        assert p.agreement.ambition == pytest.approx(0.8)
        assert set(p.agreement.signatories.tolist()) == {0, 1, 2, 3, 4}
        assert p.agreement.opposed.tolist() == [5]

    def test_too_few_votes_is_a_deadlock_not_a_veto(self, script):
        # only 3 of the 4 votes needed accept, and a permanent member says no
        m = make_model(six_states(), "charter", **SMALL)
        script.set([0.8, 0.8, 0.8, 0.0, 0.0, 0.0], oppose=[0, 0, 1, 0, 0, 0])
        p = add_problem(m, "proliferation")
        step = step_until_attempt(m, p)
        assert p.agreement is None
        assert m.metrics_frame().loc[step, "veto_count"] == 0
        assert m.metrics_frame().loc[step, "deadlock_rate"] == 1.0


# -------------------------------------------------------------------------- the Assembly


class TestAssemblyTwoThirds:
    """PAPER.md#C3: six members; the agreement is the 4th highest acceptable ambition."""

    def test_fourth_highest_and_votes(self, script):
        m = make_model(six_states(), "charter", **SMALL)
        script.set(AMB)
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        assert p.agreement is not None
        assert p.agreement.forum is m.regime.assembly
        assert p.agreement.ambition == 0.4
        np.testing.assert_array_equal(p.agreement.signatories, [0, 1, 2, 3])
        assert "".join(votes_of(m, p)[f"H{i}"] for i in range(6)) == "YYYYAA"

    def test_the_keenest_opposing_lowers_the_level(self, script):
        m = make_model(six_states(), "charter", **SMALL)
        script.set(AMB, oppose=[1, 0, 0, 0, 0, 0])
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        assert p.agreement.ambition == 0.3
        assert "".join(votes_of(m, p)[f"H{i}"] for i in range(6)) == "NYYYYA"

    def test_fewer_than_two_thirds_non_opposers_is_deadlock(self, script):
        m = make_model(six_states(), "charter", **SMALL)
        script.set(AMB, oppose=[0, 1, 1, 1, 0, 0])
        p = add_problem(m, "climate")
        step = step_until_attempt(m, p)
        assert p.agreement is None
        assert m.metrics_frame().loc[step, "deadlock_rate"] == 1.0
        assert m.metrics_frame().loc[step, "veto_count"] == 0

    def test_every_state_takes_a_position(self, script):
        m = make_model(six_states(), "charter", **SMALL)
        script.set(AMB)
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        np.testing.assert_array_equal(script.calls[-1], np.arange(6))

    def test_assembly_deliberates_longer_than_the_council(self):
        m = make_model(six_states(), "charter", **SMALL)
        assert m.regime.assembly.delay > m.regime.council.delay
        p = add_problem(m, "climate")
        assert step_until_attempt(m, p) == m.regime.assembly.delay

    def test_real_positions_follow_the_rule(self):
        """Wiring: the Assembly's decision is the 2/3 rule on the states' positions."""
        m = make_model(six_states(), "charter", **SMALL)
        p = add_problem(m, "climate")
        pos = take_positions(
            m.world, m.trust, m.behaviour, 0.0, np.random.default_rng(0), p, np.arange(6)
        )
        expected = supermajority(pos, 2 / 3)
        d = m.regime.decide(m.regime.assembly, p)
        assert d.agreed == expected.agreed
        assert d.ambition == pytest.approx(expected.ambition)
        np.testing.assert_array_equal(d.signatories, expected.signatories)


def test_council_decision_keeps_the_demand_of_the_keenest():
    m = make_model(six_states(), "charter", **SMALL)
    p = add_problem(m, "security_crisis", party=5)
    d = m.regime.decide(m.regime.council, p)
    assert d.agreed
    assert d.demand > 0
