"""Sweep specs and designs: parsing, one-line errors with exit code 2, seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli

from sim.sweep.design import make_design, salib_problem
from sim.sweep.seeds import parse_key, run_seed_sequence, spawn_key
from sim.sweep.spec import SpecError, load_spec, parse_spec

from .conftest import TINY, write_spec

ROOT = Path(__file__).resolve().parents[2]


def test_factorial_design_crosses_levels_in_declared_order() -> None:
    design = make_design(parse_spec(TINY))
    assert list(design.columns) == ["point_id", "point_key", "regime", "rivalry"]
    assert design["point_id"].tolist() == [0, 1, 2, 3]
    assert design["point_key"].is_unique and (design["point_key"] >= 0).all()
    assert design["regime"].tolist() == ["charter", "charter", "coalition", "coalition"]
    assert design["rivalry"].tolist() == [0.0, 1.0, 0.0, 1.0]


def test_whole_numbers_of_a_float_key_are_floats() -> None:
    design = make_design(parse_spec({"sweep": {"rivalry": [0, 1], "world.n_states": [20, 30]}}))
    assert design["rivalry"].dtype == float and design["world.n_states"].dtype == np.int64


def test_nested_tables_and_dotted_keys_are_factors() -> None:
    spec = parse_spec(
        {
            "sweep": {
                "world": {"n_states": [20, 30]},
                "rules.charter.council_votes": [9, 11],
                "replicates": 1,
            }
        }
    )
    assert [f.key for f in spec.factors] == ["world.n_states", "rules.charter.council_votes"]
    assert len(make_design(spec)) == 4
    assert spec.scenario({"world.n_states": 30}).world.n_states == 30


def test_lhs_samples_ranges_and_crosses_levels() -> None:
    spec = parse_spec(
        {
            "sweep": {
                "design": "lhs",
                "samples": 10,
                "regime": ["club", "concert"],
                "rivalry": [0, 1],
                "world.n_states": [20, 40],
            }
        }
    )
    design = make_design(spec)
    assert len(design) == 20
    assert design["rivalry"].dtype == float  # rivalry is a float key even with int bounds
    assert design["world.n_states"].dtype == np.int64
    assert design["world.n_states"].between(20, 40).all()
    # every regime meets the same sample
    club, concert = (design[design["regime"] == r] for r in ("club", "concert"))
    assert club["rivalry"].tolist() == concert["rivalry"].tolist()
    # the same spec always gives the same design
    assert make_design(spec).equals(design)
    # the manifest's SALib problem (for delta, pawn, rbd_fast): integers over [low, high + 1)
    from sim.sweep.runner import _new_manifest

    problem = _new_manifest(spec, design, None)["design"]["salib_problem"]
    assert problem["names"] == ["rivalry", "world.n_states"]
    assert problem["bounds"] == [[0.0, 1.0], [20, 41]]


def test_sobol_design_has_saltelli_size() -> None:
    spec = parse_spec({"sweep": {"design": "sobol", "samples": 8, "rivalry": [0.0, 1.0]}})
    design = make_design(spec)
    assert len(design) == 8 * (1 + 2)  # N * (D + 2) without second order
    assert salib_problem(spec) == {"num_vars": 1, "names": ["rivalry"], "bounds": [[0.0, 1.0]]}


def test_seeds_are_keyed_by_point_and_replicate() -> None:
    assert spawn_key(3, 7) == (3, 7)
    assert spawn_key(3, 7, common_random_numbers=True) == (7,)
    assert parse_key("3,7") == (3, 7)
    a = run_seed_sequence(5, 3, 7).generate_state(4)
    b = np.random.SeedSequence(5, spawn_key=(3, 7)).generate_state(4)
    assert (a == b).all()


BAD = [
    ({"sweep": {"rivalry": [0.5, 1.5]}}, "key 'rivalry': bad value 1.5"),
    ({"sweep": {"rivaly": [0.5]}}, "did you mean 'rivalry'?"),
    ({"sweep": {"rivalry": 0.5}}, "key 'sweep.rivalry': bad value 0.5: a factor needs a list"),
    ({"sweep": {"design": "grid"}}, "key 'sweep.design': bad value 'grid'"),
    ({"sweep": {"replicates": 0}}, "key 'sweep.replicates': bad value 0"),
    ({"sweep": {"replicates": "3"}}, "key 'sweep.replicates': bad value '3'"),
    (
        {"sweep": {"design": "sobol", "samples": 10, "rivalry": [0.0, 1.0]}},
        "key 'sweep.samples': bad value 10: a sobol design needs a power of 2",
    ),
    ({"sweep": {"design": "lhs", "regime": ["club"]}}, "needs at least one range"),
    ({"sweep": {"rivalry": [0.2, 0.2]}}, "levels must be distinct"),
    ({"sweep": {"regime": ["club", 1]}}, "levels of one key must share a type"),
    ({"rivalry": 2, "sweep": {}}, "key 'rivalry': bad value 2"),
    ({"name": "x"}, "key 'sweep' is missing"),
    ({"sweep": {"replicate": 3}}, "not a setting of [sweep] (did you mean 'replicates'?)"),
    ({"sweep": {"replicates": [2, 3]}}, "key 'sweep.replicates': bad value [2, 3]"),
    ({"sweep": {"design": ["lhs"]}}, "key 'sweep.design': bad value ['lhs']"),
    (
        {"sweep": {"design": "lhs", "second_order": True, "rivalry": [0.0, 1.0]}},
        "key 'sweep.second_order': bad value True: only a sobol design",
    ),
    (
        {"sweep": {"samples": 16, "rivalry": [0.0, 1.0]}},
        "key 'sweep.samples': bad value 16: only an lhs or sobol design samples",
    ),
]


BAD_POINT = (
    {"sweep": {"world.n_states": [10, 60], "world.n_great_powers": [6, 12]}},
    "point 1 (world.n_states=10, world.n_great_powers=12): key 'world.n_great_powers': "
    "bad value 12: n_great_powers=12 must be below n_states=10",
)


def test_a_point_that_is_no_valid_scenario_is_named() -> None:
    data, expected = BAD_POINT
    with pytest.raises(SpecError) as info:
        make_design(parse_spec(data))
    assert expected in str(info.value)


@pytest.mark.parametrize(("data", "expected"), BAD)
def test_bad_specs_raise_one_line(data: dict, expected: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec(data)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_missing_spec_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="does not exist"):
        load_spec(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("data", "expected"),
    [BAD[0], BAD[1], BAD[6], BAD_POINT],
    ids=["value", "key", "sobol", "point"],
)
def test_cli_spec_errors_exit_2_in_one_line(tmp_path: Path, data: dict, expected: str) -> None:
    spec = write_spec(tmp_path / "bad.toml", data)
    proc = run_cli("sweep", str(spec), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("error: ")
    assert expected in proc.stderr
    assert not (tmp_path / "o").exists()


def test_bundled_specs_are_valid() -> None:
    paper = load_spec(ROOT / "scenarios" / "paper.toml")
    quick = load_spec(ROOT / "scenarios" / "quick.toml")
    real = load_spec(ROOT / "scenarios" / "paper_real.toml")
    assert real.base["world"] == "real" and real.settings.common_random_numbers
    for spec in (paper, quick, real):
        assert [f.key for f in spec.factors] == ["regime", "rivalry", "issue"]
        assert len(make_design(spec)) == 4 * 6 * 6
    assert paper.settings.replicates >= 20
    assert quick.name == "quick"
