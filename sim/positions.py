"""Positions: the ambition each state accepts on a problem, and whether it opposes.

One position model for every regime (DESIGN.md, step 3). A state's acceptable ambition
rises with its exposure and its trust in the proposer, and falls with its share of the
forum's burden and, under rivalry, with its alignment distance to the proposer. With
probability rising in ``rivalry x divisiveness x alignment distance`` a state opposes
what the proposer backs; great powers also link the issue to other disputes
(geopolitical football and issue linkage: PAPER.md#C4, PAPER.md#C11). The party of a
security crisis always opposes (PAPER.md#C2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.behaviour import Behaviour
from sim.problems import Problem
from sim.trust import Trust
from sim.world import World


@dataclass
class Positions:
    """Positions of a set of candidate states on one problem."""

    states: np.ndarray
    ambition: np.ndarray
    oppose: np.ndarray
    proposer: int
    demand: float = 0.0
    #: each candidate's own acceptable ambition before deliberation (None: as ``ambition``)
    own: np.ndarray | None = None


def upper_quartile(values: np.ndarray) -> float:
    """The value a quarter of the entries reach (nearest rank; 0 for none)."""
    n = len(values)
    if n == 0:
        return 0.0
    k = n - max(1, (n + 3) // 4)
    return float(np.partition(values, k)[k])


def choose_proposer(problem: Problem, candidates: np.ndarray) -> int:
    """The candidate with the highest exposure x relevance drafts (never the party)."""
    score = problem.exposure[candidates] * (problem.relevance[candidates] + 1e-9)
    score = np.where(candidates == problem.party, -1.0, score)
    return int(candidates[int(np.argmax(score))])


@dataclass(eq=False)
class Stance:
    """What the positions of a set of candidates on a problem owe to fixed traits only.

    Exposure, burden share, alignment distance to the proposer and the probability of
    opposing do not change between decision attempts on the same problem at the same
    table, so :func:`take_positions` keeps them on the problem (:attr:`Problem.stance`)
    and draws only the noise and reads only the trust anew at each attempt.
    """

    candidates: np.ndarray
    proposer: int
    #: the proposer the caller named (None: chosen by :func:`choose_proposer`)
    asked: int | None
    rivalry: float
    behaviour: Behaviour
    #: exposure minus the cost of the state's burden share
    interest: np.ndarray
    #: ``alignment_split x rivalry x divisiveness x`` alignment distance to the proposer
    split: np.ndarray
    #: probability of opposing what the proposer backs
    block: np.ndarray
    #: the party of the problem (always opposes) and everyone but the proposer
    party: np.ndarray
    not_proposer: np.ndarray
    #: each candidate's trust group
    group: np.ndarray

    def fits(
        self, candidates: np.ndarray, proposer: int | None, rivalry: float, b: Behaviour
    ) -> bool:
        """Whether this stance was prepared for the same table and constants."""
        return (
            self.asked == proposer
            and self.rivalry == rivalry
            and self.behaviour is b
            and len(self.candidates) == len(candidates)
            and bool(np.array_equal(self.candidates, candidates))
        )


def prepare_stance(
    world: World,
    trust: Trust,
    behaviour: Behaviour,
    rivalry: float,
    problem: Problem,
    candidates: np.ndarray,
    proposer: int | None = None,
) -> Stance:
    """The fixed part of the candidates' positions on a problem (:class:`Stance`)."""
    b = behaviour
    asked = proposer
    if proposer is None:
        proposer = choose_proposer(problem, candidates)
    r = problem.relevance[candidates]
    share = r / max(float(r.sum()), 1e-12)
    dist = np.abs(world.alignment[candidates] - world.alignment[proposer]) / 2
    div = problem.divisiveness
    gp = world.great_power[candidates]
    p = b.block_propensity * rivalry * div * dist * np.where(gp, 1.0, 0.5)
    p = p + np.where(gp & (dist > 0.5), b.linkage * rivalry, 0.0)
    return Stance(
        candidates=candidates,
        proposer=proposer,
        asked=asked,
        rivalry=rivalry,
        behaviour=b,
        interest=problem.exposure[candidates] - b.cost_weight * share,
        split=b.alignment_split * rivalry * div * dist,
        block=p,
        party=candidates == problem.party,
        not_proposer=candidates != proposer,
        group=trust.group[candidates],
    )


def take_positions(
    world: World,
    trust: Trust,
    behaviour: Behaviour,
    rivalry: float,
    rng: np.random.Generator,
    problem: Problem,
    candidates: np.ndarray,
    proposer: int | None = None,
) -> Positions:
    """Positions of ``candidates`` (state indices) on ``problem``.

    Parameters
    ----------
    world, trust, behaviour : World, Trust, Behaviour
        The states, their trust and the behavioural constants.
    rivalry : float
        Great-power rivalry, 0..1.
    rng : numpy.random.Generator
        The run's generator.
    problem : Problem
        The problem on the table.
    candidates : numpy.ndarray
        Indices of the states taking positions (the forum's members or invitees).
    proposer : int, optional
        The drafting state; by default the candidate with the highest exposure x
        relevance (:func:`choose_proposer`).
    """
    b = behaviour
    s = problem.stance
    if s is None or not s.fits(candidates, proposer, rivalry, b):
        s = prepare_stance(world, trust, b, rivalry, problem, candidates.copy(), proposer)
        problem.stance = s
    n = len(candidates)
    # trust in the proposer, by the candidate's group
    trusting = b.trust_weight * (trust.toward_state(s.proposer) - 0.5)
    a = s.interest + trusting[s.group] - s.split + rng.normal(0.0, b.position_noise, n)
    a = a.clip(0.0, 1.0)

    oppose = rng.uniform(size=n) < s.block
    oppose |= s.party
    oppose &= s.not_proposer

    # what the keenest quarter asks for before deliberation: the yardstick of the lowest
    # common denominator (PAPER.md#C3; DESIGN.md prototype lessons)
    demand = upper_quartile(a)
    own = a.copy()
    # deliberation pulls positions toward the forum's mean, as far as members trust each other
    keen = ~oppose
    if int(np.count_nonzero(keen)) > 1:
        pull = b.deliberation * trust.among_groups(
            s.group[keen], trust.reputation[candidates[keen]]
        )
        mine = a[keen]
        a[keen] = mine + pull * (mine.sum() / len(mine) - mine)  # numpy.mean's arithmetic
    return Positions(
        states=candidates, ambition=a, oppose=oppose, proposer=s.proposer, demand=demand, own=own
    )
