"""Stable coalition sizes: the model's membership process against the analytic ones.

In a theory-mode world of ``N`` identical states facing one summation problem
(:func:`sim.world.identical_world`, :mod:`sim.payoffs`), the coalition regime's own
membership process (:mod:`sim.membership`, the code path of every simulation) must
settle where the international environmental agreements literature puts the stable
coalition: three members with Carraro and Siniscalco's payoffs whatever ``N``; with
Barrett's, a size that depends on ``gamma = c/b`` and ``N``. The analytic size here is
every ``k`` that is internally stable (``member(k) >= outsider(k-1)``) and externally
stable (``outsider(k) > member(k+1)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.model import MultilatModel
from sim.payoffs import THEORY_PAYOFFS
from sim.scenario import Scenario, build_scenario

#: N and gamma of the Barrett table (gamma over six orders of magnitude).
BARRETT_N = (10, 50, 100)
BARRETT_GAMMA = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
#: N and (b, c) of the Carraro-Siniscalco table.
CS_N = (3, 10, 50, 100)
CS_BC = ((1.0, 1.0), (2.0, 0.5))


def theory_scenario(kind: str, n_states: int, steps: int = 20, **payoffs: float) -> Scenario:
    """The theory-mode scenario of ``scenarios/theory_*.toml`` with ``N`` and payoffs."""
    data: dict[str, Any] = {
        "name": f"theory_{kind}",
        "regime": "coalition",
        "issue": "climate",
        "rivalry": 0.0,
        "steps": steps,
        "burn_in": 2,
        "world": {"kind": "identical", "n_states": n_states},
        "payoffs": {"kind": kind, **payoffs},
        "rules": {"coalition": {"invite_share": 1.0}},
    }
    return build_scenario(data)


def analytic_stable_sizes(kind: str, n_states: int, **payoffs: float) -> list[int]:
    """Every internally and externally stable coalition size ``k >= 1``."""
    model = THEORY_PAYOFFS[kind](n=n_states, **payoffs)
    sizes = []
    for k in range(1, n_states + 1):
        internal = model.member(k) >= model.outsider(k - 1) - 1e-9 * abs(model.member(k))
        external = k == n_states or model.outsider(k) > model.member(k + 1) + 1e-9 * abs(
            model.outsider(k)
        )
        if internal and external:
            sizes.append(k)
    return sizes


def simulated_size(kind: str, n_states: int, seed: int = 0, **payoffs: float) -> float:
    """``coalition_size`` (mean members per agreement) of one theory-mode run."""
    model = MultilatModel(theory_scenario(kind, n_states, **payoffs), seed=seed)
    return model.run().summary()["coalition_size"]


@dataclass(frozen=True)
class CoalitionRow:
    """One (payoffs, N, parameters) case: analytic stable sizes and the model's."""

    kind: str
    n_states: int
    params: dict[str, float]
    analytic: list[int]
    simulated: float

    @property
    def gamma(self) -> float:
        """``c / b``."""
        return self.params["c"] / self.params["b"]

    @property
    def agrees(self) -> bool:
        """The model settles at a stable size."""
        return self.simulated in self.analytic

    def to_dict(self) -> dict[str, object]:
        """Plain data for ``--json``."""
        return {
            "payoffs": self.kind,
            "n_states": self.n_states,
            **self.params,
            "gamma": self.gamma,
            "analytic": self.analytic,
            "simulated": self.simulated,
            "agrees": self.agrees,
        }


def coalition_rows() -> list[CoalitionRow]:
    """The tables of docs/validation.md: Carraro-Siniscalco, then Barrett."""
    cases: list[tuple[str, int, dict[str, float]]] = [
        ("carraro_siniscalco", n, {"b": b, "c": c}) for n in CS_N for b, c in CS_BC
    ]
    cases += [
        ("barrett", n, {"a": 100.0, "b": 1.0, "c": gamma})
        for n in BARRETT_N
        for gamma in BARRETT_GAMMA
    ]
    return [
        CoalitionRow(
            kind,
            n,
            params,
            analytic_stable_sizes(kind, n, **params),
            simulated_size(kind, n, **params),
        )
        for kind, n, params in cases
    ]
