"""Charter: the United Nations, universal and with a Security Council veto.

Who sits at the table: every state in the General Assembly; peace-and-security issues go
to a Security Council of the permanent members plus ten elected members rotating by
region. The Assembly agrees at the level two thirds of all members accept (the lowest
common denominator, PAPER.md#C3) and its resolutions recommend, so they bind lightly;
the council needs 9 of 15 votes and no permanent-member no (veto paralysis,
PAPER.md#C2), and its decisions bind every member. Agencies bring standing capacity,
minus principal-agent slippage (PAPER.md#C5). Universal membership and equal votes are
the source of its legitimacy (PAPER.md#C1), which it must earn from its members'
responses, not from a number written here (PAPER.md#C4).
"""

from __future__ import annotations

from functools import cache, cached_property
from typing import Annotated, Literal

import numpy as np
from pydantic import Field
from pydantic.dataclasses import dataclass

from sim.decisions import Decision, council
from sim.forums import Forum
from sim.positions import take_positions
from sim.problems import Problem
from sim.regimes.base import RULES_CONFIG, Regime, Rules, Steps, Unit
from sim.voting import banzhaf, council_game, shapley_shubik
from sim.world import ELECTED_SEATS, REGIONS


@dataclass(frozen=True, config=RULES_CONFIG)
class CharterRules(Rules):
    """Rule parameters of the charter (defaults and reasons in docs/model.md)."""

    bindingness: Unit = 0.4  # Assembly resolutions recommend (DESIGN.md prototype: C6)
    capacity: Unit = 0.3  # agencies and secretariats
    slippage: Unit = 0.3  # ... that drift from what members asked (PAPER.md#C5)
    delay: Steps = 4  # longest deliberation
    outsider_follow: Unit = 1.0  # members who did not vote yes follow by legitimacy
    assembly_quota: Annotated[float, Field(gt=0.5, le=1.0)] = 2 / 3
    council_bindingness: Unit = 0.9
    council_delay: Steps = 1
    council_votes: Annotated[int, Field(ge=1, le=15)] = 9
    council_term: Annotated[int, Field(ge=2, le=100)] = 8
    uniting_for_peace: bool = False
    security_to_council: bool = True
    represented_weight: Unit = 0.1
    power_index: Literal["banzhaf", "shapley_shubik"] = "banzhaf"


@cache
def council_power(n_permanent: int, n_elected: int, votes: int, index: str) -> tuple[float, ...]:
    """Power index of each council seat, permanent seats first (cached: the game repeats)."""
    weights, quota = council_game(n_permanent, n_elected, votes)
    fn = banzhaf if index == "banzhaf" else shapley_shubik
    return tuple(fn(weights, quota))


class Charter(Regime):
    """Universal Assembly by 2/3; Security Council of P5 + 10 elected with veto."""

    name = "charter"
    summary = "UN: universal Assembly by 2/3; Security Council 9 of 15 with P5 veto"
    virtue = "legitimacy"
    claims = ("C1", "C2", "C3", "C4", "C5")
    Rules = CharterRules

    def setup(self) -> None:
        """Create the Assembly and the Council and elect the first council."""
        m, r = self.model, self.rules
        w = m.world
        everyone = np.ones(w.n, dtype=bool)
        self.assembly = self.add_forum(
            "assembly",
            "assembly",
            everyone,
            rule="supermajority",
            quota=r.assembly_quota,
            voice=everyone.astype(float),
        )
        self.seats = self._first_seats()
        self.council = self.add_forum(
            "council",
            "council",
            self._council_mask(),
            rule="council",
            quota=r.council_votes,
            bindingness=r.council_bindingness,
            delay=r.council_delay,
            permanent=w.permanent.copy(),
        )
        self._refresh_council_voice()
        self.council.legitimacy = m.prior_legitimacy(self.council.voice)

    # --- Security Council membership -------------------------------------------------
    def _seat_regions(self) -> np.ndarray:
        return np.repeat(np.arange(len(REGIONS)), ELECTED_SEATS)

    def _elect(self, region: int, taken: np.ndarray) -> int:
        """A state of ``region`` (of any region if it has none left) that is neither
        permanent nor ``taken``, drawn uniformly; -1 if there is none.
        """  # noqa: D205
        eligible = self._eligible
        pool = np.flatnonzero(eligible[region] & ~taken)
        if len(pool) == 0:
            pool = np.flatnonzero(eligible[-1] & ~taken)
        # the draw of rng.choice(pool), without its checks: the same index and state
        return int(pool[self.model.rng.integers(0, len(pool))]) if len(pool) else -1

    @cached_property
    def _eligible(self) -> np.ndarray:
        """Region x state: the non-permanent states of each region, and a last row with
        every non-permanent state (made once: the world does not change).
        """  # noqa: D205
        w = self.model.world
        regions = np.arange(len(REGIONS))[:, None] == w.region[None, :]
        return np.vstack([regions, np.ones((1, w.n), dtype=bool)]) & ~w.permanent

    def _first_seats(self) -> np.ndarray:
        w = self.model.world
        regions = self._seat_regions()
        seats = np.full(len(regions), -1)
        taken = w.elected.copy() | w.permanent
        preset = list(np.flatnonzero(w.elected))
        for s, reg in enumerate(regions):
            match = [i for i in preset if w.region[i] == reg]
            if match:
                seats[s] = match[0]
                preset.remove(match[0])
            else:
                seats[s] = self._elect(int(reg), taken)
                if seats[s] >= 0:
                    taken[seats[s]] = True
        return seats

    def _council_mask(self) -> np.ndarray:
        mask = self.model.world.permanent.copy()
        mask[self.seats[self.seats >= 0]] = True
        return mask

    def _refresh_council_voice(self) -> None:
        """Voice in the council: power index relative to an equal share, capped at 1."""
        w, r = self.model.world, self.rules
        members = self.council.member_ids
        perm = w.permanent[members]
        n_perm = int(perm.sum())
        values = council_power(
            n_perm, len(members) - n_perm, min(r.council_votes, len(members)), r.power_index
        )
        voice = np.full(w.n, r.represented_weight)
        order = np.concatenate([members[perm], members[~perm]])  # permanent first
        voice[order] = np.minimum(1.0, np.asarray(values) * len(members))
        self.council.voice = voice

    def before_step(self) -> None:
        """Elect half the elected seats every half term (staggered two-year terms)."""
        t, half = self.model.t, max(1, self.rules.council_term // 2)
        if t == 0 or t % half:
            return
        w = self.model.world
        regions = self._seat_regions()
        parity = (t // half) % 2
        taken = w.permanent.copy()
        taken[self.seats[self.seats >= 0]] = True
        for s in range(parity, len(self.seats), 2):
            old = self.seats[s]
            new = self._elect(int(regions[s]), taken)
            if new >= 0:
                taken[new] = True
                self.seats[s] = new
                if old >= 0:
                    taken[old] = False
        self.council.members = self._council_mask()
        self._refresh_council_voice()

    # --- rules ---------------------------------------------------------------------
    def convene(self, problem: Problem) -> Forum:
        """Security issues go to the council, all others to the Assembly."""
        if problem.issue.security and self.rules.security_to_council:
            return self.council
        return self.assembly

    def decide(self, forum: Forum, problem: Problem) -> Decision:
        """Assembly by its 2/3 rule; council decisions bind every member state."""
        if forum is not self.council:
            return super().decide(forum, problem)
        m = self.model
        everyone = np.arange(m.world.n)
        pos = take_positions(m.world, m.trust, m.behaviour, m.rivalry, m.rng, problem, everyone)
        sitting = forum.members
        sub = type(pos)(
            states=pos.states[sitting],
            ambition=pos.ambition[sitting],
            oppose=pos.oppose[sitting],
            demand=pos.demand,  # what the keenest quarter of the membership asks for
            proposer=pos.proposer,
            own=pos.own[sitting] if pos.own is not None else None,
        )
        votes_needed = min(int(forum.quota), len(sub.states))
        decision = council(sub, votes_needed, m.world.permanent[sub.states])
        if len(decision.vetoed_by) and self.rules.uniting_for_peace:
            # resolution 377 (V): a veto sends the question to the Assembly, which meets
            # in emergency special session (ES-11 on Ukraine, 2022)
            problem.forum, problem.convened = self.assembly, m.t
        if decision.agreed:
            # Article 25: every member state is bound by a council decision, whatever it
            # accepted itself; those who oppose it (and the party) are counted as opposed
            decision.signatories = everyone[~pos.oppose]
            decision.opposed = pos.states[pos.oppose]
        return decision
