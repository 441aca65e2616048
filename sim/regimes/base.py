"""The regime interface: a rule set that convenes forums and decides in them.

Regimes differ only in their rules: who sits at the table, how it decides, how binding
the result is, what standing capacity it brings and how long it deliberates
(DESIGN.md, The one rule). No regime carries an outcome number. A regime is one module
with a subclass of :class:`Regime`, its rule parameters as a frozen dataclass, and one
line in :data:`sim.regimes.REGIMES`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import numpy as np
from pydantic import BeforeValidator, ConfigDict, Field
from pydantic.dataclasses import dataclass

from sim.behaviour import Unit, not_a_bool
from sim.decisions import Decision, blocked, consensus, council, supermajority
from sim.positions import deliberate_positions, take_positions

if TYPE_CHECKING:
    from sim.forums import Forum
    from sim.model import MultilatModel
    from sim.problems import Problem

Steps = Annotated[int, BeforeValidator(not_a_bool), Field(ge=0, le=100)]

#: Config shared by every rule dataclass: unknown keys are errors.
RULES_CONFIG = ConfigDict(extra="forbid")


@dataclass(frozen=True, config=RULES_CONFIG)
class Rules:
    """Rule parameters every regime has; subclasses add their own.

    Attributes
    ----------
    bindingness : float
        How binding decisions are (0..1).
    capacity : float
        Standing capacity that multiplies delivered effort (PAPER.md#C5).
    slippage : float
        Mean share of that capacity lost to principal-agent drift (PAPER.md#C5).
    delay : int
        Deliberation delay in steps before the first decision attempt.
    outsider_follow : float
        How far non-signatories follow decisions, times their perceived legitimacy.
    """

    bindingness: Unit = 0.5
    capacity: Unit = 0.0
    slippage: Unit = 0.0
    delay: Steps = 1
    outsider_follow: Unit = 0.0


class Regime(ABC):
    """A multilateral regime: a rule set that convenes forums and decides in them.

    Subclasses set the class attributes and implement :meth:`convene`; most also
    create standing forums in :meth:`setup`.
    """

    #: registry name, e.g. ``"charter"``
    name: ClassVar[str]
    #: one line for ``multilat regimes``
    summary: ClassVar[str]
    #: the regime's core virtue in the paper's Table 1
    virtue: ClassVar[str]
    #: claims of PAPER.md this rule set expresses
    claims: ClassVar[tuple[str, ...]] = ()
    #: figure colour; None: the next Okabe-Ito colour in registry order (sim.plots.style)
    colour: ClassVar[str | None] = None
    #: the frozen rule dataclass
    Rules: ClassVar[type] = Rules

    def __init__(self, model: MultilatModel, rules: Any = None) -> None:
        self.model = model
        self.rules = rules if rules is not None else self.Rules()

    @classmethod
    def make_rules(cls, overrides: dict[str, Any] | None = None) -> Any:
        """Validated rule parameters with scenario ``overrides`` applied."""
        return cls.Rules(**(overrides or {}))

    def add_forum(
        self, name: str, kind: str, members: np.ndarray, *, rule: str, **overrides: Any
    ) -> Forum:
        """Create a forum with this regime's common rule parameters (overridable)."""
        r = self.rules
        params: dict[str, Any] = {
            "bindingness": r.bindingness,
            "capacity": r.capacity,
            "slippage": r.slippage,
            "delay": r.delay,
            "outsider_follow": r.outsider_follow,
        }
        params.update(overrides)
        return self.model.add_forum(name, kind, members, rule=rule, **params)

    def setup(self) -> None:  # noqa: B027 - optional hook
        """Create the standing forums (none by default)."""

    def before_step(self) -> None:  # noqa: B027 - optional hook
        """Hook at the start of each step (e.g. council elections)."""

    @abstractmethod
    def convene(self, problem: Problem) -> Forum | None:
        """Return the forum that takes up ``problem`` (None: nobody takes it up)."""

    def decide(self, forum: Forum, problem: Problem) -> Decision:
        """One decision attempt in ``forum`` by its decision rule.

        A consensus that a member blocks needs no deliberated positions unless the model
        records the votes; positions are deliberated only when needed (the random draws
        are the same either way).
        """
        m = self.model
        pos = take_positions(
            m.world,
            m.trust,
            m.behaviour,
            m.rivalry,
            m.rng,
            problem,
            forum.member_ids,
            deliberate=False,
        )
        if forum.rule == "consensus" and not m.record_votes and pos.oppose.any():
            return blocked(pos)
        deliberate_positions(pos, m.trust, m.behaviour)
        if forum.rule == "supermajority":
            return supermajority(pos, forum.quota)
        if forum.rule == "council":
            assert forum.permanent is not None
            return council(pos, int(forum.quota), forum.permanent[pos.states])
        if forum.rule == "consensus":
            return consensus(pos)
        raise NotImplementedError(f"{type(self).__name__} must decide rule {forum.rule!r}")

    def voice(self, forum: Forum, decision: Decision) -> np.ndarray:
        """Each state's voice in a decision of ``forum`` (the forum's voice by default)."""
        return forum.voice
