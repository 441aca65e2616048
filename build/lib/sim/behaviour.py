"""How states behave, the same under every regime: the ``[behaviour]`` scenario table.

These are the model's behavioural constants. Regimes never touch them: a regime
changes only who sits at the table and how it decides (DESIGN.md, The one rule).
Each field says which claim it serves; docs/model.md gives the reasons for the defaults.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic.dataclasses import dataclass


def not_a_bool(value: Any) -> Any:
    """Refuse booleans where a number is expected (pydantic would read true as 1)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    return value


Unit = Annotated[float, BeforeValidator(not_a_bool), Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, BeforeValidator(not_a_bool), Field(ge=0.0, le=10.0)]


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Behaviour:
    """Behavioural constants shared by all regimes.

    Attributes
    ----------
    cost_weight : float
        How much a state's share of the forum's burden lowers the ambition it accepts.
    trust_weight : float
        How much trust in the proposer raises the ambition a state accepts.
    alignment_split : float
        How far positions split along alignment, times rivalry and divisiveness
        (geopolitical football, PAPER.md#C4).
    block_propensity : float
        Probability scale with which a state opposes what a distant proposer backs:
        ``rivalry x divisiveness x alignment distance x block_propensity``
        (PAPER.md#C11); states other than great powers oppose at half this rate.
    linkage : float
        Probability, times rivalry, that a rival great power links the issue to another
        dispute and blocks (China tying climate to Taiwan, PAPER.md#C11).
    position_noise : float
        Standard deviation of the noise on each position.
    deliberation : float
        How far deliberation pulls members' positions toward the forum's mean, times the
        trust among them (consultation among the like-minded, PAPER.md#C6).
    compliance_base, w_bindingness, w_trust, w_verification, w_cost, w_size : float
        Compliance (the delivered share of a pledge): a base, raised by bindingness,
        trust among co-signatories and verification, lowered by the state's cost share
        and by the number of co-signatories (Olson-style free riding, PAPER.md#C14,
        PAPER.md#C17).
    compliance_noise : float
        Standard deviation of the noise on compliance.
    voice_weight : float
        Weight ``a`` of voice (input) against output in legitimacy.
    legitimacy_memory : float
        Step size of the perceived-legitimacy update.
    rival_rate : float
        Probability scale, times rivalry and dissatisfaction, that a dissatisfied great
        power founds a rival forum (PAPER.md#C8, PAPER.md#C15).
    diversion : float
        Share of a rival forum member's effort it draws away from the regime's forums.
    trust_like_minded : float
        Extra seed trust between two democracies (like-minded states, PAPER.md#C6).
    trust_rivalry_split : float
        How much more the seed trust falls with alignment distance at full rivalry.
    trust_learning : float
        Step size of a reciprocity update (kept or broken commitments).
    trust_reversion : float
        Share of the gap to the seed trust closed each step (without it trust among
        rivals locks in near zero, DESIGN.md prototype lessons).
    urgency_growth : float
        Growth of harm per urgency window's worth of missing provision (accumulated
        ``1 - provision`` per step, up to two windows).
    """

    cost_weight: NonNeg = 0.3
    trust_weight: NonNeg = 0.4
    alignment_split: NonNeg = 0.6
    block_propensity: NonNeg = 1.5
    linkage: Unit = 0.3
    position_noise: Unit = 0.05
    deliberation: Unit = 0.5
    compliance_base: Unit = 0.5
    w_bindingness: NonNeg = 0.4
    w_trust: NonNeg = 0.4
    w_verification: NonNeg = 0.15
    w_cost: NonNeg = 0.3
    w_size: NonNeg = 0.3
    compliance_noise: Unit = 0.1
    voice_weight: Unit = 0.5
    legitimacy_memory: Unit = 0.2
    rival_rate: Unit = 0.2
    diversion: Unit = 0.3
    trust_like_minded: Unit = 0.2
    trust_rivalry_split: Unit = 0.6
    trust_learning: Unit = 0.1
    trust_reversion: Unit = 0.05
    urgency_growth: NonNeg = 0.5
