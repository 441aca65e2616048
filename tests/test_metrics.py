"""Tests of sim.metrics: Gini, camp modularity against networkx, the METRICS table."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from conftest import add_problem, make_model, make_world
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.metrics import METRICS, camp_modularity, gini
from sim.model import MultilatModel

# -------------------------------------------------------------------------------- gini


class TestGini:
    @pytest.mark.parametrize("n", [1, 2, 5, 50])
    def test_equal_is_zero(self, n):
        assert gini(np.full(n, 0.3)) == pytest.approx(0.0, abs=1e-12)

    @pytest.mark.parametrize("n", [1, 2, 5, 50])
    def test_one_has_all(self, n):
        x = np.zeros(n)
        x[n // 2] = 7.0
        assert gini(x) == pytest.approx((n - 1) / n)

    def test_hand_value(self):
        # [0, 1, 2, 3]: mean |xi - xj| over ordered pairs = 20/16 = 1.25; / (2 * mean 1.5)
        assert gini(np.array([3.0, 0.0, 2.0, 1.0])) == pytest.approx(1.25 / 3.0)

    def test_empty_and_all_zero(self):
        assert gini(np.array([])) == 0.0
        assert gini(np.zeros(4)) == 0.0

    def test_order_and_scale_invariant(self):
        x = np.array([0.2, 0.5, 0.1, 0.9])
        assert gini(x[::-1]) == pytest.approx(gini(x))
        assert gini(10 * x) == pytest.approx(gini(x))

    @given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=40))
    @settings(max_examples=60, deadline=None)
    def test_matches_mean_absolute_difference(self, values):
        x = np.array(values)
        if x.sum() <= 1e-9:
            return
        expected = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
        assert gini(x) == pytest.approx(expected, abs=1e-9)
        assert 0.0 <= gini(x) <= 1.0

    def test_equal_values_never_below_zero(self):
        # rounding once gave -2.2e-16 here, so equity = 1 - gini exceeded its hi=1
        assert gini(np.array([86.03875599819176, 86.03875599819176])) >= 0.0


# -------------------------------------------------------------------- camp modularity


def projected_graph(ties: np.ndarray) -> nx.Graph:
    """State x state graph: weight = sum over forums of the product of both ties."""
    w = ties @ ties.T
    g = nx.Graph()
    g.add_nodes_from(range(len(ties)))
    rows, cols = np.nonzero(np.triu(w, 1) > 0)
    g.add_weighted_edges_from(
        (int(i), int(j), float(w[i, j])) for i, j in zip(rows, cols, strict=True)
    )
    return g


def nx_modularity(ties: np.ndarray, camp: np.ndarray) -> float:
    communities = [set(np.flatnonzero(camp == c).tolist()) for c in np.unique(camp)]
    return nx.algorithms.community.modularity(projected_graph(ties), communities, weight="weight")


class TestCampModularity:
    def test_universal_forum_with_equal_ties_is_not_positive(self):
        ties = np.ones((9, 1))
        camp = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
        assert camp_modularity(ties, camp) <= 1e-12

    def test_universal_forum_hand_value(self):
        # complete graph K6, camps of 2: each camp has 1 of 15 edges and 10 of 30 degree
        ties = np.ones((6, 1))
        camp = np.array([0, 0, 1, 1, 2, 2])
        assert camp_modularity(ties, camp) == pytest.approx(3 * (1 / 15 - (1 / 3) ** 2))

    def test_two_forums_each_within_a_camp_is_clearly_positive(self):
        ties = np.array([[1.0, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]])
        camp = np.array([0, 0, 0, 2, 2, 2])
        q = camp_modularity(ties, camp)
        # two disjoint triangles split along the camps: 2 x (1/2 - 1/4)
        assert q == pytest.approx(0.5)

    def test_forums_across_camps_is_lower_than_within(self):
        camp = np.array([0, 0, 0, 2, 2, 2])
        within = np.array([[1.0, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]])
        across = np.array([[1.0, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]])
        assert camp_modularity(across, camp) < 0 < camp_modularity(within, camp)

    def test_one_edge_across_two_camps_is_exactly_the_lower_bound(self):
        q = camp_modularity(np.array([[0.1], [0.7]]), np.array([0, 1]))
        assert q >= METRICS["bloc_modularity"].lo

    def test_one_edge_across_two_camps_is_the_lower_bound_up_to_rounding(self):
        q = camp_modularity(np.array([[0.1], [0.7]]), np.array([0, 1]))
        assert q == pytest.approx(-0.5, abs=1e-12)

    def test_no_forums_or_no_ties(self):
        camp = np.array([0, 1, 2])
        assert camp_modularity(np.zeros((3, 0)), camp) == 0.0
        assert camp_modularity(np.zeros((3, 2)), camp) == 0.0

    @pytest.mark.parametrize("seed", range(6))
    def test_agrees_with_networkx_on_the_projected_graph(self, seed):
        rng = np.random.default_rng(seed)
        n, f = rng.integers(4, 12), rng.integers(1, 5)
        ties = rng.uniform(0, 1, (n, f)) * (rng.uniform(size=(n, f)) < 0.6)
        camp = rng.integers(0, 3, n)
        if (ties @ ties.T - np.diag((ties**2).sum(axis=1))).sum() <= 0:
            pytest.skip("no edges drawn")
        assert camp_modularity(ties, camp) == pytest.approx(nx_modularity(ties, camp), abs=1e-9)

    @given(
        st.integers(3, 10).flatmap(
            lambda n: st.tuples(
                st.lists(
                    st.lists(st.floats(0, 1, allow_nan=False), min_size=3, max_size=3),
                    min_size=n,
                    max_size=n,
                ),
                st.lists(st.integers(0, 2), min_size=n, max_size=n),
            )
        )
    )
    @settings(max_examples=40, deadline=None)
    def test_agrees_with_networkx_property(self, data):
        ties, camp = np.array(data[0]), np.array(data[1])
        w = ties @ ties.T
        if np.triu(w, 1).sum() <= 1e-6:
            return
        assert camp_modularity(ties, camp) == pytest.approx(nx_modularity(ties, camp), abs=1e-7)
        assert METRICS["bloc_modularity"].lo <= camp_modularity(ties, camp) <= 1.0

    def test_matches_the_models_cooperation_network(self):
        m = MultilatModel(regime="coalition", seed=4, steps=25, burn_in=0).run()
        g = m.cooperation_network()
        camp_of = dict(zip(m.world.ids, m.world.camp, strict=True))
        communities = [
            {i for i in g.nodes if camp_of[i] == c} for c in sorted(set(camp_of.values()))
        ]
        expected = nx.algorithms.community.modularity(g, communities, weight="weight")
        assert m.metrics_frame()["bloc_modularity"].iloc[-1] == pytest.approx(expected, abs=1e-9)


# ---------------------------------------------------------------------- METRICS table


class TestMetricTable:
    def test_names_and_ranges(self):
        for name, metric in METRICS.items():
            assert metric.name == name
            assert metric.lo < metric.hi
            assert metric.label and metric.description
            assert metric.summary in ("mean", "sum", "final")
            for c in metric.claims:
                assert c.startswith("C") and 1 <= int(c[1:]) <= 20

    def test_collector_reports_every_metric_in_order(self):
        df = MultilatModel(regime="charter", seed=1, steps=25, burn_in=0).run(3).metrics_frame()
        assert list(df.columns) == list(METRICS)
        assert len(df) == 3
        assert df.index.name == "step"

    def test_effectiveness_nan_without_problems(self):
        m = MultilatModel(
            regime="concert", seed=1, steps=25, burn_in=0, **{"problems.arrival_rate": 0.0}
        ).run(2)
        row = m.metrics_frame().iloc[-1]
        assert math.isnan(row["effectiveness"])
        assert math.isnan(row["deadlock_rate"])
        assert row["veto_count"] == 0


def test_equity_within_range_when_all_states_fare_alike():
    n = 21
    model = make_model(make_world(n, kind=[0] * n), "concert")
    add_problem(model, "pandemic")
    equity = model.run(3).metrics_frame()["equity"]
    assert (equity <= METRICS["equity"].hi).all()


def test_run_effectiveness_is_a_ratio_of_totals_after_burn_in():
    """DESIGN.md: effectiveness = 1 - sum of harm / sum of harm without cooperation."""
    from sim.model import MultilatModel

    model = MultilatModel(regime="concert", seed=1, steps=40, burn_in=10).run()
    frame = model.metrics_frame().iloc[10:]
    expected = 1 - frame["harm"].sum() / frame["shadow_harm"].sum()
    assert model.summary()["effectiveness"] == pytest.approx(expected)


def test_running_figures_are_summarised_by_their_final_value():
    from sim.model import MultilatModel

    model = MultilatModel(regime="coalition", seed=2, steps=40, burn_in=10).run()
    frame, summary = model.metrics_frame(), model.summary()
    for name in ("flexibility", "never_agreed", "time_to_agreement"):
        assert summary[name] == pytest.approx(frame[name].dropna().iloc[-1])
