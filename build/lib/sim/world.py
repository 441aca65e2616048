"""Worlds: the states of a run, as numpy arrays over all states.

A :class:`World` holds every attribute of DESIGN.md (Entities, States) as one array per
attribute, index ``i`` being state ``i``; Mesa agents (:mod:`sim.agents`) give each state
its identity and read their attributes from here. Worlds come from *loaders*, found by
name in :data:`WORLD_LOADERS`: ``synthetic`` and ``identical`` (this module), ``real``
(the data of 2022, :mod:`sim.realworld`), and any new loader by one registry line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from sim.issues import ISSUE_NAMES

KINDS: tuple[str, ...] = ("great_power", "democracy", "developing")
GREAT_POWER, DEMOCRACY, DEVELOPING = 0, 1, 2

#: Regional groups that share the Security Council's elected seats, with their seats.
REGIONS: tuple[str, ...] = ("africa", "asia_pacific", "eastern_europe", "latin_america", "weog")
ELECTED_SEATS: tuple[int, ...] = (3, 2, 1, 2, 2)

CAMPS: tuple[str, ...] = ("west", "nonaligned", "east")


def camp_of(alignment: np.ndarray) -> np.ndarray:
    """Camp index of each alignment: 0 west (> 1/3), 2 east (< -1/3), 1 non-aligned."""
    return np.where(alignment > 1 / 3, 0, np.where(alignment < -1 / 3, 2, 1))


@dataclass
class World:
    """All states of one run, one numpy array per attribute (index = state).

    Attributes
    ----------
    ids, names : list[str]
        ``iso3`` codes (real world) or ``S017``-style ids (synthetic world).
    kind : numpy.ndarray
        0 great_power, 1 democracy, 2 developing (see :data:`KINDS`).
    power, population : numpy.ndarray
        Shares of world capability and population; each sums to 1.
    democracy : numpy.ndarray
        Electoral democracy, 0..1.
    alignment : numpy.ndarray
        -1 (China-Russia camp) .. +1 (US-led West); near 0 is non-aligned.
    revisionist : numpy.ndarray
        Seeks to overturn rules of state conduct (PAPER.md p. 13).
    exposure : numpy.ndarray
        Shape (n_states, n_issues): how much each state suffers from each issue type,
        columns in the order of :data:`sim.issues.ISSUE_NAMES`.
    bandwidth : numpy.ndarray
        Forum seats a state can staff at once (small, poor states: few; PAPER.md#C16).
    region : numpy.ndarray
        Index into :data:`REGIONS` (Security Council rotation).
    permanent : numpy.ndarray
        Permanent member of the Security Council.
    elected : numpy.ndarray
        Elected council members at the start (the loader may leave all False).
    emissions : numpy.ndarray
        Share of world greenhouse-gas emissions (sums to 1); defaults to ``power``.
    imputed : list of tuple of str
        Per state, the source columns whose missing values were imputed (real world);
        empty tuples for generated worlds.
    """

    ids: list[str]
    names: list[str]
    kind: np.ndarray
    power: np.ndarray
    population: np.ndarray
    democracy: np.ndarray
    alignment: np.ndarray
    revisionist: np.ndarray
    exposure: np.ndarray
    bandwidth: np.ndarray
    region: np.ndarray
    permanent: np.ndarray
    elected: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    emissions: np.ndarray = field(default_factory=lambda: np.zeros(0))
    imputed: list[tuple[str, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.ids)
        if not self.imputed:
            self.imputed = [()] * n
        if len(self.imputed) != n:
            raise ValueError(
                f"world attribute 'imputed' has {len(self.imputed)} entries for {n} states"
            )
        if self.elected.size == 0:
            self.elected = np.zeros(n, dtype=bool)
        if self.emissions.size == 0:
            self.emissions = self.power / self.power.sum()
        for name in (
            "kind",
            "power",
            "population",
            "democracy",
            "alignment",
            "revisionist",
            "bandwidth",
            "region",
            "permanent",
            "elected",
            "emissions",
        ):
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"world attribute {name!r} has {len(getattr(self, name))} "
                    f"entries for {n} states"
                )
        if self.exposure.shape != (n, len(ISSUE_NAMES)):
            raise ValueError(
                f"world exposure has shape {self.exposure.shape}, expected {(n, len(ISSUE_NAMES))}"
            )

    @property
    def n(self) -> int:
        """Number of states."""
        return len(self.ids)

    @cached_property
    def great_power(self) -> np.ndarray:
        """Boolean mask of great powers."""
        return self.kind == GREAT_POWER

    @cached_property
    def great_powers(self) -> np.ndarray:
        """Indices of the great powers."""
        return np.flatnonzero(self.great_power)

    @cached_property
    def developing(self) -> np.ndarray:
        """Indices of the developing states."""
        return np.flatnonzero(self.kind == DEVELOPING)

    @cached_property
    def total_bandwidth(self) -> float:
        """Forum seats all states together can staff."""
        return float(self.bandwidth.sum())

    @cached_property
    def camp(self) -> np.ndarray:
        """Camp index per state (0 west, 1 non-aligned, 2 east; see :data:`CAMPS`)."""
        return camp_of(self.alignment)

    @cached_property
    def camp_indicator(self) -> np.ndarray:
        """State x camp indicator matrix (for per-camp sums as matrix products)."""
        return np.eye(len(CAMPS))[self.camp]


def _capped_shares(weights: np.ndarray, total: float, cap: float) -> np.ndarray:
    """Scale ``weights`` to sum to ``total`` with no share above ``cap`` (where possible).

    Excess above the cap goes to the others in proportion, so that no state outside the
    great powers outweighs a great power (they are great powers by definition).
    """
    shares = weights / weights.sum() * total
    if cap * len(shares) <= total:
        return np.full(len(shares), total / len(shares))
    for _ in range(len(shares)):
        over = shares > cap
        if not over.any():
            break
        excess = float((shares[over] - cap).sum())
        shares[over] = cap
        free = ~over & (shares < cap)
        shares[free] += excess * shares[free] / shares[free].sum()
    return shares


def synthetic_world(
    rng: np.random.Generator,
    *,
    n_states: int = 60,
    n_great_powers: int = 6,
    democracy_share: float = 0.35,
    great_power_share: float = 0.65,
    power_skew: float = 1.2,
    nonaligned_share: float = 0.5,
    revisionist_powers: int = 2,
    nonaligned_powers: int = 1,
) -> World:
    """Generate a seeded synthetic world of the three kinds of state.

    Great powers take ``great_power_share`` of world capability (Haass and Kupchan's six
    hold about two thirds of world GDP; PAPER.md#C10). The first great power leads the
    West, the next ``revisionist_powers`` are autocratic revisionists of the other camp
    (PAPER.md#C8), the last ``nonaligned_powers`` are non-aligned democracies (India-like,
    PAPER.md#C9), the rest are Western democracies. The five largest great powers hold
    the permanent council seats. Other states: a ``democracy_share`` of them are
    established democracies aligned with the West; the rest are developing states,
    ``nonaligned_share`` of them non-aligned (some of those electoral democracies),
    the others leaning to the East.

    Parameters
    ----------
    rng : numpy.random.Generator
        The run's generator; nothing else is drawn from.
    n_states, n_great_powers : int
        World size and number of great powers (``n_great_powers < n_states``).
    democracy_share : float
        Share of the non-great powers that are established democracies.
    great_power_share : float
        Share of world capability held by the great powers.
    power_skew : float
        Pareto shape of the other states' capability: smaller is more unequal.
    nonaligned_share : float
        Share of developing states that are non-aligned.
    revisionist_powers, nonaligned_powers : int
        Great powers in the revisionist camp, and non-aligned great powers.
    """
    n, g = n_states, n_great_powers
    if not 1 <= g < n:
        raise ValueError(f"n_great_powers={g} must be between 1 and n_states-1={n - 1}")
    if revisionist_powers + nonaligned_powers > g - 1:
        raise ValueError(
            f"revisionist_powers + nonaligned_powers = {revisionist_powers + nonaligned_powers} "
            f"must leave the leading (Western) power: at most n_great_powers-1={g - 1}"
        )
    for name, value in (
        ("democracy_share", democracy_share),
        ("nonaligned_share", nonaligned_share),
    ):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name}={value} must be between 0 and 1")
    if not 0.0 < great_power_share < 1.0:
        raise ValueError(
            f"great_power_share={great_power_share} must be between 0 and 1 (exclusive)"
        )
    if not power_skew > 0.0:
        raise ValueError(f"power_skew={power_skew} must be positive")
    m = n - g
    kind = np.full(n, DEVELOPING)
    kind[:g] = GREAT_POWER
    n_dem = int(round(democracy_share * m))
    kind[g : g + n_dem] = DEMOCRACY

    # capability: great powers share great_power_share in a declining ladder
    gp = np.sort(rng.uniform(0.4, 1.0, g))[::-1]
    gp[0] = max(gp[0], 1.5 * gp[1] if g > 1 else gp[0])  # a clear leading power
    other = rng.pareto(power_skew, m) + 0.05
    other[:n_dem] *= 3.0  # established democracies are rich
    gp_power = gp / gp.sum() * great_power_share
    other_power = _capped_shares(other, 1 - great_power_share, 0.9 * gp_power.min())
    power = np.concatenate([gp_power, other_power])
    # camps and regime types of great powers: West leader, revisionists, others, non-aligned
    role = np.array(
        ["west"]
        + ["east"] * revisionist_powers
        + ["west"] * (g - 1 - revisionist_powers - nonaligned_powers)
        + ["nonaligned"] * nonaligned_powers
    )[:g]
    alignment = np.empty(n)
    democracy = np.empty(n)
    revisionist = np.zeros(n, dtype=bool)
    for i, r in enumerate(role):
        if r == "west":
            alignment[i], democracy[i] = rng.uniform(0.7, 1.0), rng.uniform(0.8, 0.92)
        elif r == "east":
            alignment[i], democracy[i] = rng.uniform(-1.0, -0.75), rng.uniform(0.05, 0.25)
            revisionist[i] = True
        else:
            alignment[i], democracy[i] = rng.uniform(-0.15, 0.15), rng.uniform(0.55, 0.7)
    # established democracies
    sl = slice(g, g + n_dem)
    alignment[sl] = np.clip(rng.normal(0.65, 0.2, n_dem), -1, 1)
    democracy[sl] = rng.uniform(0.72, 0.95, n_dem)
    # developing states: non-aligned (hedging, some electoral democracies) or East-leaning
    n_dev = m - n_dem
    nonaligned = rng.uniform(size=n_dev) < nonaligned_share
    alignment[g + n_dem :] = np.where(
        nonaligned, rng.normal(0.0, 0.2, n_dev), rng.normal(-0.6, 0.2, n_dev)
    )
    alignment = np.clip(alignment, -1, 1)
    democracy[g + n_dem :] = np.where(
        nonaligned, rng.uniform(0.3, 0.7, n_dev), rng.uniform(0.05, 0.35, n_dev)
    )
    revisionist[g + n_dem :] = (~nonaligned) & (rng.uniform(size=n_dev) < 0.3)

    population = np.concatenate([rng.uniform(2.0, 8.0, g), rng.lognormal(0.0, 1.0, m)])
    population[g + n_dem :] *= 2.0  # developing states hold most people
    population /= population.sum()

    # exposure: developing states suffer most from climate, pandemics, financial contagion
    base = {
        "climate": 0.5,
        "pandemic": 0.6,
        "proliferation": 0.4,
        "security_crisis": 0.4,
        "financial_crisis": 0.5,
        "cyber_norms": 0.4,
    }
    shift = {
        GREAT_POWER: {"cyber_norms": 0.2, "proliferation": 0.2, "financial_crisis": 0.1},
        DEMOCRACY: {"cyber_norms": 0.2, "financial_crisis": 0.1},
        DEVELOPING: {"climate": 0.2, "pandemic": 0.1},
    }
    # interests differ more between camps than within them: like-minded states are
    # like-exposed, a universal table spans every interest (PAPER.md#C3, PAPER.md#C6)
    camp = camp_of(alignment)
    camp_shift = rng.normal(0.0, 0.12, (len(CAMPS), len(ISSUE_NAMES)))
    exposure = np.empty((n, len(ISSUE_NAMES)))
    for j, name in enumerate(ISSUE_NAMES):
        mean = base[name] + np.array([shift[k].get(name, 0.0) for k in kind])
        mean = mean + camp_shift[camp, j]
        exposure[:, j] = np.clip(mean + rng.normal(0.0, 0.1, n), 0.0, 1.0)

    bandwidth = np.where(kind == GREAT_POWER, 8.0, np.where(kind == DEMOCRACY, 5.0, 2.0))
    bandwidth = bandwidth + np.round(4 * power / power.max())

    # regions: Western democracies mostly in WEOG, the rest spread by UN membership shares
    region = rng.choice(len(REGIONS), n, p=[0.28, 0.28, 0.12, 0.17, 0.15])
    region[(kind != DEVELOPING) & (alignment > 0.3)] = REGIONS.index("weog")
    permanent = np.zeros(n, dtype=bool)
    permanent[np.argsort(-power[:g], kind="stable")[: min(5, g)]] = True

    # emissions: capability times carbon intensity, higher outside the West (China emits
    # about a third of the world's greenhouse gases, PAPER.md#C7)
    intensity = np.where(alignment > 1 / 3, 1.0, np.where(kind == GREAT_POWER, 2.2, 1.4))
    emissions = power * intensity
    emissions /= emissions.sum()

    ids = [f"S{i:03d}" for i in range(n)]
    return World(
        ids=ids,
        names=list(ids),
        kind=kind,
        power=power,
        population=population,
        democracy=democracy,
        alignment=alignment,
        revisionist=revisionist,
        exposure=exposure,
        bandwidth=bandwidth,
        region=region,
        permanent=permanent,
        emissions=emissions,
    )


#: Seats of each identical state: far more than any run can fill, so that bandwidth never
#: decides who joins a coalition in the theory mode.
IDENTICAL_BANDWIDTH = 1_000.0


def identical_world(rng: np.random.Generator, *, n_states: int = 10) -> World:
    """``n_states`` identical states: the theory mode of coalition stability.

    The international environmental agreements literature (Carraro and Siniscalco 1993,
    Barrett 1994; :mod:`sim.payoffs`) studies ``N`` identical states; so does
    ``multilat validate``. Every state has the same capability, population, exposure
    (0.5 on every issue), bandwidth (:data:`IDENTICAL_BANDWIDTH` seats: they never bind),
    alignment (0, non-aligned) and democracy (0.5); all are developing states, none is
    revisionist, none holds a permanent council seat; regions rotate by index. Nothing
    is drawn from ``rng``.
    """
    n = n_states
    if n < 2:
        raise ValueError(f"n_states={n} must be at least 2")
    ids = [f"S{i:03d}" for i in range(n)]
    share = np.full(n, 1.0 / n)
    return World(
        ids=ids,
        names=list(ids),
        kind=np.full(n, DEVELOPING),
        power=share,
        population=share.copy(),
        democracy=np.full(n, 0.5),
        alignment=np.zeros(n),
        revisionist=np.zeros(n, dtype=bool),
        exposure=np.full((n, len(ISSUE_NAMES)), 0.5),
        bandwidth=np.full(n, IDENTICAL_BANDWIDTH),
        region=np.arange(n) % len(REGIONS),
        permanent=np.zeros(n, dtype=bool),
    )


def real_world(rng: np.random.Generator, *, year: int = 2022) -> World:
    """The 193 UN member states of ``year`` from public data (:mod:`sim.realworld`)."""
    from sim.realworld import real_world as load  # pandas and the data only when asked

    return load(rng, year=year)


#: World loaders by name: ``loader(rng, **params) -> World``, every parameter keyword-only.
#: A real-world dataset plugs in with one line here (issue #5).
WORLD_LOADERS: dict[str, Callable[..., World]] = {
    "synthetic": synthetic_world,
    "identical": identical_world,
    "real": real_world,
}


def load_world(kind: str, rng: np.random.Generator, **params: Any) -> World:
    """Build a world with the loader registered under ``kind``."""
    try:
        loader = WORLD_LOADERS[kind]
    except KeyError:
        raise ValueError(
            f"world={kind!r} is unknown; allowed: {', '.join(WORLD_LOADERS)}"
        ) from None
    return loader(rng, **params)
