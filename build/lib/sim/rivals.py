"""Rival forums: institutions founded by dissatisfied powers (PAPER.md#C8, PAPER.md#C15).

Each step, a great power that sees little legitimacy in the regime's forums (it is
excluded, outvoted or gets little out of them) founds a rival forum with probability
``rival_rate x rivalry x dissatisfaction``; states of its own camp (west, non-aligned
or east) that are dissatisfied too, and the revisionists among them, join. A rival forum draws a
``diversion`` share of its members' effort away from the regime's forums and spends it
on its own, at half yield and discounted by the problem's divisiveness: a divided
response does less than a common one, and counting rival effort in full made
effectiveness rise with rivalry (DESIGN.md, prototype lessons). A rival forum fades
with a probability that is higher the lower the rivalry and the more satisfied its
founder.
The rule is the same under every regime; only who feels excluded differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.forums import Forum
from sim.problems import Problem

if TYPE_CHECKING:
    from sim.model import MultilatModel

#: Perceived legitimacy below which a state counts as dissatisfied.
DISSATISFIED = 0.5
#: What a rival forum makes of the effort it draws, before the divisiveness discount:
#: a new body without agreements, capacity or trust delivers half of it at most.
RIVAL_YIELD = 0.5


@dataclass(eq=False)
class Split:
    """How effort on a list of problems splits with a set of active rival forums.

    Attributes
    ----------
    key : tuple
        Problem ids and rival forum ids it was computed for.
    takes_part : numpy.ndarray
        Problem x forum: 1 where the rival forum acts on the problem (not its party's).
    membership : numpy.ndarray
        Forum x state: 1 for members.
    kept_share : numpy.ndarray
        Problem x state: ``(1 - diversion)^m`` for a state in ``m`` acting rival forums.
    keep : numpy.ndarray
        Problem x 1: what rival forums make of the effort they draw.
    seats : numpy.ndarray
        Problem x state: acting rival forums a state is in, at least 1.
    """

    key: tuple
    takes_part: np.ndarray
    membership: np.ndarray
    kept_share: np.ndarray
    keep: np.ndarray
    seats: np.ndarray


class RivalForums:
    """Founding, membership, effort and fading of rival forums."""

    def __init__(self, model: MultilatModel) -> None:
        self.model = model
        self._cached: Split | None = None

    @property
    def active(self) -> list[Forum]:
        """Active rival forums."""
        return [f for f in self.model.forums if f.kind == "rival"]

    def satisfaction(self) -> np.ndarray:
        """Each state's mean perceived legitimacy of the regime's own forums."""
        own = [f.legitimacy for f in self.model.forums if f.kind != "rival"]
        if not own:
            return np.full(self.model.world.n, 0.5)
        return np.array(own).sum(axis=0) / len(own)  # numpy.mean's sum and division

    def step(self) -> None:
        """Found new rival forums and let old ones fade."""
        m = self.model
        w, b, rng = m.world, m.behaviour, m.rng
        dissatisfaction = 1 - self.satisfaction()
        founders = {f.founder for f in self.active}
        powers = w.great_powers
        for g, unhappy in zip(powers.tolist(), dissatisfaction[powers].tolist(), strict=True):
            if g in founders:
                continue
            pressure = max(0.0, 2 * (unhappy - DISSATISFIED))
            if rng.uniform() < b.rival_rate * m.rivalry * pressure:
                side = w.camp == w.camp[g]  # its own camp (non-aligned powers too)
                join = side & ((dissatisfaction > DISSATISFIED) | w.revisionist)
                join[g] = True
                m.add_forum(
                    f"rival-{w.ids[g]}", "rival", join, rule="none", bindingness=0.0, founder=int(g)
                )
        for f in self.active:
            fade = 0.1 * (1 - m.rivalry) * (1 - dissatisfaction[f.founder])
            if rng.uniform() < fade:
                m.close_forum(f)

    def divert_rows(
        self, problems: list[Problem], relevance: np.ndarray, effort: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Split effort (one row per problem) between the regime's forums and rival forums.

        A member of ``m`` rival forums that take part in a problem (every rival forum
        but one founded by the problem's party) keeps ``(1 - diversion)^m`` of its
        effort for the regime's forums and moves the rest there, in equal parts; the
        rival forums deliver it at :data:`RIVAL_YIELD` times ``1 - divisiveness``.
        Returns the effort left in the regime's forums and the rival forums' effort.
        """
        active = self.active
        if not active:
            return effort, np.zeros_like(effort)
        split = self._split(problems, active)
        remaining = effort * split.kept_share
        moved = effort - remaining
        rival = moved * split.keep
        per_seat = relevance * rival / split.seats  # rival is 0 where a state has no seat
        booked = ((split.takes_part.T @ per_seat) * split.membership).sum(axis=1)
        for f, value in zip(active, booked.tolist(), strict=True):
            f.effort += value
        return remaining, rival

    def _split(self, problems: list[Problem], active: list[Forum]) -> Split:
        """The :class:`Split` of effort on ``problems`` (reused while nothing changes)."""
        key = (tuple(p.id for p in problems), tuple(f.id for f in active))
        if self._cached is not None and self._cached.key == key:
            return self._cached
        b = self.model.behaviour
        party = np.array([p.party for p in problems])
        founders = np.array([f.founder for f in active])
        takes_part = (party[:, None] != founders[None, :]).astype(float)  # problem x forum
        membership = np.array([f.members for f in active]).astype(float)  # forum x state
        seats = takes_part @ membership  # problem x state: rival forums a state acts in
        # (1 - diversion)^m by lookup: m is a small whole number
        kept_share = (1 - b.diversion) ** np.arange(len(active) + 1)
        keep = RIVAL_YIELD * (1 - np.array([p.divisiveness for p in problems]))
        self._cached = Split(
            key=key,
            takes_part=takes_part,
            membership=membership,
            kept_share=kept_share[seats.astype(np.intp)],
            keep=keep[:, None],
            seats=np.maximum(seats, 1.0),
        )
        return self._cached
