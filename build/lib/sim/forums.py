"""Forums: the institutions where states meet, as first-class objects.

The General Assembly, the Security Council, the club, the concert, each ad hoc
coalition and each rival institution founded by a dissatisfied power (PAPER.md#C8,
PAPER.md#C15) is a :class:`Forum`. Fragmentation is measured over forums
(:mod:`sim.metrics`), so every unit of cooperative effort is booked to one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

#: How a forum turns positions into an agreement (see :mod:`sim.decisions`).
Rule = Literal["supermajority", "council", "consensus", "opt_in", "none"]

#: Vote codes recorded per member: yes, no, abstain, absent.
YES, NO, ABSTAIN, ABSENT = 0, 1, 2, 3
VOTE_LETTERS = ("Y", "N", "A", "X")


@dataclass(eq=False)
class Forum:
    """An institution: members, a decision rule, bindingness, capacity and delay.

    Attributes
    ----------
    id : int
        Unique within a run.
    name : str
        ``assembly``, ``council``, ``club``, ``concert``, ``coalition-12``, ``rival-3``...
    kind : str
        ``assembly``, ``council``, ``club``, ``concert``, ``coalition`` or ``rival``.
    members : numpy.ndarray
        Boolean mask over states.
    rule : Rule
        Decision rule.
    quota : float
        Share of members (supermajority) or number of yes votes (council) needed.
    bindingness : float
        How binding its decisions are (0..1): raises compliance.
    capacity : float
        Standing capacity (secretariats, agencies) that multiplies effort (PAPER.md#C5).
    slippage : float
        Principal-agent slippage: the mean share of that capacity lost to drift.
    delay : int
        Deliberation delay in steps before the first decision attempt.
    outsider_follow : float
        How far non-signatories follow its decisions, times the legitimacy they see
        (0 = not at all, PAPER.md#C12).
    voice : numpy.ndarray
        Each state's input legitimacy in this forum: voting power relative to an equal
        share, capped at 1 (DESIGN.md, Outcomes).
    legitimacy : numpy.ndarray
        Each state's perceived legitimacy of this forum, 0..1, updated each step.
    standing : bool
        Standing body (one seat however many problems) or ad hoc (dissolved with its
        problem).
    founded, founder : int
        Step founded; founding state for rival forums and coalitions (-1 otherwise).
    permanent : numpy.ndarray or None
        Veto holders (council).
    ties : numpy.ndarray
        Recent kept effort per state through this forum (cooperation network weights).
    setup_cost : float
        Extra seats each member pays in the step an ad hoc forum is set up
        (PAPER.md#C16).
    invited : numpy.ndarray or None
        States a coalition's lead invited (fixed for the forum's problem).
    """

    id: int
    name: str
    kind: str
    members: np.ndarray
    rule: Rule
    bindingness: float
    capacity: float = 0.0
    slippage: float = 0.0
    delay: int = 0
    quota: float = 0.0
    outsider_follow: float = 0.0
    voice: np.ndarray = field(default_factory=lambda: np.zeros(0))
    legitimacy: np.ndarray = field(default_factory=lambda: np.zeros(0))
    standing: bool = True
    founded: int = 0
    founder: int = -1
    permanent: np.ndarray | None = None
    ties: np.ndarray = field(default_factory=lambda: np.zeros(0))
    active: bool = True
    effort: float = 0.0
    setup_cost: float = 0.0
    invited: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.members)
        if self.voice.size == 0:
            self.voice = self.members.astype(float)
        if self.legitimacy.size == 0:
            self.legitimacy = np.full(n, 0.5)
        if self.ties.size == 0:
            self.ties = np.zeros(n)

    @property
    def member_ids(self) -> np.ndarray:
        """Indices of the member states."""
        return np.flatnonzero(self.members)

    @property
    def size(self) -> int:
        """Number of members."""
        return int(self.members.sum())

    def __repr__(self) -> str:
        return f"Forum({self.name!r}, {self.size} members, rule={self.rule!r})"
