"""The compiled loops of sim.kernels, pinned to the numpy statement of their rules.

Each kernel is compared with a plain numpy reference written here, adapted from the
numpy code it replaced (commit 83cf16b), on seeded random inputs of the dtypes its
callers pass. They agree to rounding: the kernels sum in index order, numpy pairwise.
"""

from __future__ import annotations

import ast
import builtins
import dis
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim import kernels
from sim.implementation import EFFORT_COST, TIE_MEMORY
from sim.issues import PARTY_WEIGHT, TECHNOLOGIES, TECHNOLOGY_CODES
from sim.kernels import (
    BEST_SHOT,
    ENFORCEMENT,
    OUTSIDER,
    SIGNATORY,
    STAYS_OUT,
    SUMMATION,
    THRESHOLD,
    WEAKEST_LINK,
)
from sim.positions import ALWAYS, NEVER, upper_quartile
from sim.rivals import RIVAL_YIELD

SEEDS = st.integers(0, 2**32 - 1)


def close(actual, expected) -> None:
    """Equal to rounding (NaN where the other is NaN)."""
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12)


def weights(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Non-negative rows summing to 1, as :func:`sim.issues.relevance_weights` gives."""
    w = rng.uniform(0.0, 1.0, shape) ** 2 + 1e-3
    return w / w.sum(axis=-1, keepdims=True)


def test_kernels_read_no_constant_of_another_module():
    """numba compiles a global into the cached machine code and re-checks only
    sim/kernels.py, so a kernel that read a constant of another module would keep its
    old value after that module changed: every global a kernel loads must be assigned
    or defined in sim/kernels.py itself, be numpy, or be a builtin.
    """
    tree = ast.parse(Path(kernels.__file__).read_text(encoding="utf-8"))
    own = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                own |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    allowed = own | {"np"} | set(dir(builtins))
    dispatchers = [v for v in vars(kernels).values() if hasattr(v, "py_func")]
    assert len(dispatchers) >= 10
    for dispatcher in dispatchers:
        loaded = {
            i.argval for i in dis.get_instructions(dispatcher.py_func) if i.opname == "LOAD_GLOBAL"
        }
        assert loaded <= allowed, (dispatcher.__name__, sorted(loaded - allowed))


# --- references: the numpy statement of each rule -------------------------------------


def agreements_reference(
    status,
    base,
    group,
    affinity,
    reputation,
    affinity_weight,
    agreement,
    legitimacy,
    legitimacy_rows,
    efficiency,
    relevance,
    problem_rows,
    noise,
    keep_draws,
    slip_draws,
    w_trust,
    eta,
    kept_sum,
    kept_count,
):
    """Compliance, effort and reciprocity (83cf16b: ``_agreements``, ``sets_trust``,
    ``reciprocate_sets``). Returns what the kernel returns, then the updated affinity,
    reputation, kept_sum and kept_count (new arrays; the inputs stay as they were).
    """
    k, n = status.shape
    groups = len(affinity)
    aw = affinity_weight
    signed = status == SIGNATORY
    sets = signed.astype(float)
    ambition, follow, slippage, capacity = agreement[:4]
    # trust in each set before reciprocity: groups' shares and the members' reputation
    counts = sets @ np.eye(groups)[group]  # set x group
    size = np.maximum(sets.sum(axis=1), 1)
    shares = counts / size[:, None]
    rep = (1 - aw) * (sets @ reputation) / size
    by_group = shares @ affinity.T  # trust of (a member of) each group in each set
    among = aw * (by_group * shares).sum(axis=1) + rep
    toward = aw * by_group + rep[:, None]
    rows, cols = np.nonzero(signed)  # the signatory entries, row-major
    complied = np.clip(base + w_trust * toward[rows, group[cols]] + noise, 0.0, 1.0)
    kept = keep_draws < complied
    compliance = np.zeros((k, n))
    compliance[rows, cols] = complied
    k_mean = compliance.sum(axis=1) / size
    # signatories deliver their share; outsiders follow as far as they see it legitimate
    own = ambition[:, None] * compliance
    followed = (ambition * k_mean * follow)[:, None] * legitimacy[legitimacy_rows]
    d = np.where(signed, own, np.where(status == OUTSIDER, followed, 0.0)) * efficiency
    slip = slip_draws * 2 * slippage
    effort = d * (1.0 + capacity * np.maximum(0.0, 1.0 - slip))[:, None]
    delivered = float(((compliance * relevance[problem_rows]).sum(axis=1) * ambition).sum())
    # reciprocity: m agreements move trust as far as m single updates would
    affinity, reputation = affinity.copy(), reputation.copy()
    per_state = sets.sum(axis=0)
    who = per_state > 0
    kept_by_state = np.bincount(cols[kept], minlength=n)
    step = 1 - (1 - eta) ** per_state[who]
    reputation[who] += step * (kept_by_state[who] / per_state[who] - reputation[who])
    kept_by_group = np.zeros((k, groups))
    np.add.at(kept_by_group, (rows[kept], group[cols[kept]]), 1.0)
    present = (counts > 0).astype(float)
    rate = np.divide(kept_by_group, counts, out=np.zeros((k, groups)), where=counts > 0)
    target = 0.5 * (rate.T @ present + present.T @ rate)
    together = present.T @ present
    pairs = together > 0
    step = 1 - (1 - eta) ** together[pairs]
    affinity[pairs] += step * (target[pairs] / together[pairs] - affinity[pairs])
    return (
        effort,
        k_mean,
        among,
        delivered,
        affinity,
        reputation,
        kept_sum + compliance.sum(axis=0),
        kept_count + per_state,
    )


def provision_reference(
    effort, relevance, technology, party, divisors, great_power, self_help, rho
):
    """Provision by aggregation technology (83cf16b: ``ProvisionPlan.__call__``)."""
    k = len(effort)
    contrib = relevance * effort
    enforced = np.flatnonzero((technology == ENFORCEMENT) & (party >= 0))
    contrib[enforced, party[enforced]] = 0.0  # the party's effort never counts
    value = np.zeros(k)
    summed = (technology == SUMMATION) | (technology == ENFORCEMENT)
    value[summed] = contrib[summed].sum(axis=1) / divisors[0, summed]
    best = technology == BEST_SHOT
    value[best] = contrib[best].max(axis=1) / divisors[1, best]
    weakest = technology == WEAKEST_LINK
    z = np.maximum(effort[weakest], self_help) ** rho
    value[weakest] = z.mean(axis=1) ** (1.0 / rho) / divisors[2, weakest]
    threshold = np.flatnonzero(technology == THRESHOLD)
    least = effort[np.ix_(threshold, great_power)].min(axis=1)
    value[threshold] = np.minimum(1.0, least / divisors[2, threshold]) * divisors[3, threshold]
    return value.clip(0.0, 1.0)


def settle_reference(
    effort,
    rival,
    diverted,
    relevance,
    exposure,
    severity,
    window,
    unaddressed,
    technology,
    party,
    divisors,
    great_power,
    self_help,
    rho,
    growth_rate,
    cost_scale,
    harm_state,
    cost_state,
    benefit_sum,
):
    """Provision, harm and effort cost (83cf16b: ``implement``). Returns the provision,
    the summed harm and the updated harm, cost and benefit rows (new arrays).
    """
    if diverted:
        effort = effort + rival
    cost = severity[:, None] * effort * relevance
    delivered = provision_reference(
        effort, relevance, technology, party, divisors, great_power, self_help, rho
    )
    growth = 1 + growth_rate * np.minimum(unaddressed / window, 2.0)
    harm = severity * growth * (1 - delivered)
    return (
        delivered,
        float(harm @ exposure.sum(axis=1)),
        harm_state + harm @ exposure,
        cost_state + cost_scale * cost.sum(axis=0),
        benefit_sum + delivered @ exposure,
    )


def shadow_reference(exposure, severity, window, age, unprovided, growth_rate, shadow_state):
    """Harm with national self-help only (83cf16b: ``implement``)."""
    growth = 1 + growth_rate * np.minimum(age * unprovided / window, 2.0)
    shadow = severity * growth * unprovided
    return float(shadow @ exposure.sum(axis=1)), shadow_state + shadow @ exposure


def forums_reference(
    effort,
    relevance,
    exposure,
    delivered,
    handler,
    members,
    ties,
    legitimacy,
    voice,
    tie_memory,
    voice_weight,
    legitimacy_memory,
):
    """Booked effort, ties and perceived legitimacy (83cf16b: ``_book_effort``,
    ``_perceive``). Returns the booked effort and the updated ties and legitimacy.
    """
    which = (np.arange(len(ties))[:, None] == handler).astype(float)  # forum x problem
    booked = which @ (relevance * effort).sum(axis=1)
    ties = ties + tie_memory * ((which @ effort) * members - ties)
    benefit = (which * delivered) @ exposure
    exposed = which @ exposure
    output = np.divide(benefit, exposed, out=np.zeros(benefit.shape), where=exposed > 0)
    target = voice_weight * voice + (1 - voice_weight) * output
    return booked, ties, legitimacy + legitimacy_memory * (target - legitimacy)


def divert_reference(effort, relevance, rows, keep, takes_part, membership, kept_share, seats):
    """The split of effort with rival forums (83cf16b: ``RivalForums.divert_rows``)."""
    remaining = effort * kept_share[rows]
    rival = (effort - remaining) * keep[:, None]
    per_seat = relevance * rival / seats[rows]
    booked = ((takes_part[rows].T @ per_seat) * membership).sum(axis=1)
    return remaining, rival, booked


def positions_reference(
    interest,
    split,
    block,
    group,
    affinity,
    reputation,
    affinity_weight,
    proposer,
    proposer_group,
    trust_weight,
    noise,
    draws,
):
    """Ambitions, opposition and the demand (83cf16b: ``take_positions``)."""
    aw = affinity_weight
    toward = aw * affinity[:, proposer_group] + (1 - aw) * reputation[proposer]
    trusting = trust_weight * (toward - 0.5)
    ambition = np.clip(interest + trusting[group] - split + noise, 0.0, 1.0)
    return ambition, draws < block, upper_quartile(ambition)


def deliberate_reference(
    own, oppose, group, states, affinity, reputation, affinity_weight, deliberation
):
    """Ambitions after deliberation (83cf16b: ``deliberate_positions``, ``among_groups``)."""
    ambition = own.copy()
    keen = ~oppose
    if np.count_nonzero(keen) > 1:
        counts = np.bincount(group[keen], minlength=len(affinity))
        p = counts / counts.sum()
        aw = affinity_weight
        among = aw * (p @ affinity @ p) + (1 - aw) * reputation[states[keen]].mean()
        mine = own[keen]
        ambition[keen] = mine + deliberation * among * (mine.mean() - mine)
    return ambition


def stance_reference(
    candidates,
    relevance,
    exposure,
    alignment,
    great_power,
    group,
    proposer,
    party,
    rivalry,
    divisiveness,
    block_propensity,
    linkage,
    cost_weight,
    alignment_split,
    always,
    never,
):
    """The fixed part of the candidates' positions (83cf16b: ``prepare_stance``)."""
    r = relevance[candidates]
    share = r / max(float(r.sum()), 1e-12)
    dist = np.abs(alignment[candidates] - alignment[proposer]) / 2
    gp = great_power[candidates]
    p = block_propensity * rivalry * divisiveness * dist * np.where(gp, 1.0, 0.5)
    p = p + np.where(gp & (dist > 0.5), linkage * rivalry, 0.0)
    if party >= 0:
        p[candidates == party] = always
    p[candidates == proposer] = never
    interest = exposure[candidates] - cost_weight * share
    split = alignment_split * rivalry * divisiveness * dist
    return interest, split, p, group[candidates]


def gini_reference(x):
    """Gini coefficient (83cf16b: ``sim.metrics.gini``)."""
    x = np.sort(np.asarray(x, dtype=float))
    n = len(x)
    total = x.sum()
    if n == 0 or total <= 0:
        return 0.0
    return min(1.0, max(0.0, float((n + 1 - 2 * (np.cumsum(x).sum() / total)) / n)))


def modularity_reference(ties, indicator):
    """Camp modularity of the projected network (83cf16b: ``forum_modularity``)."""
    if ties.size == 0:
        return 0.0
    s = ties.sum(axis=1)
    squared = ties**2
    two_m = float((s**2 - squared.sum(axis=1)).sum())
    if two_m <= 0:
        return 0.0
    degree = s @ ties - squared.sum(axis=0)
    inside = ((ties @ indicator) ** 2 - squared @ indicator).sum(axis=0)
    q = float((inside / two_m - (degree @ indicator / two_m) ** 2).sum())
    return max(-0.5, min(1.0, q))


def state_metrics_reference(
    voice_sum,
    n_voiced,
    benefit_sum,
    exposure_sum,
    shadow_state,
    harm_state,
    cost_state,
    kept_sum,
    kept_count,
    voice_weight,
    developing,
    power,
    seats,
    bandwidth,
):
    """The averages over states (83cf16b: ``sim.metrics.compute``)."""
    n = len(voice_sum)
    voice = voice_sum / n_voiced if n_voiced else np.zeros(n)
    output = np.divide(benefit_sum, exposure_sum, out=np.zeros(n), where=exposure_sum > 0)
    net = shadow_state - harm_state - cost_state
    net[net <= kernels.NET_TOLERANCE * shadow_state] = 0.0
    legit = voice_weight * voice + (1 - voice_weight) * output
    load = np.minimum(1.0, seats / bandwidth)
    return (
        legit.mean(),
        voice.mean(),
        legit[developing].mean() if len(developing) else np.nan,
        float(power @ (kept_sum / np.maximum(kept_count, 1))),
        load[developing].mean() if len(developing) else np.nan,
        1 - gini_reference(net),
        seats.sum(),
    )


# --- inputs ----------------------------------------------------------------------------


def agreement_inputs(rng, k, n, groups, unsigned):
    """Arguments of :func:`sim.kernels.agreements_step` as ``_agreements`` builds them;
    ``unsigned`` agreements (the first ones) have no signatory.
    """
    u = rng.uniform(size=(k, n))
    status = np.where(
        u < rng.uniform(0.1, 0.9), SIGNATORY, np.where(u > 0.8, STAYS_OUT, OUTSIDER)
    ).astype(np.int8)
    status[:unsigned][status[:unsigned] == SIGNATORY] = OUTSIDER
    n_signed = int(np.count_nonzero(status == SIGNATORY))
    forums = int(rng.integers(1, k + 1))
    problems = k + int(rng.integers(0, 3))
    agreement = np.array(
        [
            rng.uniform(0.0, 1.0, k),  # ambition
            np.where(rng.uniform(size=k) < 0.4, 0.0, rng.uniform(0.0, 1.0, k)),  # follow
            rng.uniform(0.0, 0.5, k),  # slippage
            np.where(rng.uniform(size=k) < 0.3, 0.0, rng.uniform(0.0, 1.0, k)),  # capacity
            rng.uniform(0.0, 1.0, k),  # pledge (unused)
        ]
    )
    kept_count = rng.integers(0, 4, n).astype(float)
    return {
        "status": status,
        "base": rng.uniform(-0.6, 1.2, n_signed),
        "group": rng.integers(0, groups, n),
        "affinity": rng.uniform(0.05, 0.95, (groups, groups)),
        "reputation": rng.uniform(0.0, 1.0, n),
        "affinity_weight": float(rng.uniform(0.0, 1.0)),
        "agreement": agreement,
        "legitimacy": rng.uniform(0.0, 1.0, (forums, n)),
        "legitimacy_rows": rng.integers(0, forums, k),
        "efficiency": np.minimum(1.0, rng.uniform(0.3, 1.6, n)),
        "relevance": weights(rng, (problems, n)),
        "problem_rows": rng.permutation(problems)[:k],
        "noise": rng.normal(0.0, 0.1, n_signed),
        "keep_draws": rng.random(n_signed),
        "slip_draws": rng.random(k),
        "w_trust": float(rng.uniform(0.0, 1.0)),
        "eta": float(rng.uniform(0.0, 0.5)),
        "kept_sum": kept_count * rng.uniform(0.0, 1.0, n),
        "kept_count": kept_count,
    }


def plan_inputs(rng, k, n, great_powers):
    """A provision plan as :func:`sim.issues.provision_plan` makes it, with the
    relevance and effort it is applied to; the great powers are the first
    ``great_powers`` states, or all states if there are none.
    """
    technology = rng.choice(np.array(list(TECHNOLOGY_CODES.values())), k)
    relevance = weights(rng, (k, n))
    power = weights(rng, (n,))
    party = np.where(
        (technology == ENFORCEMENT) & (rng.uniform(size=k) < 0.8), rng.integers(0, n, k), -1
    )
    required = rng.uniform(0.1, 0.6, k)
    verification = rng.uniform(0.0, 1.0, k)
    capacity = np.where(rng.uniform(size=k) < 0.5, 0.0, rng.uniform(0.0, 1.5, k))
    denominator = required + np.where(party >= 0, PARTY_WEIGHT * power[party], 0.0)
    gp = np.arange(n) < great_powers
    effort = rng.uniform(0.0, rng.uniform(0.0, 2.0), (k, n))
    effort[rng.uniform(size=(k, n)) < 0.3] = 0.0  # states that put in nothing
    return {
        "effort": effort,
        "relevance": relevance,
        "technology": technology,
        "party": party,
        "divisors": np.array(
            [
                denominator,
                required * relevance.max(axis=1),
                required,
                verification + (1 - verification) * np.minimum(1.0, capacity),
            ]
        ),
        "great_power": np.flatnonzero(gp if gp.any() else ~gp),
        "self_help": float(rng.uniform(0.01, 0.3)),
        "rho": float(rng.uniform(-4.0, -0.5)),
    }


def exposures(rng, k, n):
    """Problem x state exposure, with some states exposed to none of the problems."""
    exposure = rng.uniform(0.0, 1.0, (k, n))
    exposure[:, rng.uniform(size=n) < 0.2] = 0.0
    return exposure


def rival_table(rng, n, forums, diversion):
    """A rival forums' table as :meth:`sim.rivals.RivalForums._make_table` makes it."""
    founders = rng.choice(n, size=min(forums, n), replace=False)
    membership = rng.uniform(size=(len(founders), n)) < rng.uniform(0.1, 0.9)
    membership[np.arange(len(founders)), founders] = True
    membership = membership.astype(float)
    takes_part = np.ones((len(founders) + 1, len(founders)))
    takes_part[:-1] = founders[:, None] != founders[None, :]
    seats = takes_part @ membership
    kept_share = ((1 - diversion) ** np.arange(len(founders) + 1))[seats.astype(np.intp)]
    return takes_part, membership, kept_share, np.maximum(seats, 1.0)


# --- implementation: compliance, effort, provision, harm --------------------------------


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(1, 8),
    n=st.integers(1, 40),
    groups=st.integers(1, 10),
    unsigned=st.integers(0, 2),
    seed=SEEDS,
)
@example(k=1, n=1, groups=10, unsigned=0, seed=0)
@example(k=3, n=1, groups=10, unsigned=1, seed=1)
@example(k=4, n=12, groups=10, unsigned=4, seed=2)
def test_agreements_step_equals_the_numpy_statement_of_compliance_effort_and_reciprocity(
    k, n, groups, unsigned, seed
):
    """Free riding lowers compliance (PAPER.md#C14, PAPER.md#C17), outsiders follow as
    far as they see the forum as legitimate (PAPER.md#C12), and kept commitments teach
    trust; agreements with no signatory deliver nothing and teach nothing.
    """
    args = agreement_inputs(np.random.default_rng(seed), k, n, groups, unsigned)
    expected = agreements_reference(**args)
    updated = {name: args[name].copy() for name in ("affinity", "reputation")}
    updated |= {name: args[name].copy() for name in ("kept_sum", "kept_count")}
    effort, k_mean, among, delivered = kernels.agreements_step(**(args | updated))
    close(effort, expected[0])
    close(k_mean, expected[1])
    close(among, expected[2])
    close(delivered, expected[3])
    close(updated["affinity"], expected[4])
    close(updated["reputation"], expected[5])
    close(updated["kept_sum"], expected[6])
    close(updated["kept_count"], expected[7])


def test_agreements_with_no_signatory_leave_trust_and_the_tally_as_they_were():
    args = agreement_inputs(np.random.default_rng(7), 3, 10, 10, unsigned=3)
    assert len(args["base"]) == 0
    updated = {name: args[name].copy() for name in ("affinity", "reputation")}
    updated |= {name: args[name].copy() for name in ("kept_sum", "kept_count")}
    effort, k_mean, among, delivered = kernels.agreements_step(**(args | updated))
    assert not effort.any() and not k_mean.any() and delivered == 0.0
    close(among, agreements_reference(**args)[2])  # reputation's share of nobody: 0
    for name, value in updated.items():
        np.testing.assert_array_equal(value, args[name])


def test_every_technology_has_its_own_code_in_the_kernels():
    """A technology added to :data:`sim.issues.TECHNOLOGIES` needs a code (and a rule)."""
    assert list(TECHNOLOGY_CODES) == list(TECHNOLOGIES)
    assert sorted(TECHNOLOGY_CODES.values()) == list(range(len(TECHNOLOGIES)))


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(1, 12),
    n=st.integers(1, 40),
    great_powers=st.integers(0, 6),
    seed=SEEDS,
)
@example(k=10, n=1, great_powers=0, seed=0)
@example(k=10, n=8, great_powers=0, seed=1)
def test_provision_equals_the_numpy_statement_of_the_aggregation_technologies(
    k, n, great_powers, seed
):
    """Summation, weakest link, best shot, threshold over the great powers (all states
    if there are none) and enforcement without the party's effort (PAPER.md#C2).
    """
    plan = plan_inputs(np.random.default_rng(seed), k, n, great_powers)
    close(kernels.provision(**plan), provision_reference(**plan))


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(1, 12),
    n=st.integers(1, 40),
    great_powers=st.integers(0, 6),
    diverted=st.booleans(),
    seed=SEEDS,
)
def test_settle_equals_the_numpy_statement_of_provision_harm_and_effort_cost(
    k, n, great_powers, diverted, seed
):
    """Rival forums' effort counts toward provision (PAPER.md#C15); harm grows with the
    provision missed so far and falls with this step's; the inputs stay as they were.
    """
    rng = np.random.default_rng(seed)
    plan = plan_inputs(rng, k, n, great_powers)
    effort = plan.pop("effort")
    # without rival forums the caller passes the effort itself in their place
    rival = rng.uniform(0.0, 0.3, (k, n)) if diverted else effort
    tallies = rng.uniform(0.0, 5.0, (3, n))
    args = {
        "effort": effort,
        "rival": rival,
        "diverted": diverted,
        "exposure": exposures(rng, k, n),
        "severity": rng.uniform(0.5, 2.0, k),
        "window": rng.integers(2, 13, k).astype(float),
        "unaddressed": np.where(rng.uniform(size=k) < 0.3, 0.0, rng.uniform(0.0, 30.0, k)),
        "growth_rate": float(rng.uniform(0.0, 1.0)),
        "cost_scale": EFFORT_COST * n,
        **plan,
    }
    expected = settle_reference(
        **args, harm_state=tallies[0], cost_state=tallies[1], benefit_sum=tallies[2]
    )
    before = {name: value.copy() for name, value in args.items() if isinstance(value, np.ndarray)}
    harm_state, cost_state, benefit_sum = tallies.copy()
    delivered, harm = kernels.settle(
        **args, harm_state=harm_state, cost_state=cost_state, benefit_sum=benefit_sum
    )
    close(delivered, expected[0])
    close(harm, expected[1])
    close(harm_state, expected[2])
    close(cost_state, expected[3])
    close(benefit_sum, expected[4])
    for name, value in before.items():
        np.testing.assert_array_equal(args[name], value, err_msg=name)


@settings(max_examples=40, deadline=None)
@given(k=st.integers(1, 12), n=st.integers(1, 40), seed=SEEDS)
@example(k=1, n=1, seed=0)
def test_shadow_harm_equals_the_numpy_statement_of_harm_without_cooperation(k, n, seed):
    """Only national self-help provides, and the harm grows as the problem is left."""
    rng = np.random.default_rng(seed)
    args = {
        "exposure": exposures(rng, k, n),
        "severity": rng.uniform(0.5, 2.0, k),
        "window": rng.integers(2, 13, k).astype(float),
        "age": rng.integers(0, 40, k).astype(float),
        # 1 - self-help's provision: 1, or less for weakest-link containment
        "unprovided": np.where(rng.uniform(size=k) < 0.5, 1.0, rng.uniform(0.5, 1.0, k)),
        "growth_rate": float(rng.uniform(0.0, 1.0)),
    }
    shadow_state = rng.uniform(0.0, 5.0, n)
    expected = shadow_reference(**args, shadow_state=shadow_state)
    updated = shadow_state.copy()
    close(kernels.shadow_harm(**args, shadow_state=updated), expected[0])
    close(updated, expected[1])


# --- forums: booked effort, ties, perceived legitimacy, rival forums --------------------


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(1, 12),
    n=st.integers(1, 40),
    forums=st.integers(1, 5),
    seed=SEEDS,
)
@example(k=3, n=1, forums=1, seed=0)
def test_forums_step_equals_the_numpy_statement_of_ties_and_perceived_legitimacy(
    k, n, forums, seed
):
    """Perceived legitimacy moves toward voice and the benefit delivered relative to
    exposure (PAPER.md#C1, PAPER.md#C12); problems no forum took up (handler -1) book
    nothing, and a state exposed to none of a forum's problems gets no output from it.
    """
    rng = np.random.default_rng(seed)
    handler = rng.integers(-1, forums, k)
    handler[0] = -1
    args = {
        "effort": rng.uniform(0.0, 1.5, (k, n)),
        "relevance": weights(rng, (k, n)),
        "exposure": exposures(rng, k, n),
        "delivered": rng.uniform(0.0, 1.0, k),
        "handler": handler,
        "members": rng.uniform(size=(forums, n)) < 0.6,
        "voice": rng.uniform(0.0, 1.0, (forums, n)),
        "tie_memory": TIE_MEMORY,
        "voice_weight": float(rng.uniform(0.0, 1.0)),
        "legitimacy_memory": float(rng.uniform(0.0, 1.0)),
    }
    ties = rng.uniform(0.0, 1.0, (forums, n))
    legitimacy = rng.uniform(0.0, 1.0, (forums, n))
    booked, expected_ties, expected_legitimacy = forums_reference(
        **args, ties=ties, legitimacy=legitimacy
    )
    ties_out, legitimacy_out = ties.copy(), legitimacy.copy()
    close(kernels.forums_step(**args, ties=ties_out, legitimacy=legitimacy_out), booked)
    close(ties_out, expected_ties)
    close(legitimacy_out, expected_legitimacy)


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(1, 12),
    n=st.integers(1, 40),
    forums=st.integers(1, 4),
    seed=SEEDS,
)
@example(k=2, n=1, forums=3, seed=0)
def test_divert_equals_the_numpy_statement_of_effort_drawn_into_rival_forums(k, n, forums, seed):
    """Members of rival forums move a share of their effort there, spent at a lower
    yield, and no rival forum acts against its own founder (PAPER.md#C15).
    """
    rng = np.random.default_rng(seed)
    takes_part, membership, kept_share, seats = rival_table(
        rng, n, forums, float(rng.uniform(0.0, 0.6))
    )
    args = {
        "effort": rng.uniform(0.0, 1.5, (k, n)),
        "relevance": weights(rng, (k, n)),
        "rows": rng.integers(0, len(takes_part), k),
        "keep": RIVAL_YIELD * (1 - rng.uniform(0.2, 0.8, k)),
        "takes_part": takes_part,
        "membership": membership,
        "kept_share": kept_share,
        "seats": seats,
    }
    for got, expected in zip(kernels.divert(**args), divert_reference(**args), strict=True):
        close(got, expected)


# --- positions ----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 40), extra=st.integers(0, 10), groups=st.integers(1, 10), seed=SEEDS)
@example(n=0, extra=3, groups=10, seed=0)
@example(n=1, extra=0, groups=10, seed=1)
def test_positions_equals_the_numpy_statement_of_ambition_opposition_and_the_demand(
    n, extra, groups, seed
):
    """The demand is what the keenest quarter asks for before deliberation: the
    yardstick of the lowest common denominator (PAPER.md#C3); 0 with no candidate.
    """
    rng = np.random.default_rng(seed)
    states = n + extra + 1
    state_group = rng.integers(0, groups, states)
    candidates = np.sort(rng.choice(states, size=n, replace=False))
    proposer = int(rng.integers(0, states))
    block = rng.uniform(0.0, 1.0, n)
    block[rng.uniform(size=n) < 0.1] = ALWAYS
    block[rng.uniform(size=n) < 0.1] = NEVER
    args = {
        "interest": rng.uniform(-0.3, 1.0, n),
        "split": rng.uniform(0.0, 0.4, n),
        "block": block,
        "group": state_group[candidates],
        "affinity": rng.uniform(0.05, 0.95, (groups, groups)),
        "reputation": rng.uniform(0.0, 1.0, states),
        "affinity_weight": float(rng.uniform(0.0, 1.0)),
        "proposer": proposer,
        "proposer_group": int(state_group[proposer]),
        "trust_weight": float(rng.uniform(0.0, 1.0)),
        "noise": rng.normal(0.0, 0.1, n),
        "draws": rng.random(n),
    }
    ambition, oppose, demand = kernels.positions(**args)
    expected = positions_reference(**args)
    close(ambition, expected[0])
    assert oppose.dtype == np.bool_
    np.testing.assert_array_equal(oppose, expected[1])
    close(demand, expected[2])


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 40), groups=st.integers(1, 10), opposing=st.floats(0, 1), seed=SEEDS)
@example(n=1, groups=10, opposing=0.0, seed=0)
@example(n=5, groups=10, opposing=1.0, seed=1)
def test_deliberate_equals_the_numpy_statement_of_the_pull_toward_the_mean(
    n, groups, opposing, seed
):
    """Those who do not oppose move toward their mean as far as they trust each other;
    with fewer than two of them nothing moves, and the own ambitions stay as they were.
    """
    rng = np.random.default_rng(seed)
    states = n + 5
    state_group = rng.integers(0, groups, states)
    candidates = np.sort(rng.choice(states, size=n, replace=False))
    args = {
        "own": rng.uniform(0.0, 1.0, n),
        "oppose": rng.uniform(size=n) < opposing,
        "group": state_group[candidates],
        "states": candidates,
        "affinity": rng.uniform(0.05, 0.95, (groups, groups)),
        "reputation": rng.uniform(0.0, 1.0, states),
        "affinity_weight": float(rng.uniform(0.0, 1.0)),
        "deliberation": float(rng.uniform(0.0, 1.0)),
    }
    own = args["own"].copy()
    close(kernels.deliberate(**args), deliberate_reference(**args))
    np.testing.assert_array_equal(args["own"], own)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    extra=st.integers(0, 10),
    party=st.sampled_from(["none", "candidate", "outsider", "proposer"]),
    seed=SEEDS,
)
@example(n=1, extra=0, party="proposer", seed=0)
def test_stance_equals_the_numpy_statement_of_interest_split_and_opposition(n, extra, party, seed):
    """Alignment distance splits positions and great powers link issues (PAPER.md#C4,
    PAPER.md#C11); the party always opposes (PAPER.md#C2) unless it drafts.
    """
    rng = np.random.default_rng(seed)
    states = n + extra
    candidates = np.sort(rng.choice(states, size=n, replace=False))
    proposer = int(rng.choice(candidates))
    others = np.setdiff1d(np.arange(states), candidates)
    party_index = {
        "none": -1,
        "candidate": int(rng.choice(candidates)),
        "outsider": int(rng.choice(others)) if len(others) else -1,
        "proposer": proposer,
    }[party]
    great_power = np.zeros(states, dtype=bool)
    great_power[rng.choice(states, size=min(states, 6), replace=False)] = True
    args = {
        "candidates": candidates,
        "relevance": weights(rng, (states,)),
        "exposure": rng.uniform(0.0, 1.0, states),
        "alignment": rng.uniform(-1.0, 1.0, states),
        "great_power": great_power,
        "group": rng.integers(0, 10, states),
        "proposer": proposer,
        "party": party_index,
        "rivalry": float(rng.uniform(0.0, 1.0)),
        "divisiveness": float(rng.uniform(0.0, 1.0)),
        "block_propensity": float(rng.uniform(0.0, 3.0)),
        "linkage": float(rng.uniform(0.0, 1.0)),
        "cost_weight": float(rng.uniform(0.0, 1.0)),
        "alignment_split": float(rng.uniform(0.0, 1.0)),
        "always": ALWAYS,
        "never": NEVER,
    }
    got = kernels.stance(**args)
    expected = stance_reference(**args)
    for value, reference in zip(got[:3], expected[:3], strict=True):
        close(value, reference)
    assert got[3].dtype == expected[3].dtype
    np.testing.assert_array_equal(got[3], expected[3])


# --- metrics ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 40),
    n_voiced=st.integers(0, 12),
    developing=st.floats(0.0, 1.0),
    seed=SEEDS,
)
@example(n=1, n_voiced=0, developing=0.0, seed=0)
@example(n=6, n_voiced=0, developing=1.0, seed=1)
def test_state_metrics_equals_the_numpy_statement_of_the_averages_over_states(
    n, n_voiced, developing, seed
):
    """Legitimacy weighs voice and output (PAPER.md#C1, PAPER.md#C12), burden is the
    developing states' seat load (PAPER.md#C16), equity ``1 - gini`` of net benefit;
    no voice before any problem is handled, NaN figures with no developing state.
    """
    rng = np.random.default_rng(seed)
    kept_count = rng.integers(0, 4, n).astype(float)
    exposure_sum = rng.uniform(0.0, 5.0, n)
    exposure_sum[rng.uniform(size=n) < 0.2] = 0.0
    args = {
        "voice_sum": rng.uniform(0.0, 1.0, n) * n_voiced,
        "n_voiced": n_voiced,
        "benefit_sum": exposure_sum * rng.uniform(0.0, 1.0, n),
        "exposure_sum": exposure_sum,
        "shadow_state": rng.uniform(0.0, 10.0, n),
        "harm_state": rng.uniform(0.0, 8.0, n),
        "cost_state": rng.uniform(0.0, 3.0, n),
        "kept_sum": kept_count * rng.uniform(0.0, 1.0, n),
        "kept_count": kept_count,
        "voice_weight": float(rng.uniform(0.0, 1.0)),
        "developing": np.flatnonzero(rng.uniform(size=n) < developing),
        "power": weights(rng, (n,)),
        "seats": rng.integers(0, 12, n).astype(float),
        "bandwidth": rng.integers(2, 13, n).astype(float),
    }
    got = kernels.state_metrics(**args)
    expected = state_metrics_reference(**args)
    close(np.array(got), np.array(expected))
    if not len(args["developing"]):
        assert np.isnan(got[2]) and np.isnan(got[4])


def test_equity_takes_rounding_between_harm_and_shadow_harm_for_no_benefit():
    """A state neither helped nor burdened nets nothing, whichever way its harm and its
    shadow harm were rounded (PAPER.md#C16): equity is then 1, not the Gini of noise;
    one state helped among six others gives ``1 - gini`` of one share in seven.
    """
    n = 7
    shadow = np.linspace(1.0, 9.0, n)
    ulps = np.array([-3, 2, 0, 5, -1, 4, 1])  # harm a few units in the last place away
    harm = shadow + ulps * np.spacing(shadow)
    args = {
        "voice_sum": np.zeros(n),
        "n_voiced": 0,
        "benefit_sum": np.zeros(n),
        "exposure_sum": np.ones(n),
        "shadow_state": shadow,
        "harm_state": harm,
        "cost_state": np.zeros(n),
        "kept_sum": np.zeros(n),
        "kept_count": np.zeros(n),
        "voice_weight": 0.5,
        "developing": np.arange(0),
        "power": np.full(n, 1 / n),
        "seats": np.zeros(n),
        "bandwidth": np.full(n, 2.0),
    }
    assert np.any(shadow - harm > 0)  # without the tolerance, a Gini of rounding noise
    assert kernels.state_metrics(**args)[5] == 1.0
    harm[0] = shadow[0] - 1.0  # the first state is spared one unit of harm
    assert kernels.state_metrics(**args)[5] == pytest.approx(1 - (n - 1) / n)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 60), zeros=st.floats(0.0, 1.0), seed=SEEDS)
@example(n=0, zeros=0.0, seed=0)
@example(n=7, zeros=1.0, seed=0)
@example(n=1, zeros=0.0, seed=0)
def test_gini_equals_the_numpy_statement_of_inequality(n, zeros, seed):
    """Equity is ``1 - gini`` of net benefit (PAPER.md#C16): 0 for no values and for
    values that are all 0.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, n) ** 3 * rng.uniform(0.0, 10.0)
    x[rng.uniform(size=n) < zeros] = 0.0
    got = kernels.gini(x)
    close(got, gini_reference(x))
    if not x.any():
        assert got == 0.0


@settings(max_examples=60, deadline=None)
@given(
    forums=st.integers(0, 6),
    n=st.integers(0, 30),
    silent=st.floats(0.0, 1.0),
    seed=SEEDS,
)
@example(forums=0, n=10, silent=0.0, seed=0)
@example(forums=3, n=1, silent=0.0, seed=0)
@example(forums=3, n=10, silent=1.0, seed=0)
def test_forum_modularity_equals_the_numpy_statement_of_camp_modularity(forums, n, silent, seed):
    """Bloc modularity of the cooperation network over the three camps (PAPER.md#C8):
    0 with no forum, no state or no ties between two states.
    """
    rng = np.random.default_rng(seed)
    ties = rng.uniform(0.0, 1.0, (forums, n))
    ties[rng.uniform(size=(forums, n)) < silent] = 0.0
    indicator = np.eye(3)[rng.integers(0, 3, n)]
    close(kernels.forum_modularity(ties, indicator), modularity_reference(ties, indicator))
