"""Scenario files: the baseline is the defaults; every bad key or value is one clear line.

A :class:`ScenarioError` message must be one line that names the key and the bad value
(the CLI prints it as ``error: ...`` and exits with code 2).
"""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.behaviour import Behaviour
from sim.issues import ISSUE_NAMES
from sim.regimes import REGIMES
from sim.scenario import (
    ProblemSpec,
    Scenario,
    ScenarioError,
    WorldSpec,
    build_scenario,
    load_scenario,
)
from sim.world import WORLD_LOADERS, load_world

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"


def write(tmp_path: Path, text: str, name: str = "s.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    """The one-line ScenarioError message of loading ``text`` as a scenario file."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, text))
    message = str(info.value)
    assert message, "empty ScenarioError message"
    assert "\n" not in message, f"message is not one line: {message!r}"
    return message


# ------------------------------------------------------------------------- the baseline


def _diff(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            out += _diff(a.get(key, "<missing>"), b.get(key, "<missing>"), f"{path}.{key}")
        return out
    return [] if a == b else [f"{path.lstrip('.')}: file {a!r} != default {b!r}"]


def test_baseline_gives_exactly_the_defaults() -> None:
    loaded = load_scenario(BASELINE).to_dict()
    defaults = build_scenario({"name": "baseline"}).to_dict()
    loaded.pop("name")
    defaults.pop("name")
    differences = _diff(loaded, defaults)
    assert not differences, "scenarios/baseline.toml is out of date with the code:\n" + "\n".join(
        differences
    )


def test_baseline_is_named_baseline() -> None:
    assert load_scenario(BASELINE).name == "baseline"


def _keys(table: dict[str, Any], prefix: str = "") -> set[str]:
    out = set()
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= _keys(value, f"{name}.")
        else:
            out.add(name)
    return out


def test_baseline_spells_out_every_key() -> None:
    """Every key (every behaviour field, every rule of every regime) is written out."""
    raw = tomllib.loads(BASELINE.read_text(encoding="utf-8"))
    expected = _keys(build_scenario({"name": "baseline"}).to_dict())
    assert _keys(raw) == expected
    # the tables cover every field of the code's schemas
    # [world] spells out the synthetic loader's keys (other loaders' keys, e.g. year, are
    # described in its comments)
    synthetic = inspect.signature(WORLD_LOADERS["synthetic"]).parameters
    assert set(raw["world"]) == {"kind"} | {k for k in synthetic if k != "rng"}
    assert set(raw["world"]) <= set(WorldSpec.model_fields)
    assert set(raw["behaviour"]) == set(Behaviour.__dataclass_fields__)
    assert set(raw["problems"]) | {"issue_weights"} == set(ProblemSpec.model_fields)
    assert set(raw["rules"]) == set(REGIMES)
    for name, cls in REGIMES.items():
        assert set(raw["rules"][name]) == set(cls.Rules.__dataclass_fields__), name
    # [payoffs] is the theory mode's table (scenarios/theory_*.toml); ordinary runs have none
    assert set(raw) | {"payoffs"} == set(Scenario.model_fields)


def test_baseline_comments_every_key() -> None:
    """Each key line is directly preceded by a comment line (what, range, why, claim)."""
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "[")):
            continue
        assert "=" in stripped, line
        assert i > 0 and lines[i - 1].lstrip().startswith("#"), f"no comment above: {line!r}"


def test_to_toml_round_trips(tmp_path: Path) -> None:
    scenario = build_scenario(
        {"name": "rt", "regime": "club", "rivalry": 0.7, "rules": {"charter": {"delay": 6}}}
    )
    path = write(tmp_path, scenario.to_toml())
    assert load_scenario(path).to_dict() == scenario.to_dict()


def test_name_defaults_to_file_stem(tmp_path: Path) -> None:
    assert load_scenario(write(tmp_path, "rivalry = 0.4\n", "my_run.toml")).name == "my_run"


# ---------------------------------------------------------------------- unknown keys


@pytest.mark.parametrize(
    ("text", "key", "suggestion"),
    [
        ("rivaly = 0.5", "rivaly", "rivalry"),
        ("[world]\nn_state = 30", "world.n_state", "n_states"),
        ("[problems]\narrival_rat = 1.0", "problems.arrival_rat", "arrival_rate"),
        ("[rules.clb]\ndelay = 1", "rules.clb", "club"),
    ],
    ids=lambda v: str(v).split("\n")[-1],
)
def test_unknown_key_suggests(tmp_path: Path, text: str, key: str, suggestion: str) -> None:
    msg = error_of(tmp_path, text)
    assert f"'{key}'" in msg
    assert f"did you mean '{suggestion}'" in msg


def test_a_sweep_spec_run_as_a_scenario_says_so(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "regime = 'club'\n[sweep]\nrivalry = [0.0, 1.0]")
    assert "this is a sweep spec" in msg and "multilat sweep" in msg


@pytest.mark.parametrize(
    ("text", "key", "suggestion"),
    [
        pytest.param(
            "[rules.charter]\nassembly_quta = 0.7",
            "rules.charter.assembly_quta",
            "assembly_quota",
        ),
        pytest.param("[behaviour]\nlinkge = 0.2", "behaviour.linkge", "linkage"),
    ],
    ids=lambda v: str(v).split("\n")[-1],
)
def test_unknown_key_in_dataclass_tables_suggests(
    tmp_path: Path, text: str, key: str, suggestion: str
) -> None:
    msg = error_of(tmp_path, text)
    assert f"'{key}'" in msg
    assert f"did you mean '{suggestion}'" in msg


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[rules.charter]\nassembly_quta = 0.7", "rules.charter.assembly_quta"),
        ("[behaviour]\nlinkge = 0.2", "behaviour.linkge"),
    ],
    ids=lambda v: str(v).split("\n")[-1],
)
def test_unknown_key_in_dataclass_tables_is_named(tmp_path: Path, text: str, key: str) -> None:
    assert f"'{key}'" in error_of(tmp_path, text)


def test_unknown_regime_table(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "[rules.foo]\ndelay = 1")
    assert "'rules.foo'" in msg
    for name in REGIMES:
        assert name in msg


# ------------------------------------------------------------- wrong types and ranges


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        # wrong type
        ('steps = "many"', "steps", "'many'"),
        ('rivalry = "high"', "rivalry", "'high'"),
        ("steps = 10.5", "steps", "10.5"),
        ("[world]\nn_states = 2.5", "world.n_states", "2.5"),
        ("[rules]\ncharter = 3", "rules.charter", "3"),
        (
            '[rules.charter]\nsecurity_to_council = "maybe"',
            "rules.charter.security_to_council",
            "'maybe'",
        ),
        # out of range
        ("rivalry = 1.5", "rivalry", "1.5"),
        ("rivalry = -0.1", "rivalry", "-0.1"),
        ("steps = 0", "steps", "0"),
        ("seed = -1", "seed", "-1"),
        ("[world]\nn_states = 2", "world.n_states", "2"),
        ("[behaviour]\nlinkage = 3.0", "behaviour.linkage", "3.0"),
        ("[rules.charter]\ndelay = -1", "rules.charter.delay", "-1"),
        ("[rules.charter]\ncouncil_votes = 16", "rules.charter.council_votes", "16"),
        ("[rules.club]\nmembership = 'everyone'", "rules.club.membership", "'everyone'"),
        # unknown names
        ('regime = "clb"', "regime", "'clb'"),
        ('issue = "climat"', "issue", "'climat'"),
        ('world = "mars"', "world.kind", "'mars'"),
    ],
    ids=lambda v: str(v).split("\n")[-1],
)
def test_bad_value_names_key_and_value(tmp_path: Path, text: str, key: str, value: str) -> None:
    msg = error_of(tmp_path, text)
    assert f"key '{key}'" in msg
    assert f"bad value {value}" in msg


def test_exact_message_for_rivalry_out_of_range(tmp_path: Path) -> None:
    assert error_of(tmp_path, "rivalry = 1.5") == (
        "key 'rivalry': bad value 1.5: Input should be less than or equal to 1"
    )


def test_unknown_regime_lists_the_registry(tmp_path: Path) -> None:
    msg = error_of(tmp_path, 'regime = "clb"')
    for name in REGIMES:
        assert name in msg


def test_unknown_issue_lists_the_issues(tmp_path: Path) -> None:
    msg = error_of(tmp_path, 'issue = "climat"')
    for name in ("mixed", *ISSUE_NAMES):
        assert name in msg


@pytest.mark.parametrize(("steps", "burn_in"), [(10, 10), (10, 20), (1, 1)])
def test_burn_in_must_be_below_steps(tmp_path: Path, steps: int, burn_in: int) -> None:
    msg = error_of(tmp_path, f"steps = {steps}\nburn_in = {burn_in}")
    assert f"burn_in={burn_in}" in msg
    assert f"steps={steps}" in msg


def test_burn_in_error_names_the_key_without_dumping_the_file(tmp_path: Path) -> None:
    text = BASELINE.read_text(encoding="utf-8").replace("steps = 100", "steps = 10")
    msg = error_of(tmp_path, text)
    assert "key 'burn_in'" in msg
    assert len(msg) < 200, msg


def test_boolean_is_not_a_number(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "rivalry = true")
    assert "key 'rivalry'" in msg


def test_inconsistent_world_names_the_table(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "[world]\nn_states = 5\nn_great_powers = 6")
    assert "world" in msg
    assert "n_great_powers=6" in msg


def test_issue_weights_must_name_issues(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "[problems]\nissue_weights = { climat = 1.0 }")
    assert "problems.issue_weights" in msg
    assert "'climat'" in msg


# ------------------------------------------------------------------ world shorthand


def test_world_shorthand(tmp_path: Path) -> None:
    short = load_scenario(write(tmp_path, 'world = "synthetic"'))
    assert short.world == WorldSpec()
    assert short.to_dict()["world"] == build_scenario().to_dict()["world"]


def test_world_shorthand_override_of_a_parameter() -> None:
    scenario = build_scenario({"world": "synthetic"}, **{"world.n_states": 30})
    assert scenario.world.kind == "synthetic"
    assert scenario.world.n_states == 30


# ----------------------------------------------------------- files that do not load


def test_bad_toml(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "rivalry = = 0.3")
    assert "s.toml" in msg
    assert "not valid TOML" in msg


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "nope.toml")
    msg = str(info.value)
    assert "\n" not in msg
    assert "nope.toml" in msg
    assert "does not exist" in msg


def test_directory_is_not_a_scenario(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert "\n" not in str(info.value)


# ----------------------------------------------------------------------- overrides


def test_overrides_apply_and_none_is_ignored() -> None:
    scenario = load_scenario(
        BASELINE, regime="club", rivalry=0.8, issue=None, seed=None, **{"world.n_states": 40}
    )
    assert (scenario.regime, scenario.rivalry, scenario.issue) == ("club", 0.8, "mixed")
    assert scenario.world.n_states == 40
    assert scenario.seed == 0


def test_bad_override_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError, match=r"key 'rivalry': bad value 1\.5"):
        load_scenario(BASELINE, rivalry=1.5)


# ------------------------------------------------------------------------- property


def _world_for(n_states: int) -> dict[str, int]:
    gp = min(6, n_states - 1)
    rev = min(2, gp - 1)  # the leading power is always Western
    return {
        "n_states": n_states,
        "n_great_powers": gp,
        "revisionist_powers": rev,
        "nonaligned_powers": min(1, gp - 1 - rev),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rivalry=st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
    n_states=st.integers(min_value=3, max_value=20_000),
)
def test_any_rivalry_and_world_size_in_range_validate(rivalry: float, n_states: int) -> None:
    scenario = build_scenario({"rivalry": rivalry, "world": _world_for(n_states)})
    assert scenario.rivalry == rivalry
    assert scenario.world.n_states == n_states
    # and the TOML written for it loads back to the same scenario
    again = build_scenario(tomllib.loads(tomli_w.dumps(scenario.to_dict())))
    assert again.to_dict() == scenario.to_dict()


@settings(max_examples=25, deadline=None)
@given(n_states=st.integers(min_value=3, max_value=400), seed=st.integers(0, 2**32))
def test_a_valid_world_spec_builds_a_world(n_states: int, seed: int) -> None:
    spec = build_scenario({"world": _world_for(n_states), "seed": seed}).world
    world = load_world(spec.kind, np.random.default_rng(seed), **spec.params())
    assert world.n == n_states
    assert np.isclose(world.power.sum(), 1.0)


def test_a_shorter_run_keeps_the_share_of_burn_in_in_python_too() -> None:
    from sim.model import MultilatModel

    model = MultilatModel(load_scenario(BASELINE), steps=10)
    assert model.spec.burn_in == 2
    notes: list[str] = []
    scenario = load_scenario(BASELINE, steps=15, notify=notes.append)
    assert scenario.burn_in == 3 and len(notes) == 1


def test_rng_and_seed_together_are_refused() -> None:
    import numpy as np

    from sim.model import MultilatModel

    with pytest.raises(ValueError, match="either rng or seed"):
        MultilatModel(rng=np.random.default_rng(1), seed=2)


def test_a_short_file_without_burn_in_gets_the_defaults_share(tmp_path: Path) -> None:
    path = tmp_path / "short.toml"
    path.write_text("steps = 15\n", encoding="utf-8")
    assert load_scenario(path).burn_in == 3
    assert load_scenario(path, steps=10).burn_in == 2
