"""Issue types and their aggregation technologies.

Which regime fits which problem depends on how individual contributions add up to
provision (Hirshleifer 1983; Sandler, *Global Collective Action*, 2004). That is what
lets different regimes win on different problems (PAPER.md#C18):

* **summation** (climate, cyber norms): provision is the relevance-weighted sum of
  efforts, so the biggest contributors must act whatever their regime (PAPER.md#C7);
* **weakest link** (pandemic): containment is as good as the worst-contained state, so
  near-universal follow-through matters (PAPER.md#C1, PAPER.md#C4);
* **best shot** (financial crisis): the largest economy's firepower decides (G20 style);
* **threshold** (proliferation): every great power must act, and verification decides
  how much of it counts (P5+1 style; standing verification capacity helps, PAPER.md#C5);
* **enforcement** (security crisis): the others' effort must outweigh a party that never
  helps and blocks where it can (PAPER.md#C2).

Each technology maps delivered effort (one value per state, 0 = nothing, about 1 = full
effort at full ambition) to provision in 0..1. This module holds their parameters and
builds a :class:`ProvisionPlan` for a list of problems; the compiled loop
:func:`sim.kernels.provision` applies it each step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from sim import kernels

Technology = Literal["summation", "weakest_link", "best_shot", "threshold", "enforcement"]
TECHNOLOGIES: tuple[Technology, ...] = get_args(Technology)
#: Each technology's code in the compiled provision (:func:`sim.kernels.provision`):
#: the constant of its name in upper case, e.g. ``kernels.WEAKEST_LINK``.
TECHNOLOGY_CODES: dict[Technology, int] = {t: getattr(kernels, t.upper()) for t in TECHNOLOGIES}
Relevance = Literal["power", "emissions", "equal", "great_powers", "power_and_count"]


@dataclass(frozen=True)
class IssueType:
    """The fixed traits of one issue type (the table in DESIGN.md, Problems).

    Parameters
    ----------
    name : str
        Issue key as used in scenarios.
    technology : Technology
        Aggregation technology (module docstring).
    security : bool
        Peace-and-security issue: the charter sends it to the Security Council.
    divisiveness : float
        How far positions split along alignment under rivalry (0..1).
    severity : float
        Harm per step to a fully exposed state, before urgency growth.
    window : int
        Urgency window in steps: an agreement later than this counts as slow
        (``flexibility``); harm grows with the provision still missing, up to doubling
        after two windows' worth.
    lifetime : int
        Steps the problem lasts if never solved; the shadow problem lasts as long.
    verification : float
        How easy compliance is to check (0..1): raises compliance.
    required : float
        The effort that full provision needs, in the technology's own units.
    relevance : Relevance
        Whose effort counts: by power (capability), by emissions, equally, great powers
        only, or half power half head count (norms need adopters as well as weight).
    """

    name: str
    technology: Technology
    security: bool
    divisiveness: float
    severity: float
    window: int
    lifetime: int
    verification: float
    required: float
    relevance: Relevance


#: The six issue types of PAPER.md. Values are ordinal judgements from the paper's
#: descriptions (pp. 5-22), documented in docs/model.md; sweeps may vary them.
ISSUE_TYPES: dict[str, IssueType] = {
    t.name: t
    for t in (
        IssueType("climate", "summation", False, 0.5, 1.0, 12, 40, 0.6, 0.6, "emissions"),
        IssueType("pandemic", "weakest_link", False, 0.2, 1.5, 4, 16, 0.5, 0.6, "equal"),
        IssueType("proliferation", "threshold", True, 0.5, 1.0, 8, 30, 0.3, 0.5, "great_powers"),
        IssueType("security_crisis", "enforcement", True, 0.8, 2.0, 3, 12, 0.7, 0.1, "power"),
        IssueType("financial_crisis", "best_shot", False, 0.2, 1.5, 2, 10, 0.8, 0.6, "power"),
        IssueType("cyber_norms", "summation", False, 0.8, 0.6, 10, 40, 0.3, 0.6, "power_and_count"),
    )
}

#: Issue keys in a fixed order (never iterate a set of strings in model logic).
ISSUE_NAMES: tuple[str, ...] = tuple(ISSUE_TYPES)
MIXED = "mixed"

#: Curvature of the weakest-link mean: -2 weighs the worst-contained states heavily.
WEAKEST_LINK_RHO = -2.0
#: National effort every state makes against a pandemic without any agreement.
SELF_HELP = 0.1
#: Extra enforcement effort needed per unit of the party's own power.
PARTY_WEIGHT = 1.5


def baseline_provision(issue: IssueType) -> float:
    """Provision with no cooperation at all: national self-help against pandemics."""
    if issue.technology == "weakest_link":
        return min(1.0, SELF_HELP / issue.required)
    return 0.0


def relevance_weights(
    kind: Relevance, power: np.ndarray, great_power: np.ndarray, emissions: np.ndarray | None = None
) -> np.ndarray:
    """Return whose effort counts for an issue, one weight per state, summing to 1."""
    n = len(power)
    if kind == "power":
        w = power.astype(float)
    elif kind == "emissions":
        w = (emissions if emissions is not None else power).astype(float)
    elif kind == "equal":
        w = np.full(n, 1.0)
    elif kind == "great_powers":
        w = great_power.astype(float)
        if w.sum() == 0:
            w = power.astype(float)
    else:  # power_and_count
        w = 0.5 * power / power.sum() + 0.5 / n
    return w / w.sum()


@dataclass(eq=False)
class ProvisionPlan:
    """What turns a fixed list of problems' effort into provision (:func:`provision_plan`).

    Built once for the list (it depends only on the problems and their forums) and
    applied to each step's effort by :func:`sim.kernels.provision`, which computes every
    technology of the module docstring on its own rows.

    Attributes
    ----------
    technology : numpy.ndarray
        Per problem: its technology's code (:data:`TECHNOLOGY_CODES`).
    party : numpy.ndarray
        Per problem: the party of an enforcement problem, whose effort never counts
        (-1 for none and for every other technology).
    divisors : numpy.ndarray
        Shape ``(4, problems)``: the divisor of summed contributions (``required``,
        plus :data:`PARTY_WEIGHT` times the party's power for enforcement), best shot's
        divisor (``required`` times the largest relevance), ``required``, and the share
        of a threshold problem's effort that counts,
        ``verification + (1 - verification) x min(1, capacity)``.
    great_power : numpy.ndarray
        Indices of the great powers (all states if there are none).
    """

    technology: np.ndarray
    party: np.ndarray
    divisors: np.ndarray
    great_power: np.ndarray


def divisors(issue: IssueType, relevance: np.ndarray, party_power: float) -> tuple[float, float]:
    """A problem's fixed divisors of provision (:class:`ProvisionPlan`).

    Returns the divisor of summed contributions (``required``, plus
    :data:`PARTY_WEIGHT` times the party's power for enforcement) and best shot's
    (``required`` times the largest relevance).
    """
    summed = issue.required
    if issue.technology == "enforcement":
        summed = issue.required + PARTY_WEIGHT * party_power
    return summed, issue.required * float(relevance.max())


def provision_plan(
    technology: list[Technology],
    *,
    required: np.ndarray,
    denominator: np.ndarray,
    best_shot: np.ndarray,
    great_powers: np.ndarray,
    party: list[int],
    verification: np.ndarray,
    capacity: Sequence[float],
) -> ProvisionPlan:
    """Prepare :class:`ProvisionPlan` for problems of the given technologies.

    Every argument has one entry per problem (``party`` -1 for none; ``denominator``
    and ``best_shot`` as :func:`divisors` gives them), except ``great_powers``: the
    indices of the great powers (of all states if there are none).
    """
    codes = np.array([TECHNOLOGY_CODES[t] for t in technology], dtype=np.int64)
    enforced = codes == kernels.ENFORCEMENT
    verified = verification + (1.0 - verification) * np.minimum(1.0, np.array(capacity))
    return ProvisionPlan(
        technology=codes,
        party=np.where(enforced, np.array(party, dtype=np.int64), -1),
        divisors=np.array([denominator, best_shot, required, verified]),
        great_power=great_powers,
    )
