"""Tests of sim.world: the synthetic world generator, World validation, loaders."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import make_world, world_params
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.issues import ISSUE_NAMES
from sim.model import MultilatModel
from sim.scenario import ScenarioError
from sim.world import (
    DEMOCRACY,
    DEVELOPING,
    ELECTED_SEATS,
    GREAT_POWER,
    REGIONS,
    WORLD_LOADERS,
    World,
    load_world,
    synthetic_world,
)


def world(seed: int = 0, **params) -> World:
    return synthetic_world(np.random.default_rng(seed), **params)


class TestSyntheticWorld:
    def test_shares_sum_to_one(self):
        w = world()
        assert w.power.sum() == pytest.approx(1.0)
        assert w.population.sum() == pytest.approx(1.0)
        assert w.emissions.sum() == pytest.approx(1.0)
        assert (w.power > 0).all() and (w.population > 0).all() and (w.emissions > 0).all()

    def test_kind_counts(self):
        w = world(n_states=60, n_great_powers=6, democracy_share=0.35)
        counts = np.bincount(w.kind, minlength=3)
        assert counts[GREAT_POWER] == 6
        assert counts[DEMOCRACY] == round(0.35 * 54)
        assert counts[DEVELOPING] == 60 - 6 - round(0.35 * 54)
        assert w.great_power.sum() == 6
        assert w.n == 60 and len(w.ids) == 60 and len(set(w.ids)) == 60

    def test_great_power_share(self):
        w = world(great_power_share=0.7)
        assert w.power[w.great_power].sum() == pytest.approx(0.7)

    def test_permanent_are_the_five_largest_great_powers(self):
        w = world(n_great_powers=8)
        assert w.permanent.sum() == 5
        assert w.great_power[w.permanent].all()
        others = w.great_power & ~w.permanent
        assert w.power[w.permanent].min() > w.power[others].max()

    @pytest.mark.parametrize("g", [1, 3, 5])
    def test_all_great_powers_permanent_when_five_or_fewer(self, g):
        w = world(n_great_powers=g, revisionist_powers=0, nonaligned_powers=0)
        np.testing.assert_array_equal(w.permanent, w.great_power)

    def test_leader_is_western_and_clearly_first_among_great_powers(self):
        w = world()
        assert w.alignment[0] > 1 / 3
        assert w.power[0] == w.power[w.great_power].max()
        assert w.power[0] >= 1.5 * w.power[1] - 1e-12

    def test_revisionist_great_powers_are_eastern_autocracies(self):
        w = world(n_great_powers=6, revisionist_powers=2, nonaligned_powers=1)
        rev = np.flatnonzero(w.great_power & w.revisionist)
        np.testing.assert_array_equal(rev, [1, 2])
        assert (w.alignment[rev] < -1 / 3).all()
        assert (w.democracy[rev] < 0.5).all()
        assert w.camp[5] == 1  # the non-aligned power

    def test_ranges_and_shapes(self):
        w = world(n_states=80)
        assert w.exposure.shape == (80, len(ISSUE_NAMES))
        assert ((w.exposure >= 0) & (w.exposure <= 1)).all()
        assert ((w.alignment >= -1) & (w.alignment <= 1)).all()
        assert ((w.democracy >= 0) & (w.democracy <= 1)).all()
        assert (w.bandwidth >= 1).all()
        assert ((w.region >= 0) & (w.region < len(REGIONS))).all()
        assert not w.elected.any()
        assert set(np.unique(w.camp)) <= {0, 1, 2}

    def test_bandwidth_rises_with_kind(self):
        w = world()
        assert w.bandwidth[w.great_power].min() > w.bandwidth[w.kind == DEVELOPING].max() - 4

    @given(world_params(), st.integers(0, 2**32 - 1))
    @settings(max_examples=40, deadline=None)
    def test_invariants_over_parameters(self, params, seed):
        w = world(seed, **params)
        n, g = params["n_states"], params["n_great_powers"]
        assert w.n == n
        assert w.great_power.sum() == g
        assert w.permanent.sum() == min(5, g)
        assert w.great_power[w.permanent].all()
        for shares in (w.power, w.population, w.emissions):
            assert shares.sum() == pytest.approx(1.0)
            assert (shares >= 0).all()
        assert w.exposure.shape == (n, len(ISSUE_NAMES))
        assert ((w.exposure >= 0) & (w.exposure <= 1)).all()
        assert ((w.alignment >= -1) & (w.alignment <= 1)).all()
        assert ((w.democracy >= 0) & (w.democracy <= 1)).all()
        assert (w.great_power & w.revisionist).sum() == params["revisionist_powers"]


@pytest.mark.parametrize(
    "params",
    [
        {"n_great_powers": 3, "revisionist_powers": 2, "nonaligned_powers": 1},
        {"n_great_powers": 1, "revisionist_powers": 1, "nonaligned_powers": 0},
        {"n_great_powers": 1, "revisionist_powers": 0, "nonaligned_powers": 1},
    ],
)
def test_great_power_roles_must_leave_the_western_leader(params):
    """The first great power always leads the West: other roles fit in g - 1."""
    with pytest.raises(ValueError, match="revisionist_powers"):
        world(**params)


@pytest.mark.parametrize("g", [1, 3, 6])
def test_great_power_roles_are_honoured(g):
    rev, nonal = (g - 1) // 2, (g - 1) - (g - 1) // 2
    w = world(n_great_powers=g, revisionist_powers=rev, nonaligned_powers=nonal)
    gp = w.great_power
    assert w.camp[0] == 0
    assert (gp & w.revisionist).sum() == rev
    assert (w.camp[gp] == 2).sum() == rev
    assert (w.camp[gp] == 1).sum() == nonal


class TestReproducibility:
    def test_same_seed_same_world(self):
        a, b = world(7), world(7)
        for name in World.__dataclass_fields__:
            va, vb = getattr(a, name), getattr(b, name)
            if isinstance(va, np.ndarray):
                np.testing.assert_array_equal(va, vb, err_msg=name)
            else:
                assert va == vb, name

    def test_other_seed_other_world(self):
        assert not np.array_equal(world(7).power, world(8).power)

    def test_only_the_given_generator_is_used(self):
        rng = np.random.default_rng(3)
        synthetic_world(rng)
        after = rng.bit_generator.state
        rng2 = np.random.default_rng(3)
        synthetic_world(rng2)
        assert rng2.bit_generator.state == after

    def test_load_world_matches_the_loader(self):
        a = load_world("synthetic", np.random.default_rng(5), n_states=20)
        b = synthetic_world(np.random.default_rng(5), n_states=20)
        np.testing.assert_array_equal(a.power, b.power)
        assert "synthetic" in WORLD_LOADERS


class TestBadParameters:
    @pytest.mark.parametrize(
        ("params", "name"),
        [
            ({"n_states": 6, "n_great_powers": 6}, "n_great_powers"),
            ({"n_states": 6, "n_great_powers": 0}, "n_great_powers"),
            ({"n_great_powers": 3, "revisionist_powers": 2, "nonaligned_powers": 2}, "revisionist"),
        ],
    )
    def test_inconsistent_counts_raise_naming_the_parameter(self, params, name):
        with pytest.raises(ValueError, match=name):
            world(**params)

    @pytest.mark.parametrize(
        ("params", "name"),
        [
            ({"democracy_share": 1.5}, "democracy_share"),
            ({"power_skew": 0.0}, "power_skew"),
            ({"great_power_share": 1.5}, "great_power_share"),
            ({"nonaligned_share": -0.2}, "nonaligned_share"),
            ({"great_power_share": 0.0}, "great_power_share"),
            ({"power_skew": -1.0}, "power_skew"),
        ],
    )
    def test_out_of_range_values_raise_naming_the_parameter(self, params, name):
        with pytest.raises(ValueError, match=name):
            world(**params)

    def test_unknown_loader(self):
        with pytest.raises(ValueError, match="allowed: synthetic"):
            load_world("atlantis", np.random.default_rng(0))

    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("world.n_states", 2),
            ("world.n_great_powers", 0),
            ("world.democracy_share", 1.5),
            ("world.power_skew", 0.0),
            ("world.great_power_share", 1.0),
        ],
    )
    def test_scenario_front_end_names_the_key(self, key, value):
        with pytest.raises(ScenarioError, match=key.split(".")[-1]):
            MultilatModel(**{key: value})

    def test_scenario_inconsistent_world_names_the_key(self):
        with pytest.raises(ScenarioError, match="n_great_powers"):
            MultilatModel(**{"world.n_states": 5, "world.n_great_powers": 5})


class TestWorldDataclass:
    def test_hand_world_defaults(self):
        w = make_world(4)
        assert w.n == 4
        assert not w.elected.any() and len(w.elected) == 4
        np.testing.assert_allclose(w.emissions, w.power)

    def test_wrong_length_names_the_attribute(self):
        w = make_world(4)
        with pytest.raises(ValueError, match="'democracy'"):
            dataclasses.replace(w, democracy=w.democracy[:3])

    def test_wrong_exposure_shape(self):
        w = make_world(4)
        with pytest.raises(ValueError, match="exposure"):
            dataclasses.replace(w, exposure=w.exposure[:, :-1])

    def test_camp_thresholds(self):
        w = make_world(5, alignment=[1.0, 0.34, 0.0, -0.34, -1.0])
        np.testing.assert_array_equal(w.camp, [0, 0, 1, 2, 2])

    def test_elected_seats_cover_ten(self):
        assert sum(ELECTED_SEATS) == 10
        assert len(ELECTED_SEATS) == len(REGIONS)


def test_no_other_state_outweighs_a_great_power():
    """Great powers are great by definition: the Pareto tail is capped below them."""
    for seed in range(50):
        w = synthetic_world(np.random.default_rng(seed))
        gp = w.great_power
        assert w.power[~gp].max() <= w.power[gp].min() + 1e-12, seed
        assert w.power.sum() == pytest.approx(1.0)
