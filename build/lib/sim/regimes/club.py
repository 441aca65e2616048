"""Club: the established democracies (variant: every state that upholds the rules).

Who sits at the table: states whose electoral democracy reaches a threshold (variant
``membership = "non_revisionist"``: the "club against revisionism"). Members consult
among the like-minded and decide by consensus; peer pressure and trust make decisions
fairly binding. That is where its solidarity must come from (PAPER.md#C6). Outsiders do
not follow its decisions (PAPER.md#C9), and a problem whose main contributors are
outside it cannot be solved inside it (PAPER.md#C7); excluded powers may found a
counter-club (PAPER.md#C8, through the model's rival-forum rule).
"""

from __future__ import annotations

from typing import Literal

from pydantic.dataclasses import dataclass

from sim.forums import Forum
from sim.problems import Problem
from sim.regimes.base import RULES_CONFIG, Regime, Rules, Steps, Unit


@dataclass(frozen=True, config=RULES_CONFIG)
class ClubRules(Rules):
    """Rule parameters of the club (defaults and reasons in docs/model.md)."""

    bindingness: Unit = 0.7  # peer pressure among like-minded democracies
    capacity: Unit = 0.2  # OECD/G7-style secretariats
    slippage: Unit = 0.05
    delay: Steps = 1
    outsider_follow: Unit = 0.0  # outsiders do not follow (DESIGN.md)
    democracy_threshold: Unit = 0.7
    membership: Literal["democracies", "non_revisionist"] = "democracies"


class Club(Regime):
    """Consensus among established democracies."""

    name = "club"
    summary = "Democracies: consensus among the like-minded; outsiders do not follow"
    virtue = "solidarity"
    claims = ("C6", "C7", "C8", "C9")
    Rules = ClubRules

    def setup(self) -> None:
        """Create the club of democracies (or of non-revisionist states)."""
        w, r = self.model.world, self.rules
        if r.membership == "democracies":
            members = w.democracy >= r.democracy_threshold
        else:
            members = ~w.revisionist
        self.club = self.add_forum("club", "club", members, rule="consensus")

    def convene(self, problem: Problem) -> Forum | None:
        """The club takes up every problem (a member that is the party will block)."""
        return self.club if self.club.size else None
