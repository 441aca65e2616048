"""Stable coalitions of identical states (issue #3, point 2).

The coalition regime's own membership process (sim.membership.settle, the code path of
every simulation) must settle at the stable coalition size of the international
environmental agreements literature. The analytic sizes are computed here from the
closed forms, independently of sim.payoffs, and compared with ``coalition_size`` of
model runs (every agreement of the run settles at the same size).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli import app
from sim.membership import TIE_TOLERANCE, settle
from sim.model import MultilatModel
from sim.payoffs import Barrett, CarraroSiniscalco, PositionMargins
from sim.scenario import load_scenario
from sim.validation.coalitions import (
    BARRETT_GAMMA,
    BARRETT_N,
    analytic_stable_sizes,
    simulated_size,
    theory_scenario,
)

ROOT = Path(__file__).resolve().parents[2]


# --- the closed forms, written out here independently -----------------------------------


def barrett_payoffs(n: int, k: int, a: float, b: float, c: float) -> tuple[float, float]:
    """(signatory, non-signatory) payoff with k signatories as Stackelberg leaders.

    First-order conditions: an outsider sets (b/n)(a - Q) = c q_n; the signatories set
    (b/n)(a - Q) dQ/dq_s = c q_s with dQ/dq_s = k / (1 + (n-k) b/(c n)). Both abatements
    are proportional to a - Q, so Q = alpha (a - Q) with
    alpha = (b/(n c)) (k dQ/dq_s + n - k): solved here in that form, not in the form of
    sim.payoffs.
    """
    dq = k / (1 + (n - k) * b / (c * n))
    alpha = b / (n * c) * (k * dq + n - k)
    total = alpha * a / (1 + alpha)
    q_s = b / (n * c) * (a - total) * dq
    q_n = b / (n * c) * (a - total)
    benefit = (b / n) * (a * total - total * total / 2)
    return benefit - c * q_s * q_s / 2, benefit - c * q_n * q_n / 2


def barrett_stable_sizes(n: int, a: float, b: float, c: float) -> list[int]:
    sizes = []
    for k in range(1, n + 1):
        member_k, _ = barrett_payoffs(n, k, a, b, c)
        _, outsider_before = barrett_payoffs(n, k - 1, a, b, c)
        internal = member_k >= outsider_before - 1e-9 * abs(member_k)
        if k < n:
            member_after, _ = barrett_payoffs(n, k + 1, a, b, c)
            _, outsider_k = barrett_payoffs(n, k, a, b, c)
            external = outsider_k > member_after + 1e-9 * abs(outsider_k)
        else:
            external = True
        if internal and external:
            sizes.append(k)
    return sizes


def test_the_independent_closed_forms_agree_with_sim_payoffs():
    for n, k, c in ((10, 3, 0.1), (50, 10, 1.0), (100, 51, 0.01)):
        member, outsider = barrett_payoffs(n, k, 100.0, 1.0, c)
        model = Barrett(n=n, a=100.0, b=1.0, c=c)
        assert member == pytest.approx(model.member(k), rel=1e-9)
        assert outsider == pytest.approx(model.outsider(k), rel=1e-9)


# --- Carraro and Siniscalco: three members whatever N -----------------------------------


@pytest.mark.parametrize("n", [3, 5, 10, 50, 100])
@pytest.mark.parametrize("b,c", [(1.0, 1.0), (2.0, 0.5), (0.3, 7.0)])
def test_carraro_siniscalco_settles_at_three(n, b, c):
    assert simulated_size("carraro_siniscalco", n, b=b, c=c) == 3
    assert analytic_stable_sizes("carraro_siniscalco", n, b=b, c=c) == [3]


# --- Barrett: the stable size as a function of gamma = c/b ------------------------------


@pytest.mark.parametrize("n", BARRETT_N)
@pytest.mark.parametrize("gamma", BARRETT_GAMMA)
def test_barrett_stable_size(n, gamma):
    expected = barrett_stable_sizes(n, 100.0, 1.0, gamma)
    assert len(expected) == 1, expected  # a unique stable size on this grid
    assert analytic_stable_sizes("barrett", n, a=100.0, b=1.0, c=gamma) == expected
    assert simulated_size("barrett", n, a=100.0, b=1.0, c=gamma) == expected[0]


def test_barrett_sizes_span_the_range():
    """Large coalitions only where cooperation gains little (small gamma), and vice versa."""
    sizes = [barrett_stable_sizes(100, 100.0, 1.0, g)[0] for g in BARRETT_GAMMA]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] > 50 and sizes[-1] == 2


def test_the_size_does_not_depend_on_the_seed_or_on_b_alone():
    for seed in (1, 2):
        assert simulated_size("barrett", 50, seed=seed, a=100.0, b=1.0, c=0.1) == 10
    # only gamma = c/b matters for the size
    assert simulated_size("barrett", 50, a=100.0, b=4.0, c=0.4) == 10


def test_every_agreement_settles_at_the_stable_size():
    model = MultilatModel(theory_scenario("barrett", 50, a=100.0, b=1.0, c=0.1), seed=3)
    model.run()
    sizes = model.metrics_frame()["coalition_size"].dropna()
    assert len(sizes) > 10 and (sizes == 10).all()


# --- the scenario files and the command line --------------------------------------------


@pytest.mark.parametrize(
    "name,kind,expected",
    [("theory_cs", "carraro_siniscalco", 3), ("theory_barrett", "barrett", 10)],
)
def test_theory_scenario_files_report_the_stable_size(name, kind, expected, tmp_path):
    path = ROOT / "scenarios" / f"{name}.toml"
    scenario = load_scenario(path)
    assert scenario.world.kind == "identical" and scenario.payoffs.kind == kind
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["coalition_size"] == expected == summary["coalition_size_final"]
    # the package's theory_scenario is the file's scenario
    params = scenario.payoffs.params()
    built = theory_scenario(kind, scenario.world.n_states, steps=scenario.steps, **params)
    assert built.model_dump(exclude={"name"}) == scenario.model_dump(exclude={"name"})


def test_bad_payoff_keys_are_one_line_errors(tmp_path):
    path = ROOT / "scenarios" / "theory_cs.toml"
    for args, needle in (
        (["--set", "payoffs.a=3"], "take b and c, not a"),
        (["--set", "payoffs.c=0"], "payoffs.c"),
        (["--set", "payoffs.kind='nash'"], "payoffs.kind"),
        (["--set", "world.n_great_powers=3"], "does not take n_great_powers"),
    ):
        result = CliRunner().invoke(app, ["run", str(path), *args])
        assert result.exit_code == 2, (args, result.output)
        assert needle in result.output, (args, result.output)


# --- the membership process itself ------------------------------------------------------


class Tabulated:
    """Size-dependent payoffs of identical states from tables (for property tests)."""

    size_dependent = True

    def __init__(self, member: list[float], outsider: list[float]) -> None:
        self.m, self.o = member, outsider  # index k = 0..n

    def join_gain(self, k: int) -> np.ndarray:
        return np.asarray(self.m[k + 1] - self.o[k]) if k + 1 < len(self.m) else np.asarray(-1.0)

    def leave_gain(self, k: int) -> np.ndarray:
        return np.asarray(self.o[k - 1] - self.m[k]) if k >= 1 else np.asarray(-1.0)


def _tables(n: int):
    values = st.lists(st.floats(-10, 10), min_size=n + 1, max_size=n + 1)
    return st.tuples(values, values)


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 12).flatmap(_tables))
def test_a_settled_coalition_is_internally_and_externally_stable(tables):
    """Whatever the payoffs, the process stops at a stable size within n moves.

    For identical states leaving a coalition of k+1 gains exactly what joining one of k
    loses, so the process only ever moves one way and cannot cycle.
    """
    member, outsider = tables
    n = len(member) - 1
    lead = np.zeros(n, dtype=bool)
    lead[0] = True
    settled = settle(Tabulated(member, outsider), lead, np.ones(n, bool), lead, max_moves=n)
    k = int(settled.sum())
    assert settled[0]  # the lead never leaves

    def tol(gain: float) -> float:
        return TIE_TOLERANCE * max(1.0, abs(gain))

    if k < n:
        join = member[k + 1] - outsider[k]
        assert join < -tol(join), (k, "an outsider still gains by joining")
    if k > 1:
        leave = outsider[k - 1] - member[k]
        assert leave <= tol(leave), (k, "a member still gains by leaving")


def test_position_margins_settle_in_one_pass_to_those_who_accept():
    margin = np.array([0.0, 0.2, -0.1, 0.05, -0.3])
    lead = np.array([True, False, False, False, False])
    eligible = np.array([True, True, True, False, True])
    settled = settle(PositionMargins(margin), lead, eligible, lead)
    assert settled.tolist() == [True, True, False, False, False]
    # a member whose margin turned negative leaves; the lead stays
    members = np.array([True, True, True, False, False])
    settled = settle(PositionMargins(margin - 0.25), members, eligible, lead)
    assert settled.tolist() == [True, False, False, False, False]


def test_carraro_siniscalco_gains_are_the_textbook_ones():
    cs = CarraroSiniscalco(n=10, b=1.0, c=1.0)
    # member(k) - outsider(k-1) = -(b^2/2c)(k-1)(k-3)
    for k in range(1, 10):
        assert cs.member(k) - cs.outsider(k - 1) == pytest.approx(-(k - 1) * (k - 3) / 2)
