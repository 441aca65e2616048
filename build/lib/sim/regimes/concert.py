"""Concert: a directorate of the great powers, liberal and illiberal alike.

Who sits at the table: the great powers (Haass and Kupchan's six). They decide by
consensus without a formal veto, but any aggrieved power can block (PAPER.md#C11).
Few members holding most of the world's capability is where its capability must come
from (PAPER.md#C10). Little standing capacity; others follow its decisions only as far
as they see it as legitimate (follow-through, PAPER.md#C12).
"""

from __future__ import annotations

from pydantic.dataclasses import dataclass

from sim.forums import Forum
from sim.problems import Problem
from sim.regimes.base import RULES_CONFIG, Regime, Rules, Steps, Unit


@dataclass(frozen=True, config=RULES_CONFIG)
class ConcertRules(Rules):
    """Rule parameters of the concert (defaults and reasons in docs/model.md)."""

    bindingness: Unit = 0.45
    capacity: Unit = 0.05  # no secretariat to speak of
    slippage: Unit = 0.0
    delay: Steps = 1
    outsider_follow: Unit = 1.0  # others follow by the legitimacy they see


class Concert(Regime):
    """Consensus among the great powers; any power may block."""

    name = "concert"
    summary = "Great powers: consensus where any power may block; others follow by legitimacy"
    virtue = "capability"
    claims = ("C10", "C11", "C12")
    Rules = ConcertRules

    def setup(self) -> None:
        """Create the concert of great powers."""
        great_powers = self.model.world.great_power.copy()
        self.concert = self.add_forum("concert", "concert", great_powers, rule="consensus")

    def convene(self, problem: Problem) -> Forum | None:
        """The concert takes up every problem (if there are great powers at all)."""
        return self.concert if self.concert.size else None
