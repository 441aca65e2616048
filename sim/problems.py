"""Problems: transnational challenges that arrive, hurt exposed states and go away.

Problems arrive as a Poisson stream by an issue mix, hurt exposed states each step until
addressed (harm grows with the provision still missing: urgency), and go away when
fully provided for or when they expire. Each keeps a *shadow*: the harm the same problem
would have done with no cooperation (national self-help only) over its full lifetime, so
that ``effectiveness`` is ``1 - harm / shadow harm`` (DESIGN.md, prototype lessons).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.issues import ISSUE_NAMES, ISSUE_TYPES, MIXED, IssueType, relevance_weights
from sim.world import World

if TYPE_CHECKING:
    from sim.forums import Forum
    from sim.implementation import Terms
    from sim.positions import Stance

#: Steps' worth of full provision after which a problem is solved for good. Progress
#: accumulates provision squared, so partial provision mostly relieves harm while only
#: near-full provision makes a problem go away ("fully provided for", DESIGN.md).
RESOLVE_EFFORT = 3.0


@dataclass(eq=False)
class Agreement:
    """What a forum agreed on a problem: ambition and signatories."""

    forum: Forum
    ambition: float
    signatories: np.ndarray
    step: int
    voice: np.ndarray
    opposed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    #: what implementation needs of it while it is in force
    #: (:class:`sim.implementation.Terms`, made when it first is)
    terms: Terms | None = field(default=None, repr=False)


@dataclass(eq=False)
class Problem:
    """One transnational problem of a given issue type.

    Attributes
    ----------
    id : int
        Unique within a run.
    issue : IssueType
        Its type (and so its aggregation technology).
    arrived : int
        Step of arrival.
    severity, divisiveness, verification : float
        Drawn around the issue type's values.
    party : int
        Index of the state an enforcement problem is against, or -1 (PAPER.md#C2).
    exposure : numpy.ndarray
        Who suffers (the party does not suffer its own crisis).
    relevance : numpy.ndarray
        Whose effort counts (sum 1).
    """

    id: int
    issue: IssueType
    arrived: int
    severity: float
    divisiveness: float
    verification: float
    party: int
    exposure: np.ndarray
    relevance: np.ndarray
    forum: Forum | None = None
    convened: int = -1
    agreement: Agreement | None = None
    resolved: int = -1
    progress: float = 0.0
    unaddressed: float = 0.0
    provision: float = 0.0
    attempts: int = 0
    deadlocks: int = 0
    #: its fixed numbers as implementation stacks them, one row per kind, shape (9, 1)
    #: (:func:`sim.implementation._traits`)
    traits: np.ndarray | None = field(default=None, repr=False)
    #: its exposure and relevance as implementation stacks them, shape (2, 1, states)
    #: (:func:`sim.implementation._traits`, made with ``traits``)
    block: np.ndarray | None = field(default=None, repr=False)
    #: the fixed part of the positions at its table (:class:`sim.positions.Stance`)
    stance: Stance | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """Readable id, e.g. ``climate-7``."""
        return f"{self.issue.name}-{self.id}"

    def age(self, step: int) -> int:
        """Steps since arrival."""
        return step - self.arrived

    def alive(self, step: int) -> bool:
        """Whether the problem (or its shadow) still runs at ``step``."""
        return self.age(step) < self.issue.lifetime

    @property
    def open(self) -> bool:
        """Not yet solved."""
        return self.resolved < 0


def issue_cdf(mix: np.ndarray) -> list[float] | None:
    """The cumulative mix as ``Generator.choice(..., p=mix)`` computes it.

    ``mix.cumsum()`` divided by its last entry, as a list for :func:`bisect.bisect_right`
    (numpy's ``searchsorted(..., side="right")``). None for a mix ``choice`` would reject
    (not finite, a negative weight, or a sum off 1 by more than its tolerance).
    """
    if not np.isfinite(mix).all() or bool((mix < 0).any()):
        return None
    if abs(math.fsum(mix.tolist()) - 1.0) > math.sqrt(float(np.finfo(np.float64).eps)):
        return None
    cdf = mix.cumsum()
    cdf /= cdf[-1]
    return cdf.tolist()


class ProblemStream:
    """Poisson arrivals of problems by an issue mix.

    Parameters
    ----------
    world : World
        The states (for exposure, relevance and the party of a security crisis).
    rng : numpy.random.Generator
        The problems' own generator (a child of the run's seed, so that every regime
        meets the same problems on the same seed).
    issue : str
        One issue type or ``"mixed"``.
    arrival_rate : float
        Mean new problems per step.
    issue_weights : dict or None
        Weights of the mix (``mixed`` only); equal by default.
    great_power_party_share : float
        Probability that a security crisis's party is a great power (a revisionist one
        if there is any): the Ukraine 2022 case of PAPER.md#C2.
    """

    def __init__(
        self,
        world: World,
        rng: np.random.Generator,
        *,
        issue: str,
        arrival_rate: float,
        issue_weights: dict[str, float] | None = None,
        great_power_party_share: float = 0.5,
    ) -> None:
        self.world = world
        self.rng = rng
        self.arrival_rate = arrival_rate
        self.gp_party = great_power_party_share
        if issue == MIXED:
            weights = issue_weights or {}
            w = np.array([float(weights.get(k, 1.0 if not weights else 0.0)) for k in ISSUE_NAMES])
            self.mix = w / w.sum()
        else:
            self.mix = np.array([1.0 if k == issue else 0.0 for k in ISSUE_NAMES])
        self._cdf = issue_cdf(self.mix)
        self._relevance = {
            k: relevance_weights(
                ISSUE_TYPES[k].relevance, world.power, world.great_power, world.emissions
            )
            for k in ISSUE_NAMES
        }
        self._next_id = 0

    def arrivals(self, step: int) -> list[Problem]:
        """Draw this step's new problems."""
        count = int(self.rng.poisson(self.arrival_rate))
        return [self.new(step) for _ in range(count)]

    def new(self, step: int, issue: str | None = None, party: int | None = None) -> Problem:
        """Create one problem (of a drawn issue type unless ``issue`` is given)."""
        rng, w = self.rng, self.world
        j = ISSUE_NAMES.index(issue) if issue else self._draw_issue()
        kind = ISSUE_TYPES[ISSUE_NAMES[j]]
        if party is None:
            party = self._draw_party() if kind.technology == "enforcement" else -1
        exposure = w.exposure[:, j].copy()
        if party >= 0:
            exposure[party] = 0.0
        jitter = rng.uniform(0.8, 1.2, 3)
        problem = Problem(
            id=self._next_id,
            issue=kind,
            arrived=step,
            severity=kind.severity * jitter[0],
            divisiveness=min(1.0, kind.divisiveness * jitter[1]),
            verification=min(1.0, kind.verification * jitter[2]),
            party=party,
            exposure=exposure,
            relevance=self._relevance[kind.name],
        )
        self._next_id += 1
        return problem

    def _draw_issue(self) -> int:
        """Index of a random issue type by the mix: ``rng.choice(len(ISSUE_NAMES), p=mix)``.

        The same draw as numpy's ``Generator.choice`` with ``p`` and one sample (one
        ``rng.random()`` looked up in the cumulative mix with ``side="right"``, see
        :func:`issue_cdf`), without its checks of ``p`` at every call: the same index
        and the same generator state afterwards (tests/test_problems.py checks both). A mix
        those checks would reject is left to ``rng.choice``, which raises as before.
        """
        if self._cdf is None:
            return int(self.rng.choice(len(ISSUE_NAMES), p=self.mix))
        return bisect_right(self._cdf, self.rng.random())

    def _draw_party(self) -> int:
        w, rng = self.world, self.rng
        if rng.uniform() < self.gp_party:
            pool = np.flatnonzero(w.great_power & w.revisionist)
            if len(pool) == 0:
                pool = np.flatnonzero(w.great_power)
        else:
            pool = np.flatnonzero(~w.great_power)
        return int(rng.choice(pool))
