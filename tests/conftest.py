"""Shared helpers: hand-built small worlds, quiet models and scripted positions.

Hand-worked tests follow Axelrod's ``versus_test`` with a ``MockPlayer``: a world of a
few states whose outcome can be worked out on paper, and, where a test is about a rule
rather than about how positions form, *scripted* positions that replace
:func:`sim.positions.take_positions` (the regime's forum then decides on ambitions the
test sets).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st

import sim.positions
import sim.regimes
from sim.issues import ISSUE_NAMES
from sim.model import MultilatModel
from sim.positions import Positions, choose_proposer, upper_quartile
from sim.problems import Problem
from sim.world import DEMOCRACY, REGIONS, World

ArrayLike = Sequence[float] | np.ndarray | float

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``python -m sim ARGS`` in a real process: exit code and output as a user meets them
    (``python -m sim`` starts as the ``multilat`` console script does: :mod:`sim.entry`).
    """  # noqa: D205
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "100"},
        timeout=120,
        check=False,
    )


def _column(value: ArrayLike | None, n: int, default: Any, dtype: Any = float) -> np.ndarray:
    if value is None:
        value = default
    arr = np.asarray(value, dtype=dtype)
    if arr.ndim == 0:
        arr = np.full(n, arr, dtype=dtype)
    if arr.shape != (n,):
        raise ValueError(f"expected {n} values, got shape {arr.shape}")
    return arr


def make_world(
    n: int,
    *,
    kind: ArrayLike | None = None,
    power: ArrayLike | None = None,
    population: ArrayLike | None = None,
    democracy: ArrayLike | None = None,
    alignment: ArrayLike | None = None,
    revisionist: ArrayLike | None = None,
    exposure: dict[str, ArrayLike] | None = None,
    exposure_default: float = 0.5,
    bandwidth: ArrayLike | None = None,
    region: ArrayLike | None = None,
    permanent: ArrayLike | None = None,
    emissions: ArrayLike | None = None,
) -> World:
    """A hand-built world of ``n`` states (ids ``H0``, ``H1``...).

    Defaults: Western democracies of equal power and population, democracy 0.9,
    alignment 0.8, exposure ``exposure_default`` on every issue, ample bandwidth (10),
    all in WEOG, no permanent members; emissions follow power. ``exposure`` sets whole
    issue columns by issue name. Power, population and emissions are normalised to sum 1.
    """
    power_arr = _column(power, n, 1.0)
    pop_arr = _column(population, n, 1.0)
    expo = np.full((n, len(ISSUE_NAMES)), float(exposure_default))
    for name, col in (exposure or {}).items():
        expo[:, ISSUE_NAMES.index(name)] = _column(col, n, 0.0)
    world = World(
        ids=[f"H{i}" for i in range(n)],
        names=[f"Hand {i}" for i in range(n)],
        kind=_column(kind, n, DEMOCRACY, int),
        power=power_arr / power_arr.sum(),
        population=pop_arr / pop_arr.sum(),
        democracy=_column(democracy, n, 0.9),
        alignment=_column(alignment, n, 0.8),
        revisionist=_column(revisionist, n, False, bool),
        exposure=expo,
        bandwidth=_column(bandwidth, n, 10.0),
        region=_column(region, n, REGIONS.index("weog"), int),
        permanent=_column(permanent, n, False, bool),
    )
    if emissions is not None:
        em = _column(emissions, n, 0.0)
        world.emissions = em / em.sum()
    return world


#: Overrides that make a hand-built model deterministic in what the tests look at: no
#: random arrivals (problems are added by hand) and no behaviour noise.
QUIET: dict[str, Any] = {
    "problems.arrival_rate": 0.0,
    "behaviour.position_noise": 0.0,
    "behaviour.compliance_noise": 0.0,
}


def make_model(
    world: World, regime: str, *, rivalry: float = 0.0, seed: int = 0, **overrides: Any
) -> MultilatModel:
    """A model on a hand-built world with :data:`QUIET` overrides (then ``overrides``)."""
    return MultilatModel(
        world=world,
        regime=regime,
        rivalry=rivalry,
        seed=seed,
        steps=50,
        burn_in=0,
        **{**QUIET, **overrides},
    )


def add_problem(model: MultilatModel, issue: str, party: int = -1) -> Problem:
    """Add one problem of ``issue`` (against ``party``, -1 for none) arriving now."""
    problem = model.stream.new(model.t, issue=issue, party=party)
    model.problems.append(problem)
    return problem


def step_until_attempt(model: MultilatModel, problem: Problem, max_steps: int = 12) -> int:
    """Step the model until ``problem`` has had its first decision attempt.

    Returns the step at which it was attempted (whatever the regime's deliberation
    delay is).
    """
    for _ in range(max_steps):
        before = problem.attempts
        step = model.t
        model.step()
        if problem.attempts > before:
            return step
    raise AssertionError(f"{problem.name} was never attempted in {max_steps} steps")


def votes_of(model: MultilatModel, problem: Problem) -> dict[str, str]:
    """The votes cast on ``problem`` at its last attempt: ``{state id: letter}``."""
    df = model.votes_frame()
    df = df[df["problem"] == problem.name]
    last = df[df["step"] == df["step"].max()]
    return dict(zip(last["iso3"], last["vote"], strict=True))


# --------------------------------------------------------------------- scripted positions


class Script:
    """Scripted positions: the ambition and opposition of every state, set by a test.

    ``calls`` records the candidates (state indices) each position call was asked for.
    """

    def __init__(self) -> None:
        self.ambition: np.ndarray | None = None
        self.oppose: np.ndarray | None = None
        self.calls: list[np.ndarray] = []

    def set(self, ambition: ArrayLike, oppose: ArrayLike | None = None) -> None:
        amb = np.asarray(ambition, dtype=float)
        self.ambition = amb
        self.oppose = _column(oppose, len(amb), False, bool)

    def take_positions(
        self,
        world: World,
        trust: Any,
        behaviour: Any,
        rivalry: float,
        rng: np.random.Generator,
        problem: Problem,
        candidates: np.ndarray,
        proposer: int | None = None,
        *,
        deliberate: bool = True,
    ) -> Positions:
        """Scripted positions: final whatever ``deliberate`` says (no deliberation)."""
        assert self.ambition is not None, "script.set(...) was not called"
        assert self.oppose is not None
        candidates = np.asarray(candidates)
        self.calls.append(candidates.copy())
        if proposer is None:
            proposer = choose_proposer(problem, candidates)
        a = self.ambition[candidates].copy()
        return Positions(
            states=candidates,
            ambition=a,
            oppose=self.oppose[candidates].copy(),
            proposer=proposer,
            demand=upper_quartile(a),
        )


def _modules_using_take_positions() -> list[Any]:
    mods = [sim.positions]
    for info in pkgutil.iter_modules(sim.regimes.__path__, "sim.regimes."):
        mod = importlib.import_module(info.name)
        if hasattr(mod, "take_positions"):
            mods.append(mod)
    return mods


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch) -> Script:
    """Replace ``take_positions`` everywhere a regime module uses it by a script."""
    s = Script()
    for mod in _modules_using_take_positions():
        monkeypatch.setattr(mod, "take_positions", s.take_positions)
    return s


def positions(
    ambition: ArrayLike, oppose: ArrayLike | None = None, states: ArrayLike | None = None
) -> Positions:
    """Hand-built :class:`~sim.positions.Positions` (states 0..n-1 by default)."""
    amb = np.asarray(ambition, dtype=float)
    n = len(amb)
    return Positions(
        states=np.arange(n) if states is None else np.asarray(states, dtype=int),
        ambition=amb,
        oppose=_column(oppose, n, False, bool),
        proposer=0,
    )


@st.composite
def world_params(
    draw,
    max_states: int = 120,
    max_powers: int = 12,
    min_states: int = 3,
    skew: tuple[float, float] = (0.2, 10.0),
) -> dict:
    """Valid synthetic-world parameters: the first great power always leads the West,
    so the other roles fit in ``n_great_powers - 1``."""
    n = draw(st.integers(min_states, max_states))
    g = draw(st.integers(1, min(max_powers, n - 1)))
    rev = draw(st.integers(0, g - 1))
    nonal = draw(st.integers(0, g - 1 - rev))
    return {
        "n_states": n,
        "n_great_powers": g,
        "democracy_share": draw(st.floats(0, 1)),
        "great_power_share": draw(st.floats(0.05, 0.95)),
        "power_skew": draw(st.floats(*skew)),
        "nonaligned_share": draw(st.floats(0, 1)),
        "revisionist_powers": rev,
        "nonaligned_powers": nonal,
    }
