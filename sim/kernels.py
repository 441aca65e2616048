"""Compiled loops for the arithmetic of a step that touches every state or signatory.

A step at 200 states holds about a dozen agreements with up to 2,000 signatory entries
between them. Written as numpy calls, their compliance, effort and reciprocity took
several dozen calls on small arrays per step, and the cost of a call, not the size of
the arrays, set the step's cost (docs/performance.md). Here the same rules are loops
compiled once by numba (``cache=True``: compiled at the first use on a machine, then
loaded from ``__pycache__``).

The rules are documented where they are used, and in the submodels of docs/model.md
(section 7): positions and deliberation in :mod:`sim.positions` (7.4), compliance,
effort and follow-through in :mod:`sim.implementation` (DESIGN.md steps 5 and 6; 7.7,
7.8), the aggregation technologies in :mod:`sim.issues` (7.9), harm (7.10),
reciprocity in :mod:`sim.trust` (7.11), perceived legitimacy (7.12), rival forums in
:mod:`sim.rivals` (7.14), and the metrics in :mod:`sim.metrics` (section 4,
Observation). The kernels draw no random numbers: the caller draws
them from the model's generator, in the order the rules use them, and passes them in.
Their results equal the reference implementations in ``tests/test_kernels.py`` to
rounding (sums here run in index order, numpy's pairwise).

A kernel reads no module constant but the codes defined here: numba compiles a global
into the cached machine code, and its cache is invalidated only when this file
changes, so a model parameter such as the weight of affinity in trust is passed in as
an argument. numba does not check bounds: callers keep index arrays in range.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Codes of the aggregation technologies (:data:`sim.issues.TECHNOLOGY_CODES` maps the
#: names of :data:`sim.issues.TECHNOLOGIES` to them).
SUMMATION, WEAKEST_LINK, BEST_SHOT, THRESHOLD, ENFORCEMENT = 0, 1, 2, 3, 4
#: Codes of a state's part in an agreement (:attr:`sim.implementation.Terms.status`): a
#: state that may follow it from outside, a signatory, and a state that does neither
#: (an opponent or the problem's party).
OUTSIDER, SIGNATORY, STAYS_OUT = 0, 1, 2
#: Rows of an agreement's numbers (:attr:`sim.implementation.Terms.numbers`): ambition,
#: outsider follow-through, slippage, standing capacity, pledge.
AMBITION, FOLLOW, SLIPPAGE, CAPACITY, PLEDGE = 0, 1, 2, 3, 4
#: A state's net benefit at or below this share of its shadow harm counts as none: a
#: state neither helped nor burdened has harm equal to its shadow harm, summed along
#: another path, and the rounding difference must not count as benefit (``equity``).
NET_TOLERANCE = 1e-9


@njit(cache=True)
def agreements_step(
    status: np.ndarray,
    base: np.ndarray,
    group: np.ndarray,
    affinity: np.ndarray,
    reputation: np.ndarray,
    affinity_weight: float,
    agreement: np.ndarray,
    legitimacy: np.ndarray,
    legitimacy_rows: np.ndarray,
    efficiency: np.ndarray,
    relevance: np.ndarray,
    problem_rows: np.ndarray,
    noise: np.ndarray,
    keep_draws: np.ndarray,
    slip_draws: np.ndarray,
    w_trust: float,
    eta: float,
    kept_sum: np.ndarray,
    kept_count: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Effort under the agreements in force, and the reciprocity it teaches.

    Signatories comply as far as their fixed base, their trust in the other signatories
    and noise allow, free-riding more in larger agreements (the base, PAPER.md#C14,
    PAPER.md#C17); outsiders follow as far as they see the forum as legitimate, never
    beyond what the signatories deliver (PAPER.md#C12); standing capacity multiplies
    effort, minus principal-agent slippage (PAPER.md#C5); transaction costs take their
    share (``efficiency``). Trust then learns from who kept their commitments.

    Parameters
    ----------
    status : numpy.ndarray
        Agreement x state: :data:`SIGNATORY`, :data:`OUTSIDER` (may follow from
        outside) or :data:`STAYS_OUT` (:func:`sim.implementation._status`).
        The signatories' entries, in row-major order, are the order of ``base``,
        ``noise`` and ``keep_draws``.
    base : numpy.ndarray
        Per entry: the fixed part of compliance (``compliance_base``).
    group, affinity, reputation : numpy.ndarray
        Trust (:class:`sim.trust.Trust`): each state's group, the group x group
        affinity and the states' reputation. ``affinity`` and ``reputation`` are
        updated in place, after trust has been read for compliance.
    affinity_weight : float
        The weight of affinity in trust (:attr:`sim.trust.Trust.affinity_weight`).
    agreement : numpy.ndarray
        Shape ``(5, agreements)``: rows :data:`AMBITION`, :data:`FOLLOW` (outsider
        follow-through), :data:`SLIPPAGE`, :data:`CAPACITY` (standing capacity) and
        :data:`PLEDGE` (unused here).
    legitimacy, legitimacy_rows : numpy.ndarray
        Forum x state perceived legitimacy, and each agreement's forum's row (read
        only for outsiders of an agreement whose forum's outsiders follow).
    efficiency : numpy.ndarray
        Per state: the share of effort left after transaction costs.
    relevance, problem_rows : numpy.ndarray
        Problem x state relevance, and each agreement's problem's row in it.
    noise, keep_draws : numpy.ndarray
        Per entry: compliance noise, and the uniform that says whether the entry kept
        its commitment (kept where below its compliance).
    slip_draws : numpy.ndarray
        Per agreement: the uniform of its principal-agent slippage.
    w_trust, eta : float
        Compliance's weight on trust, and the trust learning rate.
    kept_sum, kept_count : numpy.ndarray
        Per state, added to in place: its summed compliance and its number of
        agreements (the tally of ``capability``).

    Returns
    -------
    effort : numpy.ndarray
        Agreement x state.
    k_mean, among : numpy.ndarray
        Per agreement: mean compliance of its signatories, mean trust among them.
    delivered : float
        Relevance-weighted compliance times ambition, summed (``compliance_rate``).
    """
    k, n = status.shape
    signed = status == SIGNATORY
    groups = affinity.shape[0]
    ambition, follow = agreement[AMBITION], agreement[FOLLOW]
    slippage, capacity = agreement[SLIPPAGE], agreement[CAPACITY]
    counts, size, toward, among = _signatory_trust(
        signed, group, affinity, reputation, affinity_weight
    )
    effort = np.empty((k, n))
    k_mean = np.empty(k)
    complied = np.zeros(n)
    kept_by_state = np.zeros(n)
    kept_by_group = np.zeros((k, groups))
    delivered = 0.0
    e = 0
    for r in range(k):
        total = 0.0
        weighted = 0.0
        for c in range(n):
            if signed[r, c]:
                x = base[e] + w_trust * toward[r, group[c]] + noise[e]
                x = min(max(x, 0.0), 1.0)
                complied[c] = x
                total += x
                weighted += x * relevance[problem_rows[r], c]
                kept_sum[c] += x
                kept_count[c] += 1.0
                if keep_draws[e] < x:
                    kept_by_state[c] += 1.0
                    kept_by_group[r, group[c]] += 1.0
                e += 1
        k_mean[r] = total / max(size[r], 1.0)
        delivered += weighted * ambition[r]
        slip = slip_draws[r] * 2 * slippage[r]
        boost = 1.0 + capacity[r] * max(0.0, 1.0 - slip)
        followed = ambition[r] * k_mean[r] * follow[r]
        row = legitimacy_rows[r]
        for c in range(n):
            if signed[r, c]:
                d = ambition[r] * complied[c]
            elif status[r, c] == OUTSIDER and followed != 0.0:
                d = followed * legitimacy[row, c]
            else:
                d = 0.0
            effort[r, c] = d * efficiency[c] * boost
    _reciprocate(signed, counts, kept_by_state, kept_by_group, affinity, reputation, eta)
    return effort, k_mean, among, delivered


@njit(cache=True)
def _signatory_trust(signed, group, affinity, reputation, affinity_weight):
    """Trust toward and among each agreement's signatories, before reciprocity.

    Trust of a state in a set is ``affinity_weight`` times its group's mean affinity
    with the set's groups plus the rest times the set's mean reputation
    (:mod:`sim.trust`). Returns the signatories per group and in all, the trust of (a
    member of) each group in each set, and the mean trust among each set's members.
    """
    k, n = signed.shape
    groups = affinity.shape[0]
    counts = np.zeros((k, groups))
    size = np.zeros(k)
    rep = np.zeros(k)
    for r in range(k):
        for c in range(n):
            if signed[r, c]:
                counts[r, group[c]] += 1.0
                size[r] += 1.0
                rep[r] += reputation[c]
    toward = np.empty((k, groups))
    among = np.empty(k)
    for r in range(k):
        members = max(size[r], 1.0)
        rep[r] = (1 - affinity_weight) * (rep[r] / members)
        mean = 0.0
        for g in range(groups):
            by_group = 0.0
            for h in range(groups):
                by_group += counts[r, h] / members * affinity[g, h]
            toward[r, g] = affinity_weight * by_group + rep[r]
            mean += by_group * (counts[r, g] / members)
        among[r] = affinity_weight * mean + rep[r]
    return counts, size, toward, among


@njit(cache=True)
def _reciprocate(signed, counts, kept_by_state, kept_by_group, affinity, reputation, eta):
    """Reciprocity after several agreements at once (:mod:`sim.trust`).

    A state in ``m`` agreements moves its reputation toward its keep rate by
    ``1 - (1 - eta)^m``; two groups that sat together in ``m`` agreements move their
    affinity toward the mean keep rate of both, averaged over those agreements, by the
    same step.
    """
    k, n = signed.shape
    groups = affinity.shape[0]
    for c in range(n):
        m = 0.0
        for r in range(k):
            if signed[r, c]:
                m += 1.0
        if m > 0:
            reputation[c] += (1 - (1 - eta) ** m) * (kept_by_state[c] / m - reputation[c])
    together = np.zeros((groups, groups))
    target = np.zeros((groups, groups))
    for r in range(k):
        for g in range(groups):
            if counts[r, g] > 0:
                rate_g = kept_by_group[r, g] / counts[r, g]
                for h in range(groups):
                    if counts[r, h] > 0:
                        together[g, h] += 1.0
                        target[g, h] += 0.5 * (rate_g + kept_by_group[r, h] / counts[r, h])
    for g in range(groups):
        for h in range(groups):
            m = together[g, h]
            if m > 0:
                affinity[g, h] += (1 - (1 - eta) ** m) * (target[g, h] / m - affinity[g, h])


@njit(cache=True)
def provision(
    effort: np.ndarray,
    relevance: np.ndarray,
    technology: np.ndarray,
    party: np.ndarray,
    divisors: np.ndarray,
    great_power: np.ndarray,
    self_help: float,
    rho: float,
) -> np.ndarray:
    """Provision (0..1) of each problem from its effort (problem x state).

    ``technology`` holds each problem's code (:data:`SUMMATION` ...), ``party`` the
    party of an enforcement problem (-1 for none; its effort never counts), and
    ``divisors`` (shape ``(4, problems)``, :class:`sim.issues.ProvisionPlan`) the
    divisor of summed contributions, best shot's divisor, the required effort and the
    share of a threshold problem's effort that counts. The rules are
    :mod:`sim.issues`'; ``great_power`` holds the great powers' indices (all states
    if there are none); ``self_help`` and ``rho`` are the weakest link's national
    effort and curvature (:data:`sim.issues.SELF_HELP`,
    :data:`sim.issues.WEAKEST_LINK_RHO`). Which regime does best thus depends on the
    technology (PAPER.md#C18).
    """
    k, n = effort.shape
    value = np.empty(k)
    for r in range(k):
        tech = technology[r]
        if tech == SUMMATION or tech == ENFORCEMENT:
            total = 0.0
            for c in range(n):
                if c != party[r]:
                    total += relevance[r, c] * effort[r, c]
            v = total / divisors[0, r]
        elif tech == BEST_SHOT:
            best = 0.0
            for c in range(n):
                best = max(best, relevance[r, c] * effort[r, c])
            v = best / divisors[1, r]
        elif tech == WEAKEST_LINK:
            total = 0.0
            for c in range(n):
                total += max(effort[r, c], self_help) ** rho
            v = (total / n) ** (1.0 / rho) / divisors[2, r]
        else:  # threshold: every great power must act; verification decides what counts
            least = np.inf
            for g in great_power:
                least = min(least, effort[r, g])
            v = min(1.0, least / divisors[2, r]) * divisors[3, r]
        value[r] = min(max(v, 0.0), 1.0)
    return value


@njit(cache=True)
def settle(
    effort: np.ndarray,
    rival: np.ndarray,
    diverted: bool,
    relevance: np.ndarray,
    exposure: np.ndarray,
    severity: np.ndarray,
    window: np.ndarray,
    unaddressed: np.ndarray,
    technology: np.ndarray,
    party: np.ndarray,
    divisors: np.ndarray,
    great_power: np.ndarray,
    self_help: float,
    rho: float,
    growth_rate: float,
    cost_scale: float,
    harm_state: np.ndarray,
    cost_state: np.ndarray,
    benefit_sum: np.ndarray,
) -> tuple[np.ndarray, float]:
    """Provision, harm and cost of the open problems this step (:mod:`sim.implementation`).

    ``effort`` (through the regime's forums), ``rival`` (through rival forums, read
    only if ``diverted``), ``relevance`` and ``exposure`` are problem x state; ``severity``,
    ``window`` and ``unaddressed`` (the provision missed so far) per problem;
    ``technology`` ... ``great_power`` the :class:`sim.issues.ProvisionPlan` and
    ``self_help``, ``rho`` the weakest link's parameters (:func:`provision`);
    ``growth_rate`` the urgency growth and ``cost_scale`` the cost of a unit of effort
    times the number of states.
    Harm grows with the missed provision, up to ``1 + 2 x urgency growth`` after two
    windows' worth, and falls with this step's provision. Adds each state's harm,
    effort cost and benefit to the three tally rows in place; returns each problem's
    provision and the summed harm.
    """
    k, n = effort.shape
    if diverted:
        effort = effort + rival
    delivered = provision(
        effort, relevance, technology, party, divisors, great_power, self_help, rho
    )
    harm_total = 0.0
    for r in range(k):
        growth = 1 + growth_rate * min(unaddressed[r] / window[r], 2.0)
        harm = severity[r] * growth * (1 - delivered[r])
        exposed = 0.0
        for c in range(n):
            cost_state[c] += cost_scale * severity[r] * effort[r, c] * relevance[r, c]
            harm_state[c] += harm * exposure[r, c]
            benefit_sum[c] += delivered[r] * exposure[r, c]
            exposed += exposure[r, c]
        harm_total += harm * exposed
    return delivered, harm_total


@njit(cache=True)
def shadow_harm(
    exposure: np.ndarray,
    severity: np.ndarray,
    window: np.ndarray,
    age: np.ndarray,
    unprovided: np.ndarray,
    growth_rate: float,
    shadow_state: np.ndarray,
) -> float:
    """Harm of the shadow problems: the same problems with no cooperation at all.

    Only national self-help provides (``1 - unprovided``), so each grows as it is left
    unaddressed, up to ``1 + 2 x urgency growth`` (DESIGN.md, prototype lessons). Adds
    each state's shadow harm to ``shadow_state`` in place and returns the sum.
    """
    k, n = exposure.shape
    total = 0.0
    for r in range(k):
        growth = 1 + growth_rate * min(age[r] * unprovided[r] / window[r], 2.0)
        harm = severity[r] * growth * unprovided[r]
        exposed = 0.0
        for c in range(n):
            shadow_state[c] += harm * exposure[r, c]
            exposed += exposure[r, c]
        total += harm * exposed  # as settle sums harm: equal harms give equal sums
    return total


@njit(cache=True)
def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (:func:`sim.metrics.gini`)."""
    n = len(x)
    if n == 0:
        return 0.0
    ordered = np.sort(x)
    total = 0.0
    cumulated = 0.0
    for v in ordered:
        total += v
        cumulated += total
    if total <= 0:
        return 0.0
    return min(1.0, max(0.0, (n + 1 - 2 * (cumulated / total)) / n))


@njit(cache=True)
def forum_modularity(ties: np.ndarray, indicator: np.ndarray) -> float:
    """Modularity over camps of the state network projected from forum x state ties.

    ``indicator`` is state x camp (0/1). The weight between two states is the sum over
    forums of the product of their ties, self-pairs left out; the sums are taken from
    the ties directly (:func:`sim.metrics.camp_modularity`).
    """
    forums, n = ties.shape
    camps = indicator.shape[1]
    two_m = 0.0
    strength = np.zeros(forums)
    for f in range(forums):
        squares = 0.0
        for c in range(n):
            strength[f] += ties[f, c]
            squares += ties[f, c] ** 2
        two_m += strength[f] ** 2 - squares
    if forums == 0 or n == 0 or two_m <= 0:
        return 0.0
    degree = np.zeros(n)
    for f in range(forums):
        for c in range(n):
            degree[c] += strength[f] * ties[f, c] - ties[f, c] ** 2
    q = 0.0
    for g in range(camps):
        inside = 0.0
        for f in range(forums):
            within = 0.0
            squares = 0.0
            for c in range(n):
                if indicator[c, g] > 0:
                    within += ties[f, c]
                    squares += ties[f, c] ** 2
            inside += within**2 - squares
        camp_degree = 0.0
        for c in range(n):
            if indicator[c, g] > 0:
                camp_degree += degree[c]
        q += inside / two_m - (camp_degree / two_m) ** 2
    return max(-0.5, min(1.0, q))  # modularity's own bounds, against rounding


@njit(cache=True)
def state_metrics(
    voice_sum: np.ndarray,
    n_voiced: int,
    benefit_sum: np.ndarray,
    exposure_sum: np.ndarray,
    shadow_state: np.ndarray,
    harm_state: np.ndarray,
    cost_state: np.ndarray,
    kept_sum: np.ndarray,
    kept_count: np.ndarray,
    voice_weight: float,
    developing: np.ndarray,
    power: np.ndarray,
    seats: np.ndarray,
    bandwidth: np.ndarray,
) -> tuple[float, float, float, float, float, float, float]:
    """The step's metrics that average over states (:func:`sim.metrics.compute`).

    Each state's voice is its mean voice over the problems handled (0 if none), its
    output the benefit it received over its exposure (0 if not exposed), and its
    legitimacy ``voice_weight x voice + (1 - voice_weight) x output``
    (PAPER.md#C1, PAPER.md#C12). Its net benefit is the harm its shadow problems would
    have done minus the harm done and its effort costs (0 if at most
    :data:`NET_TOLERANCE` times the shadow harm), its load its seats over its
    bandwidth (at most 1).

    Returns legitimacy, voice, legitimacy among developing states, capability (power
    weighted mean keep rate; 0 kept of 0 counts 0), the developing states' burden,
    equity (``1 - gini`` of the net benefits) and the seats taken in all; NaN for the
    developing states' figures if there are none.
    """
    n = len(voice_sum)
    legit = np.empty(n)
    net = np.empty(n)
    seats_total = 0.0
    for c in range(n):
        gain = shadow_state[c] - harm_state[c] - cost_state[c]
        net[c] = gain if gain > NET_TOLERANCE * shadow_state[c] else 0.0
        seats_total += seats[c]
    voice_total = 0.0
    legit_total = 0.0
    capability = 0.0
    for c in range(n):
        voice = voice_sum[c] / n_voiced if n_voiced else 0.0
        output = benefit_sum[c] / exposure_sum[c] if exposure_sum[c] > 0 else 0.0
        legit[c] = voice_weight * voice + (1 - voice_weight) * output
        voice_total += voice
        legit_total += legit[c]
        capability += power[c] * (kept_sum[c] / max(kept_count[c], 1.0))
    legit_developing = np.nan
    burden = np.nan
    if len(developing):
        legit_developing = 0.0
        burden = 0.0
        for c in developing:
            legit_developing += legit[c]
            burden += min(1.0, seats[c] / bandwidth[c])
        legit_developing /= len(developing)
        burden /= len(developing)
    return (
        legit_total / n,
        voice_total / n,
        legit_developing,
        capability,
        burden,
        1 - gini(net),
        seats_total,
    )


@njit(cache=True)
def positions(
    interest: np.ndarray,
    split: np.ndarray,
    block: np.ndarray,
    group: np.ndarray,
    affinity: np.ndarray,
    reputation: np.ndarray,
    affinity_weight: float,
    proposer: int,
    proposer_group: int,
    trust_weight: float,
    noise: np.ndarray,
    draws: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Each candidate's own acceptable ambition, whether it opposes, and the demand.

    The ambition is the candidate's interest, plus ``trust_weight`` times its trust in
    the proposer above 0.5, minus its alignment split, plus noise, clipped to 0..1; it
    opposes where its uniform draw falls below its ``block`` probability; the demand is
    the value a quarter of the ambitions reach (nearest rank) (:mod:`sim.positions`).
    Trust in the proposer raises ambition (PAPER.md#C6), rivalry's split along
    alignment lines lowers it (PAPER.md#C4, PAPER.md#C11), and the demand is what the
    keenest quarter would settle for (PAPER.md#C3).
    """
    n = len(interest)
    rep = (1 - affinity_weight) * reputation[proposer]
    ambition = np.empty(n)
    oppose = np.empty(n, dtype=np.bool_)
    for i in range(n):
        trusting = trust_weight * (affinity_weight * affinity[group[i], proposer_group] + rep - 0.5)
        ambition[i] = min(max(interest[i] + trusting - split[i] + noise[i], 0.0), 1.0)
        oppose[i] = draws[i] < block[i]
    demand = 0.0
    if n:
        demand = np.sort(ambition)[n - max(1, (n + 3) // 4)]
    return ambition, oppose, demand


@njit(cache=True)
def deliberate(
    own: np.ndarray,
    oppose: np.ndarray,
    group: np.ndarray,
    states: np.ndarray,
    affinity: np.ndarray,
    reputation: np.ndarray,
    affinity_weight: float,
    deliberation: float,
) -> np.ndarray:
    """Ambitions after deliberation (:func:`sim.positions.deliberate_positions`).

    The candidates that do not oppose move toward their mean ambition by
    ``deliberation`` times the mean trust among them (self-pairs included, as
    :meth:`sim.trust.Trust.among`, with affinity weighted ``affinity_weight``); the
    others keep their own.
    """
    n = len(own)
    ambition = own.copy()
    groups = affinity.shape[0]
    counts = np.zeros(groups)
    keen = 0
    total = 0.0
    rep = 0.0
    for i in range(n):
        if not oppose[i]:
            keen += 1
            counts[group[i]] += 1.0
            total += own[i]
            rep += reputation[states[i]]
    if keen > 1:
        mutual = 0.0
        for g in range(groups):
            for h in range(groups):
                mutual += counts[g] / keen * affinity[g, h] * (counts[h] / keen)
        pull = deliberation * (affinity_weight * mutual + (1 - affinity_weight) * rep / keen)
        mean = total / keen
        for i in range(n):
            if not oppose[i]:
                ambition[i] = own[i] + pull * (mean - own[i])
    return ambition


@njit(cache=True)
def forums_step(
    effort: np.ndarray,
    relevance: np.ndarray,
    exposure: np.ndarray,
    delivered: np.ndarray,
    handler: np.ndarray,
    members: np.ndarray,
    ties: np.ndarray,
    legitimacy: np.ndarray,
    voice: np.ndarray,
    tie_memory: float,
    voice_weight: float,
    legitimacy_memory: float,
) -> np.ndarray:
    """What the forums that handled problems this step take from it.

    ``effort`` (the effort through the regime's forums), ``relevance`` and
    ``exposure`` are problem x state, ``delivered`` the problems' provision and
    ``handler`` the row of each problem's forum (-1 for none) in ``members``, ``ties``,
    ``legitimacy`` and ``voice`` (forum x state; ``voice`` the forum's mean voice over
    its problems). In place, each forum's ties move by ``tie_memory`` toward the
    effort its members put through it, and each state's perceived legitimacy of it by
    ``legitimacy_memory`` toward ``voice_weight x voice + (1 - voice_weight) x`` the
    benefit the forum delivered to the state over the state's exposure to its
    problems (PAPER.md#C1, PAPER.md#C12). Returns each forum's relevance-weighted
    effort (fragmentation).
    """
    k, n = effort.shape
    forums = ties.shape[0]
    booked = np.zeros(forums)
    summed = np.zeros((forums, n))
    benefit = np.zeros((forums, n))
    exposed = np.zeros((forums, n))
    for r in range(k):
        f = handler[r]
        if f < 0:
            continue
        for c in range(n):
            booked[f] += relevance[r, c] * effort[r, c]
            summed[f, c] += effort[r, c]
            benefit[f, c] += delivered[r] * exposure[r, c]
            exposed[f, c] += exposure[r, c]
    for f in range(forums):
        for c in range(n):
            ties[f, c] += tie_memory * (summed[f, c] * members[f, c] - ties[f, c])
            output = benefit[f, c] / exposed[f, c] if exposed[f, c] > 0 else 0.0
            target = voice_weight * voice[f, c] + (1 - voice_weight) * output
            legitimacy[f, c] += legitimacy_memory * (target - legitimacy[f, c])
    return booked


@njit(cache=True)
def divert(
    effort: np.ndarray,
    relevance: np.ndarray,
    rows: np.ndarray,
    keep: np.ndarray,
    takes_part: np.ndarray,
    membership: np.ndarray,
    kept_share: np.ndarray,
    seats: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split effort (problem x state) between the regime's forums and rival forums.

    ``rows`` picks each problem's row of the rival forums' table
    (:class:`sim.rivals.Table`: which forums act on it, the share of effort each state
    keeps for the regime's forums, the acting forums each state sits in, at least 1);
    ``keep`` is what rival forums make of the effort they draw on each problem. Returns
    the effort left in the regime's forums, the rival forums' effort, and each rival
    forum's relevance-weighted effort, shared equally among the acting forums a state
    sits in (:meth:`sim.rivals.RivalForums.divert_rows`). This is how forum shopping
    fragments the system (PAPER.md#C15).
    """
    k, n = effort.shape
    forums = membership.shape[0]
    remaining = np.empty((k, n))
    rival = np.empty((k, n))
    booked = np.zeros(forums)
    for r in range(k):
        row = rows[r]
        for c in range(n):
            left = effort[r, c] * kept_share[row, c]
            remaining[r, c] = left
            rival[r, c] = (effort[r, c] - left) * keep[r]
            per_seat = relevance[r, c] * rival[r, c] / seats[row, c]
            for f in range(forums):
                booked[f] += takes_part[row, f] * membership[f, c] * per_seat
    return remaining, rival, booked


@njit(cache=True)
def stance(
    candidates: np.ndarray,
    relevance: np.ndarray,
    exposure: np.ndarray,
    alignment: np.ndarray,
    great_power: np.ndarray,
    group: np.ndarray,
    proposer: int,
    party: int,
    rivalry: float,
    divisiveness: float,
    block_propensity: float,
    linkage: float,
    cost_weight: float,
    alignment_split: float,
    always: float,
    never: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The fixed part of the candidates' positions (:func:`sim.positions.prepare_stance`).

    Returns each candidate's interest (exposure minus ``cost_weight`` times its share
    of the candidates' relevance), its alignment split, its probability of opposing
    (``always`` for the party, ``never`` for the proposer) and its trust group.
    Rivalry splits positions and makes states block along alignment lines, great
    powers twice as readily, and issue linkage adds to a distant great power's
    propensity (PAPER.md#C2, PAPER.md#C4, PAPER.md#C11).
    """
    n = len(candidates)
    total = 0.0
    for i in range(n):
        total += relevance[candidates[i]]
    total = max(total, 1e-12)
    interest = np.empty(n)
    split = np.empty(n)
    block = np.empty(n)
    groups = np.empty(n, dtype=group.dtype)
    for i in range(n):
        c = candidates[i]
        dist = abs(alignment[c] - alignment[proposer]) / 2
        interest[i] = exposure[c] - cost_weight * (relevance[c] / total)
        split[i] = alignment_split * rivalry * divisiveness * dist
        p = block_propensity * rivalry * divisiveness * dist * (1.0 if great_power[c] else 0.5)
        if great_power[c] and dist > 0.5:
            p += linkage * rivalry  # issue linkage: great powers tie it to other disputes
        if c == proposer:
            p = never
        elif c == party:
            p = always
        block[i] = p
        groups[i] = group[c]
    return interest, split, block, groups
