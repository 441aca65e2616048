"""Outcome metrics: names, ranges and definitions (DESIGN.md, Outcomes).

:data:`METRICS` is the single source of every metric's name, range, label and meaning:
the data collector, the range tests, run summaries and figure labels (sim.plots) read it;
``better`` says which way a figure ranks regimes by it.
The values are computed each step by :func:`compute` from what the step recorded in a
:class:`Tally`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim import kernels

if TYPE_CHECKING:
    from sim.model import MultilatModel


@dataclass(frozen=True)
class Metric:
    """One outcome metric."""

    name: str
    label: str
    lo: float
    hi: float
    description: str
    #: how a run summarises it: "mean" or "sum" over the steps after burn-in, or "final"
    #: for running figures that already cover the whole run
    summary: str = "mean"
    claims: tuple[str, ...] = ()
    #: which way is better, "higher" or "lower" (figures that rank regimes read it)
    better: str = "higher"


INF = math.inf

#: Every metric, in reporting order.
METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "effectiveness",
            "Effectiveness",
            0,
            1,
            "1 - harm suffered / harm the same problems would have done with no "
            "cooperation (national self-help only); over a run, the ratio of totals",
            claims=("C10", "C17", "C18"),
        ),
        Metric(
            "harm",
            "Harm suffered",
            0,
            INF,
            "harm suffered by all states this step",
            summary="sum",
            better="lower",
        ),
        Metric(
            "shadow_harm",
            "Harm without cooperation",
            0,
            INF,
            "harm the same problems would have done this step with no cooperation",
            summary="sum",
            better="lower",
        ),
        Metric(
            "legitimacy",
            "Legitimacy",
            0,
            1,
            "mean over states of a*voice + (1-a)*output (benefit relative to exposure)",
            claims=("C1", "C12"),
        ),
        Metric(
            "voice",
            "Voice (input legitimacy)",
            0,
            1,
            "mean over states of voting power in the deciding forum relative to an equal "
            "share, capped at 1",
            claims=("C1", "C17"),
        ),
        Metric(
            "legitimacy_developing",
            "Legitimacy among developing states",
            0,
            1,
            "legitimacy averaged over developing states only",
            claims=("C1", "C9", "C12"),
        ),
        Metric(
            "fragmentation",
            "Fragmentation",
            0,
            1,
            "1 - Herfindahl index of cooperative effort over active forums",
            claims=("C15",),
            better="lower",
        ),
        Metric(
            "rival_forums",
            "Rival forums",
            0,
            INF,
            "number of active rival forums founded by dissatisfied powers",
            claims=("C8", "C15"),
            better="lower",
        ),
        Metric(
            "bloc_modularity",
            "Bloc modularity",
            -0.5,
            1,
            "modularity of the cooperation network over the three camps",
            claims=("C8",),
        ),
        Metric(
            "solidarity",
            "Solidarity",
            0,
            1,
            "mean over agreements of (compliance + trust among co-signatories) / 2",
            claims=("C6",),
        ),
        Metric(
            "capability",
            "Capability",
            0,
            1,
            "share of world power committed and kept (signatories x delivered share)",
            claims=("C10",),
        ),
        Metric(
            "flexibility",
            "Flexibility",
            0,
            1,
            "share of problems so far that reached an agreement within their urgency window",
            summary="final",
            claims=("C13",),
        ),
        Metric(
            "time_to_agreement",
            "Time to agreement (steps)",
            0,
            INF,
            "mean steps from arrival to agreement, over problems agreed so far",
            summary="final",
            claims=("C3", "C13"),
            better="lower",
        ),
        Metric(
            "ambition",
            "Ambition",
            0,
            1,
            "mean agreed ambition over open problems, no agreement counted as zero",
            claims=("C3",),
        ),
        Metric(
            "shortfall",
            "Ambition shortfall",
            0,
            1,
            "per agreement, how far the agreed ambition falls short of what the keenest "
            "quarter of the table asked for: the lowest common denominator",
            claims=("C3",),
            better="lower",
        ),
        Metric(
            "deadlock_rate",
            "Deadlock rate",
            0,
            1,
            "failed decision attempts / attempts, this step",
            claims=("C2", "C11"),
            better="lower",
        ),
        Metric(
            "never_agreed",
            "Never agreed",
            0,
            1,
            "share of problems ended so far that never reached an agreement",
            summary="final",
            claims=("C2",),
            better="lower",
        ),
        Metric(
            "veto_count",
            "Vetoes",
            0,
            INF,
            "permanent-member vetoes of drafts that had the votes, this step",
            summary="sum",
            claims=("C2",),
            better="lower",
        ),
        Metric(
            "compliance_rate",
            "Compliance",
            0,
            1,
            "share of pledged effort delivered by signatories",
            claims=("C6", "C14"),
        ),
        Metric(
            "burden_developing",
            "Burden on developing states",
            0,
            1,
            "mean over developing states of forum seats staffed / bandwidth (capped at 1)",
            claims=("C16",),
            better="lower",
        ),
        Metric(
            "transaction_costs",
            "Transaction costs",
            0,
            INF,
            "forum seats staffed (incl. set-up) / total bandwidth",
            claims=("C16",),
            better="lower",
        ),
        Metric(
            "equity",
            "Equity",
            0,
            1,
            "1 - Gini over states of net benefit: harm avoided minus the cost of own effort, "
            "floored at 0",
            claims=("C16",),
        ),
        Metric(
            "coalition_size",
            "Members per agreement",
            0,
            INF,
            "mean signatories per agreement in force",
            claims=("C13", "C17"),
        ),
    )
}


@dataclass
class Tally:
    """What one step recorded, for :func:`compute`."""

    n: int
    harm: float = 0.0
    shadow: float = 0.0
    harm_state: np.ndarray = field(init=False)
    shadow_state: np.ndarray = field(init=False)
    kept_sum: np.ndarray = field(init=False)
    kept_count: np.ndarray = field(init=False)
    voice_sum: np.ndarray = field(init=False)
    exposure_sum: np.ndarray = field(init=False)
    benefit_sum: np.ndarray = field(init=False)
    cost_state: np.ndarray = field(init=False)
    n_voiced: int = 0
    attempts: int = 0
    deadlocks: int = 0
    vetoes: int = 0
    pledged: float = 0.0
    delivered: float = 0.0
    solidarity: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    ambition: list[float] = field(default_factory=list)
    shortfall: list[float] = field(default_factory=list)
    efforts: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        # one block of zeros, one row per per-state sum (each updated in place)
        (
            self.harm_state,
            self.shadow_state,
            self.kept_sum,
            self.kept_count,
            self.voice_sum,
            self.exposure_sum,
            self.benefit_sum,
            self.cost_state,
        ) = np.zeros((8, self.n))


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal)."""
    return float(kernels.gini(np.asarray(x, dtype=float)))


def camp_modularity(
    ties: np.ndarray, camp: np.ndarray, indicator: np.ndarray | None = None
) -> float:
    """Modularity, over camps, of the network projected from a state x forum matrix.

    The weight between two states is the sum over forums of the product of their ties;
    the sums are taken from the incidence matrix directly (linear in states x forums),
    never from the state x state matrix.
    """
    if indicator is None:
        indicator = np.eye(int(camp.max()) + 1)[camp] if len(camp) else np.zeros((0, 1))
    return forum_modularity(np.ascontiguousarray(ties.T), indicator)


def forum_modularity(ties: np.ndarray, indicator: np.ndarray) -> float:
    """:func:`camp_modularity` from a forum x state matrix and a state x camp indicator."""
    return float(kernels.forum_modularity(ties, indicator))


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.nan


def compute(model: MultilatModel, tally: Tally) -> dict[str, float]:
    """All metrics of this step from the model's state and the step's tally."""
    w = model.world
    forums = [f for f in model.forums if f.active]
    efforts = tally.efforts
    total_effort = sum(efforts)
    frag = 1 - sum((e / total_effort) ** 2 for e in efforts) if total_effort > 0 else math.nan
    ties = np.array([f.ties for f in forums]) if forums else np.zeros((0, w.n))
    legitimacy, voice, legitimacy_developing, capability, burden, equity, seats = (
        kernels.state_metrics(
            tally.voice_sum,
            tally.n_voiced,
            tally.benefit_sum,
            tally.exposure_sum,
            tally.shadow_state,
            tally.harm_state,
            tally.cost_state,
            tally.kept_sum,
            tally.kept_count,
            model.behaviour.voice_weight,
            w.developing,
            w.power,
            model.seats,
            w.bandwidth,
        )
    )
    c = model.counters
    return {
        "effectiveness": 1 - tally.harm / tally.shadow if tally.shadow > 0 else math.nan,
        "harm": tally.harm,
        "shadow_harm": tally.shadow,
        "legitimacy": legitimacy,
        "voice": voice,
        "legitimacy_developing": legitimacy_developing,
        "fragmentation": frag,
        "rival_forums": float(sum(1 for f in forums if f.kind == "rival")),
        "bloc_modularity": forum_modularity(ties, w.camp_indicator),
        "solidarity": _mean(tally.solidarity),
        "capability": capability,
        "flexibility": _ratio(c["in_window"], c["window_known"]),
        "time_to_agreement": _ratio(c["agreement_delay"], c["agreed"]),
        "ambition": _mean(tally.ambition),
        "shortfall": _mean(tally.shortfall),
        "deadlock_rate": _ratio(tally.deadlocks, tally.attempts),
        "never_agreed": _ratio(c["ended_unagreed"], c["ended"]),
        "veto_count": float(tally.vetoes),
        "compliance_rate": _ratio(tally.delivered, tally.pledged),
        "burden_developing": burden,
        "transaction_costs": seats / w.total_bandwidth,
        "equity": equity,
        "coalition_size": _mean(tally.sizes),
    }


def clip_to_range(metric: str, low: float, high: float) -> tuple[float, float]:
    """An interval cut to ``metric``'s range (:data:`sim.metrics.METRICS`): a t-interval
    is symmetric and can reach past a bound (e.g. below 0 near a mean of 0), where the
    metric's mean cannot be. Other columns are left as they are.
    """  # noqa: D205
    m = METRICS.get(metric)
    if m is None:
        return low, high
    return max(low, m.lo), min(high, m.hi)
