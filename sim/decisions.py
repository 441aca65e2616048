"""Decision rules: how a forum turns positions into an agreement or a deadlock.

* ``supermajority`` (the General Assembly): the ambition is the highest level that a
  quota (2/3) of *all* members accept, which is the lowest common denominator of the
  broad table (PAPER.md#C3). Opponents vote no; members who accept less abstain, and
  members who accept nothing at all stay away (absent).
* ``council`` (the Security Council): the highest level at least ``quota`` members (9)
  vote for, and no permanent member votes no: one permanent no is a veto
  (PAPER.md#C2).
* ``consensus`` (club and concert): every member must go along; the ambition is the
  least any member accepts, and any member who opposes blocks (PAPER.md#C11).
* ``opt_in`` (coalitions): the lead drafts a narrow mandate, the ambition up to its own
  that gets the most done with those who accept it, and the others opt in
  (PAPER.md#C13); handled by :mod:`sim.regimes.coalition`.

An agreement needs an ambition of at least :data:`MIN_AMBITION`; below that it is a
deadlock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.forums import ABSENT, ABSTAIN, NO, YES
from sim.positions import Positions

MIN_AMBITION = 0.05


@dataclass
class Decision:
    """The result of one decision attempt."""

    agreed: bool
    ambition: float
    signatories: np.ndarray
    voters: np.ndarray
    #: each voter's vote; None for a consensus blocked without a vote count (:func:`blocked`)
    votes: np.ndarray | None
    opposed: np.ndarray
    vetoed_by: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    demand: float = 0.0

    @property
    def shortfall(self) -> float:
        """How far the agreed ambition falls short of what the keenest quarter asked for
        (0..1; a deadlock falls short entirely).
        """  # noqa: D205
        if self.demand <= 0:
            return 0.0 if self.agreed else 1.0
        return min(1.0, max(0.0, (self.demand - self.ambition) / self.demand))


def _votes(pos: Positions, ambition: float) -> np.ndarray:
    """Each member's vote on a draft at ``ambition``.

    ``N`` opposes; ``Y`` accepts at least the draft; ``X`` (absent) accepts less than
    :data:`MIN_AMBITION`, the least worth agreeing on, yet does not oppose, so it stays
    away, as hedging states did from the Assembly's Ukraine votes in 2022; ``A``
    abstains: accepts something, less than the draft. Absent and abstaining members count alike
    in every decision rule: neither votes yes.
    """
    own = pos.ambition if pos.own is None else pos.own
    return np.where(
        pos.oppose,
        NO,
        np.where(
            pos.ambition >= ambition - 1e-12,
            YES,
            np.where(own < MIN_AMBITION, ABSENT, ABSTAIN),
        ),
    )


def _result(
    pos: Positions, ambition: float, agreed: bool, vetoed_by: np.ndarray | None = None
) -> Decision:
    # a draft below the least ambition worth agreeing is voted on at that least ambition
    # (a failed draft records who would have backed a minimal text)
    votes = _votes(pos, max(ambition, MIN_AMBITION))
    return Decision(
        agreed=agreed,
        ambition=ambition if agreed else 0.0,
        signatories=pos.states[votes == YES] if agreed else np.zeros(0, dtype=int),
        voters=pos.states,
        votes=votes,
        opposed=pos.states[pos.oppose],
        vetoed_by=vetoed_by if vetoed_by is not None else np.zeros(0, dtype=int),
        demand=pos.demand,
    )


def kth_highest(values: np.ndarray, k: int) -> float:
    """The k-th highest value (k >= 1), or -inf if there are fewer than k."""
    if k < 1 or len(values) < k:
        return -math.inf
    return float(np.partition(values, len(values) - k)[len(values) - k])


def supermajority(pos: Positions, quota: float) -> Decision:
    """Agree on the highest ambition that a ``quota`` share of all members accept."""
    need = math.ceil(quota * len(pos.states) - 1e-9)
    level = kth_highest(pos.ambition[~pos.oppose], need)
    return _result(pos, level, level >= MIN_AMBITION)


def council(pos: Positions, votes_needed: int, permanent: np.ndarray) -> Decision:
    """Security Council: ``votes_needed`` yes votes and no permanent-member no."""
    level = kth_highest(pos.ambition[~pos.oppose], votes_needed)
    would_pass = level >= MIN_AMBITION
    vetoes = pos.states[pos.oppose & permanent]
    if would_pass and len(vetoes):
        return _result(pos, level, False, vetoed_by=vetoes)
    return _result(pos, level, would_pass)


def blocked(pos: Positions) -> Decision:
    """A consensus that a member blocks, without counting the votes (``votes`` None).

    What :func:`consensus` decides when some member opposes, for a caller that records
    no votes: the votes are all the deadlock would need the deliberated ambitions for,
    so the positions may be left undeliberated (:func:`sim.positions.take_positions`).
    """
    assert pos.oppose.any()
    return Decision(
        agreed=False,
        ambition=0.0,
        signatories=np.zeros(0, dtype=int),
        voters=pos.states,
        votes=None,
        opposed=pos.states[pos.oppose],
        demand=pos.demand,
    )


def consensus(pos: Positions) -> Decision:
    """Everyone goes along at the least ambition any member accepts; one no blocks."""
    if pos.oppose.any() or len(pos.states) == 0:
        return _result(pos, 0.0, False)
    level = float(pos.ambition.min())
    return _result(pos, level, level >= MIN_AMBITION)
