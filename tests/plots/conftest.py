"""Small results for the figure tests: a hand-made frame and a tiny real sweep."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

#: Effectiveness per regime at rivalry 0; rivalry adds RIVALRY_SLOPE * rivalry.
BASE = {"charter": 0.2, "club": 0.4, "concert": 0.6, "coalition": 0.3}
RIVALRY_SLOPE = -0.1
ISSUE_SHIFT = {"climate": 0.0, "pandemic": 0.05}
REPLICATE_NOISE = (-0.01, 0.0, 0.01)


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture
def runs() -> pd.DataFrame:
    """4 regimes x rivalry 0, 1 x 2 issues x 3 replicates, values worked out by hand."""
    rows = []
    for (regime, rivalry, issue), rep in itertools.product(
        itertools.product(BASE, (0.0, 1.0), ISSUE_SHIFT), range(3)
    ):
        eff = BASE[regime] + RIVALRY_SLOPE * rivalry + ISSUE_SHIFT[issue] + REPLICATE_NOISE[rep]
        rows.append(
            {
                "regime": regime,
                "rivalry": rivalry,
                "issue": issue,
                "replicate": rep,
                "status": "ok",
                "effectiveness": eff,
                "legitimacy": 1 - BASE[regime],
                "solidarity": 0.5,
                "capability": BASE[regime] / 2,
                "flexibility": 0.25 + 0.1 * rep,
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture
def steps() -> pd.DataFrame:
    """Per-step values: regime r at step s has s * BASE[r], the same in every replicate."""
    rows = [
        {"regime": r, "replicate": rep, "step": s, "effectiveness": s * b}
        for r, b in BASE.items()
        for rep in range(3)
        for s in range(5)
    ]
    return pd.DataFrame(rows)


#: A sweep small enough to run in a few seconds, with every factor the figures need.
TINY_FIGS = {
    "name": "tinyfigs",
    "steps": 10,
    "burn_in": 2,
    "world": {"n_states": 12},
    "sweep": {
        "replicates": 2,
        "seed": 3,
        "regime": ["charter", "club", "concert", "coalition"],
        "rivalry": [0.0, 1.0],
        "issue": ["climate", "security_crisis"],
    },
}


@pytest.fixture(scope="session")
def tiny_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sim.sweep import run

    out = tmp_path_factory.mktemp("figs") / "tinyfigs"
    run(TINY_FIGS, out=out, workers=1, progress=False)
    return out
