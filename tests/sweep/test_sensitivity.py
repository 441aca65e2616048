"""``multilat sensitivity``: SALib's indices of a sampled sweep, checked on known answers."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.sensitivity import SensitivityError, sensitivity
from sim.sweep import run
from sim.sweep.design import make_design, salib_problem
from sim.sweep.spec import parse_spec

from .conftest import tiny
from .test_sweep_results import ISHIGAMI_S1, ishigami

KEYS = ["rivalry", "world.democracy_share", "world.nonaligned_share"]


def fake_results(sweep: dict[str, Any], outcome, replicates: int = 2) -> SimpleNamespace:
    """A results folder's parts for a design whose metric is ``outcome`` of the unit
    ranges (``effectiveness``), crossed with two regimes, rows shuffled (the indices
    must not depend on the order runs finished in).
    """  # noqa: D205
    spec = parse_spec({"sweep": {"regime": ["club", "concert"], **sweep}})
    design = make_design(spec)
    runs = pd.concat([design.assign(replicate=r) for r in range(replicates)], ignore_index=True)
    y = outcome(runs[KEYS].to_numpy())
    runs = runs.assign(status="ok", effectiveness=y + np.where(runs["replicate"] == 0, 0.1, -0.1))
    runs = runs.sample(frac=1.0, random_state=0)
    manifest = {
        "design": {"kind": spec.settings.design, "salib_problem": salib_problem(spec)},
        "root_seed": 1,
        "spec": {"sweep": sweep},
    }
    return SimpleNamespace(manifest=manifest, design=design, runs=runs)


def test_sobol_indices_of_the_ishigami_function_per_crossed_level() -> None:
    sweep = {"design": "sobol", "samples": 1024, **{k: [0.0, 1.0] for k in KEYS}}
    table = sensitivity(fake_results(sweep, ishigami))
    assert table.attrs["by"] == ["regime"] and table.attrs["method"] == "sobol"
    assert table.attrs["points"] == 1024 * (len(KEYS) + 2)
    for regime in ("club", "concert"):
        rows = table[table["regime"] == regime]
        assert list(rows["factor"]) == KEYS
        assert rows["S1"].to_numpy() == pytest.approx(ISHIGAMI_S1, abs=0.08)
        assert (rows["S1_conf"] > 0).all() and (rows["ST"] >= rows["S1"] - 0.05).all()


def test_delta_indices_of_an_lhs_design_find_the_one_factor_that_matters() -> None:
    sweep = {"design": "lhs", "samples": 300, **{k: [0.0, 1.0] for k in KEYS}}
    table = sensitivity(fake_results(sweep, lambda x: 3 * x[:, 0]))
    assert table.attrs["method"] == "delta"
    club = table[table["regime"] == "club"].set_index("factor")
    assert club.loc["rivalry", "S1"] == pytest.approx(1.0, abs=0.1)
    assert club.loc["rivalry", "delta"] > 0.5
    assert (club.drop("rivalry")["delta"] < 0.15).all()


def test_the_same_results_give_the_same_table() -> None:
    sweep = {"design": "sobol", "samples": 64, **{k: [0.0, 1.0] for k in KEYS}}
    a = sensitivity(fake_results(sweep, ishigami))
    b = sensitivity(fake_results(sweep, ishigami))
    pd.testing.assert_frame_equal(a, b)


def test_a_sobol_analysis_needs_every_point() -> None:
    sweep = {"design": "sobol", "samples": 8, **{k: [0.0, 1.0] for k in KEYS}}
    res = fake_results(sweep, ishigami)
    res.runs = res.runs[res.runs["sample"] != 3]
    with pytest.raises(
        SensitivityError, match=r"1 of 40 points \(regime=club\) lack finished runs"
    ):
        sensitivity(res)


def test_a_metric_undefined_somewhere_is_refused() -> None:
    sweep = {"design": "lhs", "samples": 20, **{k: [0.0, 1.0] for k in KEYS}}
    res = fake_results(sweep, ishigami)
    res.runs.loc[res.runs["sample"] == 0, "effectiveness"] = np.nan
    with pytest.raises(SensitivityError, match=r"undefined in 2 of 40 runs \(regime=club\)"):
        sensitivity(res)


@pytest.fixture(scope="module")
def sobol_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tiny(design="sobol", samples=8, replicates=2, rivalry=[0.0, 1.0])
    data["sweep"]["behaviour.compliance_noise"] = [0.0, 0.3]
    out = tmp_path_factory.mktemp("sens") / "sobol"
    run(data, out=out, workers=1, progress=False)
    return out


def test_cli_prints_and_writes_the_indices(sobol_sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "indices.csv"
    result = CliRunner().invoke(
        app,
        [
            "sensitivity",
            str(sobol_sweep),
            "-m",
            "effectiveness",
            "-m",
            "legitimacy",
            "-o",
            str(out),
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "sobol indices over 32 points per regime" in result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["metric", "regime", "factor", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(table) == 2 * 2 * 2  # metrics x regimes x factors
    assert set(table["factor"]) == {"rivalry", "behaviour.compliance_noise"}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-m", "efectiveness"], "'efectiveness' is not a known metric (did you mean"),
        (["--factorial"], "design 'factorial': sensitivity indices need a sampled design"),
    ],
)
def test_cli_errors_are_one_line_exit_2(
    sobol_sweep: Path, serial_tiny: Path, args: list[str], needle: str
) -> None:
    folder = serial_tiny if args == ["--factorial"] else sobol_sweep
    args = [] if args == ["--factorial"] else args
    result = CliRunner().invoke(app, ["sensitivity", str(folder), *args], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert needle in result.output and "Traceback" not in result.output


def test_a_root_seed_of_0_still_seeds_the_bootstrap() -> None:
    # SALib leaves its bootstrap unseeded when given 0: the intervals would change
    from sim.sensitivity import bootstrap_seed

    assert bootstrap_seed(0) != 0 and bootstrap_seed(0) == bootstrap_seed(0)
    sweep = {"design": "sobol", "samples": 16, **{k: [0.0, 1.0] for k in KEYS}}
    res = fake_results(sweep, ishigami)
    res.manifest["root_seed"] = 0
    pd.testing.assert_frame_equal(sensitivity(res), sensitivity(res))


def test_salib_leaves_no_trace_in_the_calling_process() -> None:
    import warnings

    sweep = {"design": "lhs", "samples": 40, **{k: [0.0, 1.0] for k in KEYS}}
    before = np.random.get_state()[1].copy()  # noqa: NPY002 - checking it is untouched
    formatwarning = warnings.formatwarning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sensitivity(fake_results(sweep, ishigami))
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002
    assert warnings.formatwarning is formatwarning
    assert not [w for w in caught if "Notice" in str(w.message)]


def test_a_metric_the_same_everywhere_is_refused() -> None:
    sweep = {"design": "lhs", "samples": 20, **{k: [0.0, 1.0] for k in KEYS}}
    res = fake_results(sweep, ishigami)
    res.runs["effectiveness"] = 1.0
    with pytest.raises(SensitivityError, match="is 1 at every point .regime=club.: with no"):
        sensitivity(res)


def test_too_few_points_for_salib_is_refused() -> None:
    sweep = {"design": "lhs", "samples": 10, **{k: [0.0, 1.0] for k in KEYS}}
    with pytest.raises(SensitivityError, match="increase \\[sweep\\] samples"):
        sensitivity(fake_results(sweep, ishigami))


@pytest.mark.parametrize("design", ["sobol", "lhs"])
def test_points_short_of_replicates_are_refused(design: str) -> None:
    sweep = {"design": design, "samples": 16 if design == "sobol" else 40}
    sweep.update({k: [0.0, 1.0] for k in KEYS})
    res = fake_results(sweep, ishigami)
    res.manifest["replicates"] = 2
    # every concert run failed: refused, not left out of the table
    res.runs = res.runs[res.runs["regime"] != "concert"]
    with pytest.raises(SensitivityError, match="points .regime=concert. lack finished runs"):
        sensitivity(res)
    res = fake_results(sweep, ishigami)
    res.manifest["replicates"] = 2
    res.runs = res.runs[~((res.runs["sample"] == 5) & (res.runs["replicate"] == 1))]
    with pytest.raises(SensitivityError, match="1 of .* points .regime=club. lack finished"):
        sensitivity(res)


def test_salib_s_own_failure_is_one_error_not_a_traceback() -> None:
    # one point differs from all the others: SALib's kernel density of a bootstrap
    # sample without that point has no spread ("Singular matrix")
    sweep = {"design": "lhs", "samples": 40, **{k: [0.0, 1.0] for k in KEYS}}
    res = fake_results(sweep, lambda x: np.where(np.all(x == x[0], axis=1), 0.5, 1.0))
    with pytest.raises(SensitivityError, match="SALib's delta analysis failed .regime=club."):
        sensitivity(res)


def test_the_report_of_a_sampled_sweep_has_its_indices(sobol_sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["report", str(sobol_sweep), "--out", str(out)])
    assert result.exit_code == 0, result.output
    md = (out / "report.md").read_text()
    assert "## Sensitivity" in md and "| regime | factor | S1 | ST |" in md
    assert "| charter | rivalry | " in md
    assert "<h2>Sensitivity</h2>" in (out / "report.html").read_text()


def test_the_report_of_a_factorial_sweep_has_none(serial_tiny: Path, tmp_path: Path) -> None:
    from sim.report import sensitivity_section
    from sim.results import load

    assert sensitivity_section(load(serial_tiny)) == ("", [])


def test_the_report_of_an_lhs_sweep_points_to_the_command() -> None:
    from sim.report import sensitivity_section

    res = SimpleNamespace(manifest={"design": {"kind": "lhs"}}, path=Path("results/l"))
    about, tables = sensitivity_section(res)
    assert "`multilat sensitivity results/l`" in about and tables == []


def test_progress_is_told_each_combination_of_levels() -> None:
    sweep = {"design": "sobol", "samples": 8, **{k: [0.0, 1.0] for k in KEYS}}
    calls: list[tuple[int, int, str]] = []
    sensitivity(fake_results(sweep, ishigami), progress=lambda *a: calls.append(a))
    assert calls == [(1, 2, "regime=club"), (2, 2, "regime=concert")]
