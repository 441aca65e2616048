"""The real world of 2022: the 193 UN member states from public data.

The data (``sim/data/states_2022.csv``, sources and licences in ``sim/data/SOURCES.md``)
are facts from public sources; this module derives the model's attributes from them by
documented rules (docs/model.md, 7.17). Every missing value is imputed by a stated rule
and flagged per state in :attr:`sim.world.World.imputed`; nothing is filled silently.

* ``power``: the mean of the state's shares of world GDP and of world military
  spending (a two-component version of the Correlates of War capability index).
* ``population``, ``emissions``: shares of the world totals (CO2 for emissions).
* ``democracy``: the V-Dem electoral democracy index.
* ``kind``: great powers are the paper's concert (PAPER.md#C10, after Haass and
  Kupchan): the United States, China, Russia, India, Japan and the European Union,
  whose weight is carried by Germany and France (its two largest economies, the pair
  that speaks for it in the E3 and Normandy formats; France also holds its permanent
  seat). Established democracies: V-Dem at least 0.7 and high income or OECD
  membership. Every other state is developing (PAPER.md#C9: Brazil, India, Indonesia
  and South Africa hedge).
* ``alignment``: UN General Assembly ideal points (Bailey, Strezhnev and Voeten),
  centred on the median member and scaled so that the camps (split at +-1/3) put
  Russia and China in the East and India, Brazil, Indonesia and South Africa among the
  non-aligned.
* ``exposure``: CO2 emissions give climate *relevance* (``emissions``); the suffering
  from each issue follows documented rules by income group and region (:data:`EXPOSURE`).
* ``bandwidth``: forum seats by income group (great powers 8), plus up to 4 by power.
* ``region``: the five UN regional groups that share the Security Council's elected
  seats; ``permanent`` and ``elected`` are the council of 2022.
* ``revisionist``: China and Russia (the paper's revisionist powers, p. 13) and the
  states of the eastern camp that Freedom House rates Not Free.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from sim.issues import ISSUE_NAMES
from sim.world import DEMOCRACY, DEVELOPING, GREAT_POWER, REGIONS, World

#: Years with data in ``sim/data``.
YEARS = (2022,)

#: The paper's concert; the EU's weight is carried by Germany and France.
GREAT_POWERS = ("USA", "CHN", "RUS", "IND", "JPN", "DEU", "FRA")

#: Established democracy: V-Dem electoral democracy at least this (as the club's rule).
DEMOCRACY_THRESHOLD = 0.7

#: Ideal points become alignment by ``(ideal - median) / IDEAL_SCALE``, clipped to +-1.
IDEAL_SCALE = 1.4

#: The Eastern European Group of the UN (23 members).
EASTERN_EUROPE = (
    "ALB", "ARM", "AZE", "BGR", "BIH", "BLR", "CZE", "EST", "GEO", "HRV", "HUN", "LTU",
    "LVA", "MDA", "MKD", "MNE", "POL", "ROU", "RUS", "SRB", "SVK", "SVN", "UKR",
)  # fmt: skip
#: Non-European members of the Western European and Others Group.
WEOG_OTHERS = ("AUS", "CAN", "ISR", "NZL", "TUR", "USA")

INCOME_GROUPS = ("L", "LM", "UM", "H")
#: World Bank FY24 thresholds of GNI per capita (US$, Atlas method) between the groups;
#: used only to impute a missing income group from GDP per capita.
INCOME_THRESHOLDS = (1_135.0, 4_465.0, 13_845.0)

#: Exposure to each issue: a base by income group (L, LM, UM, H), plus regional terms.
EXPOSURE: dict[str, tuple[float, float, float, float]] = {
    "climate": (0.8, 0.7, 0.55, 0.45),  # poorer states suffer more and adapt less
    "pandemic": (0.75, 0.7, 0.6, 0.5),  # weaker health systems
    "proliferation": (0.35, 0.35, 0.35, 0.35),
    "security_crisis": (0.4, 0.4, 0.4, 0.4),
    "financial_crisis": (0.4, 0.5, 0.6, 0.6),  # integration into global finance
    "cyber_norms": (0.3, 0.4, 0.5, 0.65),  # digital dependence
}
#: Small-island and low-lying regions: sea-level rise and storms.
CLIMATE_FRONTLINE = ("Caribbean", "Melanesia", "Micronesia", "Polynesia")
#: Regions with nuclear rivalries (Korean peninsula, Iran and the Middle East, South Asia).
PROLIFERATION_REGIONS = ("Eastern Asia", "Western Asia", "Southern Asia")
#: Regions at war or next to one in 2022.
SECURITY_REGIONS = ("Eastern Europe", "Western Asia")

#: Seats by income group (L, LM, UM, H); great powers have 8.
BANDWIDTH = (2.0, 2.0, 3.0, 5.0)


@cache
def load_table(year: int = 2022) -> pd.DataFrame:
    """The data of ``year`` as shipped in ``sim/data`` (read once per process)."""
    if year not in YEARS:
        raise ValueError(f"year={year} has no data; available: {', '.join(map(str, YEARS))}")
    with resources.files("sim.data").joinpath(f"states_{year}.csv").open("rb") as f:
        return pd.read_csv(f, keep_default_na=False, na_values=[""])


def _flag(imputed: dict[str, list[str]], mask: pd.Series, column: str) -> None:
    for iso in mask[mask].index:
        imputed[iso].append(column)


def _group_ratio(df: pd.DataFrame, num: str, den: str) -> pd.Series:
    """Median ``num / den`` of each income group, per state (for imputation)."""
    ratio = (df[num] / df[den]).where(df[num].notna() & df[den].notna())
    return df["income_group"].map(ratio.groupby(df["income_group"]).median())


def impute(df: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Fill every missing value by its documented rule; return the flags per state.

    * ``income_group`` (Venezuela): from GDP per capita by the FY24 thresholds;
    * ``gdp_usd_2022``: population x the median GDP per capita of the income group;
    * ``milex_usd_2022``: GDP x the median military share of GDP of the income group;
    * ``co2_mt_2022``: GDP x the median CO2 per GDP of the income group;
    * ``vdem_edi_2022``: from the Freedom House score, by a least-squares line fitted on
      the states that have both;
    * ``un_ideal_point_2021``: the mean of the state's UN region.
    """
    df = df.set_index("iso3").copy()
    imputed: dict[str, list[str]] = {iso: [] for iso in df.index}

    missing = df["income_group"].isna()
    per_capita = df["gdp_usd_2022"] / df["population_2022"]
    guess = pd.Series(
        np.asarray(INCOME_GROUPS)[np.searchsorted(INCOME_THRESHOLDS, per_capita.fillna(0.0))],
        index=df.index,
    )
    df.loc[missing, "income_group"] = guess[missing]
    _flag(imputed, missing, "income_group")

    missing = df["gdp_usd_2022"].isna()
    gdp_pc = _group_ratio(df, "gdp_usd_2022", "population_2022")
    df.loc[missing, "gdp_usd_2022"] = (df["population_2022"] * gdp_pc)[missing]
    _flag(imputed, missing, "gdp_usd_2022")

    for column in ("milex_usd_2022", "co2_mt_2022"):
        missing = df[column].isna()
        ratio = _group_ratio(df, column, "gdp_usd_2022")
        df.loc[missing, column] = (df["gdp_usd_2022"] * ratio)[missing]
        _flag(imputed, missing, column)

    missing = df["vdem_edi_2022"].isna()
    both = df["vdem_edi_2022"].notna() & df["fh_score_2022"].notna()
    slope, intercept = np.polyfit(df.loc[both, "fh_score_2022"], df.loc[both, "vdem_edi_2022"], 1)
    df.loc[missing, "vdem_edi_2022"] = np.clip(
        intercept + slope * df.loc[missing, "fh_score_2022"], 0.0, 1.0
    )
    _flag(imputed, missing, "vdem_edi_2022")

    missing = df["un_ideal_point_2021"].isna()
    regional = df.groupby("un_region")["un_ideal_point_2021"].transform("mean")
    df.loc[missing, "un_ideal_point_2021"] = regional[missing]
    _flag(imputed, missing, "un_ideal_point_2021")
    return df, imputed


def _regions(df: pd.DataFrame) -> np.ndarray:
    by_continent = {"Africa": "africa", "America": "latin_america", "Europe": "weog"}
    groups = []
    for iso, continent in zip(df.index, df["continent"], strict=True):
        if iso in EASTERN_EUROPE:
            groups.append("eastern_europe")
        elif iso in WEOG_OTHERS:
            groups.append("weog")
        else:
            groups.append(by_continent.get(continent, "asia_pacific"))
    return np.array([REGIONS.index(g) for g in groups])


def _exposure(df: pd.DataFrame, income: np.ndarray, great: np.ndarray) -> np.ndarray:
    exposure = np.empty((len(df), len(ISSUE_NAMES)))
    region = df["un_region"].to_numpy()
    for j, issue in enumerate(ISSUE_NAMES):
        column = np.asarray(EXPOSURE[issue])[income]
        if issue == "climate":
            column = column + 0.15 * np.isin(region, CLIMATE_FRONTLINE)
        elif issue == "proliferation":
            column = column + 0.25 * (np.isin(region, PROLIFERATION_REGIONS) | great)
        elif issue == "security_crisis":
            column = column + 0.2 * np.isin(region, SECURITY_REGIONS) + 0.1 * great
        elif issue == "cyber_norms":
            column = column + 0.15 * great
        exposure[:, j] = np.clip(column, 0.0, 1.0)
    return exposure


@cache
def _imputed_table(year: int) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """:func:`impute` of the year's table, once per process (read-only for its users)."""
    return impute(load_table(year))


def real_world(rng: np.random.Generator, *, year: int = 2022) -> World:
    """The UN member states of ``year`` (module docstring). Nothing is drawn from ``rng``."""
    df, imputed = _imputed_table(year)
    share = {c: (df[c] / df[c].sum()).to_numpy() for c in ("gdp_usd_2022", "milex_usd_2022")}
    power = (share["gdp_usd_2022"] + share["milex_usd_2022"]) / 2
    income = np.array([INCOME_GROUPS.index(g) for g in df["income_group"]])
    democracy = df["vdem_edi_2022"].to_numpy(dtype=float)

    great = df.index.isin(GREAT_POWERS)
    established = (democracy >= DEMOCRACY_THRESHOLD) & ((income == 3) | (df["oecd"] == 1))
    kind = np.where(great, GREAT_POWER, np.where(established, DEMOCRACY, DEVELOPING))

    ideal = df["un_ideal_point_2021"].to_numpy(dtype=float)
    alignment = np.clip((ideal - np.median(ideal)) / IDEAL_SCALE, -1.0, 1.0)
    east = alignment < -1 / 3
    revisionist = df.index.isin(("CHN", "RUS")) | (east & (df["fh_status_2022"] == "NF"))

    bandwidth = np.where(great, 8.0, np.asarray(BANDWIDTH)[income])
    bandwidth = bandwidth + np.round(4 * power / power.max())
    ids = list(df.index)
    return World(
        ids=ids,
        names=list(df["name"]),
        kind=kind,
        power=power,
        population=(df["population_2022"] / df["population_2022"].sum()).to_numpy(),
        democracy=democracy,
        alignment=alignment,
        revisionist=np.asarray(revisionist, dtype=bool),
        exposure=_exposure(df, income, great),
        bandwidth=bandwidth,
        region=_regions(df),
        permanent=(df["p5"] == 1).to_numpy(),
        elected=(df["unsc_elected_2022"] == 1).to_numpy(),
        emissions=(df["co2_mt_2022"] / df["co2_mt_2022"].sum()).to_numpy(),
        imputed=[tuple(imputed[i]) for i in ids],
    )
