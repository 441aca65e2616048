"""Trust between states, kept over camps so that its cost grows linearly with states.

A dense state x state matrix costs O(N^2) per step (about 90% of a step at 2,000 states
in the feasibility prototype, DESIGN.md). Trust here is an *affinity table* between
groups (alignment bin x regime type) plus a per-state *reputation*:
``trust(i, j) = AFFINITY_WEIGHT * affinity[g_i, g_j] + (1 - AFFINITY_WEIGHT) * reputation[j]``.

* The seed affinity falls with the distance between camps, more so as rivalry rises
  (the alignment split scales with rivalry, DESIGN.md), and is higher between states of
  the same regime type (like-minded democracies: PAPER.md#C6).
* Reciprocity: co-signatories who kept their commitments raise the affinity between
  their groups and their own reputation; defection lowers them.
* Trust reverts toward its seed each step; without reversion trust among rivals locks
  in near zero and the concert deadlocks even at low rivalry (DESIGN.md, prototype).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ALIGNMENT_BINS = 5
AFFINITY_WEIGHT = 0.7


@dataclass(eq=False)
class SetMembers:
    """One set of states as :meth:`Trust.join_sets` needs it (:meth:`Trust.members`).

    Attributes
    ----------
    mask : numpy.ndarray
        The set as a boolean mask over states.
    entries : numpy.ndarray
        Two rows: its members in index order (``cols``) and the trust group of each
        (``groups``), kept as one array so that joining sets concatenates once.
    counts : numpy.ndarray
        Members in each trust group.
    groups_present : numpy.ndarray
        Shape ``(2, 1, groups)``: whether each group has members (0/1 floats) and its
        share of the members (``counts`` over the members, at least 1), shaped so that
        joining sets concatenates once for both.
    """

    mask: np.ndarray
    entries: np.ndarray
    counts: np.ndarray
    groups_present: np.ndarray

    @property
    def cols(self) -> np.ndarray:
        """The members in index order."""
        return self.entries[0]

    @property
    def groups(self) -> np.ndarray:
        """The trust group of each member."""
        return self.entries[1]


@dataclass(eq=False)
class SetStats:
    """Fixed parts of trust computations over sets of states (:meth:`Trust.prepare_sets`).

    Attributes
    ----------
    sets : numpy.ndarray
        The sets as 0/1 float rows over states.
    rows, cols, cells : numpy.ndarray
        The members, as (set, state) entries in row-major order, and the (set, group)
        cell of each entry as a flat index into a set x group array.
    flat : numpy.ndarray
        Each entry as a flat index into a set x state array.
    any : bool
        Whether any set has a member.
    per_set, per_state : numpy.ndarray
        Members per set, and sets each state is in.
    size : numpy.ndarray
        Members per set, at least 1.
    shares, counts : numpy.ndarray
        Set x group: share and number of each set's members in each group.
    who, signed, reputation_step : numpy.ndarray
        States in at least one set, the number of sets each of them is in, and the
        step of its reputation update.
    present, positive : numpy.ndarray
        Set x group: whether the group has members in the set (as 0/1 and as a mask).
    together, mask, affinity_step : numpy.ndarray
        For the group pairs ``mask`` that sit together in at least one set: in how
        many, and the step of their affinity update.
    """

    sets: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    cells: np.ndarray
    flat: np.ndarray
    any: bool
    per_set: np.ndarray
    per_state: np.ndarray
    size: np.ndarray
    shares: np.ndarray
    counts: np.ndarray
    who: np.ndarray
    signed: np.ndarray
    reputation_step: np.ndarray
    present: np.ndarray
    positive: np.ndarray
    together: np.ndarray
    mask: np.ndarray
    affinity_step: np.ndarray


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
        self.n_groups = n_groups
        #: state x group indicator, for set-wise sums as matrix products
        self.onehot = np.eye(n_groups)[self.group]
        #: a set's offset in a set x state and in a set x group array (:meth:`join_sets`)
        self._strides = np.array([[len(alignment)], [n_groups]])

    def group_counts(self, members: np.ndarray) -> np.ndarray:
        """Number of ``members`` (state indices) in each group."""
        return np.bincount(self.group[members], minlength=self.n_groups)

    def toward(self, states: np.ndarray, members: np.ndarray) -> np.ndarray:
        """Mean trust of each of ``states`` in the set ``members`` (indices)."""
        counts = self.group_counts(members)
        total = counts.sum()
        if total == 0:
            return np.full(len(states), 0.5)
        aff = self.affinity[self.group[states]] @ counts / total
        return AFFINITY_WEIGHT * aff + (1 - AFFINITY_WEIGHT) * self.reputation[members].mean()

    def among(self, members: np.ndarray) -> float:
        """Mean trust among ``members`` (indices), self-pairs included."""
        if len(members) == 0:
            return 0.0
        return self.among_groups(self.group[members], self.reputation[members])

    def among_groups(self, groups: np.ndarray, reputation: np.ndarray) -> float:
        """:meth:`among` from the members' groups and reputations (at least one member)."""
        counts = np.bincount(groups, minlength=self.n_groups)
        p = counts / counts.sum()
        aff = float(p @ self.affinity @ p)
        mean_reputation = float(reputation.sum() / len(reputation))  # as numpy.mean
        return AFFINITY_WEIGHT * aff + (1 - AFFINITY_WEIGHT) * mean_reputation

    def in_state(self, states: np.ndarray, j: int) -> np.ndarray:
        """Trust of each of ``states`` in state ``j``."""
        return self.toward_state(j)[self.group[states]]

    def toward_state(self, j: int) -> np.ndarray:
        """Trust of (a member of) each group in state ``j``."""
        return (
            AFFINITY_WEIGHT * self.affinity[:, self.group[j]]
            + (1 - AFFINITY_WEIGHT) * self.reputation[j]
        )

    def pair(self, i: int, j: int) -> float:
        """Trust of state ``i`` in state ``j``."""
        return AFFINITY_WEIGHT * float(self.affinity[self.group[i], self.group[j]]) + (
            1 - AFFINITY_WEIGHT
        ) * float(self.reputation[j])

    # --- many sets at once (one row per set of signatories) -----------------------------
    def members(self, mask: np.ndarray) -> SetMembers:
        """One set of states (a boolean ``mask``) as :meth:`join_sets` takes it."""
        cols = mask.nonzero()[0]  # numpy.flatnonzero of the 1-d mask
        entries = np.array([cols, self.group[cols]])
        counts = np.bincount(entries[1], minlength=self.n_groups)
        # a set's row of the stacked sets' ``present`` and ``shares`` (the same division)
        groups_present = np.array([counts > 0, counts / max(len(cols), 1)], dtype=float)
        return SetMembers(
            mask=mask, entries=entries, counts=counts, groups_present=groups_present[:, None, :]
        )

    def prepare_sets(self, sets: np.ndarray) -> SetStats:
        """What :meth:`sets_trust` and :meth:`reciprocate_sets` need of ``sets`` (0/1 rows)
        that does not change while the sets stay the same (e.g. the agreements in force).
        """  # noqa: D205
        return self.join_sets([self.members(row) for row in np.asarray(sets, dtype=bool)])

    def join_sets(self, parts: list[SetMembers], sets: np.ndarray | None = None) -> SetStats:
        """:meth:`prepare_sets` of the sets ``parts`` (at least one), one row per part.

        Each part is prepared once (:meth:`members`) and kept while its set is in use, so
        a change of the list of sets only joins what the parts hold. ``sets``, if given,
        is the parts' masks already stacked as 0/1 floats (what would be built here).
        """
        n_sets = len(parts)
        per_set = np.array([p.entries.shape[1] for p in parts], dtype=np.intp)
        # members as (set, state) entries in row-major order: what np.nonzero of the
        # stacked masks gives
        rows = np.arange(n_sets).repeat(per_set)
        entries = np.concatenate([p.entries for p in parts], axis=1)
        cols = entries[0]
        # (state, group) + (set x states, set x groups): flat and cells at once
        flat, cells = entries + rows * self._strides
        # whole numbers, counted: what summing the 0/1 rows gives
        counts = np.array([p.counts for p in parts])
        present, shares = np.concatenate([p.groups_present for p in parts], axis=1)
        size = np.maximum(per_set, 1)
        signed = np.bincount(cols, minlength=len(self.reputation))  # sets each state is in
        who = signed > 0
        together = present.T @ present  # group x group: sets where both sit
        mask = together > 0
        eta = self.learning
        if sets is None:
            sets = np.array([p.mask for p in parts], dtype=float)
        signed_who = signed[who]
        together_mask = together[mask]
        # m pieces of evidence at once move trust as far as m updates in a row would
        return SetStats(
            sets=sets,
            rows=rows,
            cols=cols,
            cells=cells,
            flat=flat,
            any=len(rows) > 0,
            per_set=per_set,
            per_state=signed,
            size=size,
            shares=shares,
            counts=counts,
            who=who,
            signed=signed_who,
            reputation_step=1 - (1 - eta) ** signed_who,
            present=present,
            positive=counts > 0,
            together=together_mask,
            mask=mask,
            affinity_step=1 - (1 - eta) ** together_mask,
        )

    def toward_sets(self, sets: np.ndarray) -> np.ndarray:
        """Trust of every state (columns) in each set of states (0/1 rows)."""
        by_group, rep, _ = self._by_group(self.prepare_sets(sets))
        return (AFFINITY_WEIGHT * by_group + rep[:, None])[:, self.group]

    def among_sets(self, sets: np.ndarray) -> np.ndarray:
        """Mean trust among the members of each set (self-pairs included)."""
        return self._by_group(self.prepare_sets(sets))[2]

    def _by_group(self, stats: SetStats) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Trust of each group in each set (set x group), the sets' mean reputation
        weighted by ``1 - AFFINITY_WEIGHT`` (the term both trust in a set and the mean
        trust among its members add, computed once), and the mean trust among each
        set's members.
        """  # noqa: D205
        rep = (1 - AFFINITY_WEIGHT) * ((stats.sets @ self.reputation) / stats.size)
        by_group = stats.shares @ self.affinity.T  # set x group: trust of a group in the set
        among = AFFINITY_WEIGHT * (by_group * stats.shares).sum(axis=1) + rep
        return by_group, rep, among

    def sets_trust(self, stats: SetStats) -> tuple[np.ndarray, np.ndarray]:
        """Trust of each member in its set (one value per entry of ``stats.rows, cols``)
        and the mean trust among each set's members.
        """  # noqa: D205
        by_group, rep, among = self._by_group(stats)
        toward = AFFINITY_WEIGHT * by_group + rep[:, None]
        return toward.ravel()[stats.cells], among

    def reciprocate_sets(self, stats: SetStats, kept: np.ndarray) -> None:
        """Reciprocity after several agreements at once (simultaneous updates).

        ``kept`` says for each member (entry of ``stats.rows, cols``) whether it kept
        its commitment. Each state's reputation moves toward its keep rate over its
        agreements; the affinity between two groups moves toward the mean keep rate of
        both, averaged over the agreements where they sat together. Evidence from ``m``
        agreements moves trust as far as ``m`` single updates would (step
        ``1 - (1 - eta)^m``).
        """
        if not stats.any:
            return
        who = stats.who
        # whole numbers: counted, they are what summing 0/1 rows gives
        kept_by_state = np.bincount(stats.cols[kept], minlength=len(self.reputation))
        # read once, as ``a[who] += ...`` would read it again before it writes
        reputation = self.reputation[who]
        self.reputation[who] = reputation + stats.reputation_step * (
            kept_by_state[who] / stats.signed - reputation
        )
        counts = stats.counts
        kept_by_group = np.bincount(stats.cells[kept], minlength=counts.size)
        rate = np.zeros(counts.shape)  # a group's keep rate in each set where it sits
        np.divide(kept_by_group.reshape(counts.shape), counts, out=rate, where=stats.positive)
        present = stats.present
        # ``present * rate`` is ``rate`` bit for bit: rate is 0 wherever present is
        weighted = rate
        target_sum = 0.5 * (weighted.T @ present + present.T @ weighted)
        mask = stats.mask
        target = target_sum[mask] / stats.together
        affinity = self.affinity[mask]
        self.affinity[mask] = affinity + stats.affinity_step * (target - affinity)

    def revert(self) -> None:
        """Move trust back toward its seed (DESIGN.md: trust reverts)."""
        self.affinity += self.reversion * (self.seed - self.affinity)
        self.reputation += self.reversion * (0.5 - self.reputation)
