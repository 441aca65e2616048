"""The paper's claims, shown by the model's own mechanisms over many seeds.

Each test cites its claim (PAPER.md#Cn), runs every regime over ``SEEDS`` seeds on the
same synthetic worlds (common random numbers: seed s gives the same world to every
regime) and compares seed means with a stated margin. Nothing here is written into a
regime: if a mechanism changes and a claim stops emerging, its test fails. Claims the
model cannot show yet are kept visible as expected failures with the reason.

Runs are computed once per session (in two worker processes) and shared by the tests.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from multiprocessing import get_context

import numpy as np
import pytest

from sim.model import MultilatModel
from sim.regimes import REGIMES

pytestmark = pytest.mark.slow

SEEDS = range(10)
STEPS = 80
PAPER = ("charter", "club", "concert", "coalition")

#: (issue, rivalry) cells every regime is run in, plus (regime, issue, rivalry, overrides)
#: extras for single comparisons.
CELLS = [
    ("mixed", 0.0),
    ("mixed", 0.3),
    ("mixed", 0.8),
    ("climate", 0.0),
    ("climate", 0.2),
    ("climate", 0.8),
    ("security_crisis", 0.0),
    ("security_crisis", 0.8),
    ("financial_crisis", 0.0),
    ("pandemic", 0.2),
]
EXTRAS = [("concert", "climate", 0.2, (("rules.concert.outsider_follow", 0.0),))]


def _run(key: tuple) -> dict[str, float]:
    regime, issue, rivalry, overrides, seed = key
    model = MultilatModel(
        regime=regime,
        issue=issue,
        rivalry=rivalry,
        steps=STEPS,
        seed=seed,
        record_votes=False,
        **dict(overrides),
    )
    return model.run().summary()


@cache
def results() -> dict[tuple, list[dict[str, float]]]:
    keys = [(r, i, x, (), s) for r, (i, x), s in itertools.product(PAPER, CELLS, SEEDS)]
    keys += [(r, i, x, o, s) for (r, i, x, o), s in itertools.product(EXTRAS, SEEDS)]
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        values = list(pool.map(_run, keys, chunksize=8))
    out: dict[tuple, list[dict[str, float]]] = {}
    for key, value in zip(keys, values, strict=True):
        out.setdefault(key[:4], []).append(value)
    return out


def values(regime: str, issue: str, rivalry: float, metric: str, overrides=()) -> np.ndarray:
    return np.array([s[metric] for s in results()[(regime, issue, rivalry, overrides)]])


def mean(regime: str, issue: str, rivalry: float, metric: str, overrides=()) -> float:
    return float(np.nanmean(values(regime, issue, rivalry, metric, overrides)))


def others(regime: str) -> list[str]:
    return [r for r in PAPER if r != regime]


def test_the_paper_regimes_are_registered():
    assert set(PAPER) <= set(REGIMES)


# --- charter ----------------------------------------------------------------------------


def test_c1_charter_has_the_highest_legitimacy_also_among_developing_states():
    """PAPER.md#C1: universal membership and equal votes give the most legitimacy."""
    for metric in ("legitimacy", "legitimacy_developing", "voice"):
        charter = mean("charter", "mixed", 0.3, metric)
        for other in others("charter"):
            assert charter > mean(other, "mixed", 0.3, metric) + 0.05, (metric, other)


def test_c2_council_veto_paralysis_rises_with_rivalry():
    """PAPER.md#C2: a permanent member that is the party vetoes; rivalry paralyses."""
    vetoes = values("charter", "security_crisis", 0.0, "veto_count")
    assert (vetoes > 0).sum() >= 8  # half of all crises have a permanent member as party
    low = mean("charter", "security_crisis", 0.0, "deadlock_rate")
    high = mean("charter", "security_crisis", 0.8, "deadlock_rate")
    assert high > low + 0.05
    eff_low = mean("charter", "security_crisis", 0.0, "effectiveness")
    eff_high = mean("charter", "security_crisis", 0.8, "effectiveness")
    assert eff_high < eff_low - 0.1


def test_c3_the_universal_body_agrees_slowly():
    """PAPER.md#C3: large universal bodies agree slowly ("protracted and inconclusive").

    Paired over seeds: the charter is slower than each other regime by a mean of at
    least half a step and in at least 8 of 10 seeds. (A margin of a whole step on the
    means sat at the edge of seed noise: two random streams of the same model gave
    0.97 and 1.08 against the concert.)
    """
    charter = values("charter", "mixed", 0.3, "time_to_agreement")
    for other in others("charter"):
        diff = charter - values(other, "mixed", 0.3, "time_to_agreement")
        diff = diff[~np.isnan(diff)]
        assert diff.mean() > 0.5 and (diff > 0).sum() >= 8, (other, diff)


def test_c3_the_universal_body_agrees_below_what_coalitions_draft():
    """PAPER.md#C3: the level 2/3 of all states accept is below a lead state's mandate."""
    assert (
        mean("charter", "mixed", 0.3, "ambition")
        < mean("coalition", "mixed", 0.3, "ambition") - 0.05
    )


@pytest.mark.xfail(
    strict=True,
    reason=(
        "C3 partly: the 2/3 level of the Assembly falls less short of what its keenest quarter "
        "asks than the consensus minimum of the club or the concert does; with positions "
        "spread alike, consensus is the stricter lowest common denominator (DESIGN.md, "
        "prototype lessons). The model shows the charter's slowness, not a lower ambition "
        "than consensus bodies."
    ),
)
def test_c3_the_universal_body_falls_furthest_below_its_keenest_members():
    charter = mean("charter", "mixed", 0.3, "shortfall")
    for other in ("club", "concert"):
        assert charter > mean(other, "mixed", 0.3, "shortfall") + 0.02, other


# --- club -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "issue,rivalry",
    [("climate", 0.2), ("financial_crisis", 0.0), ("security_crisis", 0.0), ("pandemic", 0.2)],
)
def test_c6_club_solidarity(issue, rivalry):
    """PAPER.md#C6: like-minded democracies trust each other and comply more.

    Paired over seeds (every regime meets the same worlds): the club leads each other
    regime by a mean of at least 0.01 and in at least 7 of 10 seeds.
    """
    for metric in ("compliance_rate", "solidarity"):
        club = values("club", issue, rivalry, metric)
        for other in others("club"):
            diff = club - values(other, issue, rivalry, metric)
            diff = diff[~np.isnan(diff)]
            assert diff.mean() > 0.01 and (diff > 0).sum() >= 7, (metric, other, diff)


@pytest.mark.xfail(
    strict=True,
    reason=(
        "C6 on the mixed stream: on cyber norms and proliferation the concert's six members "
        "free-ride less (Olson size term) than the club's many, and that outweighs the club's "
        "trust; the club leads compliance on climate, pandemics, financial and security crises."
    ),
)
def test_c6_club_solidarity_on_the_mixed_stream():
    club = mean("club", "mixed", 0.3, "compliance_rate")
    for other in others("club"):
        assert club > mean(other, "mixed", 0.3, "compliance_rate") + 0.02, other


def test_c7_club_cannot_solve_what_it_leaves_out():
    """PAPER.md#C7: a club without the big autocratic emitters fails on climate."""
    club = mean("club", "climate", 0.2, "effectiveness")
    for other in ("charter", "concert"):
        assert club < mean(other, "climate", 0.2, "effectiveness") - 0.1, other


# --- concert ----------------------------------------------------------------------------


def test_c10_concert_capability_when_powers_agree():
    """PAPER.md#C10: a few powers holding most capability act decisively at low rivalry."""
    concert = mean("concert", "climate", 0.0, "capability")
    for other in ("charter", "club"):
        assert concert > mean(other, "climate", 0.0, "capability") + 0.02, other
    assert (
        mean("concert", "climate", 0.0, "effectiveness")
        > mean("club", "climate", 0.0, "effectiveness") + 0.1
    )
    assert (
        mean("concert", "mixed", 0.0, "time_to_agreement")
        < mean("charter", "mixed", 0.0, "time_to_agreement") - 1.0
    )
    assert (
        mean("concert", "financial_crisis", 0.0, "effectiveness")
        > mean("charter", "financial_crisis", 0.0, "effectiveness") + 0.1
    )


def test_c11_concert_fragile_under_rivalry():
    """PAPER.md#C11: an aggrieved power blocks; rivalry and linkage stall the concert."""
    low = mean("concert", "mixed", 0.0, "effectiveness")
    high = mean("concert", "mixed", 0.8, "effectiveness")
    assert high < low - 0.15
    assert (
        mean("concert", "mixed", 0.8, "deadlock_rate")
        > mean("concert", "mixed", 0.0, "deadlock_rate") + 0.2
    )


def test_c12_concert_lacks_legitimacy_and_needs_follow_through():
    """PAPER.md#C12: the directorate lacks legitimacy outside and needs others to act."""
    for metric in ("voice", "legitimacy_developing"):
        assert (
            mean("concert", "mixed", 0.3, metric) < mean("charter", "mixed", 0.3, metric) - 0.1
        ), metric
    without = mean(
        "concert", "climate", 0.2, "effectiveness", (("rules.concert.outsider_follow", 0.0),)
    )
    assert without < mean("concert", "climate", 0.2, "effectiveness") - 0.02


# --- coalition --------------------------------------------------------------------------


def test_c13_coalitions_are_fast_and_modular():
    """PAPER.md#C13: coalitions agree fastest, in small groups built for the mission."""
    coalition = mean("coalition", "mixed", 0.3, "time_to_agreement")
    for other in others("coalition"):
        assert coalition < mean(other, "mixed", 0.3, "time_to_agreement") - 0.3, other
    for other in ("charter", "club"):
        assert mean("coalition", "mixed", 0.3, "coalition_size") < mean(
            other, "mixed", 0.3, "coalition_size"
        ), other


def test_c14_voluntary_pledges_are_weakly_kept_and_fail_under_rivalry():
    """PAPER.md#C14: weak enforcement; little success on hard problems under rivalry."""
    coalition = mean("coalition", "mixed", 0.3, "compliance_rate")
    for other in ("club", "concert"):
        assert coalition < mean(other, "mixed", 0.3, "compliance_rate") - 0.05, other
    assert (
        mean("coalition", "climate", 0.8, "effectiveness")
        < mean("coalition", "climate", 0.0, "effectiveness") - 0.1
    )


def test_c16_coalitions_cost_most_and_leave_the_poor_out():
    """PAPER.md#C16: every new grouping costs seats; the poor are easily left out."""
    coalition = mean("coalition", "mixed", 0.3, "transaction_costs")
    for other in others("coalition"):
        assert coalition > mean(other, "mixed", 0.3, "transaction_costs") + 0.1, other
    assert (
        mean("coalition", "mixed", 0.3, "legitimacy_developing")
        < mean("charter", "mixed", 0.3, "legitimacy_developing") - 0.1
    )


# --- across regimes ---------------------------------------------------------------------


def pareto_front(points: dict[str, tuple[float, float]]) -> list[str]:
    """Regimes not dominated on both coordinates by another regime."""
    front = []
    for name, (x, y) in points.items():
        dominated = any(
            ox >= x and oy >= y and (ox, oy) != (x, y)
            for other, (ox, oy) in points.items()
            if other != name
        )
        if not dominated:
            front.append(name)
    return front


def _trade_off(issue: str, rivalry: float) -> None:
    points = {
        r: (mean(r, issue, rivalry, "voice"), mean(r, issue, rivalry, "effectiveness"))
        for r in PAPER
    }
    most_voice = max(points, key=lambda r: points[r][0])
    most_effective = max(points, key=lambda r: points[r][1])
    assert most_voice != most_effective, points
    assert points[most_effective][1] > points[most_voice][1] + 0.05, points
    assert len(pareto_front(points)) >= 2, points


@pytest.mark.parametrize(
    "issue,rivalry", [("financial_crisis", 0.0), ("mixed", 0.8), ("security_crisis", 0.0)]
)
def test_c17_effectiveness_and_voice_trade_off(issue, rivalry):
    """PAPER.md#C17: effectiveness implies modest size, legitimacy broad representation.

    Read on voice (input legitimacy) against effectiveness, as a Pareto front over
    regimes (output legitimacy tracks effectiveness by construction; DESIGN.md).
    """
    _trade_off(issue, rivalry)


@pytest.mark.xfail(
    strict=True,
    reason=(
        "C17 on climate at low rivalry: the universal Assembly is both the most legitimate and "
        "the most effective, because summation over every emitter outweighs its size penalty "
        "(Olson term) and its lowest-common-denominator delay; the trade-off shows on "
        "financial and security crises and on the mixed stream under high rivalry."
    ),
)
@pytest.mark.parametrize("rivalry", [0.0, 0.2])
def test_c17_trade_off_on_climate(rivalry):
    _trade_off("climate", rivalry)


def test_c18_no_single_winner():
    """PAPER.md#C18: which approach is best depends on the problem and on rivalry."""
    winners = set()
    for issue, rivalry in CELLS:
        means = sorted(((mean(r, issue, rivalry, "effectiveness"), r) for r in PAPER), reverse=True)
        (best, name), (second, _) = means[0], means[1]
        if best > second + 0.02:
            winners.add(name)
    assert len(winners) >= 3, winners
