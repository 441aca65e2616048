"""Means with t-intervals: over seeds (``multilat validate``) and over runs (sweep results)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Confidence level of every interval in the validation tables.
LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean over seeds with its t-interval."""

    mean: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        if not math.isfinite(self.mean):
            return "n/a"
        if self.n < 2 or not math.isfinite(self.low):
            return f"{self.mean:.3f}"
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}]"

    def to_dict(self) -> dict[str, float | int | None]:
        """Plain numbers for JSON (NaN as None)."""

        def clean(x: float) -> float | None:
            return round(x, 6) if math.isfinite(x) else None

        return {
            "mean": clean(self.mean),
            "low": clean(self.low),
            "high": clean(self.high),
            "n": self.n,
        }


def fmt3(x: float) -> str:
    """``x`` with three decimals, without a minus on a value that rounds to zero."""
    text = f"{x:.3f}"
    return "0.000" if text == "-0.000" else text


def t_half_width(std: np.ndarray, n: np.ndarray, level: float = LEVEL) -> np.ndarray:
    """Half-width of the t-interval of a mean, ``t(level, n-1) x std / sqrt(n)``.

    Vectorised over groups; NaN where ``n < 2``.
    """
    std = np.asarray(std, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + level / 2, n - 1) * std / np.sqrt(n)
    return np.where(n >= 2, half, math.nan)


def estimate(values: np.ndarray, level: float = LEVEL) -> Estimate:
    """Mean and t-interval of ``values`` (NaNs, runs without the event, are left out)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return Estimate(mean, math.nan, math.nan, 1)
    half = float(t_half_width(x.std(ddof=1), n, level))
    return Estimate(mean, mean - half, mean + half, n)
