"""The real world of 2022 (issue #5): data, derived attributes, imputations, loader keys."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from sim import realworld
from sim.cli import app
from sim.model import MultilatModel
from sim.scenario import ScenarioError, build_scenario
from sim.world import CAMPS, DEMOCRACY, GREAT_POWER, KINDS, REGIONS, load_world

RAW = realworld.load_table(2022)
WORLD = load_world("real", np.random.default_rng(0))
INDEX = {iso: i for i, iso in enumerate(WORLD.ids)}


def attr(name: str, iso: str):
    return getattr(WORLD, name)[INDEX[iso]]


def test_the_data_ship_with_the_package_and_hold_193_members():
    assert len(RAW) == 193 and RAW["iso3"].is_unique
    assert WORLD.n == 193
    assert set(WORLD.ids) == set(RAW["iso3"])


def test_totals_match_the_sources():
    """SOURCES.md: GDP 100.7 trillion US$, population 7.946 billion, military spending
    2,188 billion US$, CO2 36,230 Mt over the 193 rows (before any imputation)."""
    assert RAW["gdp_usd_2022"].sum() / 1e12 == pytest.approx(100.7, abs=0.05)
    assert RAW["population_2022"].sum() / 1e9 == pytest.approx(7.946, abs=0.0005)
    assert RAW["milex_usd_2022"].sum() / 1e9 == pytest.approx(2188, abs=0.5)
    assert RAW["co2_mt_2022"].sum() == pytest.approx(36230, abs=0.5)


def test_shares_sum_to_one_and_stay_in_range():
    for name in ("power", "population", "emissions"):
        values = getattr(WORLD, name)
        assert values.sum() == pytest.approx(1.0) and (values > 0).all(), name
    assert ((WORLD.democracy >= 0) & (WORLD.democracy <= 1)).all()
    assert ((WORLD.alignment >= -1) & (WORLD.alignment <= 1)).all()
    assert ((WORLD.exposure >= 0) & (WORLD.exposure <= 1)).all()
    assert (WORLD.bandwidth >= 2).all()


def test_power_is_the_mean_of_gdp_and_military_shares():
    usa = RAW.set_index("iso3").loc["USA"]
    gdp = usa["gdp_usd_2022"] / RAW["gdp_usd_2022"].sum()
    assert attr("power", "USA") == pytest.approx(
        (gdp + usa["milex_usd_2022"] / RAW["milex_usd_2022"].sum()) / 2, rel=0.02
    )  # the totals include imputed values, hence the tolerance
    assert attr("power", "USA") > attr("power", "CHN") > attr("power", "FRA")


def test_the_council_of_2022():
    ids = np.asarray(WORLD.ids)
    assert sorted(ids[WORLD.permanent]) == ["CHN", "FRA", "GBR", "RUS", "USA"]
    assert sorted(ids[WORLD.elected]) == [
        "ALB", "ARE", "BRA", "GAB", "GHA", "IND", "IRL", "KEN", "MEX", "NOR",
    ]  # fmt: skip
    regions = {iso: REGIONS[int(attr("region", iso))] for iso in ids[WORLD.elected]}
    assert [regions[i] for i in ("GAB", "GHA", "KEN")] == ["africa"] * 3
    assert [regions[i] for i in ("ARE", "IND")] == ["asia_pacific"] * 2
    assert regions["ALB"] == "eastern_europe"
    assert [regions[i] for i in ("BRA", "MEX")] == ["latin_america"] * 2
    assert [regions[i] for i in ("IRL", "NOR")] == ["weog"] * 2
    assert np.bincount(WORLD.region).tolist() == [54, 54, 23, 33, 29]


def test_kinds_as_documented():
    ids = np.asarray(WORLD.ids)
    assert sorted(ids[WORLD.kind == GREAT_POWER]) == sorted(realworld.GREAT_POWERS)
    democracies = ids[WORLD.kind == DEMOCRACY]
    for iso in ("GBR", "CAN", "AUS", "KOR", "CRI", "URY"):
        assert iso in democracies, iso
    for iso in ("BRA", "IDN", "ZAF", "TUR", "SAU"):  # hedging or not established
        assert KINDS[int(attr("kind", iso))] == "developing", iso


def test_camps_as_documented():
    camp = {iso: CAMPS[int(attr("camp", iso))] for iso in WORLD.ids}
    assert camp["RUS"] == camp["CHN"] == camp["IRN"] == camp["PRK"] == "east"
    for iso in ("IND", "BRA", "IDN", "ZAF", "SAU", "KEN", "MEX"):
        assert camp[iso] == "nonaligned", iso
    for iso in ("USA", "JPN", "KOR", "TUR", "UKR", "DEU"):
        assert camp[iso] == "west", iso
    assert attr("alignment", "USA") == 1.0


def test_revisionists_as_documented():
    ids = np.asarray(WORLD.ids)
    revisionist = set(ids[WORLD.revisionist])
    assert {"CHN", "RUS", "IRN", "PRK", "SYR", "BLR"} <= revisionist
    assert all(attr("camp", iso) == CAMPS.index("east") for iso in revisionist)


def test_climate_relevance_follows_co2():
    raw = RAW.set_index("iso3")["co2_mt_2022"]
    assert attr("emissions", "CHN") == pytest.approx(raw["CHN"] / raw.sum(), rel=1e-3)
    assert attr("emissions", "CHN") > attr("emissions", "USA") > attr("emissions", "IND")


def test_every_missing_value_is_imputed_and_flagged_never_silently():
    """The flags are exactly the data's own ``missing`` column, state by state."""
    for _, row in RAW.iterrows():
        listed = set(row["missing"].split(";")) if isinstance(row["missing"], str) else set()
        assert set(WORLD.imputed[INDEX[row["iso3"]]]) == listed, row["iso3"]
    assert sum(1 for flags in WORLD.imputed if flags) == 44


def test_imputation_rules():
    df, flags = realworld.impute(RAW)
    assert (
        not df[["gdp_usd_2022", "milex_usd_2022", "co2_mt_2022", "vdem_edi_2022"]]
        .isna()
        .any()
        .any()
    )
    assert df.loc["VEN", "income_group"] in realworld.INCOME_GROUPS
    assert flags["VEN"] == ["income_group"]
    # GDP of a missing state: population x its income group's median GDP per capita
    low = df[(df["income_group"] == "L") & ~df.index.isin(["ERI", "PRK", "SSD", "YEM"])]
    per_capita = (low["gdp_usd_2022"] / low["population_2022"]).median()
    assert df.loc["PRK", "gdp_usd_2022"] == pytest.approx(
        df.loc["PRK", "population_2022"] * per_capita
    )


def test_ideal_point_fallback_is_the_regional_mean():
    raw = RAW.copy()
    raw.loc[raw["iso3"] == "KEN", "un_ideal_point_2021"] = math.nan
    df, flags = realworld.impute(raw)
    region = raw.loc[raw["iso3"] == "KEN", "un_region"].item()
    expected = raw.loc[raw["un_region"] == region, "un_ideal_point_2021"].mean()
    assert df.loc["KEN", "un_ideal_point_2021"] == pytest.approx(expected)
    assert "un_ideal_point_2021" in flags["KEN"]


# --- scenario keys ----------------------------------------------------------------------


def test_world_real_in_a_scenario():
    scenario = build_scenario({"world": "real"})
    assert scenario.world.kind == "real" and scenario.world.params() == {"year": 2022}
    model = MultilatModel(scenario, record_votes=False)
    assert model.world.n == 193


@pytest.mark.parametrize(
    "data,needle",
    [
        ({"world": {"kind": "real", "year": 2023}}, "key 'world.year': bad value 2023"),
        ({"world": {"kind": "real", "n_states": 50}}, "does not take n_states"),
        ({"world": {"kind": "synthetic", "year": 2022, "n_states": 30}}, None),
    ],
)
def test_real_world_keys(data, needle):
    if needle is None:  # restating a default the loader does not take is harmless
        build_scenario(data)
        return
    with pytest.raises(ScenarioError) as info:
        build_scenario(data)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_events_name_states_of_the_world():
    with pytest.raises(ScenarioError, match=r"events.0.party.*'RUX'.*did you mean 'RUS'"):
        MultilatModel(
            build_scenario(
                {"world": "real", "events": [{"issue": "security_crisis", "party": "RUX"}]}
            )
        )
    model = MultilatModel(
        build_scenario(
            {
                "world": "real",
                "steps": 3,
                "problems": {"arrival_rate": 0.0},
                "events": [{"step": 1, "issue": "security_crisis", "party": "RUS"}],
            }
        )
    )
    model.step()
    assert model.problems == []
    model.step()
    (problem,) = model.problems
    assert problem.issue.name == "security_crisis" and WORLD.ids[problem.party] == "RUS"


# --- multilat world ---------------------------------------------------------------------


def test_world_command_summarises_the_real_world():
    runner = CliRunner()
    result = runner.invoke(app, ["world", "--set", "world.kind=real"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for needle in ("193 states", "great_power 7", "CHN, FRA, GBR, RUS, USA", "Imputed values"):
        assert needle in result.stdout, needle
    data = json.loads(runner.invoke(app, ["world", "--set", "world.kind=real", "--json"]).stdout)
    assert data["states"] == 193 and data["largest"][0]["id"] == "USA"
    assert data["kinds"] == {"great_power": 7, "democracy": 44, "developing": 142}


def test_world_command_on_the_default_and_a_bad_key():
    runner = CliRunner()
    result = runner.invoke(app, ["world"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "60 states" in result.stdout
    bad = runner.invoke(app, ["world", "--set", "world.kind=rael"])
    assert bad.exit_code == 2 and "world.kind" in bad.stderr
