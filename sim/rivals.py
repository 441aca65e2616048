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

from sim import kernels
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
class Table:
    """What a set of active rival forums alone fixes of the split of effort on any problem.

    A rival forum acts on every problem but one its founder is the party to, so how
    effort on a problem splits depends only on whether its party founded one of the
    forums (and which). This table holds one row per founder (the forums that act on
    a problem against that founder) and a last row for every other problem, so that a
    new list of problems only picks rows. Rival forums never change their members, so
    the table is kept while the same forums are active.

    Attributes
    ----------
    key : tuple
        Ids of the rival forums it was computed for.
    row : dict
        Founder -> its row; any other party takes the last row.
    takes_part : numpy.ndarray
        Row x forum: 1 where the rival forum acts on the row's problems.
    kept_share : numpy.ndarray
        Row x state: ``(1 - diversion)^m`` for a state in ``m`` acting rival forums.
    seats : numpy.ndarray
        Row x state: acting rival forums a state is in, at least 1.
    membership : numpy.ndarray
        Forum x state: 1 for members.
    """

    key: tuple
    row: dict[int, int]
    takes_part: np.ndarray
    kept_share: np.ndarray
    seats: np.ndarray
    membership: np.ndarray


class RivalForums:
    """Founding, membership, effort and fading of rival forums."""

    def __init__(self, model: MultilatModel) -> None:
        self.model = model
        self._table: Table | None = None

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
        """Found new rival forums and let old ones fade.

        A draw of no numbers leaves the generator as it was, so none is made when no
        power may found a forum or none is active.
        """
        m = self.model
        w, b, rng = m.world, m.behaviour, m.rng
        dissatisfaction = 1 - self.satisfaction()
        active = self.active
        founders = {f.founder for f in active}
        powers = w.great_powers
        candidates = [
            (g, unhappy)
            for g, unhappy in zip(powers.tolist(), dissatisfaction[powers].tolist(), strict=True)
            if g not in founders
        ]
        if candidates:
            # one uniform per candidate, in order: the numbers one draw per candidate would give
            draws = rng.uniform(size=len(candidates)).tolist()
            threshold = b.rival_rate * m.rivalry
            for (g, unhappy), u in zip(candidates, draws, strict=True):
                pressure = max(0.0, 2 * (unhappy - DISSATISFIED))
                if u < threshold * pressure:
                    side = w.camp == w.camp[g]  # its own camp (non-aligned powers too)
                    join = side & ((dissatisfaction > DISSATISFIED) | w.revisionist)
                    join[g] = True
                    forum = m.add_forum(
                        f"rival-{w.ids[g]}",
                        "rival",
                        join,
                        rule="none",
                        bindingness=0.0,
                        founder=int(g),
                    )
                    active.append(forum)
        if active:
            calm = 0.1 * (1 - m.rivalry)
            for f, u in zip(active, rng.uniform(size=len(active)).tolist(), strict=True):
                if u < calm * (1 - dissatisfaction[f.founder]):
                    m.close_forum(f)

    def divert_rows(
        self, problems: list[Problem], relevance: np.ndarray, effort: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Split effort (one row per problem) between the regime's forums and rival forums.

        A member of ``m`` rival forums that take part in a problem (every rival forum
        but one founded by the problem's party) keeps ``(1 - diversion)^m`` of its
        effort for the regime's forums and moves the rest there, in equal parts; the
        rival forums deliver it at :data:`RIVAL_YIELD` times ``1 - divisiveness``.
        Returns the effort left in the regime's forums and the rival forums' effort
        (None when no rival forum is active).
        """
        active = self.active
        if not active:
            return effort, None
        forum_ids = tuple([f.id for f in active])
        table = self._table
        if table is None or table.key != forum_ids:
            table = self._table = self._make_table(forum_ids, active)
        last = len(table.row)
        remaining, rival, booked = kernels.divert(
            effort,
            relevance,
            np.array([table.row.get(p.party, last) for p in problems], dtype=np.int64),
            RIVAL_YIELD * (1 - np.array([p.divisiveness for p in problems])),
            table.takes_part,
            table.membership,
            table.kept_share,
            table.seats,
        )
        for f, value in zip(active, booked.tolist(), strict=True):
            f.effort += value
        return remaining, rival

    def _make_table(self, key: tuple, active: list[Forum]) -> Table:
        """The :class:`Table` of the rival forums ``active`` (ids ``key``)."""
        b = self.model.behaviour
        founders = np.array([f.founder for f in active])
        distinct = list(dict.fromkeys(founders.tolist()))
        # a row per founder (every forum but its own acts), then one where all forums act
        takes_part = np.ones((len(distinct) + 1, len(active)))  # row x forum
        takes_part[:-1] = np.array(distinct)[:, None] != founders[None, :]
        membership = np.array([f.members for f in active]).astype(float)  # forum x state
        seats = takes_part @ membership  # row x state: rival forums a state acts in
        # (1 - diversion)^m by lookup: m is a small whole number
        kept_share = (1 - b.diversion) ** np.arange(len(active) + 1)
        return Table(
            key=key,
            row={g: i for i, g in enumerate(distinct)},
            takes_part=takes_part,
            kept_share=kept_share[seats.astype(np.intp)],
            seats=np.maximum(seats, 1.0),
            membership=membership,
        )
