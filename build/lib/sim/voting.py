"""Voting power in weighted voting games ``[q; w_1, ..., w_n]``.

The decision rules of the model are voting games: the Security Council (nine votes
including all five permanent members, PAPER.md#C2), the General Assembly's two-thirds
rule (PAPER.md#C1) and the consensus (unanimity) of a concert (PAPER.md#C11). A
coalition wins when the sum of its members' weights reaches the quota ``q``. The
``voice`` part of a regime's legitimacy uses the power indices computed here: the
normalised Shapley-Shubik index (:func:`shapley_shubik`) and the normalised Banzhaf
index (:func:`banzhaf`).

Exact method
------------
Every weight and the quota are read as exact rationals (a float is taken at its exact
binary value, so ``0.1`` is ``3602879701896397 / 2**55``) and scaled by the least common
multiple of the denominators to integers; a coalition wins iff its integer weight is at
least ``Q = ceil(q * L)``. A dynamic programme (a generating function in the number of
members ``k`` and the total weight ``s``) then counts the coalitions of *all* players
that lose, ``c[s, k]`` for ``s < Q``, kept as a sorted table of the reachable sums only.
This holds at most ``min(Q, 2**n)`` rows of ``n + 1`` counts, and building it costs
``n`` merges of that table; it never enumerates orderings or coalitions.

Players with the same weight form a *class*, and all members of a class have the same
power, so the index is computed once per class: removing one member of weight ``w``
divides the generating function by ``(1 + y x**w)``, which gives the coalitions of the
other players as an alternating series ``e[s, k] = sum_t (-1)**t c[s - t*w, k - t]``.
A member is a swing for a losing coalition ``S`` of the others iff
``Q - w <= s < Q``, and summing the series over that window needs only prefix sums of
``c``. Counting is exact (``int64`` while ``n <= 56``, Python integers above) and the
indices are exact fractions, converted to ``float`` at the end. So
``shapley_shubik([1] * 193, 129)`` costs a table of 129 sums and one class.

Sampling method
---------------
When the table would exceed :data:`EXACT_CELL_LIMIT` cells (rows times ``n + 1``), as
with many players of distinct, non-integer weights, ``method="auto"`` estimates the
indices by Monte Carlo with the given ``numpy.random.Generator`` (which is then
required): uniformly random orderings for Shapley-Shubik (the share of orderings in
which each player is pivotal) and uniformly random coalitions for Banzhaf (each
sampled coalition ``T`` counts a swing for player ``i`` when ``T`` without ``i`` loses
and with ``i`` wins, so every draw informs every player; the counts are normalised).
The standard error is at most ``0.5 / sqrt(samples)`` per Shapley-Shubik value.
``method="sample"`` forces sampling and ``method="exact"`` forces exact counting
without a size limit. The global ``random`` and ``numpy.random`` states are never used.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import numpy as np

__all__ = [
    "EXACT_CELL_LIMIT",
    "Method",
    "banzhaf",
    "council_game",
    "shapley_shubik",
]

Method = Literal["auto", "exact", "sample"]

#: Largest DP table (reachable losing sums times ``n + 1``) counted exactly when
#: ``method="auto"``; above it the indices are sampled.
EXACT_CELL_LIMIT = 4_000_000

_INT64_MAX_PLAYERS = 56  # (n + 1) * 2**n < 2**63: counts and partial sums fit int64
_INT64_SAFE = 2**62
_SAMPLE_BATCH_CELLS = 1_000_000
_METHODS = ("auto", "exact", "sample")


class _TooLargeError(Exception):
    """The exact table would exceed the cell limit."""


# --------------------------------------------------------------------------- input


def _as_fraction(value: object, what: str) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Integral):
        return Fraction(int(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{what} must be finite, got {value!r}")
        return Fraction(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        if not math.isfinite(f):
            raise ValueError(f"{what} must be finite, got {value!r}")
        return Fraction(f)
    raise ValueError(f"{what} must be a real number, got {value!r}")


def _scaled_game(weights: Sequence[float], quota: float) -> tuple[list[int], int]:
    """Validate and return integer weights and the integer quota of the same game."""
    if isinstance(weights, str | bytes) or not isinstance(weights, Sequence | np.ndarray):
        raise ValueError(f"weights must be a sequence of numbers, got {weights!r}")
    if len(weights) == 0:
        raise ValueError(f"weights must not be empty, got {list(weights)!r}")
    fw = [_as_fraction(w, f"weights[{i}]") for i, w in enumerate(weights)]
    for i, w in enumerate(fw):
        if w < 0:
            raise ValueError(f"weights must be non-negative, got weights[{i}] = {weights[i]!r}")
    fq = _as_fraction(quota, "quota")
    if fq <= 0:
        raise ValueError(f"quota must be > 0, got {quota!r}")
    total = sum(fw, Fraction(0))
    if fq > total:
        raise ValueError(
            f"quota must not exceed the sum of the weights ({float(total):g}), got {quota!r}"
        )
    scale = math.lcm(*(w.denominator for w in fw), fq.denominator)
    iw = [int(w * scale) for w in fw]
    iq = math.ceil(fq * scale)
    return iw, iq


def _check_options(method: str, rng: object, samples: int) -> None:
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator or None, got {rng!r}")
    if isinstance(samples, bool) or not isinstance(samples, numbers.Integral) or samples < 1:
        raise ValueError(f"samples must be a positive integer, got {samples!r}")


# --------------------------------------------------------------------------- exact


def _classes(weights: list[int]) -> dict[int, list[int]]:
    """Map each distinct weight to the indices of the players holding it."""
    out: dict[int, list[int]] = {}
    for i, w in enumerate(weights):
        out.setdefault(w, []).append(i)
    return out


def _losing_table(
    weights: list[int], quota: int, cell_limit: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Count the losing coalitions of all players by total weight and size.

    Returns the sorted reachable sums ``s < quota`` and ``counts[row, k]``, the number
    of coalitions with that sum and ``k`` members. Raises `_TooLargeError` when the
    table would exceed ``cell_limit`` cells.
    """
    n = len(weights)
    count_dtype = np.int64 if n <= _INT64_MAX_PLAYERS else object
    sum_dtype = np.int64 if sum(weights) < _INT64_SAFE else object
    sums = np.zeros(1, dtype=sum_dtype)
    counts = np.zeros((1, n + 1), dtype=count_dtype)
    counts[0, 0] = 1
    # Heavy players first keeps the table small for longer; the result does not depend
    # on the order.
    for w in sorted(weights, reverse=True):
        if w >= quota:  # every coalition holding this player wins: nothing below quota
            continue
        shifted = sums + w
        keep = shifted < quota
        if not keep.any():
            continue
        new_sums = shifted[keep]
        new_rows = counts[keep]
        merged = np.union1d(sums, new_sums)
        if cell_limit is not None and len(merged) * (n + 1) > cell_limit:
            raise _TooLargeError
        table = np.zeros((len(merged), n + 1), dtype=count_dtype)
        table[np.searchsorted(merged, sums)] += counts
        table[np.searchsorted(merged, new_sums), 1:] += new_rows[:, :-1]
        sums, counts = merged, table
    return sums, counts


def _swing_counts(weights: list[int], quota: int, cell_limit: int | None) -> dict[int, list[int]]:
    """For each distinct positive weight ``w``, swings of one such player by size.

    ``result[w][k]`` is the number of coalitions ``S`` of the *other* players with
    ``|S| = k`` that lose while ``S`` plus the player wins.
    """
    n = len(weights)
    sums, counts = _losing_table(weights, quota, cell_limit)
    prefix = np.zeros((len(sums) + 1, n + 1), dtype=counts.dtype)
    np.cumsum(counts, axis=0, out=prefix[1:])
    out: dict[int, list[int]] = {}
    for w in _classes(weights):
        if w == 0:
            continue
        lo = max(quota - w, 0)
        acc = np.zeros(n + 1, dtype=object)
        t = 0
        # e[s, k] = sum_t (-1)^t c[s - t w, k - t]; summed over s in [lo, quota).
        while t < n and quota - t * w > 0:
            a = int(np.searchsorted(sums, lo - t * w, side="left"))
            b = int(np.searchsorted(sums, quota - t * w, side="left"))
            if b > a:
                block = (prefix[b] - prefix[a]).astype(object)
                sign = 1 if t % 2 == 0 else -1
                acc[t:] += sign * block[: n + 1 - t]
            t += 1
        swings = [int(x) for x in acc[:n]]
        if any(x < 0 for x in swings):  # pragma: no cover - an invariant of the series
            raise AssertionError(f"negative swing count for weight {w}: {swings}")
        out[w] = swings
    return out


def _exact_shapley_shubik(weights: list[int], quota: int, cell_limit: int | None) -> list[float]:
    n = len(weights)
    fact = [math.factorial(k) for k in range(n + 1)]
    by_class = _swing_counts(weights, quota, cell_limit)
    power = {
        w: Fraction(sum(c * fact[k] * fact[n - 1 - k] for k, c in enumerate(sw)), fact[n])
        for w, sw in by_class.items()
    }
    return [float(power.get(w, Fraction(0))) for w in weights]


def _exact_banzhaf(weights: list[int], quota: int, cell_limit: int | None) -> list[float]:
    by_class = _swing_counts(weights, quota, cell_limit)
    raw = {w: sum(sw) for w, sw in by_class.items()}
    total = sum(raw.get(w, 0) for w in weights)
    return [float(Fraction(raw.get(w, 0), total)) for w in weights]


# --------------------------------------------------------------------------- sampling


def _sample_arrays(weights: list[int]) -> np.ndarray:
    dtype = np.int64 if sum(weights) < _INT64_SAFE else object
    return np.array(weights, dtype=dtype)


def _batches(samples: int, n: int) -> list[int]:
    size = max(1, _SAMPLE_BATCH_CELLS // n)
    full, rest = divmod(samples, size)
    return [size] * full + ([rest] if rest else [])


def _sampled_shapley_shubik(
    weights: list[int], quota: int, rng: np.random.Generator, samples: int
) -> list[float]:
    n = len(weights)
    w = _sample_arrays(weights)
    pivots = np.zeros(n, dtype=np.int64)
    for b in _batches(samples, n):
        order = rng.permuted(np.tile(np.arange(n), (b, 1)), axis=1)
        reached = np.cumsum(w[order], axis=1) >= quota
        pos = np.argmax(reached, axis=1)  # the grand coalition wins, so always found
        pivots += np.bincount(order[np.arange(b), pos], minlength=n)
    return [float(x) / samples for x in pivots]


def _sampled_banzhaf(
    weights: list[int], quota: int, rng: np.random.Generator, samples: int
) -> list[float]:
    n = len(weights)
    w = _sample_arrays(weights)
    swings = np.zeros(n, dtype=np.int64)
    for b in _batches(samples, n):
        member = rng.random((b, n)) < 0.5
        held = np.where(member, w, 0)
        total = held.sum(axis=1)
        others = total[:, None] - held  # weight of the coalition without player i
        swing = (others < quota) & (others + w >= quota)
        swings += swing.sum(axis=0).astype(np.int64)
    grand = int(swings.sum())
    if grand == 0:
        raise ValueError(f"no swing observed in {samples} sampled coalitions; raise samples")
    return [float(x) / grand for x in swings]


# --------------------------------------------------------------------------- public


def _compute(
    index: Literal["ss", "bz"],
    weights: Sequence[float],
    quota: float,
    rng: np.random.Generator | None,
    samples: int,
    method: Method,
) -> list[float]:
    _check_options(method, rng, samples)
    iw, iq = _scaled_game(weights, quota)
    exact = _exact_shapley_shubik if index == "ss" else _exact_banzhaf
    sampled = _sampled_shapley_shubik if index == "ss" else _sampled_banzhaf
    if method == "exact":
        return exact(iw, iq, None)
    if method == "auto":
        try:
            return exact(iw, iq, EXACT_CELL_LIMIT)
        except _TooLargeError:
            if rng is None:
                raise ValueError(
                    f"game with {len(iw)} players and {len(_classes(iw))} distinct weights "
                    f"exceeds the exact limit ({EXACT_CELL_LIMIT} cells): pass rng="
                    "numpy.random.default_rng(seed) to sample, or method='exact'"
                ) from None
    if rng is None:
        raise ValueError("rng=None: sampling needs a numpy.random.Generator")
    return sampled(iw, iq, rng, int(samples))


def shapley_shubik(
    weights: Sequence[float],
    quota: float,
    *,
    rng: np.random.Generator | None = None,
    samples: int = 200_000,
    method: Method = "auto",
) -> list[float]:
    """Normalised Shapley-Shubik index of the weighted voting game ``[quota; weights]``.

    A player's index is the share of the ``n!`` orderings of the players in which it is
    pivotal: the coalition of the players before it loses and adding it makes it win.

    Parameters
    ----------
    weights : sequence of float
        Non-negative weights ``w_1..w_n`` (ints, floats, fractions or decimals).
    quota : float
        Weight a coalition needs to win, ``0 < quota <= sum(weights)``.
    rng : numpy.random.Generator, optional
        Random generator for the sampling method; required when the game is sampled.
    samples : int, default 200_000
        Number of random orderings drawn by the sampling method.
    method : {"auto", "exact", "sample"}, default "auto"
        ``"auto"`` counts exactly up to :data:`EXACT_CELL_LIMIT` and samples above it,
        ``"exact"`` always counts exactly and ``"sample"`` always samples.

    Returns
    -------
    list of float
        The index of each player, in the order of ``weights``; non-negative, sums to 1.

    Raises
    ------
    ValueError
        On empty or negative weights, a quota outside ``(0, sum(weights)]``, a bad
        ``method``, ``rng`` or ``samples``, or sampling without ``rng``.

    Examples
    --------
    >>> weights, quota = council_game()
    >>> round(shapley_shubik(weights, quota)[0], 5)
    0.19627
    >>> shapley_shubik([1] * 193, 129)[0] == 1 / 193
    True
    """
    return _compute("ss", weights, quota, rng, samples, method)


def banzhaf(
    weights: Sequence[float],
    quota: float,
    *,
    rng: np.random.Generator | None = None,
    samples: int = 200_000,
    method: Method = "auto",
) -> list[float]:
    """Normalised Banzhaf index of the weighted voting game ``[quota; weights]``.

    A player's raw Banzhaf score is the number of coalitions of the other players that
    lose without it and win with it (its swings); the normalised index divides each
    score by the sum over all players.

    Parameters
    ----------
    weights : sequence of float
        Non-negative weights ``w_1..w_n`` (ints, floats, fractions or decimals).
    quota : float
        Weight a coalition needs to win, ``0 < quota <= sum(weights)``.
    rng : numpy.random.Generator, optional
        Random generator for the sampling method; required when the game is sampled.
    samples : int, default 200_000
        Number of random coalitions drawn by the sampling method.
    method : {"auto", "exact", "sample"}, default "auto"
        ``"auto"`` counts exactly up to :data:`EXACT_CELL_LIMIT` and samples above it,
        ``"exact"`` always counts exactly and ``"sample"`` always samples.

    Returns
    -------
    list of float
        The index of each player, in the order of ``weights``; non-negative, sums to 1.

    Raises
    ------
    ValueError
        On empty or negative weights, a quota outside ``(0, sum(weights)]``, a bad
        ``method``, ``rng`` or ``samples``, or sampling without ``rng`` (or when no
        swing was sampled).

    Examples
    --------
    >>> weights, quota = council_game()
    >>> round(banzhaf(weights, quota)[0], 5)
    0.16693
    """
    return _compute("bz", weights, quota, rng, samples, method)


def council_game(
    n_permanent: int = 5, n_elected: int = 10, votes_needed: int = 9
) -> tuple[list[int], int]:
    """Weighted form of a Security-Council rule (PAPER.md#C2).

    A resolution passes with at least ``votes_needed`` yes votes including every
    permanent member (a veto each; abstention counts as no). Elected members weigh 1.
    With ``e = max(votes_needed - n_permanent, 0)`` elected votes needed, a permanent
    member weighs ``p = n_elected - e + 1`` and the quota is ``n_permanent * p + e``:
    all permanent members plus ``e`` elected reach it, while the other players without
    one permanent member reach at most ``quota - 1``. The standard council gives
    permanent weight 7 and quota 39.

    Parameters
    ----------
    n_permanent : int, default 5
        Permanent members, each with a veto.
    n_elected : int, default 10
        Elected members.
    votes_needed : int, default 9
        Yes votes needed, ``1 <= votes_needed <= n_permanent + n_elected``.

    Returns
    -------
    weights : list of int
        ``n_permanent`` permanent weights followed by ``n_elected`` ones.
    quota : int
        The quota.

    Raises
    ------
    ValueError
        On negative member counts, no members, or ``votes_needed`` out of range.
    """
    for name, value in (("n_permanent", n_permanent), ("n_elected", n_elected)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    members = n_permanent + n_elected
    if members == 0:
        raise ValueError("the council needs at least one member, got 0 permanent and 0 elected")
    if (
        isinstance(votes_needed, bool)
        or not isinstance(votes_needed, numbers.Integral)
        or not 1 <= votes_needed <= members
    ):
        raise ValueError(f"votes_needed must be an integer in [1, {members}], got {votes_needed!r}")
    elected_needed = max(int(votes_needed) - int(n_permanent), 0)
    permanent_weight = int(n_elected) - elected_needed + 1
    quota = int(n_permanent) * permanent_weight + elected_needed
    return [permanent_weight] * int(n_permanent) + [1] * int(n_elected), quota
