"""Club: hand-worked small worlds for membership, consensus and exclusion.

PAPER.md#C7: a club cannot solve a problem whose main contributors are outside it. In a
world of five where one autocracy emits 85% of greenhouse gases, climate provision is
bounded by the members' emission share whatever the club agrees:

    provision <= sum(members' relevance x max effort) / required
              =  0.15 x (1 + capacity) / required

since a signatory delivers at most ambition (<= 1) x compliance (<= 1) x efficiency
(<= 1), standing capacity multiplies effort by at most ``1 + capacity``, the club's
decisions bind no outsider (``outsider_follow = 0``) and at rivalry 0 no rival forum
adds effort. With the club's defaults (capacity 0.2, climate required 0.6) the bound is
0.3. The same world with the emitter a democracy does better.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import add_problem, make_model, make_world, step_until_attempt, votes_of

from sim.issues import ISSUE_TYPES
from sim.world import DEMOCRACY, DEVELOPING

EMITTER_SHARE = 0.85


def emitter_world(emitter_democracy: float):
    """H0 holds 85% of emissions; H1-H4 are democracies holding 3.75% each."""
    rest = (1 - EMITTER_SHARE) / 4
    return make_world(
        5,
        kind=[DEVELOPING] + [DEMOCRACY] * 4,
        power=[0.4, 0.15, 0.15, 0.15, 0.15],
        democracy=[emitter_democracy, 0.9, 0.9, 0.9, 0.9],
        alignment=[-0.8 if emitter_democracy < 0.5 else 0.8, 0.8, 0.8, 0.8, 0.8],
        emissions=[EMITTER_SHARE] + [rest] * 4,
        exposure={"climate": [0.6, 0.8, 0.8, 0.8, 0.8]},
    )


def climate_provision(model, steps: int = 6) -> list[float]:
    """Provision of one climate problem at each step once an agreement is in force."""
    p = add_problem(model, "climate")
    out = []
    for _ in range(steps):
        model.step()
        if p.agreement is not None:
            out.append(p.provision)
    assert out, "the club should agree in a world this friendly"
    return out


class TestMembership:
    def test_democracies_at_or_above_threshold(self):
        w = make_world(4, democracy=[0.95, 0.7, 0.69, 0.1])
        m = make_model(w, "club")
        np.testing.assert_array_equal(m.regime.club.members, [1, 1, 0, 0])

    def test_threshold_is_a_rule_parameter(self):
        w = make_world(4, democracy=[0.95, 0.7, 0.69, 0.1])
        m = make_model(w, "club", **{"rules.club.democracy_threshold": 0.5})
        np.testing.assert_array_equal(m.regime.club.members, [1, 1, 1, 0])

    def test_club_against_revisionism_variant(self):
        w = make_world(4, democracy=[0.95, 0.1, 0.1, 0.9], revisionist=[0, 0, 1, 1])
        m = make_model(w, "club", **{"rules.club.membership": "non_revisionist"})
        np.testing.assert_array_equal(m.regime.club.members, [1, 1, 0, 0])

    def test_empty_club_takes_up_nothing(self):
        m = make_model(make_world(3, democracy=0.2), "club")
        p = add_problem(m, "climate")
        assert m.regime.convene(p) is None
        m.run(3)
        assert p.forum is None and p.agreement is None


class TestConsensus:
    def test_only_members_vote_and_sign(self, script):
        m = make_model(emitter_world(0.1), "club")
        script.set([1.0, 0.7, 0.5, 0.9, 0.6])
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        np.testing.assert_array_equal(script.calls[-1], [1, 2, 3, 4])
        assert p.agreement.ambition == 0.5
        np.testing.assert_array_equal(p.agreement.signatories, [1, 2, 3, 4])
        assert "H0" not in votes_of(m, p)

    def test_one_member_blocks(self, script):
        m = make_model(emitter_world(0.1), "club")
        script.set([1.0, 0.7, 0.5, 0.9, 0.6], oppose=[0, 0, 0, 1, 0])
        p = add_problem(m, "climate")
        step = step_until_attempt(m, p)
        assert p.agreement is None
        assert m.metrics_frame().loc[step, "deadlock_rate"] == 1.0

    def test_an_outsider_cannot_block(self, script):
        m = make_model(emitter_world(0.1), "club")
        script.set([1.0, 0.7, 0.5, 0.9, 0.6], oppose=[1, 0, 0, 0, 0])
        p = add_problem(m, "climate")
        step_until_attempt(m, p)
        assert p.agreement is not None


class TestExclusion:
    """PAPER.md#C7 with the hand-computed bound of the module docstring."""

    @staticmethod
    def bound(model) -> float:
        members = model.regime.club.members
        share = model.world.emissions[members].sum()
        return share * (1 + model.regime.rules.capacity) / ISSUE_TYPES["climate"].required

    def test_bound_by_hand(self):
        m = make_model(emitter_world(0.1), "club")
        assert not m.regime.club.members[0]
        assert m.world.emissions[m.regime.club.members].sum() == pytest.approx(0.15)
        capacity = m.regime.rules.capacity
        assert self.bound(m) == pytest.approx(0.15 * (1 + capacity) / 0.6)

    def test_full_ambition_stays_under_the_bound(self, script):
        """Whatever the club agrees, even full ambition, provision stays low."""
        m = make_model(emitter_world(0.1), "club")
        script.set([1.0] * 5)
        provision = climate_provision(m)
        assert m.problems[0].agreement.ambition == 1.0
        assert max(provision) <= self.bound(m) + 1e-12
        assert max(provision) > 0  # the club does act

    @pytest.mark.parametrize("rivalry", [0.0, 0.5, 1.0])
    def test_real_positions_stay_under_the_bound(self, rivalry):
        m = make_model(emitter_world(0.1), "club", rivalry=rivalry)
        p = add_problem(m, "climate")
        m.run(8)
        assert p.provision <= self.bound(m) + 1e-12
        if p.agreement is not None:
            assert 0 not in p.agreement.signatories

    def test_with_the_emitter_a_democracy_the_club_does_better(self, script):
        excluded = make_model(emitter_world(0.1), "club")
        included = make_model(emitter_world(0.9), "club")
        assert included.regime.club.members.all()
        script.set([1.0] * 5)
        low = climate_provision(excluded)
        high = climate_provision(included)
        assert 0 in included.problems[0].agreement.signatories
        assert min(high) > max(low)

    def test_real_positions_emitter_inside_does_better(self):
        excluded = make_model(emitter_world(0.1), "club")
        included = make_model(emitter_world(0.9), "club")
        low = climate_provision(excluded)
        high = climate_provision(included)
        assert np.mean(high) > np.mean(low)
