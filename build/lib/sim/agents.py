"""States as Mesa agents: identity and behaviour, reading attributes from the world.

Per-state numbers live in numpy arrays over all states (:class:`sim.world.World`) so
that a step is a few vector operations, not one Python call per state. A
:class:`State` is the identity of one row: notebooks and figures can ask a state its
kind, power or position without knowing the array layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.issues import ISSUE_NAMES
from sim.world import KINDS

if TYPE_CHECKING:
    from sim.model import MultilatModel


class State(mesa.Agent):
    """A state: a great power, an established democracy or a developing state."""

    model: MultilatModel

    def __init__(self, model: MultilatModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def iso3(self) -> str:
        """Identity: ISO3 code (real world) or ``S017``-style id."""
        return self.model.world.ids[self.index]

    @property
    def kind(self) -> str:
        """``great_power``, ``democracy`` or ``developing``."""
        return KINDS[int(self.model.world.kind[self.index])]

    @property
    def power(self) -> float:
        """Share of world capability."""
        return float(self.model.world.power[self.index])

    @property
    def democracy(self) -> float:
        """Electoral democracy, 0..1."""
        return float(self.model.world.democracy[self.index])

    @property
    def alignment(self) -> float:
        """-1 (China-Russia camp) .. +1 (US-led West)."""
        return float(self.model.world.alignment[self.index])

    @property
    def revisionist(self) -> bool:
        """Seeks to overturn rules of state conduct."""
        return bool(self.model.world.revisionist[self.index])

    @property
    def bandwidth(self) -> float:
        """Forum seats it can staff at once."""
        return float(self.model.world.bandwidth[self.index])

    def exposure(self, issue: str) -> float:
        """How much the state suffers from an issue type."""
        return float(self.model.world.exposure[self.index, ISSUE_NAMES.index(issue)])

    @property
    def forums(self) -> list[str]:
        """Names of the active forums it sits in."""
        return [f.name for f in self.model.forums if f.active and f.members[self.index]]

    def trust_in(self, other: State) -> float:
        """Its trust in another state."""
        return self.model.trust.pair(self.index, other.index)

    def perceived_legitimacy(self) -> dict[str, float]:
        """Its perceived legitimacy of each active forum."""
        return {f.name: float(f.legitimacy[self.index]) for f in self.model.forums if f.active}

    def __repr__(self) -> str:
        return f"State({self.iso3}, {self.kind}, power={self.power:.3f})"
