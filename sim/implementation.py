"""Implementation: from agreements to effort, provision and harm, for all problems at once.

Steps 5 and 6 of DESIGN.md, over all problems of a step at once (one row per problem,
one column per state): this module stacks the problems, agreements and forums (and
keeps the stacks while they last), draws the random numbers, and hands the arithmetic
to the compiled loops of :mod:`sim.kernels`:

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
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.forums import Forum
from sim.issues import (
    SELF_HELP,
    WEAKEST_LINK_RHO,
    ProvisionPlan,
    baseline_provision,
    divisors,
    provision_plan,
)
from sim.kernels import (
    AMBITION,
    PLEDGE,
    SIGNATORY,
    STAYS_OUT,
    agreements_step,
    forums_step,
    settle,
    shadow_harm,
)
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
    base = np.zeros(model.world.n)
    base[agreement.signatories] = _signatory_base(model, problem, agreement)
    return base


def _signatory_base(model: MultilatModel, problem: Problem, agreement: Agreement) -> np.ndarray:
    """:func:`compliance_base` at each signatory, in the order of ``agreement.signatories``."""
    b, w = model.behaviour, model.world
    sig = agreement.signatories
    if problem.issue.technology == "weakest_link":
        share = np.zeros(len(sig))
    else:
        r = problem.relevance[sig]
        pw = w.power[sig]
        share = (r / max(float(r.sum()), 1e-12)) / np.maximum(
            pw / max(float(pw.sum()), 1e-12), 1e-6
        )
        # np.clip without its wrapper: the same values (share - 1 is never -0.0)
        share = np.minimum(np.maximum(share - 1.0, -0.5), 1.5)
    olson = math.log(max(len(sig), 1)) / math.log(max(w.n, 2))
    return (
        b.compliance_base
        + b.w_bindingness * agreement.forum.bindingness
        + b.w_verification * problem.verification
        - b.w_cost * share
        - b.w_size * olson
        - 0.5 * b.w_trust
    )


def _status(problem: Problem, agreement: Agreement, n: int) -> np.ndarray:
    """Each state's part in an agreement (:data:`sim.kernels.OUTSIDER` ...): signatories sign even
    when they are the problem's party; opponents and the party stay out.
    """  # noqa: D205
    status = np.zeros(n, dtype=np.int8)
    status[agreement.opposed] = STAYS_OUT
    if problem.party >= 0:
        status[problem.party] = STAYS_OUT
    status[agreement.signatories] = SIGNATORY
    return status


@dataclass(eq=False)
class Terms:
    """What implementation needs of one agreement, fixed while it is in force.

    Made once, when the agreement first comes into force (:func:`_terms`), and kept on
    it (:attr:`sim.problems.Agreement.terms`): it depends only on the signatories, the
    opponents, the problem, the ambition and the forum's rule parameters
    (bindingness, outsider follow-through, slippage, capacity), none of which changes
    while the agreement is in force. Its arrays are shaped to be stacked as they are:
    joining the agreements in force (:func:`_in_force`) concatenates them, one call
    per kind.

    Attributes
    ----------
    base : numpy.ndarray
        :func:`compliance_base` at each signatory (in index order).
    status : numpy.ndarray
        Shape ``(1, n)``: each state's part in it (:func:`_status`).
    numbers : numpy.ndarray
        Shape ``(5, 1)``: the ambition, the forum's outsider follow-through, slippage
        and capacity, and the pledge, the summed relevance of the signatories (full
        ambition, full compliance) (:data:`AMBITION` ... :data:`PLEDGE`).
    """

    base: np.ndarray
    status: np.ndarray
    numbers: np.ndarray


def _terms(model: MultilatModel, problem: Problem, agreement: Agreement) -> Terms:
    """The agreement's :class:`Terms` (made at the first call, then kept on it)."""
    if agreement.terms is None:
        forum = agreement.forum
        status = _status(problem, agreement, model.world.n)
        signed = status == SIGNATORY
        agreement.terms = Terms(
            base=compliance_base(model, problem, agreement)[signed],
            status=status[None, :],
            numbers=np.array(
                [
                    [agreement.ambition],
                    [forum.outsider_follow],
                    [forum.slippage],
                    [forum.capacity],
                    [float(problem.relevance[signed].sum())],
                ],
                dtype=float,
            ),
        )
    return agreement.terms


@dataclass(eq=False)
class InForce:
    """The agreements in force, stacked (one row per agreement, one column per state).

    Everything here changes only when an agreement starts or ends, so it is built once
    for each set of agreements in force (:func:`_in_force`) and reused while that set
    lasts. ``numbers`` holds the :class:`Terms` numbers (row :data:`AMBITION` ...),
    ``base`` the signatories' compliance base in row-major order (the order of the
    signatory entries in :func:`sim.kernels.agreements_step`).
    """

    key: tuple[int, ...]
    status: np.ndarray
    n_signed: int
    numbers: np.ndarray
    legitimacy_forums: list[Forum]
    legitimacy_rows: np.ndarray
    base: np.ndarray
    pledged: float
    #: signatories per agreement and the ambitions, as lists for the tally
    size_list: list[int]
    ambition_list: list[float]


@dataclass(eq=False)
class Alive:
    """The problems alive this step (shadows included), stacked: what never changes.

    ``stacked`` is their :attr:`sim.problems.Problem.block` rows joined (kind x problem
    x state), ``traits`` their :func:`_traits` joined (kind x problem); the other
    arrays are views of them (rows of a contiguous block, so contiguous themselves).
    """

    key: tuple[int, ...]
    stacked: np.ndarray
    traits: np.ndarray
    exposure: np.ndarray
    window: np.ndarray
    severity: np.ndarray
    arrived: np.ndarray
    unprovided: np.ndarray


@dataclass(eq=False)
class Open:
    """The open problems and their forums, stacked: what changes only when they change.

    ``handler`` is each problem's forum as a row of ``forums`` (-1 for a problem no
    forum took up), ``which`` the same as a forum x problem 0/1 incidence (a zero
    column for such a problem) and ``handled`` its row sums.
    """

    key: tuple[tuple[int, int], ...]
    problems: list[Problem]
    exposure: np.ndarray
    exposure_by_state: np.ndarray
    window: np.ndarray
    severity: np.ndarray
    relevance: np.ndarray
    provision: ProvisionPlan
    forums: list[Forum]
    handler: np.ndarray
    which: np.ndarray
    handled: np.ndarray


@dataclass(eq=False)
class Voices:
    """Each open problem's voices (:func:`_voices`) and what the step takes from them."""

    key: tuple[int, ...]
    arrays: list[np.ndarray]
    total: np.ndarray
    by_forum: np.ndarray


def _in_force(model: MultilatModel, problems: list[Problem], rows: list[int]) -> InForce:
    """The stacked agreements in force (reused while the same ones are in force).

    A change of the agreements in force (one starts or ends, nearly every step) joins
    their :class:`Terms`: a concatenation per kind of array and views of the result.
    """
    key = tuple([problems[i].id for i in rows])
    cached = model.stacks.get("agreements")
    if cached is not None and cached.key == key:
        return cached
    agreements: list[Agreement] = [problems[i].agreement for i in rows]  # type: ignore[misc]
    terms = [_terms(model, problems[i], a) for i, a in zip(rows, agreements, strict=True)]
    # (agreements, states) and (5, agreements)
    status = np.concatenate([t.status for t in terms])
    numbers = np.concatenate([t.numbers for t in terms], axis=1)
    # forums' legitimacy changes every step: stacked once per forum, spread per agreement
    forums = [a.forum for a in agreements]
    legitimacy_forums = list(dict.fromkeys(forums))
    unique = {id(f): j for j, f in enumerate(legitimacy_forums)}
    base = np.concatenate([t.base for t in terms])
    in_force = InForce(
        key=key,
        status=status,
        n_signed=len(base),
        numbers=numbers,
        legitimacy_forums=legitimacy_forums,
        legitimacy_rows=np.array([unique[id(f)] for f in forums], dtype=np.int64),
        base=base,
        pledged=float((numbers[PLEDGE] * numbers[AMBITION]).sum()),
        size_list=[len(t.base) for t in terms],
        ambition_list=numbers[AMBITION].tolist(),
    )
    model.stacks["agreements"] = in_force
    return in_force


def _agreements(
    model: MultilatModel,
    problems: list[Problem],
    rows: list[int],
    relevance: np.ndarray,
    efficiency: np.ndarray,
    tally: Tally,
) -> np.ndarray:
    """Effort under the agreements in force (one row per agreement), and what it teaches.

    ``rows`` are the agreements' problems among ``problems``, whose relevance is
    ``relevance`` (problem x state).

    The arithmetic is :func:`sim.kernels.agreements_step`; the random numbers are drawn
    here, from the model's generator, in the order of the rules: each signatory's
    compliance noise, each agreement's slippage, each signatory's keep-or-defect draw.
    """
    b, rng, trust = model.behaviour, model.rng, model.trust
    a = _in_force(model, problems, rows)
    noise = rng.normal(0.0, b.compliance_noise, a.n_signed)
    slip = rng.random(len(rows))
    keep = rng.random(a.n_signed)
    # every row the agreements point to, whether or not an outsider follows (the kernel
    # reads it only for those who do, and does not check bounds)
    legitimacy = np.array([f.legitimacy for f in a.legitimacy_forums])
    effort, k_mean, among, delivered = agreements_step(
        status=a.status,
        base=a.base,
        group=trust.group,
        affinity=trust.affinity,
        reputation=trust.reputation,
        affinity_weight=trust.affinity_weight,
        agreement=a.numbers,
        legitimacy=legitimacy,
        legitimacy_rows=a.legitimacy_rows,
        efficiency=efficiency,
        relevance=relevance,
        problem_rows=np.array(rows, dtype=np.int64),
        noise=noise,
        keep_draws=keep,
        slip_draws=slip,
        w_trust=b.w_trust,
        eta=trust.learning,
        kept_sum=tally.kept_sum,
        kept_count=tally.kept_count,
    )
    tally.pledged += a.pledged
    tally.delivered += delivered
    tally.solidarity.extend((0.5 * k_mean + 0.5 * among).tolist())
    tally.sizes.extend(a.size_list)
    tally.ambition.extend(a.ambition_list)
    return effort


def _alive(model: MultilatModel, alive: list[Problem]) -> Alive:
    """The stacked problems alive this step (reused while the same ones are alive).

    A change of the problems alive (one arrives or ends, nearly every step) joins
    each problem's fixed rows (:func:`_traits`): two concatenations.
    """
    key = tuple([p.id for p in alive])
    cached = model.stacks.get("alive")
    if cached is not None and cached.key == key:
        return cached
    for p in alive:
        if p.traits is None:
            _traits(model, p)
    stacked = np.concatenate([p.block for p in alive], axis=1)  # type: ignore[misc]
    traits = np.concatenate([p.traits for p in alive], axis=1)  # type: ignore[misc]
    cached = Alive(
        key=key,
        stacked=stacked,
        traits=traits,
        exposure=stacked[EXPOSURE],
        window=traits[WINDOW],
        severity=traits[SEVERITY],
        arrived=traits[ARRIVED],
        unprovided=traits[UNPROVIDED],
    )
    model.stacks["alive"] = cached
    return cached


#: Rows of :attr:`Problem.traits <sim.problems.Problem.traits>` (:func:`_traits`).
(
    WINDOW,
    SEVERITY,
    ARRIVED,
    UNPROVIDED,
    REQUIRED,
    VERIFICATION,
    DENOMINATOR,
    BEST_SHOT,
) = range(8)
#: Rows of :attr:`Problem.block <sim.problems.Problem.block>` (:func:`_traits`).
EXPOSURE, PROBLEM_RELEVANCE = range(2)


def _traits(model: MultilatModel, p: Problem) -> None:
    """Make a problem's fixed numbers and rows, kept on it for every later stack.

    :attr:`Problem.traits <sim.problems.Problem.traits>` (shape ``(8, 1)``, one row per
    kind, :data:`WINDOW` ...): its urgency window, severity, step of arrival, ``1 -``
    its provision without cooperation, required effort, verification and its divisors
    of provision (:func:`sim.issues.divisors`).
    :attr:`Problem.block <sim.problems.Problem.block>` (shape ``(2, 1, n)``): its
    exposure and relevance (:data:`EXPOSURE`, :data:`PROBLEM_RELEVANCE`). Both are
    shaped so that a stack of problems is one concatenation along axis 1.
    """
    issue = p.issue
    party_power = model.world.power[p.party] if p.party >= 0 else 0.0
    p.block = np.array([p.exposure, p.relevance], dtype=float)[:, None, :]
    p.traits = np.array(
        [
            issue.window,
            p.severity,
            p.arrived,
            1 - baseline_provision(issue),
            issue.required,
            p.verification,
            *divisors(issue, p.relevance, party_power),
        ],
        dtype=float,
    )[:, None]


def _open(model: MultilatModel, problems: list[Problem], al: Alive, rows: list[int]) -> Open:
    """The stacked open problems and their forums (reused while they stay the same).

    ``rows`` are the open problems' rows among the problems alive (``al``): their
    stacked rows are taken from there (or are those, if every problem alive is open).
    """
    key = tuple([(p.id, p.forum.id if p.forum is not None else -1) for p in problems])
    cached = model.stacks.get("open")
    if cached is not None and cached.key == key:
        return cached
    if len(rows) == al.traits.shape[1]:
        stacked, traits = al.stacked, al.traits
    else:  # take gives contiguous blocks (a[:, rows] would not)
        stacked, traits = al.stacked.take(rows, axis=1), al.traits.take(rows, axis=1)
    exposure = stacked[EXPOSURE]
    forums, handler, which, handled = _forum_incidence(problems)
    cached = Open(
        key=key,
        problems=problems,
        exposure=exposure,
        exposure_by_state=exposure.sum(axis=0),
        window=traits[WINDOW],
        severity=traits[SEVERITY],
        relevance=stacked[PROBLEM_RELEVANCE],
        provision=provision_plan(
            [p.issue.technology for p in problems],
            required=traits[REQUIRED],
            denominator=traits[DENOMINATOR],
            best_shot=traits[BEST_SHOT],
            great_powers=_great_powers(model),
            party=[p.party for p in problems],
            verification=traits[VERIFICATION],
            capacity=[p.forum.capacity if p.forum is not None else 0.0 for p in problems],
        ),
        forums=forums,
        handler=handler,
        which=which,
        handled=handled,
    )
    model.stacks["open"] = cached
    return cached


def _great_powers(model: MultilatModel) -> np.ndarray:
    """Indices of the great powers, or of all states if there are none (the world's)."""
    cached = model.stacks.get("great_powers")
    if cached is None:
        gp = model.world.great_power
        cached = model.stacks["great_powers"] = np.flatnonzero(gp if gp.any() else ~gp)
    return cached


def _voices(model: MultilatModel, o: Open) -> Voices:
    """The open problems' voices, their sum over problems and each forum's mean voice.

    Each state's voice on a problem is its voice in the agreement, or in the forum that
    has the problem, or none (:func:`_no_voice`) where no forum took it up. The stack is
    kept while every problem's voice is the same array as before (keyed by the arrays'
    identities; the cache holds the arrays, so ids stay unique). The arrays also tell
    which forum handles each problem (an agreement's or a forum's own voice, the
    shared zeros for none), so ``o.which`` is the same while they are.
    """
    none = _no_voice(model)
    arrays = [
        p.agreement.voice
        if p.agreement is not None
        else (p.forum.voice if p.forum is not None else none)
        for p in o.problems
    ]
    key = tuple(map(id, arrays))
    cached = model.stacks.get("voices")
    if cached is not None and cached.key == key:
        return cached
    voices = np.array(arrays)
    cached = Voices(
        key=key,
        arrays=arrays,
        total=voices.sum(axis=0),
        by_forum=o.which @ voices / o.handled,
    )
    model.stacks["voices"] = cached
    return cached


def _no_voice(model: MultilatModel) -> np.ndarray:
    """The voice on a problem no forum took up: zeros, one array for all such problems
    (so that the voices' stack is reused while they wait; never written to).
    """  # noqa: D205
    cached = model.stacks.get("no_voice")
    if cached is None:
        cached = model.stacks["no_voice"] = np.zeros(model.world.n)
    return cached


def implement(model: MultilatModel, tally: Tally, efficiency: np.ndarray) -> None:
    """Contributions, provision and harm of every problem alive this step."""
    w, b = model.world, model.behaviour
    alive = model.problems
    if not alive:
        return
    t = model.t
    al = _alive(model, alive)
    # the shadow problem: what the same problem does with no cooperation at all (only
    # national self-help), growing as it is left unaddressed
    tally.shadow += shadow_harm(
        al.exposure,
        al.severity,
        al.window,
        t - al.arrived,
        al.unprovided,
        b.urgency_growth,
        tally.shadow_state,
    )

    rows = [i for i, p in enumerate(alive) if p.open]
    if not rows:
        return
    problems = [alive[i] for i in rows]
    o = _open(model, problems, al, rows)
    relevance = o.relevance
    agreed = [i for i, p in enumerate(problems) if p.agreement is not None]
    if len(agreed) == len(problems):
        effort = _agreements(model, problems, agreed, relevance, efficiency, tally)
    else:
        effort = np.zeros((len(problems), w.n))
        if agreed:
            effort[agreed] = _agreements(model, problems, agreed, relevance, efficiency, tally)
    tally.ambition.extend([0.0] * (len(problems) - len(agreed)))

    effort, rival = model.rivals.divert_rows(problems, relevance, effort)
    plan = o.provision
    delivered, harm = settle(
        effort=effort,
        rival=effort if rival is None else rival,
        diverted=rival is not None,
        relevance=relevance,
        exposure=o.exposure,
        severity=o.severity,
        window=o.window,
        unaddressed=np.array([p.unaddressed for p in problems]),
        technology=plan.technology,
        party=plan.party,
        divisors=plan.divisors,
        great_power=plan.great_power,
        self_help=SELF_HELP,
        rho=WEAKEST_LINK_RHO,
        growth_rate=b.urgency_growth,
        cost_scale=EFFORT_COST * w.n,
        harm_state=tally.harm_state,
        cost_state=tally.cost_state,
        benefit_sum=tally.benefit_sum,
    )
    tally.harm += harm
    # legitimacy: voice in the deciding forum and benefit relative to exposure
    if o.forums:
        voices = _voices(model, o)
        tally.voice_sum += voices.total
        _forums(model, o, effort, delivered, voices.by_forum)
    tally.n_voiced += len(problems)
    tally.exposure_sum += o.exposure_by_state
    for p, value in zip(problems, delivered.tolist(), strict=True):
        p.provision = value
        p.unaddressed += 1 - value  # urgency: the problem grows as far as it is left
        p.progress += value**2
        if p.progress >= RESOLVE_EFFORT:
            p.resolved = t


def _forums(
    model: MultilatModel, o: Open, effort: np.ndarray, delivered: np.ndarray, voice: np.ndarray
) -> None:
    """Book effort to the forums that handle the open problems, and update their
    cooperation ties and perceived legitimacy (:func:`sim.kernels.forums_step`).

    ``effort`` is what went through the regime's forums (rival forums book their own,
    :meth:`sim.rivals.RivalForums.divert_rows`); ``voice`` is each forum's mean voice
    over its problems (forum x state).
    """  # noqa: D205
    b, forums = model.behaviour, o.forums
    ties = np.array([f.ties for f in forums])
    legitimacy = np.array([f.legitimacy for f in forums])
    booked = forums_step(
        effort,
        o.relevance,
        o.exposure,
        delivered,
        o.handler,
        np.array([f.members for f in forums]),
        ties,
        legitimacy,
        voice,
        TIE_MEMORY,
        b.voice_weight,
        b.legitimacy_memory,
    )
    for forum, value, tie_row, legitimacy_row in zip(
        forums, booked.tolist(), ties, legitimacy, strict=True
    ):
        forum.effort += value
        forum.ties = tie_row
        forum.legitimacy = legitimacy_row


def _forum_incidence(
    problems: list[Problem],
) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """The forums that handle the problems (first-seen order), each problem's forum as
    a row of that list (-1 for none), the same as a forum x problem 0/1 matrix (a zero
    column for a problem with no forum), and the number of problems each forum handles
    (a column: the matrix's row sums).
    """  # noqa: D205
    handlers = [p.forum for p in problems]
    # forums hash and compare by identity (eq=False)
    forums = [f for f in dict.fromkeys(handlers) if f is not None]
    row = {id(f): j for j, f in enumerate(forums)}
    handler = [row[id(f)] if f is not None else -1 for f in handlers]
    rows = np.array(handler, dtype=np.int64)
    which = (np.arange(len(forums))[:, None] == rows).astype(float)
    # whole numbers: what summing the 0/1 rows gives
    handled = np.array([handlers.count(f) for f in forums], dtype=float)[:, None]
    return forums, rows, which, handled
