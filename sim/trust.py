"""Trust between states, kept over camps so that its cost grows linearly with states.

A dense state x state matrix costs O(N^2) per step (about 90% of a step at 2,000 states
in the feasibility prototype, DESIGN.md). Trust here is an *affinity table* between
groups (alignment bin x regime type) plus a per-state *reputation*:
``trust(i, j) = AFFINITY_WEIGHT * affinity[g_i, g_j] + (1 - AFFINITY_WEIGHT) * reputation[j]``.

* The seed affinity falls with the distance between camps, more so as rivalry rises
  (the alignment split scales with rivalry, DESIGN.md), and is higher between states of
  the same regime type (like-minded democracies: PAPER.md#C6).
* Reciprocity: co-signatories who kept their commitments raise the affinity between
  their groups and their own reputation; defection lowers them. Evidence from ``m``
  agreements at once moves trust as far as ``m`` single updates would (step
  ``1 - (1 - learning)^m``). It is computed with the agreements' compliance, in one
  compiled loop over their signatories (:func:`sim.kernels.agreements_step`).
* Trust reverts toward its seed each step; without reversion trust among rivals locks
  in near zero and the concert deadlocks even at low rivalry (DESIGN.md, prototype).
"""

from __future__ import annotations

import numpy as np

ALIGNMENT_BINS = 5
#: Weight of group affinity in trust, the rest on reputation (:attr:`Trust.affinity_weight`;
#: passed from there to the compiled loops of :mod:`sim.kernels`).
AFFINITY_WEIGHT = 0.7


class Trust:
    """Trust over camps: a group affinity table plus per-state reputation.

    Parameters
    ----------
    alignment, democracy : numpy.ndarray
        Per-state attributes of the world.
    rivalry : float
        Great-power rivalry, 0..1.
    learning : float
        Step size of reciprocity updates.
    reversion : float
        Share of the gap to the seed closed each step.
    """

    def __init__(
        self,
        alignment: np.ndarray,
        democracy: np.ndarray,
        rivalry: float,
        learning: float = 0.1,
        reversion: float = 0.05,
        like_minded: float = 0.2,
        rivalry_split: float = 0.6,
    ) -> None:
        abin = np.clip(((alignment + 1) / 2 * ALIGNMENT_BINS).astype(int), 0, ALIGNMENT_BINS - 1)
        dem = (democracy >= 0.5).astype(int)
        self.group = abin * 2 + dem
        n_groups = ALIGNMENT_BINS * 2
        centre = (np.arange(ALIGNMENT_BINS) + 0.5) / ALIGNMENT_BINS * 2 - 1
        g_align = np.repeat(centre, 2)
        g_dem = np.tile([0, 1], ALIGNMENT_BINS)
        dist = np.abs(g_align[:, None] - g_align[None, :]) / 2
        both_dem = (g_dem[:, None] == 1) & (g_dem[None, :] == 1)
        same = g_dem[:, None] == g_dem[None, :]
        seed = 0.5 - (0.2 + rivalry_split * rivalry) * dist + like_minded * both_dem + 0.05 * same
        self.seed = np.clip(seed, 0.05, 0.95)
        self.affinity = self.seed.copy()
        self.reputation = np.full(len(alignment), 0.5)
        self.learning = learning
        self.reversion = reversion
        #: the weight of affinity in trust, what every reader of trust uses
        self.affinity_weight = AFFINITY_WEIGHT
        self.n_groups = n_groups

    def group_counts(self, members: np.ndarray) -> np.ndarray:
        """Number of ``members`` (state indices) in each group."""
        return np.bincount(self.group[members], minlength=self.n_groups)

    def toward(self, states: np.ndarray, members: np.ndarray) -> np.ndarray:
        """Mean trust of each of ``states`` in the set ``members`` (indices).

        The plain statement of trust in a set, for notebooks and tests: the model's
        compiled loops compute the same (:func:`sim.kernels.agreements_step`), and
        ``tests/test_trust.py`` checks it pair by pair.
        """
        counts = self.group_counts(members)
        total = counts.sum()
        if total == 0:
            return np.full(len(states), 0.5)
        aff = self.affinity[self.group[states]] @ counts / total
        w = self.affinity_weight
        return w * aff + (1 - w) * self.reputation[members].mean()

    def among(self, members: np.ndarray) -> float:
        """Mean trust among ``members`` (indices), self-pairs included.

        The statement of what :func:`sim.kernels.deliberate` and
        :func:`sim.kernels.agreements_step` compute in their loops.
        """
        if len(members) == 0:
            return 0.0
        return self.among_groups(self.group[members], self.reputation[members])

    def among_groups(self, groups: np.ndarray, reputation: np.ndarray) -> float:
        """:meth:`among` from the members' groups and reputations (at least one member)."""
        counts = np.bincount(groups, minlength=self.n_groups)
        p = counts / counts.sum()
        aff = float(p @ self.affinity @ p)
        mean_reputation = float(reputation.sum() / len(reputation))  # as numpy.mean
        w = self.affinity_weight
        return w * aff + (1 - w) * mean_reputation

    def pair(self, i: int, j: int) -> float:
        """Trust of state ``i`` in state ``j``."""
        w = self.affinity_weight
        return w * float(self.affinity[self.group[i], self.group[j]]) + (1 - w) * float(
            self.reputation[j]
        )

    def revert(self) -> None:
        """Move trust back toward its seed (DESIGN.md: trust reverts)."""
        self.affinity += self.reversion * (self.seed - self.affinity)
        self.reputation += self.reversion * (0.5 - self.reputation)
