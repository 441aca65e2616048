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
    k = np.clip(
        base + b.w_trust * trust_in + rng.normal(0.0, b.compliance_noise, signed.shape),
        0.0,
        1.0,
    )
    k = np.where(signed, k, 0.0)
    k_mean = k.sum(axis=1) / np.maximum(size, 1)
    legitimacy = np.stack([f.legitimacy for f in forums])
    own = ambition[:, None] * k
    followed = (ambition * k_mean * follow)[:, None] * legitimacy
    d = np.where(signed, own, followed * outsiders) * efficiency
    slip = rng.uniform(0.0, 1.0, len(rows)) * 2 * slippage
    effort[rows] = d * (1.0 + capacity * np.maximum(0.0, 1.0 - slip))[:, None]

    kept = (rng.uniform(size=signed.shape) < k) & signed
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
    _book_effort(problems, relevance, effort)
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
    rows = [i for i, p in enumerate(problems) if p.forum is not None]
    if rows:
        voices = np.stack([_voice(problems[i]) for i in rows])
        tally.voice_sum += voices.sum(axis=0)
        _perceive(model, [problems[i] for i in rows], exposure[rows], delivered[rows], voices)
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
    """Each state's voice on a problem: in the agreement, or in the forum that has it."""
    if problem.agreement is not None:
        return problem.agreement.voice
    return problem.forum.voice


def _perceive(
    model: MultilatModel,
    problems: list[Problem],
    exposure: np.ndarray,
    delivered: np.ndarray,
    voices: np.ndarray,
) -> None:
    """Each state's perceived legitimacy of each forum that handled problems this step.

    It moves toward ``a x`` the mean voice the forum gave the state ``+ (1 - a) x`` the
    benefit it delivered relative to the state's exposure (PAPER.md#C1, PAPER.md#C12).
    """
    b = model.behaviour
    forums = list({id(p.forum): p.forum for p in problems}.values())  # first-seen order
    index = {id(f): j for j, f in enumerate(forums)}
    which = np.zeros((len(forums), len(problems)))
    which[[index[id(p.forum)] for p in problems], np.arange(len(problems))] = 1.0
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


def _book_effort(problems: list[Problem], relevance: np.ndarray, effort: np.ndarray) -> None:
    """Book effort to the forums that handle the problems; update cooperation ties."""
    by_forum: dict[int, list[int]] = {}
    forums = {}
    for i, p in enumerate(problems):
        if p.forum is not None:
            by_forum.setdefault(p.forum.id, []).append(i)
            forums[p.forum.id] = p.forum
    for fid, rows in by_forum.items():
        forum = forums[fid]
        forum.effort += float((relevance[rows] * effort[rows]).sum())
        forum.ties += TIE_MEMORY * (effort[rows].sum(axis=0) * forum.members - forum.ties)
