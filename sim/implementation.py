"""Implementation: from agreements to effort, provision and harm, for all problems at once.

Steps 5 and 6 of DESIGN.md, vectorised over the problems of a step (one row per problem,
one column per state) so that a step costs a few dozen array operations however many
problems are in flight:

* signatories deliver a share of their pledge: compliance rises with bindingness, trust
  among co-signatories and verification, and falls with the state's cost share relative
  to its ability to pay and with the number of co-signatories (Olson-style free riding,
  PAPER.md#C14, PAPER.md#C17);
* outsiders follow as far as they see the forum as legitimate, never beyond what the
  signatories deliver (follow-through, PAPER.md#C12);
* standing capacity multiplies effort, minus principal-agent slippage (PAPER.md#C5);
  overloaded states lose effort to transaction costs (PAPER.md#C16);
* rival forums draw a share of their members' effort away (PAPER.md#C15);
* the aggregation technology turns effort into provision; harm falls by that share and
  grows with what is left unaddressed; the shadow problem keeps the harm of zero
  provision (DESIGN.md, prototype lessons).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.issues import baseline_provision, provision_rows
from sim.metrics import Tally
from sim.problems import RESOLVE_EFFORT, Agreement, Problem

if TYPE_CHECKING:
    from sim.model import MultilatModel

#: Exponential memory of the cooperation network's ties.
TIE_MEMORY = 0.2
#: Cost of a unit of effort, in harm units per unit of relevance (equity only).
EFFORT_COST = 0.5


def compliance_base(model: MultilatModel, problem: Problem, agreement: Agreement) -> np.ndarray:
    """The part of each state's compliance that is fixed while an agreement is in force.

    Zero outside the signatories. The cost share is the state's part of the burden over
    its part of the signatories' capability, minus 1 (clipped to -0.5..1.5): above 0
    where the agreement asks more of a state than its means; none for weakest-link
    containment, which each state provides at its own means.
    """
    b, w = model.behaviour, model.world
    sig = agreement.signatories
    r = problem.relevance[sig]
    pw = w.power[sig]
    share = (r / max(float(r.sum()), 1e-12)) / np.maximum(pw / max(float(pw.sum()), 1e-12), 1e-6)
    share = np.clip(share - 1.0, -0.5, 1.5)
    if problem.issue.technology == "weakest_link":
        share = np.zeros(len(sig))
    olson = math.log(max(len(sig), 1)) / math.log(max(w.n, 2))
    base = np.zeros(w.n)
    base[sig] = (
        b.compliance_base
        + b.w_bindingness * agreement.forum.bindingness
        + b.w_verification * problem.verification
        - b.w_cost * share
        - b.w_size * olson
        - 0.5 * b.w_trust
    )
    return base


def _outsiders(model: MultilatModel, problem: Problem, agreement: Agreement) -> np.ndarray:
    """States that may follow an agreement from outside: not signatories, opponents or party."""
    out = np.ones(model.world.n, dtype=bool)
    out[agreement.signatories] = False
    out[agreement.opposed] = False
    if problem.party >= 0:
        out[problem.party] = False
    return out


def _cache(model: MultilatModel, problem: Problem, agreement: Agreement) -> None:
    if agreement.compliance_base is None:
        agreement.compliance_base = compliance_base(model, problem, agreement)
        agreement.outsiders = _outsiders(model, problem, agreement)
        mask = np.zeros(model.world.n, dtype=bool)
        mask[agreement.signatories] = True
        agreement.mask = mask


def _agreements(
    model: MultilatModel,
    problems: list[Problem],
    rows: list[int],
    relevance: np.ndarray,
    effort: np.ndarray,
    efficiency: np.ndarray,
    tally: Tally,
) -> None:
    """Effort under the agreements in force (rows of ``effort``), and what it teaches."""
    b, rng, trust = model.behaviour, model.rng, model.trust
    agreements = [problems[i].agreement for i in rows]
    # the stacked arrays of the agreements in force change only when one starts or ends
    key = tuple(problems[i].id for i in rows)
    cached = model.stacks.get("agreements")
    if cached is None or cached[0] != key:
        for i, a in zip(rows, agreements, strict=True):
            _cache(model, problems[i], a)
        signed = np.stack([a.mask for a in agreements])
        forums = [a.forum for a in agreements]
        follow = np.array([f.outsider_follow for f in forums])
        r = relevance[rows]
        ambition = np.array([a.ambition for a in agreements])
        cached = (
            key,
            signed,
            signed.astype(float),
            signed.sum(axis=1),
            ambition,
            forums,
            follow,
            np.stack([a.compliance_base for a in agreements]),
            np.stack([a.outsiders for a in agreements]) & (follow > 0)[:, None],
            np.array([f.slippage for f in forums]),
            np.array([f.capacity for f in forums]),
            r,
            float(((r * signed).sum(axis=1) * ambition).sum()),
        )
        model.stacks["agreements"] = cached
    (
        _,
        signed,
        signed_f,
        size,
        ambition,
        forums,
        follow,
        base,
        outsiders,
        slippage,
        capacity,
        r,
        pledged,
    ) = cached
    trust_in, among = trust.sets_trust(signed_f)  # before this step's reciprocity
    # noise and keep/defect draws for signatories only: the same distribution, drawn
    # for the few signatories of a small forum instead of for every state
    n_signed = int(size.sum())
    noise = np.zeros(signed.shape)
    noise[signed] = rng.normal(0.0, b.compliance_noise, n_signed)
    k = np.where(signed, np.clip(base + b.w_trust * trust_in + noise, 0.0, 1.0), 0.0)
    k_mean = k.sum(axis=1) / np.maximum(size, 1)
    legitimacy = np.stack([f.legitimacy for f in forums])
    own = ambition[:, None] * k
    followed = (ambition * k_mean * follow)[:, None] * legitimacy
    d = np.where(signed, own, followed * outsiders) * efficiency
    slip = rng.uniform(0.0, 1.0, len(rows)) * 2 * slippage
    effort[rows] = d * (1.0 + capacity * np.maximum(0.0, 1.0 - slip))[:, None]

    draw = np.ones(signed.shape)
    draw[signed] = rng.uniform(size=n_signed)
    kept = draw < k  # k is 0 outside the signatories: they never keep
    trust.reciprocate_sets(signed_f, kept.astype(float))
    tally.pledged += pledged
    tally.delivered += float(((r * k).sum(axis=1) * ambition).sum())
    tally.kept_sum += k.sum(axis=0)
    tally.kept_count += signed.sum(axis=0)
    tally.solidarity.extend((0.5 * k_mean + 0.5 * among).tolist())
    tally.sizes.extend(size.tolist())
    tally.ambition.extend(ambition.tolist())


def implement(model: MultilatModel, tally: Tally, efficiency: np.ndarray) -> None:
    """Contributions, provision and harm of every problem alive this step."""
    w, b = model.world, model.behaviour
    alive = model.problems
    if not alive:
        return
    t = model.t
    key = tuple(p.id for p in alive)
    cached = model.stacks.get("alive")
    if cached is None or cached[0] != key:
        cached = (
            key,
            np.stack([p.exposure for p in alive]),
            np.array([p.issue.window for p in alive], dtype=float),
            np.array([p.severity for p in alive]),
            np.array([p.arrived for p in alive], dtype=float),
            np.array([baseline_provision(p.issue) for p in alive]),
        )
        model.stacks["alive"] = cached
    _, exposure, window, severity, arrived, baseline = cached
    age = t - arrived
    # the shadow problem: what the same problem does with no cooperation at all (only
    # national self-help), growing as it is left unaddressed
    growth = 1 + b.urgency_growth * np.minimum(age * (1 - baseline) / window, 2.0)
    shadow = severity * growth * (1 - baseline)
    tally.shadow_state += shadow @ exposure
    tally.shadow += float(shadow @ exposure.sum(axis=1))

    rows_open = [i for i, p in enumerate(alive) if p.open]
    if not rows_open:
        return
    problems = [alive[i] for i in rows_open]
    key = tuple(p.id for p in problems)
    cached = model.stacks.get("open")
    if cached is None or cached[0] != key:
        rel = np.stack([p.relevance for p in problems])
        if len(rows_open) < len(alive):
            cached = (key, exposure[rows_open], window[rows_open], severity[rows_open], rel)
        else:
            cached = (key, exposure, window, severity, rel)
        cached += (_technology_groups(model, problems),)
        model.stacks["open"] = cached
    _, exposure, window, severity, relevance, groups = cached
    effort = np.zeros((len(problems), w.n))
    agreed = [i for i, p in enumerate(problems) if p.agreement is not None]
    if agreed:
        _agreements(model, problems, agreed, relevance, effort, efficiency, tally)
    tally.ambition.extend([0.0] * (len(problems) - len(agreed)))

    effort, rival_effort = model.rivals.divert_rows(problems, relevance, effort)
    forums, which = _forum_incidence(problems)
    _book_effort(forums, which, relevance, effort)
    effort = effort + rival_effort
    tally.cost_state += EFFORT_COST * w.n * (severity[:, None] * effort * relevance).sum(axis=0)

    delivered = np.empty(len(problems))
    capacity = np.array([p.forum.capacity if p.forum else 0.0 for p in problems])
    for tech, idx, fixed in groups:
        delivered[idx] = provision_rows(
            tech,
            effort[idx],
            relevance[idx],
            great_power=w.great_power,
            capacity=capacity[idx],
            **fixed,
        )

    unaddressed = np.array([p.unaddressed for p in problems])
    growth = 1 + b.urgency_growth * np.minimum(unaddressed / window, 2.0)
    harm = severity * growth * (1 - delivered)
    tally.harm_state += harm @ exposure
    tally.harm += float(harm @ exposure.sum(axis=1))
    # legitimacy: voice in the deciding forum and benefit relative to exposure
    if forums:
        voices = np.stack([_voice(p) for p in problems])
        tally.voice_sum += voices.sum(axis=0)
        _perceive(model, forums, which, exposure, delivered, voices)
    tally.n_voiced += len(problems)
    tally.exposure_sum += exposure.sum(axis=0)
    tally.benefit_sum += delivered @ exposure
    for p, value in zip(problems, delivered.tolist(), strict=True):
        p.provision = value
        p.unaddressed += 1 - value  # urgency: the problem grows as far as it is left
        p.progress += value**2
        if p.progress >= RESOLVE_EFFORT:
            p.resolved = t


def _voice(problem: Problem) -> np.ndarray:
    """Each state's voice on a problem: in the agreement, or in the forum that has it
    (none where no forum took the problem up).
    """
    if problem.agreement is not None:
        return problem.agreement.voice
    if problem.forum is not None:
        return problem.forum.voice
    return np.zeros(len(problem.exposure))


def _perceive(
    model: MultilatModel,
    forums: list,
    which: np.ndarray,
    exposure: np.ndarray,
    delivered: np.ndarray,
    voices: np.ndarray,
) -> None:
    """Each state's perceived legitimacy of each forum that handled problems this step.

    It moves toward ``a x`` the mean voice the forum gave the state ``+ (1 - a) x`` the
    benefit it delivered relative to the state's exposure (PAPER.md#C1, PAPER.md#C12).
    """
    b = model.behaviour
    exposed = which @ exposure
    benefit = (which * delivered) @ exposure
    voice = which @ voices / which.sum(axis=1)[:, None]
    output = np.divide(benefit, exposed, out=np.zeros_like(benefit), where=exposed > 0)
    target = b.voice_weight * voice + (1 - b.voice_weight) * output
    for forum, row in zip(forums, target, strict=True):
        forum.legitimacy += b.legitimacy_memory * (row - forum.legitimacy)


def _technology_groups(model: MultilatModel, problems: list[Problem]) -> list[tuple]:
    """Problems by aggregation technology, with the per-problem inputs that never change."""
    w = model.world
    technology = np.array([p.issue.technology for p in problems])
    groups = []
    for tech in dict.fromkeys(technology.tolist()):  # in first-seen order
        idx = np.flatnonzero(technology == tech)
        group = [problems[i] for i in idx]
        party = np.array([p.party for p in group])
        fixed = {
            "required": np.array([p.issue.required for p in group]),
            "party": party,
            "party_power": np.where(party >= 0, w.power[np.maximum(party, 0)], 0.0),
            "verification": np.array([p.verification for p in group]),
        }
        groups.append((tech, idx, fixed))
    return groups


def _forum_incidence(problems: list[Problem]) -> tuple[list, np.ndarray]:
    """The forums that handle the problems (first-seen order) and a forum x problem 0/1
    matrix saying which handles which (a zero column for a problem with no forum).
    """
    forums = list({id(p.forum): p.forum for p in problems if p.forum is not None}.values())
    index = {id(f): j for j, f in enumerate(forums)}
    which = np.zeros((len(forums), len(problems)))
    for k, p in enumerate(problems):
        if p.forum is not None:
            which[index[id(p.forum)], k] = 1.0
    return forums, which


def _book_effort(
    forums: list, which: np.ndarray, relevance: np.ndarray, effort: np.ndarray
) -> None:
    """Book effort to the forums that handle the problems; update cooperation ties."""
    booked = which @ (relevance * effort).sum(axis=1)
    summed = which @ effort  # forum x state: effort through each forum this step
    for forum, value, row in zip(forums, booked.tolist(), summed, strict=True):
        forum.effort += value
        forum.ties += TIE_MEMORY * (row * forum.members - forum.ties)
