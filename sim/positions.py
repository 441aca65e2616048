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

from sim import kernels
from sim.behaviour import Behaviour
from sim.problems import Problem
from sim.trust import Trust
from sim.world import World

#: :attr:`Stance.block` of a candidate that always (never) opposes: above (below) any
#: uniform draw in [0, 1).
ALWAYS, NEVER = 2.0, -1.0


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
    #: whether ``ambition`` is after deliberation (False: still each candidate's own,
    #: until :func:`deliberate`)
    deliberated: bool = True
    #: each candidate's trust group (what :func:`deliberate` needs; None once deliberated)
    group: np.ndarray | None = None


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
    if problem.party >= 0:  # no candidate is party -1
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
    #: a candidate opposes what the proposer backs if a uniform draw falls below this:
    #: its probability of opposing, 2 (always) for the problem's party, -1 (never) for
    #: the proposer
    block: np.ndarray
    #: each candidate's trust group
    group: np.ndarray
    #: the candidates' bytes: comparing them is cheaper than comparing the arrays
    key: bytes = b""

    def __post_init__(self) -> None:
        self.key = self.candidates.tobytes()

    def fits(
        self, candidates: np.ndarray, proposer: int | None, rivalry: float, b: Behaviour
    ) -> bool:
        """Whether this stance was prepared for the same table and constants.

        Equal lengths and equal bytes of two integer index arrays mean equal indices.
        """
        return (
            self.asked == proposer
            and self.rivalry == rivalry
            and self.behaviour is b
            and len(self.candidates) == len(candidates)
            and self.key == candidates.tobytes()
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
    # alignment distance to the proposer splits positions and, for great powers, links
    # the issue to other disputes (PAPER.md#C4, PAPER.md#C11); the party always opposes
    # (PAPER.md#C2) unless it drafts; the proposer never does
    interest, split, block, group = kernels.stance(
        candidates,
        problem.relevance,
        problem.exposure,
        world.alignment,
        world.great_power,
        trust.group,
        proposer,
        problem.party,
        rivalry,
        problem.divisiveness,
        b.block_propensity,
        b.linkage,
        b.cost_weight,
        b.alignment_split,
        ALWAYS,
        NEVER,
    )
    return Stance(
        candidates=candidates,
        proposer=proposer,
        asked=asked,
        rivalry=rivalry,
        behaviour=b,
        interest=interest,
        split=split,
        block=block,
        group=group,
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
    *,
    deliberate: bool = True,
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
    deliberate : bool
        Whether deliberation pulls the positions toward the forum's mean now. With
        False the ambitions are each candidate's own (``deliberated`` false) and the
        caller calls :func:`deliberate_positions` before it reads them as final, with
        the trust unchanged in between; a caller that finds it needs no ambitions (a
        consensus one member blocks, whose votes nobody records) saves that work. The
        random draws are the same either way.
    """
    b = behaviour
    s = problem.stance
    if s is None or not s.fits(candidates, proposer, rivalry, b):
        s = prepare_stance(world, trust, b, rivalry, problem, candidates.copy(), proposer)
        problem.stance = s
    n = len(candidates)
    noise = rng.normal(0.0, b.position_noise, n)
    # in [0, 1), so ALWAYS and NEVER hold
    draws = rng.random(n)
    # the ambition rises with trust in the proposer; the demand, what the keenest
    # quarter asks for before deliberation, is the yardstick of the lowest common
    # denominator (PAPER.md#C3; DESIGN.md prototype lessons)
    a, oppose, demand = kernels.positions(
        s.interest,
        s.split,
        s.block,
        s.group,
        trust.affinity,
        trust.reputation,
        trust.affinity_weight,
        s.proposer,
        int(trust.group[s.proposer]),
        b.trust_weight,
        noise,
        draws,
    )
    pos = Positions(
        states=candidates,
        ambition=a,
        oppose=oppose,
        proposer=s.proposer,
        demand=demand,
        own=a,
        deliberated=False,
        group=s.group,
    )
    if deliberate:
        deliberate_positions(pos, trust, b)
    return pos


def deliberate_positions(pos: Positions, trust: Trust, behaviour: Behaviour) -> Positions:
    """Deliberation: pull the positions toward the forum's mean, as far as members trust
    each other (in place; nothing to do if already deliberated).

    Only those who do not oppose deliberate. ``pos.own`` keeps each candidate's own
    ambition; ``pos.ambition`` becomes a new array.
    """  # noqa: D205
    if pos.deliberated:
        return pos
    assert pos.group is not None and pos.own is not None
    pos.ambition = kernels.deliberate(
        pos.own,
        pos.oppose,
        pos.group,
        pos.states,
        trust.affinity,
        trust.reputation,
        trust.affinity_weight,
        behaviour.deliberation,
    )
    pos.deliberated = True
    pos.group = None
    return pos
