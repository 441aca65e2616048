"""A coalition's membership process: states join and leave until nobody wants to move.

The rule of every simulation (PAPER.md#C13; the stability notion of the international
environmental agreements literature): an eligible non-member joins when joining pays at
least as well as staying out, ``join_gain(k) >= 0``; a member leaves when leaving pays
strictly better, ``leave_gain(k) > 0``. States revise one at a time, in the order of
the candidates, until no state wants to move; the settled coalition is then internally
stable (no member gains by leaving) and externally stable (no outsider gains by
joining). Gains come from a payoff model (:mod:`sim.payoffs`).

When no state's gain depends on how many others are members
(``payoffs.size_dependent`` false, as for position margins), the order of moves cannot
change anyone's choice, so every mover moves at once: the same settled coalition in
one pass.
"""

from __future__ import annotations

import numpy as np

from sim.payoffs import Payoffs

#: Ties count as ties up to this relative tolerance (floating-point rounding of payoffs
#: that are equal in exact arithmetic, e.g. Carraro and Siniscalco's third member).
TIE_TOLERANCE = 1e-9


def _tolerance(gain: np.ndarray) -> float:
    return TIE_TOLERANCE * max(1.0, float(np.abs(gain).max(initial=0.0)))


def settle(
    payoffs: Payoffs,
    members: np.ndarray,
    eligible: np.ndarray,
    fixed: np.ndarray,
    max_moves: int | None = None,
) -> np.ndarray:
    """Run the membership process from ``members`` until nobody wants to move.

    Parameters
    ----------
    payoffs : Payoffs
        Gains of joining and leaving, per candidate (arrays aligned with ``members``).
    members : numpy.ndarray
        Boolean mask of the candidates who are members at the start.
    eligible : numpy.ndarray
        Candidates who may join (e.g. those with bandwidth left who do not oppose).
    fixed : numpy.ndarray
        Members who never leave (the lead state).
    max_moves : int, optional
        Bound on single moves (default: ``4 x`` the candidates); the process stops there
        if it cycles.

    Returns
    -------
    numpy.ndarray
        The settled membership mask.
    """
    members = members.copy()
    limit = 4 * len(members) + 4 if max_moves is None else max_moves
    for _ in range(limit):
        k = int(members.sum())
        join = payoffs.join_gain(k)
        leave = payoffs.leave_gain(k)
        joins = ~members & eligible & (join >= -_tolerance(join))
        leaves = members & ~fixed & (leave > _tolerance(leave))
        movers = joins | leaves
        if not movers.any():
            break
        if not payoffs.size_dependent:
            members ^= movers
            break
        members[int(np.argmax(movers))] ^= True
    return members
