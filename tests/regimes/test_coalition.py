"""Coalition: hand-worked small worlds for self-selection and the lead's mandate.

PAPER.md#C13 (the mission determines the coalition) and PAPER.md#C16 (bandwidth).

The hand example (climate, relevance = emissions, accept_ratio 0.8, everyone invited):

    state      0(lead)  1      2      3      4            5
    relevance  0.20     0.10   0.35   0.05   0.20         0.10
    ambition   0.80     0.72   0.40   0.20   0.90         0.90
    note                                     no bandwidth opposes

Willing (not opposing, bandwidth for a seat plus set-up): 0, 1, 2, 3. Candidate mandates
``min(lead 0.8, ambition / 0.8)``: 0.8, 0.8, 0.5, 0.25. Value = mandate x relevance of
those whose ambition reaches 0.8 x mandate:

    0.80: {0, 1}        -> 0.80 x 0.30 = 0.240
    0.50: {0, 1, 2}     -> 0.50 x 0.65 = 0.325   <- the lead's draft
    0.25: {0, 1, 2, 3}  -> 0.25 x 0.70 = 0.175

So the coalition is {0, 1, 2} at ambition 0.5: state 3 does not reach 0.4, state 4 (the
keenest) has no bandwidth left, state 5 opposes.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import add_problem, make_model, make_world, step_until_attempt, votes_of

RELEVANCE = [0.20, 0.10, 0.35, 0.05, 0.20, 0.10]
AMBITION = [0.80, 0.72, 0.40, 0.20, 0.90, 0.90]
OPPOSE = [0, 0, 0, 0, 0, 1]
RULES = {
    "rules.coalition.accept_ratio": 0.8,
    "rules.coalition.invite_share": 1.0,
    "rules.coalition.setup_cost": 1.0,
    "rules.coalition.min_members": 2,
}


def hand_world(bandwidth=(5, 5, 5, 5, 1, 5)):
    """H0 is the most exposed x relevant state and so the lead."""
    return make_world(
        6,
        emissions=RELEVANCE,
        exposure={"climate": [1.0, 0.5, 0.5, 0.5, 0.5, 0.5]},
        bandwidth=list(bandwidth),
    )


class TestHandExample:
    def test_lead_is_the_most_exposed_and_relevant(self):
        m = make_model(hand_world(), "coalition", **RULES)
        p = add_problem(m, "climate")
        forum = m.regime.convene(p)
        assert forum.founder == 0
        np.testing.assert_array_equal(forum.member_ids, [0])
        assert not forum.standing

    def test_mandate_maximises_ambition_times_joiners_relevance(self):
        m = make_model(hand_world(), "coalition", **RULES)
        p = add_problem(m, "climate")
        np.testing.assert_allclose(p.relevance, RELEVANCE)
        invited = np.arange(6)
        willing = np.array([1, 1, 1, 1, 0, 0], dtype=bool)
        level = m.regime.mandate(p, invited, willing, np.array(AMBITION), 0.8)
        assert level == pytest.approx(0.5)

    def test_mandate_capped_by_the_lead(self):
        m = make_model(hand_world(), "coalition", **RULES)
        p = add_problem(m, "climate")
        willing = np.ones(6, dtype=bool)
        level = m.regime.mandate(p, np.arange(6), willing, np.full(6, 0.9), 0.6)
        assert level == pytest.approx(0.6)

    def test_members_self_select(self, script):
        m = make_model(hand_world(), "coalition", **RULES)
        script.set(AMBITION, oppose=OPPOSE)
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        a = p.agreement
        assert a is not None
        assert a.ambition == pytest.approx(0.5)
        np.testing.assert_array_equal(a.signatories, [0, 1, 2])
        np.testing.assert_array_equal(a.forum.member_ids, [0, 1, 2])
        votes = votes_of(m, p)
        assert "".join(votes[f"H{i}"] for i in range(6)) == "YYYAAN"

    def test_with_bandwidth_the_keen_state_joins(self, script):
        # state 4 now has room: at 0.5 the joiners are {0, 1, 2, 4} (0.85 x 0.5 = 0.425
        # beats 0.8 x 0.5 = 0.4 at 0.8 and 0.25 x 0.9 at 0.25)
        m = make_model(hand_world(bandwidth=(5,) * 6), "coalition", **RULES)
        script.set(AMBITION, oppose=OPPOSE)
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        assert p.agreement.ambition == pytest.approx(0.5)
        np.testing.assert_array_equal(p.agreement.signatories, [0, 1, 2, 4])

    def test_keen_states_join_above_the_mandate(self, script):
        m = make_model(hand_world(), "coalition", **RULES)
        script.set(AMBITION, oppose=OPPOSE)
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        # joiners accept at least accept_ratio x mandate; those below abstain
        amb = np.array(AMBITION)
        sig = p.agreement.signatories
        assert (amb[sig] >= 0.8 * p.agreement.ambition - 1e-12).all()
        assert amb[3] < 0.8 * p.agreement.ambition

    def test_too_few_joiners_is_no_coalition(self, script):
        m = make_model(hand_world(), "coalition", **{**RULES, "rules.coalition.min_members": 4})
        script.set(AMBITION, oppose=OPPOSE)
        p = add_problem(m, "climate")
        step = step_until_attempt(m, p)
        assert p.agreement is None
        assert m.metrics_frame().loc[step, "deadlock_rate"] == 1.0


class TestBandwidth:
    def test_state_without_bandwidth_cannot_join_however_keen(self, script):
        m = make_model(hand_world(), "coalition", **RULES)
        script.set([0.8, 0.8, 0.8, 0.8, 1.0, 0.8])
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        assert 4 not in p.agreement.signatories
        assert votes_of(m, p)["H4"] == "A"

    def test_no_state_with_bandwidth_no_coalition(self):
        m = make_model(hand_world(bandwidth=(0.5,) * 6), "coalition", **RULES)
        p = add_problem(m, "climate")
        assert m.regime.convene(p) is None
        m.run(2)
        assert p.agreement is None and p.forum is None

    def test_joining_charges_seats_and_set_up(self, script):
        m = make_model(hand_world(bandwidth=(5,) * 6), "coalition", **RULES)
        script.set([0.8] * 6)
        p = add_problem(m, "climate")
        before = m.free_bandwidth().copy()
        m.regime.decide(m.regime.convene(p), p)
        used = before - m.free_bandwidth()
        setup = m.regime.rules.setup_cost
        # every joiner staffs a seat plus the set-up cost
        joined = np.flatnonzero(used > 0)
        np.testing.assert_array_equal(joined, np.arange(6))
        np.testing.assert_allclose(used[1:], 1 + setup)
        assert used[0] >= 1 + setup  # the lead (seated once more at founding: reported)


class TestPartyNeverInvited:
    """The party of a crisis is never the lead, never invited, never a member."""

    @pytest.mark.parametrize("invite_share", [0.2, 0.5, 0.8])
    def test_party_not_invited(self, invite_share):
        # the party is by far the most powerful state: the one an enforcement would need
        w = make_world(6, power=[10, 1, 1, 1, 1, 1], exposure_default=0.9)
        m = make_model(w, "coalition", **{**RULES, "rules.coalition.invite_share": invite_share})
        p = add_problem(m, "security_crisis", party=0)
        forum = m.regime.convene(p)
        assert forum.founder != 0
        assert 0 not in m.regime.invitees(p, forum.founder)

    def test_party_not_invited_even_when_everyone_else_is(self):
        m = make_model(hand_world(bandwidth=(5,) * 6), "coalition", **RULES)
        p = add_problem(m, "security_crisis", party=0)
        forum = m.regime.convene(p)
        assert 0 not in m.regime.invitees(p, forum.founder)

    def test_party_never_lead_even_when_most_capable(self):
        w = make_world(4, power=[10, 1, 1, 1], exposure_default=0.9)
        m = make_model(w, "coalition", **RULES)
        p = add_problem(m, "security_crisis", party=0)
        assert m.regime.convene(p).founder != 0

    def test_party_never_lead_even_when_alone_with_bandwidth(self):
        # only the party has a free seat: nobody may found a coalition against it
        w = make_world(4, bandwidth=[5, 0.5, 0.5, 0.5], exposure_default=0.9)
        m = make_model(w, "coalition", **RULES)
        p = add_problem(m, "security_crisis", party=0)
        assert m.regime.convene(p) is None

    @pytest.mark.parametrize("invite_share", [0.5, 1.0])
    def test_party_never_joins(self, invite_share):
        m = make_model(
            hand_world(bandwidth=(5,) * 6),
            "coalition",
            **{**RULES, "rules.coalition.invite_share": invite_share},
        )
        p = add_problem(m, "security_crisis", party=0)
        step_until_attempt(m, p)
        if p.agreement is not None:
            assert 0 not in p.agreement.signatories
            assert not p.agreement.forum.members[0]


class TestAdHoc:
    def test_forum_dissolves_with_its_problem(self, script):
        m = make_model(hand_world(bandwidth=(5,) * 6), "coalition", **RULES)
        script.set([0.8] * 6)
        p = add_problem(m, "financial_crisis")
        step_until_attempt(m, p)
        forum = p.agreement.forum
        assert forum.active and forum in m.forums
        m.run(p.issue.lifetime + 1)
        assert not forum.active and forum not in m.forums

    def test_voice_lead_full_members_partial(self, script):
        m = make_model(hand_world(), "coalition", **RULES)
        script.set(AMBITION, oppose=OPPOSE)
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        voice = p.agreement.voice
        opt_in = m.regime.rules.opt_in_voice
        np.testing.assert_allclose(voice, [1.0, opt_in, opt_in, 0, 0, 0])

    def test_each_problem_gets_its_own_coalition(self, script):
        m = make_model(hand_world(bandwidth=(9,) * 6), "coalition", **RULES)
        script.set([0.8] * 6)
        a, b = add_problem(m, "climate"), add_problem(m, "pandemic")
        m.step()
        assert a.forum is not b.forum
        assert {a.forum.name, b.forum.name} == {f"coalition-{a.id}", f"coalition-{b.id}"}
