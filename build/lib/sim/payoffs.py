"""What joining a coalition pays: the payoff models its membership process compares.

A coalition's membership process (:mod:`sim.membership`) lets a state join when joining
pays at least as well as staying out and leave when leaving pays strictly better
(PAPER.md#C13: the mission determines the coalition). It reads the gains of a move from
a payoff model:

* :class:`PositionMargins`, in every ordinary simulation: a state's payoff from joining
  is its position margin, the ambition it accepts (which already weighs its exposure,
  its share of the burden, its trust in the lead and rivalry; :mod:`sim.positions`) less
  what the lead's mandate asks of it. The margin does not depend on how many others
  join.
* :class:`CarraroSiniscalco` and :class:`Barrett`, the theory mode of the international
  environmental agreements literature (``[payoffs]`` in a scenario, with a world of
  identical states): ``N`` identical states abate ``q_i`` of one summation problem with
  linear (Carraro and Siniscalco 1993) or quadratic (Barrett 1994) benefits of total
  abatement ``Q`` and quadratic costs; signatories choose their abatement jointly, to
  maximise the coalition's payoff, outsiders each their own. The payoffs are those of
  the equilibrium abatements for a coalition of ``k``; the stable size then follows from
  the membership process, not from these formulas.

References
----------
Carraro, C. and Siniscalco, D. (1993). Strategies for the international protection of
the environment. *Journal of Public Economics* 52(3), 309-328.
Barrett, S. (1994). Self-enforcing international environmental agreements. *Oxford
Economic Papers* 46, 878-894.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np


class Payoffs(Protocol):
    """Gains of joining and of leaving a coalition of ``k`` members.

    Each gain is an array over the candidate states, or a 0-d array when every state
    gains alike.
    """

    #: whether a state's gains depend on how many others are members
    size_dependent: ClassVar[bool]

    def join_gain(self, k: int) -> np.ndarray:
        """Payoff as the ``k+1``-th member minus payoff outside a coalition of ``k``."""
        ...

    def leave_gain(self, k: int) -> np.ndarray:
        """Payoff outside a coalition of ``k-1`` minus payoff as one of its ``k`` members."""
        ...


@dataclass(frozen=True)
class PositionMargins:
    """Ordinary simulations: the gain of joining is the state's position margin.

    ``margin[i] = accepted_ambition[i] - accept_ratio * mandate``: a state accepts a
    mandate close enough to the ambition it accepts itself (PAPER.md#C13).
    """

    margin: np.ndarray
    size_dependent: ClassVar[bool] = False

    def join_gain(self, k: int) -> np.ndarray:
        """The margin, whatever the coalition's size."""
        return self.margin

    def leave_gain(self, k: int) -> np.ndarray:
        """Minus the margin, whatever the coalition's size."""
        return -self.margin


@dataclass(frozen=True)
class _IdenticalStates:
    """Payoffs of ``n`` identical states; subclasses give the equilibrium of size ``k``."""

    n: int
    size_dependent: ClassVar[bool] = True

    def member(self, k: int) -> float:
        """Payoff of each signatory when the coalition has ``k`` members."""
        raise NotImplementedError

    def outsider(self, k: int) -> float:
        """Payoff of each non-signatory when the coalition has ``k`` members."""
        raise NotImplementedError

    def join_gain(self, k: int) -> np.ndarray:
        """``member(k+1) - outsider(k)``, the same for every state (a 0-d array)."""
        return np.asarray(self.member(k + 1) - self.outsider(k))

    def leave_gain(self, k: int) -> np.ndarray:
        """``outsider(k-1) - member(k)``, the same for every state (a 0-d array)."""
        return np.asarray(self.outsider(k - 1) - self.member(k))


@dataclass(frozen=True)
class CarraroSiniscalco(_IdenticalStates):
    """``pi_i = b Q - (c/2) q_i**2``: linear benefits, quadratic costs.

    An outsider abates ``b/c`` whatever others do; ``k`` signatories each abate ``k b/c``
    (each counts the benefit to all ``k``). So ``Q(k) = (k**2 + n - k) b/c``.
    """

    b: float = 1.0
    c: float = 1.0

    def _total(self, k: int) -> float:
        return (k * k + self.n - k) * self.b / self.c

    def member(self, k: int) -> float:
        """``b Q(k) - (c/2) (k b/c)**2``."""
        return self.b * self._total(k) - self.c / 2 * (k * self.b / self.c) ** 2

    def outsider(self, k: int) -> float:
        """``b Q(k) - (c/2) (b/c)**2``."""
        return self.b * self._total(k) - self.c / 2 * (self.b / self.c) ** 2


@dataclass(frozen=True)
class Barrett(_IdenticalStates):
    """Barrett (1994): ``B_i = (b/n)(a Q - Q**2/2)``, ``C_i = c q_i**2 / 2``.

    Outsiders best-respond, ``q_n = (a - Q) / (gamma n)`` with ``gamma = c/b``; the ``k``
    signatories are Stackelberg leaders that choose a common ``q_s`` anticipating those
    responses. With ``lam = (n-k) / (gamma n)`` and ``th = k / (gamma n (1 + lam))``,
    ``D = 1 + lam + k th``: ``q_s = a th / D``, ``q_n = a / (gamma n D)`` and
    ``Q = a (k th + lam) / D``. With ``k = 0`` every state is an outsider (the Nash
    equilibrium).
    """

    a: float = 100.0
    b: float = 1.0
    c: float = 1.0

    def _abatement(self, k: int) -> tuple[float, float, float]:
        gamma, n = self.c / self.b, self.n
        lam = (n - k) / (gamma * n)
        th = k / (gamma * n * (1 + lam))
        d = 1 + lam + k * th
        return self.a * th / d, self.a / (gamma * n * d), self.a * (k * th + lam) / d

    def _benefit(self, total: float) -> float:
        return self.b / self.n * (self.a * total - total * total / 2)

    def member(self, k: int) -> float:
        """Each signatory's benefit less its cost ``c q_s**2 / 2``."""
        q_s, _, total = self._abatement(k)
        return self._benefit(total) - self.c * q_s * q_s / 2

    def outsider(self, k: int) -> float:
        """Each outsider's benefit less its cost ``c q_n**2 / 2``."""
        _, q_n, total = self._abatement(k)
        return self._benefit(total) - self.c * q_n * q_n / 2


#: Payoff models of the theory mode, by the name a scenario's ``[payoffs] model`` gives.
THEORY_PAYOFFS: dict[str, type[_IdenticalStates]] = {
    "carraro_siniscalco": CarraroSiniscalco,
    "barrett": Barrett,
}


def make_payoffs(spec: Any, n_states: int) -> Payoffs | None:
    """The theory payoffs a scenario's ``[payoffs]`` table names (None without one)."""
    if spec is None:
        return None
    return THEORY_PAYOFFS[spec.kind](n=n_states, **spec.params())
