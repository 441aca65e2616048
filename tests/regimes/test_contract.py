"""The contract every regime honours, parametrized over the registry.

Axelrod's ``TestPlayer`` for us: whatever a regime's rules, a run is reproducible from its
seed (in this process, in another process and under another ``PYTHONHASHSEED``), differs
for another seed, keeps every metric in its declared range, survives pickling, never
touches global random state, and the regime class carries its metadata and a frozen,
validated rule dataclass. A fifth regime is picked up from :data:`sim.regimes.REGIMES`.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import math
import multiprocessing
import os
import pickle
import pkgutil
import random
import re
import subprocess
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import world_params
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

import sim.regimes
from sim.issues import ISSUE_NAMES, MIXED
from sim.metrics import METRICS
from sim.model import MultilatModel
from sim.regimes import REGIMES, Regime, Rules, get_regime

STEPS = 25
SEED = 11
NAMES = list(REGIMES)
TESTS_DIR = Path(__file__).parent
ROOT = TESTS_DIR.parent.parent


def run_frame(regime: str, seed: int = SEED, steps: int = STEPS) -> pd.DataFrame:
    """Per-step metrics of one run (module level: picklable for a process pool)."""
    model = MultilatModel(regime=regime, seed=seed, steps=steps, burn_in=0)
    return model.run().metrics_frame()


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {name: run_frame(name) for name in NAMES}


@pytest.fixture(scope="module")
def spawned_frames() -> dict[str, pd.DataFrame]:
    """The same runs in fresh interpreters (spawn: nothing inherited from this one)."""
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        futures = {name: pool.submit(run_frame, name) for name in NAMES}
        return {name: f.result() for name, f in futures.items()}


_SUBPROCESS = """
import pickle, sys
from sim.model import MultilatModel
frames = {
    name: MultilatModel(regime=name, seed=SEED, steps=STEPS, burn_in=0).run().metrics_frame()
    for name in NAMES
}
sys.stdout.buffer.write(pickle.dumps(frames))
"""


@pytest.fixture(scope="module", params=["0", "4242"])
def hashseed_frames(request) -> dict[str, pd.DataFrame]:
    """The same runs in a subprocess with another ``PYTHONHASHSEED``.

    Guards the rule against iterating sets of strings in model logic: string hashes
    (and so set order) change with the hash seed.
    """
    env = {**os.environ, "PYTHONHASHSEED": request.param}
    code = f"SEED, STEPS, NAMES = {SEED!r}, {STEPS!r}, {NAMES!r}\n" + _SUBPROCESS
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, check=True
    )
    return pickle.loads(out.stdout)


# ------------------------------------------------------------------ reproducibility


@pytest.mark.parametrize("name", NAMES)
class TestReproducibility:
    def test_same_seed_same_steps(self, name, frames):
        again = run_frame(name)
        assert len(again) == STEPS
        assert list(again.columns) == list(METRICS)
        assert_frame_equal(frames[name], again)

    def test_same_seed_in_another_process(self, name, frames, spawned_frames):
        assert_frame_equal(frames[name], spawned_frames[name])

    def test_same_seed_under_another_hash_seed(self, name, frames, hashseed_frames):
        assert_frame_equal(frames[name], hashseed_frames[name])

    def test_other_seed_differs(self, name, frames):
        other = run_frame(name, seed=SEED + 1)
        assert not frames[name].equals(other)

    def test_explicit_generator_drives_the_run(self, name):
        # one generator per run, passed in: it alone decides, as the seed it came from would
        rng = np.random.default_rng(np.random.SeedSequence(SEED))
        model = MultilatModel(regime=name, rng=rng, steps=STEPS, burn_in=0)
        assert_frame_equal(model.run().metrics_frame(), run_frame(name))


# ------------------------------------------------------------------------ metric ranges


@st.composite
def runs(draw):
    world = draw(world_params(max_states=80, max_powers=10, min_states=8, skew=(0.5, 5.0)))
    return {
        "rivalry": draw(st.floats(0, 1)),
        "issue": draw(st.sampled_from((*ISSUE_NAMES, MIXED))),
        "seed": draw(st.integers(0, 2**32 - 1)),
        "problems.arrival_rate": draw(st.floats(0, 3)),
        **{f"world.{key}": value for key, value in world.items()},
    }


def assert_in_ranges(df: pd.DataFrame) -> None:
    for name, metric in METRICS.items():
        values = df[name].to_numpy(dtype=float)
        inside = (values >= metric.lo) & (values <= metric.hi)
        ok = np.isnan(values) | inside
        assert ok.all(), f"{name} outside {metric.lo}..{metric.hi}: {values[~ok]}"


@pytest.mark.parametrize("name", NAMES)
@given(params=runs())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_metrics_stay_in_declared_ranges(name, params):
    model = MultilatModel(regime=name, steps=STEPS, burn_in=0, **params)
    assert_in_ranges(model.run().metrics_frame())


@pytest.mark.parametrize("name", NAMES)
def test_metrics_in_ranges_at_extreme_rivalry(name):
    for rivalry in (0.0, 1.0):
        model = MultilatModel(
            regime=name,
            rivalry=rivalry,
            seed=3,
            steps=40,
            burn_in=0,
            **{"problems.arrival_rate": 2.0},
        )
        df = model.run().metrics_frame()
        assert_in_ranges(df)
        # a run with problems must produce numbers, not only NaN
        assert df["effectiveness"].notna().any()


# ------------------------------------------------------------------- pickling, globals


@pytest.mark.parametrize("name", NAMES)
def test_pickled_model_continues_identically(name):
    model = MultilatModel(regime=name, seed=SEED, steps=STEPS, burn_in=0)
    model.run(8)
    clone = pickle.loads(pickle.dumps(model))
    assert clone is not model
    model.run(8)
    clone.run(8)
    assert_frame_equal(model.metrics_frame(), clone.metrics_frame())
    assert len(clone.metrics_frame()) == 16
    # ...and the clone is independent: stepping it does not advance the original
    clone.run(1)
    assert len(model.metrics_frame()) == 16


def _np_state_equal(a, b) -> bool:
    return all(
        np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("name", NAMES)
def test_no_global_random_state_touched(name):
    random.seed(123)
    np.random.seed(123)  # noqa: NPY002 - the global state is what this test watches
    py_before = random.getstate()
    np_before = np.random.get_state()  # noqa: NPY002
    model = MultilatModel(regime=name, seed=SEED, steps=STEPS, burn_in=0)
    model.run()
    model.summary()
    assert random.getstate() == py_before
    assert _np_state_equal(np.random.get_state(), np_before)  # noqa: NPY002


# ---------------------------------------------------------------------- class contract

PAPER_CLAIM = re.compile(r"^C([1-9]|1[0-9]|20)$")


@pytest.mark.parametrize("name", NAMES)
class TestRegimeClass:
    def test_metadata(self, name):
        cls = REGIMES[name]
        assert issubclass(cls, Regime)
        assert not inspect.isabstract(cls)
        assert cls.name == name
        assert get_regime(name) is cls
        for attr in ("summary", "virtue"):
            value = getattr(cls, attr)
            assert isinstance(value, str) and value.strip(), attr
        assert isinstance(cls.claims, tuple) and cls.claims
        for claim in cls.claims:
            assert PAPER_CLAIM.match(claim), claim
        assert cls.__doc__ and cls.__doc__.strip()
        # the module docstring cites its source in PAPER.md
        assert "PAPER.md#C" in (sys.modules[cls.__module__].__doc__ or "")

    def test_rules_are_a_frozen_dataclass(self, name):
        cls = REGIMES[name]
        assert dataclasses.is_dataclass(cls.Rules)
        assert issubclass(cls.Rules, Rules)
        rules = cls.make_rules()
        assert isinstance(rules, cls.Rules)
        for f in dataclasses.fields(rules):
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(rules, f.name, getattr(rules, f.name))

    def test_make_rules_applies_overrides(self, name):
        cls = REGIMES[name]
        rules = cls.make_rules({"bindingness": 0.123, "delay": 7})
        assert rules.bindingness == 0.123
        assert rules.delay == 7
        assert cls.make_rules(None) == cls.make_rules({})

    def test_make_rules_rejects_unknown_key(self, name):
        with pytest.raises(ValueError, match="bad_key"):
            REGIMES[name].make_rules({"bad_key": 1})

    @pytest.mark.parametrize(("key", "value"), [("bindingness", 1.5), ("delay", -1)])
    def test_make_rules_rejects_bad_value(self, name, key, value):
        with pytest.raises(ValueError, match=key):
            REGIMES[name].make_rules({key: value})

    def test_scenario_rules_reach_the_regime(self, name):
        model = MultilatModel(
            regime=name, seed=0, steps=STEPS, burn_in=0, rules={name: {"bindingness": 0.321}}
        )
        assert model.regime.rules.bindingness == 0.321
        assert type(model.regime) is REGIMES[name]

    def test_has_its_own_test_file(self, name):
        assert (TESTS_DIR / f"test_{name}.py").is_file(), f"tests/regimes/test_{name}.py"


# ------------------------------------------------------------------ registry complete


def regime_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.iter_modules(sim.regimes.__path__, "sim.regimes.")
        if info.name.rsplit(".", 1)[-1] not in ("base", "__init__")
    ]


def test_registry_is_not_empty_and_keys_are_names():
    assert REGIMES
    for key, cls in REGIMES.items():
        assert cls.name == key


@pytest.mark.parametrize("module", regime_modules())
def test_every_regime_module_is_registered(module):
    mod = importlib.import_module(module)
    defined = [
        obj
        for obj in vars(mod).values()
        if inspect.isclass(obj)
        and issubclass(obj, Regime)
        and obj.__module__ == mod.__name__
        and not inspect.isabstract(obj)
    ]
    assert defined, f"{module} defines no Regime subclass"
    for cls in defined:
        assert REGIMES.get(cls.name) is cls, f"{cls.__name__} of {module} is not registered"


def test_every_registered_regime_comes_from_a_regime_module():
    modules = set(regime_modules())
    for cls in REGIMES.values():
        assert cls.__module__ in modules


def test_unknown_regime_names_the_allowed_ones():
    with pytest.raises(ValueError, match="allowed: " + ", ".join(REGIMES)):
        get_regime("cartel")


def test_regime_test_files_match_the_registry():
    # every tests/regimes/test_<name>.py names a registered regime (or is the contract)
    for path in TESTS_DIR.glob("test_*.py"):
        stem = path.stem.removeprefix("test_")
        assert stem == "contract" or stem in REGIMES, path.name


def test_metric_nan_is_allowed_but_not_inf_where_bounded():
    # guard for assert_in_ranges itself: it must reject values outside and accept NaN
    df = pd.DataFrame({name: [math.nan] for name in METRICS})
    assert_in_ranges(df)
    df.loc[0, "effectiveness"] = 1.5
    with pytest.raises(AssertionError, match="effectiveness"):
        assert_in_ranges(df)


def test_register_warns_only_when_it_replaces_a_built_in_regime(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sim.regimes import BUILT_IN, register, registered_at_run_time

    monkeypatch.setattr(sim.regimes, "REGIMES", dict(REGIMES))  # register writes here
    base = REGIMES["concert"]
    club = type("Club2", (base,), {"name": "club"})
    with pytest.warns(UserWarning, match="regime 'club' now means Club2, not the built-in"):
        register(club)
    fresh = type("Cartel", (base,), {"name": "cartel"})
    again = type("Cartel", (base,), {"name": "cartel"})  # a notebook cell run twice
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        register(fresh)
        register(again)
    assert sim.regimes.REGIMES["cartel"] is again
    assert registered_at_run_time(["club", "cartel", "charter"]) == ["cartel"]
    assert "cartel" not in BUILT_IN
