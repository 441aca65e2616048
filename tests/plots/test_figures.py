"""Each figure on a small hand-made results frame: lines, labels, values, files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.metrics import METRICS
from sim.plots import (
    FIGURES,
    fig_heatmap,
    fig_network,
    fig_pareto,
    fig_rivalry,
    fig_time,
    fig_virtues,
    fig_winners,
    pareto_front,
    save_figure,
    winners_table,
)
from sim.plots.data import FigureError
from sim.plots.style import OKABE_ITO, regime_colour
from sim.regimes import REGIMES
from sim.validation.claims import CLAIMS

from .conftest import BASE, ISSUE_SHIFT, RIVALRY_SLOPE, TINY_FIGS

PAPER_REGIMES = ["charter", "club", "concert", "coalition"]


def test_claims_table_names_real_figures() -> None:
    for claim in CLAIMS:
        if claim.figure != "none":
            assert claim.figure.split(":")[0] in FIGURES, claim.figure


def test_regime_colours_come_from_the_registry_and_are_stable(monkeypatch) -> None:
    before = {r: regime_colour(r) for r in REGIMES}
    assert len(set(before.values())) == len(before)
    assert set(before.values()) <= set(OKABE_ITO)

    class Fifth(REGIMES["coalition"]):
        name = "fifth"

    monkeypatch.setitem(REGIMES, "fifth", Fifth)
    assert {r: regime_colour(r) for r in before} == before
    assert regime_colour("fifth") not in before.values()


def test_rivalry_lines_labels_and_values(runs: pd.DataFrame) -> None:
    ax = fig_rivalry(runs, "effectiveness")
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == PAPER_REGIMES
    for ln in lines:
        regime = ln.get_label()
        assert ln.get_color() == regime_colour(regime)
        np.testing.assert_allclose(ln.get_xdata(), [0.0, 1.0])
        mean_issue = np.mean(list(ISSUE_SHIFT.values()))
        expected = [BASE[regime] + mean_issue, BASE[regime] + RIVALRY_SLOPE + mean_issue]
        np.testing.assert_allclose(ln.get_ydata(), expected)
    assert len(ax.collections) == 4  # one band per regime
    assert ax.get_ylabel() == METRICS["effectiveness"].label
    assert "rivalry" in ax.get_xlabel().lower()


def test_rivalry_of_one_issue(runs: pd.DataFrame) -> None:
    ax = fig_rivalry(runs, "effectiveness", issue="pandemic")
    ys = {ln.get_label(): ln.get_ydata() for ln in ax.get_lines()}
    np.testing.assert_allclose(ys["club"], [0.45, 0.35])


def test_heatmap_values_and_annotations(runs: pd.DataFrame) -> None:
    ax = fig_heatmap(runs, "effectiveness", rivalry=0.0)
    (mesh,) = [c for c in ax.collections if c.get_gid() == "cells"]
    values = np.asarray(mesh.get_array()).reshape(4, 2)
    assert not ax.images  # vector cells, not a raster image
    for i, regime in enumerate(PAPER_REGIMES):
        for j, issue in enumerate(ISSUE_SHIFT):
            assert values[i, j] == pytest.approx(BASE[regime] + ISSUE_SHIFT[issue])
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 8 and "0.65" in texts  # concert, pandemic
    assert [t.get_text() for t in ax.get_yticklabels()] == PAPER_REGIMES


def test_virtues_bars(runs: pd.DataFrame) -> None:
    from matplotlib.container import BarContainer

    ax = fig_virtues(runs)
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert [c.get_label() for c in bars] == PAPER_REGIMES
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [
        METRICS[m].label for m in ("legitimacy", "solidarity", "capability", "flexibility")
    ]
    heights = {c.get_label(): [b.get_height() for b in c] for c in bars}
    np.testing.assert_allclose(heights["concert"], [0.4, 0.5, 0.3, 0.35])


def test_pareto_front_by_hand() -> None:
    x = np.array([0.1, 0.5, 0.4, 0.9, 0.2, np.nan])
    y = np.array([0.9, 0.5, 0.4, 0.1, 0.2, 1.0])
    assert pareto_front(x, y).tolist() == [0, 1, 3]


def test_pareto_dots_and_front(runs: pd.DataFrame) -> None:
    ax = fig_pareto(runs)
    assert [c.get_label() for c in ax.collections] == PAPER_REGIMES
    assert sum(len(c.get_offsets()) for c in ax.collections) == len(runs)
    (front,) = [ln for ln in ax.get_lines() if ln.get_label() == "Pareto front"]
    assert ax.get_xlabel() == METRICS["legitimacy"].label
    assert ax.get_ylabel() == METRICS["effectiveness"].label
    assert len(front.get_xdata()) > 0


def test_winners_table_and_cells(runs: pd.DataFrame) -> None:
    table = winners_table(runs)
    assert set(table["winner"]) == {"concert"}
    assert table["lead"].to_numpy() == pytest.approx(0.2)
    ax = fig_winners(runs)
    assert len(ax.patches) == 4
    assert {p.get_gid() for p in ax.patches} == {"winner-concert"}
    assert all(t.get_text() == "concert" for t in ax.texts)


def test_winners_a_lead_within_the_noise_is_not_clear(runs: pd.DataFrame) -> None:
    # concert's lead of 0.2 over club is clear with replicates 0.01 apart; spread the
    # concert's replicates by -1, 0, +1 and the same lead is noise (pale, "a ≈ b")
    spread = runs["regime"].eq("concert") * (runs["replicate"] - 1) * 1.0
    noisy = runs.assign(effectiveness=runs["effectiveness"] + spread)
    table = winners_table(noisy)
    assert set(table["winner"]) == {"concert"}
    assert table["lead"].to_numpy() == pytest.approx(0.2)
    assert table["p_value"].min() > 0.05 and not table["clear"].any()
    ax = fig_winners(noisy)
    assert all(t.get_text() == "concert\n≈ club" for t in ax.texts)
    assert all(p.get_alpha() < 1 for p in ax.patches)
    assert winners_table(runs)["clear"].all()
    assert (winners_table(runs)["p_value"] < 1e-4).all()


def test_winners_pair_runs_that_share_their_seeds(runs: pd.DataFrame) -> None:
    # a world effect shared by every regime at a replicate (-1, 0, +1): unpaired, the
    # lead of 0.2 drowns in it; with common random numbers (a seed per replicate, the
    # same under every regime) the differences are paired and the lead is clear
    shared = runs.assign(effectiveness=runs["effectiveness"] + (runs["replicate"] - 1) * 1.0)
    unpaired = winners_table(shared.assign(seed=range(len(shared))))
    assert set(unpaired["test"]) == {"Welch"}
    assert not unpaired["clear"].any() and unpaired["p_value"].min() > 0.05
    crn = shared.assign(seed=100 + shared["replicate"])
    # and a little noise of the concert's own, so that scipy's test is what decides
    crn["effectiveness"] += crn["regime"].eq("concert") * crn["replicate"].map(
        {0: 0.013, 1: -0.004, 2: 0.001}
    )
    paired = winners_table(crn)
    assert set(paired["test"]) == {"paired"}
    assert paired["clear"].all() and (paired["p_value"] < 0.05).all()
    for row in paired.itertuples():
        cell = crn[(crn["issue"] == row.issue) & (crn["rivalry"] == row.rivalry)]
        a, b = (
            cell[cell["regime"] == r].sort_values("seed")["effectiveness"]
            for r in (row.winner, row.runner_up)
        )
        assert row.p_value == pytest.approx(stats.ttest_rel(a, b).pvalue)
    # a run with the metric undefined leaves its partner alone: unpaired for that cell
    gap = crn.copy()
    drop = (gap["regime"] == "club") & (gap["replicate"] == 0) & (gap["issue"] == "climate")
    gap.loc[drop, "effectiveness"] = np.nan
    table = winners_table(gap)
    assert set(table.loc[table["issue"] == "climate", "test"]) == {"Welch"}
    assert set(table.loc[table["issue"] == "pandemic", "test"]) == {"paired"}
    # a frame whose index repeats (two frames concatenated) pairs all the same
    doubled = pd.concat([crn[crn["issue"] == "climate"], crn[crn["issue"] == "pandemic"]])
    doubled.index = [i % 10 for i in range(len(doubled))]
    assert set(winners_table(doubled)["test"]) == {"paired"}


def test_winners_of_a_sweep_with_common_random_numbers_are_paired(tmp_path: Path) -> None:
    """A real sweep: the runs of a replicate share ``seed`` and ``spawn_key`` across
    regimes with common random numbers, and not without.
    """  # noqa: D205
    from sim.results import load
    from sim.sweep import run

    spec = {
        **TINY_FIGS,
        "sweep": {**TINY_FIGS["sweep"], "replicates": 3, "common_random_numbers": True},
    }
    run(spec, out=tmp_path / "crn", workers=1, progress=False)
    table = winners_table(load(tmp_path / "crn"))
    assert set(table["test"]) == {"paired"}
    runs = load(tmp_path / "crn").runs
    for row in table.itertuples():
        cell = runs[(runs["issue"] == row.issue) & (runs["rivalry"] == row.rivalry)]
        a, b = (
            cell[cell["regime"] == r].sort_values("replicate")["effectiveness"]
            for r in (row.winner, row.runner_up)
        )
        expected = stats.ttest_rel(a, b).pvalue
        if np.isfinite(expected):
            assert row.p_value == pytest.approx(expected)


def test_winners_of_a_sweep_without_common_random_numbers_are_unpaired(
    tiny_results: Path,
) -> None:
    from sim.results import load

    assert set(winners_table(load(tiny_results))["test"]) == {"Welch"}


def test_winners_legend_names_the_test(runs: pd.DataFrame) -> None:
    noisy = runs.assign(
        effectiveness=runs["effectiveness"]
        + runs["regime"].eq("concert") * (runs["replicate"] - 1) * 1.0
    )
    # one club run undefined in climate: that cell unpaired, the others paired
    mixed = noisy.assign(seed=noisy["replicate"])
    gone = (mixed["regime"] == "club") & (mixed["replicate"] == 0) & (mixed["issue"] == "climate")
    mixed.loc[gone, "effectiveness"] = np.nan
    for frame, name in (
        (noisy.assign(seed=range(len(noisy))), "(Welch)"),
        (noisy.assign(seed=noisy["replicate"]), "(paired t)"),
        (mixed, "(t-test)"),
    ):
        ax = fig_winners(frame)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels[-1].endswith(name), labels


def test_winners_of_single_runs_are_not_findings(runs: pd.DataFrame) -> None:
    table = winners_table(runs[runs["replicate"] == 0])
    assert table["p_value"].isna().all() and not table["clear"].any()


def test_issue_types_in_the_model_s_order_not_a_to_z(runs: pd.DataFrame) -> None:
    from sim.plots.style import issue_order

    assert issue_order(["security_crisis", "zeta", "mixed", "climate"]) == [
        "climate",
        "security_crisis",
        "mixed",
        "zeta",
    ]
    frame = runs.assign(
        issue=runs["issue"].map({"climate": "security_crisis", "pandemic": "climate"})
    )
    ax = fig_heatmap(frame)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["climate", "security crisis"]
    ax = fig_winners(frame)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["climate", "security crisis"]


def test_winners_lower_is_better(runs: pd.DataFrame) -> None:
    table = winners_table(runs.assign(deadlock_rate=runs["effectiveness"]), "deadlock_rate")
    assert set(table["winner"]) == {"charter"}


def test_time_lines(steps: pd.DataFrame) -> None:
    ax = fig_time(steps, "effectiveness")
    ys = {ln.get_label(): ln.get_ydata() for ln in ax.get_lines()}
    assert list(ys) == PAPER_REGIMES
    np.testing.assert_allclose(ys["club"], [0, 0.4, 0.8, 1.2, 1.6])
    assert ax.get_xlabel() == "Step (0 = first step)"
    assert not [p for p in ax.patches if p.get_gid() == "burn-in"]  # a frame has none


def test_time_shades_the_burn_in(steps: pd.DataFrame) -> None:
    ax = fig_time(steps, "effectiveness", burn_in=2)
    (span,) = [p for p in ax.patches if p.get_gid() == "burn-in"]
    # rows 0 and 1 are left out of the run means: the span covers them, not row 2
    x0, x1 = span.get_x(), span.get_x() + span.get_width()
    assert x0 == pytest.approx(-0.5) and x1 == pytest.approx(1.5)


def test_network_from_a_graph() -> None:
    import networkx as nx

    g = nx.Graph()
    g.add_node("A", kind="great_power", camp=0, power=0.5)
    g.add_node("B", kind="democracy", camp=0, power=0.3)
    g.add_node("C", kind="developing", camp=2, power=0.2)
    g.add_node("forum:club", kind="forum", label="club")
    g.add_edge("A", "B", weight=2.0)
    g.add_edges_from([("forum:club", "A"), ("forum:club", "B")], membership=True)
    ax = fig_network(g, seed=1)
    gids = {c.get_gid() for c in ax.collections}
    assert {"camp-west-great_power", "camp-west-democracy", "camp-east-developing"} <= gids
    assert {"forums", "cooperation", "membership"} <= gids
    assert [t.get_text() for t in ax.texts] == ["club"]


def test_network_camps_read_in_greyscale() -> None:
    # colour is not the only cue in print: the camps' fills differ in lightness, by at
    # least 0.2 of relative luminance between any two
    from itertools import combinations

    from sim.plots.network import CAMP_COLOURS
    from sim.plots.style import luminance

    grey = sorted(luminance(c) for c in CAMP_COLOURS.values())
    assert all(b - a >= 0.2 for a, b in combinations(grey, 2)), grey


def test_network_from_a_model() -> None:
    from sim.model import MultilatModel

    model = MultilatModel(
        regime="club", rivalry=0.3, seed=1, steps=5, burn_in=1, **{"world.n_states": 12}
    )
    model.run()
    ax = fig_network(model, seed=0)
    assert "club" in ax.get_title() and "step 5" in ax.get_title()
    assert "rivalry 0.3" in ax.get_title() and "mixed" in ax.get_title()
    assert any(t.get_text() == "club" for t in ax.texts)


def test_unknown_metric_names_it_and_the_allowed(runs: pd.DataFrame) -> None:
    with pytest.raises(FigureError, match="metric 'nope'.*allowed: effectiveness"):
        fig_rivalry(runs, "nope")


@pytest.mark.parametrize(
    ("draw", "message"),
    [
        (lambda r: fig_rivalry(r, issue="climat"), "issue 'climat'.*have: climate, pandemic"),
        (lambda r: fig_pareto(r, issue="cyber_norms"), "issue 'cyber_norms'.*have: climate"),
        (lambda r: fig_pareto(r, rivalry=0.3), r"rivalry 0.3 .*have: 0.0, 1.0"),
        (lambda r: fig_heatmap(r, rivalry=0.3), r"rivalry 0.3 .*have: 0.0, 1.0"),
    ],
)
def test_a_filter_no_run_matches_names_the_values_there_are(
    runs: pd.DataFrame, draw, message: str
) -> None:
    with pytest.raises(FigureError, match=message):
        draw(runs)


def test_a_filter_matches_rivalry_within_rounding(runs: pd.DataFrame) -> None:
    runs = runs.assign(rivalry=runs["rivalry"] * (0.1 + 0.2) / 0.3)  # 1.0000000000000002
    assert len(fig_pareto(runs, rivalry=1.0).collections) == len(PAPER_REGIMES)


def test_time_filter_no_run_matches(steps: pd.DataFrame) -> None:
    with pytest.raises(FigureError, match="issue 'climat' .*have: climate"):
        fig_time(steps.assign(issue="climate"), issue="climat")


def test_a_sampled_design_s_rivalry_is_binned_in_the_rivalry_figures() -> None:
    """LHS/Sobol: every run its own rivalry value; the lines go through 5 bins' means."""
    rng = np.random.default_rng(0)
    rivalry = rng.uniform(0, 1, 400)
    regime = np.repeat(PAPER_REGIMES, 100)
    runs = pd.DataFrame(
        {
            "regime": regime,
            "rivalry": rivalry,
            "issue": "climate",
            "replicate": 0,
            "effectiveness": [BASE[r] for r in regime] + RIVALRY_SLOPE * rivalry,
        }
    )
    ax = fig_rivalry(runs, "effectiveness")
    assert "5 bins" in ax.get_xlabel()
    for ln in ax.get_lines():
        np.testing.assert_allclose(ln.get_xdata(), [0.1, 0.3, 0.5, 0.7, 0.9])
        # each bin's mean is BASE + slope x the mean rivalry of its runs (within 0.1 of
        # the centre): within |slope| x 0.1 of BASE + slope x centre
        expected = BASE[ln.get_label()] + RIVALRY_SLOPE * np.asarray(ln.get_xdata())
        np.testing.assert_allclose(ln.get_ydata(), expected, atol=abs(RIVALRY_SLOPE) * 0.1)
    table = winners_table(runs)
    assert table.attrs["rivalry_binned"] and len(table) == 5
    assert set(table["winner"]) == {"concert"}


def test_a_factorial_design_s_rivalry_is_not_binned(runs: pd.DataFrame) -> None:
    assert "bins" not in fig_rivalry(runs, "effectiveness").get_xlabel()
    assert not winners_table(runs).attrs["rivalry_binned"]


def test_virtues_takes_its_metrics_second_like_the_other_figures(runs: pd.DataFrame) -> None:
    ax = fig_virtues(runs, "effectiveness")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Effectiveness"]
    ax = fig_virtues(runs, ["legitimacy", "effectiveness"])
    assert len(ax.get_xticklabels()) == 2


@pytest.mark.parametrize("fmt", ["pdf", "svg", "png"])
def test_files_written_and_reproducible(runs: pd.DataFrame, tmp_path, fmt: str) -> None:
    data = []
    for k in range(2):
        ax = fig_rivalry(runs, "effectiveness")
        path = save_figure(ax.figure, tmp_path / f"f{k}.{fmt}")
        data.append(path.read_bytes())
    assert len(data[0]) > 1000
    assert data[0] == data[1]


@pytest.mark.parametrize(
    "draw",
    [
        lambda r: fig_virtues(r),
        lambda r: fig_heatmap(r),
        lambda r: fig_pareto(r),
        lambda r: fig_winners(r),
    ],
)
def test_identical_input_identical_svg(runs: pd.DataFrame, tmp_path, draw) -> None:
    a = save_figure(draw(runs).figure, tmp_path / "a.svg").read_bytes()
    b = save_figure(draw(runs.copy()).figure, tmp_path / "b.svg").read_bytes()
    assert a == b and b"<svg" in a


def test_a_fifth_regime_gets_the_next_colour_in_every_figure(
    runs: pd.DataFrame, monkeypatch
) -> None:
    class Fifth(REGIMES["coalition"]):
        name = "fifth"

    monkeypatch.setitem(REGIMES, "fifth", Fifth)
    five = pd.concat([runs, runs[runs["regime"] == "club"].assign(regime="fifth")])
    ax = fig_rivalry(five, "effectiveness")
    colours = {ln.get_label(): ln.get_color() for ln in ax.get_lines()}
    assert list(colours) == [*PAPER_REGIMES, "fifth"]
    assert colours["fifth"] == OKABE_ITO[4]
    assert [colours[r] for r in PAPER_REGIMES] == list(OKABE_ITO[:4])


def test_intervals_are_cut_to_the_metric_s_range() -> None:
    """A t-interval around a mean near 0 reaches below 0, where effectiveness cannot be."""
    from sim.metrics import clip_to_range
    from sim.plots.data import mean_ci

    frame = pd.DataFrame({"regime": "club", "effectiveness": [0.0, 0.0, 0.03]})
    table = mean_ci(frame, ["regime"], "effectiveness")
    assert table["ci_low"].iloc[0] == 0.0 and table["ci_high"].iloc[0] < 0.1
    assert clip_to_range("flexibility", 0.98, 1.01) == (0.98, 1.0)
    assert clip_to_range("not_a_metric", -1.0, 2.0) == (-1.0, 2.0)


def test_save_figure_keeps_the_figure_s_size_when_not_tight(tmp_path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3.46, 2.0))
    ax.plot([0, 1], [0, 1])
    from PIL import Image

    exact = Image.open(save_figure(fig, tmp_path / "exact.png", tight=False))
    assert exact.size == (round(3.46 * 300), 600)
    cropped = Image.open(save_figure(fig, tmp_path / "tight.png"))
    assert cropped.size != exact.size


def test_virtues_bars_differ_in_greyscale_by_their_hatch(runs: pd.DataFrame) -> None:
    from sim.plots.style import regime_hatch

    ax = fig_virtues(runs)
    hatches = {}
    for container in ax.containers:
        if hasattr(container, "patches") and container.get_label() in PAPER_REGIMES:
            hatches[container.get_label()] = {p.get_hatch() or "" for p in container.patches}
    assert {r: {regime_hatch(r)} for r in PAPER_REGIMES} == hatches
    assert len({regime_hatch(r) for r in PAPER_REGIMES}) == 4
