"""The scenario library (issue #5): every file runs and says what it shows."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.model import MultilatModel
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
EPISODES = [
    "ukraine_2022",
    "covid_2020",
    "climate_glasgow_2021",
    "climate_2022_linkage",
    "iran_nuclear",
    "financial_2008",
    "internet_declaration_2022",
]
#: Resolution ES-11/1 of 2 March 2022: yes, no, abstain, absent.
ES_11_1 = {"Y": 141, "N": 5, "A": 35, "X": 12}


@pytest.mark.parametrize("name", EPISODES)
def test_episode_opens_with_its_page_and_what_it_tests(name):
    text = (SCENARIOS / f"{name}.toml").read_text(encoding="utf-8")
    head = text.split("\n\n")[0]
    assert head.startswith("# ") and re.search(r"PAPER\.md pp?\. \d", head), name
    assert "What it tests" in text, name


@pytest.mark.parametrize("name", EPISODES)
def test_episode_runs_on_the_real_world(name):
    scenario = load_scenario(SCENARIOS / f"{name}.toml", steps=8, burn_in=1)
    assert scenario.world.kind == "real" and scenario.events
    model = MultilatModel(scenario).run()
    assert model.world.n == 193
    summary = model.summary()
    assert 0.0 <= summary["effectiveness"] <= 1.0 or pd.isna(summary["effectiveness"])


def first_crisis_votes(seed: int, steps: int = 10) -> dict[str, pd.DataFrame]:
    model = MultilatModel(load_scenario(SCENARIOS / "ukraine_2022.toml", seed=seed, steps=steps))
    model.run()
    votes = model.votes_frame()
    crisis = votes[votes["problem"] == votes["problem"].iloc[0]]
    out = {}
    for forum, rows in crisis.groupby("forum"):
        out[forum] = rows[rows["step"] == rows["step"].min()]
    return out


@pytest.mark.parametrize("seed", range(3))
def test_ukraine_the_council_is_vetoed_and_the_assembly_takes_it_up(seed):
    votes = first_crisis_votes(seed)
    council = votes["council"]
    assert len(council) == 15
    assert council.loc[council["iso3"] == "RUS", "vote"].item() == "N"  # the party vetoes
    assert (council["vote"] == "Y").sum() >= 9  # a draft that had the votes
    assembly = votes["assembly"]  # Uniting for Peace: the emergency special session
    assert len(assembly) == 193 and assembly["step"].min() > council["step"].min()
    assert assembly.loc[assembly["iso3"] == "RUS", "vote"].item() == "N"


def test_ukraine_votes_csv(tmp_path):
    result = CliRunner().invoke(
        app, ["run", str(SCENARIOS / "ukraine_2022.toml"), "--steps", "10", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    votes = pd.read_csv(tmp_path / "votes.csv", keep_default_na=False)
    assert list(votes.columns) == ["step", "forum", "problem", "iso3", "vote"]
    assert set(votes["vote"]) <= {"Y", "N", "A", "X"}
    assert {"council", "assembly"} <= set(votes["forum"])


@pytest.mark.xfail(
    strict=True,
    reason=(
        "calibration not reached yet (docs/calibration.md): the Assembly's 2/3 rule fixes the "
        "yes votes at 129 of 193, opposition is spread over too many distant states, and "
        "deliberation compresses the reluctant into one block that is either all abstaining "
        "or all absent"
    ),
)
def test_ukraine_assembly_vote_is_close_to_es_11_1():
    """Within 10 of each count of ES-11/1 on most of 10 seeds (issue #5, point 5)."""
    close = 0
    for seed in range(10):
        counts = Counter(first_crisis_votes(seed)["assembly"]["vote"])
        close += all(abs(counts.get(k, 0) - v) <= 10 for k, v in ES_11_1.items())
    assert close >= 6
