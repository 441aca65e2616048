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
    if proposer is None:
        proposer = choose_proposer(problem, candidates)
    r = problem.relevance[candidates]
    share = r / max(float(r.sum()), 1e-12)
    dist = np.abs(world.alignment[candidates] - world.alignment[proposer]) / 2
    t = trust.in_state(candidates, proposer)
    div = problem.divisiveness
    a = (
        problem.exposure[candidates]
        - b.cost_weight * share
        + b.trust_weight * (t - 0.5)
        - b.alignment_split * rivalry * div * dist
        + rng.normal(0.0, b.position_noise, len(candidates))
    )
    a = np.clip(a, 0.0, 1.0)

    gp = world.great_power[candidates]
    p = b.block_propensity * rivalry * div * dist * np.where(gp, 1.0, 0.5)
    p = p + np.where(gp & (dist > 0.5), b.linkage * rivalry, 0.0)
    oppose = rng.uniform(size=len(candidates)) < p
    oppose |= candidates == problem.party
    oppose &= candidates != proposer

    # what the keenest quarter asks for before deliberation: the yardstick of the lowest
    # common denominator (PAPER.md#C3; DESIGN.md prototype lessons)
    demand = upper_quartile(a)
    # deliberation pulls positions toward the forum's mean, as far as members trust each other
    keen = ~oppose
    if keen.sum() > 1:
        pull = b.deliberation * trust.among(candidates[keen])
        a[keen] += pull * (a[keen].mean() - a[keen])
    return Positions(states=candidates, ambition=a, oppose=oppose, proposer=proposer, demand=demand)
