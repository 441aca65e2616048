"""Coalition: ad hoc, issue by issue; the mission determines the coalition.

A lead state (the one with the highest exposure x relevance that has bandwidth left)
invites the states the problem needs and drafts a narrow mandate: the ambition, up to
its own, that gets the most done with those who accept it; each invitee opts in if the
mandate is close enough to what it accepts and it has bandwidth left to staff one more
forum (PAPER.md#C13). Each coalition is a new forum built from scratch: no
standing capacity, a set-up cost in bandwidth (transaction costs, PAPER.md#C16) and
voluntary pledges that bind weakly (PAPER.md#C14). Others follow as far as they see it
as legitimate. Many coalitions side by side fragment the system (PAPER.md#C15).
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field
from pydantic.dataclasses import dataclass

from sim.decisions import MIN_AMBITION, Decision
from sim.forums import ABSTAIN, NO, YES, Forum
from sim.membership import settle
from sim.payoffs import PositionMargins
from sim.positions import take_positions
from sim.problems import Problem
from sim.regimes.base import RULES_CONFIG, Regime, Rules, Steps, Unit


@dataclass(frozen=True, config=RULES_CONFIG)
class CoalitionRules(Rules):
    """Rule parameters of the coalition (defaults and reasons in docs/model.md)."""

    bindingness: Unit = 0.2  # voluntary pledges
    capacity: Unit = 0.0  # built from scratch
    slippage: Unit = 0.0
    delay: Steps = 0  # shortest deliberation
    outsider_follow: Unit = 1.0
    invite_share: Annotated[float, Field(gt=0.0, le=1.0)] = 0.4
    accept_ratio: Unit = 0.8
    setup_cost: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    min_members: Annotated[int, Field(ge=1, le=1000)] = 2
    opt_in_voice: Unit = 0.5


class Coalition(Regime):
    """A lead state drafts; the states the problem needs opt in."""

    name = "coalition"
    summary = "Ad hoc: a lead state drafts a narrow mandate; the states the problem needs opt in"
    virtue = "flexibility"
    claims = ("C13", "C14", "C15", "C16")
    Rules = CoalitionRules

    def convene(self, problem: Problem) -> Forum | None:
        """Found a new coalition around a lead state with bandwidth left."""
        m = self.model
        w = m.world
        free = m.free_bandwidth() >= 1.0
        if problem.party >= 0:
            free[problem.party] = False
        if not free.any():
            return None
        score = np.where(free, problem.exposure * (problem.relevance + 1e-9), -1.0)
        lead = int(np.argmax(score))
        members = np.zeros(w.n, dtype=bool)
        members[lead] = True
        r = self.rules
        return self.add_forum(
            f"coalition-{problem.id}",
            "coalition",
            members,
            rule="opt_in",
            standing=False,
            founder=lead,
            setup_cost=r.setup_cost,
        )

    def invitees(self, problem: Problem, lead: int) -> np.ndarray:
        """The lead invites the states the problem needs most: by relevance and exposure."""
        n = len(problem.exposure)
        # exposure breaks ties among states the problem does not need (e.g. non-great
        # powers on proliferation), never the index order
        interest = problem.relevance * n * (0.5 + problem.exposure) + 1e-3 * problem.exposure
        k = max(1, int(round(self.rules.invite_share * n)))
        chosen = np.zeros(n, dtype=bool)
        chosen[np.argsort(-interest, kind="stable")[:k]] = True
        if problem.party >= 0:
            chosen[problem.party] = False  # the party is never invited
        chosen[lead] = True
        return np.flatnonzero(chosen)  # in index order, as a union of index sets is

    def mandate(
        self,
        problem: Problem,
        invited: np.ndarray,
        willing: np.ndarray,
        ambition: np.ndarray,
        lead_ambition: float,
    ) -> float:
        """The lead's draft: the ambition, up to its own, that gets the most done.

        At level ``A`` the invitees who accept at least ``accept_ratio x A`` join; the
        lead picks the ``A`` that maximises ``A x`` the joiners' relevance: a narrow
        mandate that brings in the states the mission needs (PAPER.md#C13).
        """
        ratio = max(self.rules.accept_ratio, 1e-9)
        accepts = ambition[willing]
        levels = np.minimum(lead_ambition, accepts / ratio)
        if len(levels) == 0:
            return lead_ambition
        rel = problem.relevance[invited[willing]]
        # relevance of those who accept at least ratio x level, for every level at once:
        # sort by acceptance, sum from the top (O(k log k), not k x k)
        order = np.argsort(accepts, kind="stable")
        accepted = accepts[order]
        from_top = np.concatenate([np.cumsum(rel[order][::-1])[::-1], [0.0]])
        first = np.searchsorted(accepted, ratio * levels - 1e-12, side="left")
        value = levels * from_top[first]
        return float(levels[int(np.argmax(value))])

    def decide(self, forum: Forum, problem: Problem) -> Decision:
        """The lead's narrow mandate; invitees with room join and leave until settled.

        Starting from the lead alone, the membership process (:func:`sim.membership.settle`)
        lets a willing invitee join when joining pays at least as well as staying out and
        a member leave when leaving pays strictly better. The payoffs are the invitees'
        position margins, or the scenario's theory payoffs (:mod:`sim.payoffs`).
        """
        m, r = self.model, self.rules
        lead = forum.founder
        if forum.invited is None:  # it depends only on the problem and the lead
            forum.invited = self.invitees(problem, lead)
        invited = forum.invited
        pos = take_positions(
            m.world, m.trust, m.behaviour, m.rivalry, m.rng, problem, invited, proposer=lead
        )
        is_lead = invited == lead
        room = (m.free_bandwidth()[invited] >= 1.0 + r.setup_cost) | is_lead
        willing = ~pos.oppose & room
        level = self.mandate(
            problem, invited, willing, pos.ambition, float(pos.ambition[is_lead][0])
        )
        payoffs = m.payoffs or PositionMargins(pos.ambition - r.accept_ratio * level)
        joins = settle(payoffs, members=is_lead, eligible=willing, fixed=is_lead)
        votes = np.where(joins, YES, np.where(pos.oppose, NO, ABSTAIN))
        agreed = level >= MIN_AMBITION and int(joins.sum()) >= r.min_members
        signatories = invited[joins] if agreed else np.zeros(0, dtype=int)
        if agreed:
            seated = forum.members.copy()
            forum.members[:] = False
            forum.members[signatories] = True
            m.charge_setup(forum, already_seated=seated)
        return Decision(
            agreed=agreed,
            ambition=level if agreed else 0.0,
            signatories=signatories,
            voters=invited,
            votes=votes,
            opposed=invited[pos.oppose],
            demand=pos.demand,
        )

    def voice(self, forum: Forum, decision: Decision) -> np.ndarray:
        """The lead drafts (full voice); members only opt in (partial voice)."""
        v = forum.members * self.rules.opt_in_voice
        v[forum.founder] = 1.0
        return v.astype(float)
