"""Reading results: summaries with t-intervals, DuckDB in place, CSV and EMA exports, SALib."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import run_cli
from scipy import stats
from typer.testing import CliRunner

from sim.cli import app
from sim.export import export
from sim.files import StoreError
from sim.results import load, overview
from sim.sweep import run
from sim.sweep.design import make_design, salib_problem
from sim.sweep.spec import parse_spec

from .conftest import TINY, tiny, write_spec


def test_summary_is_a_t_interval_over_replicates(serial_tiny: Path) -> None:
    res = load(serial_tiny)
    table = res.summary("effectiveness", by=["regime", "rivalry"], ci=0.9)
    assert list(table.columns) == ["regime", "rivalry", "n", "mean", "std", "ci_low", "ci_high"]
    assert len(table) == 4 and table["n"].eq(3).all()
    runs = res.runs
    x = runs[(runs["regime"] == "coalition") & (runs["rivalry"] == 1.0)]["effectiveness"]
    lo, hi = stats.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    row = table[(table["regime"] == "coalition") & (table["rivalry"] == 1.0)].iloc[0]
    assert row["ci_low"] == pytest.approx(lo) and row["ci_high"] == pytest.approx(hi)
    whole = res.summary("legitimacy")
    assert whole["n"].iloc[0] == 12
    assert set(overview(res)["regime"]) == {"charter", "coalition"}
    with pytest.raises(KeyError, match="by 'regme' is unknown \\(did you mean 'regime'\\?\\)"):
        res.summary("effectiveness", by=["regme"])
    with pytest.raises(KeyError, match="metric 'efectiveness' is unknown .*did you mean"):
        res.summary("efectiveness")
    with pytest.raises(TypeError, match="once per metric"):
        res.summary(["effectiveness", "legitimacy"])  # type: ignore[arg-type]
    by_name = res.summary("effectiveness", by="regime")
    pd.testing.assert_frame_equal(by_name, res.summary("effectiveness", by=["regime"]))
    with pytest.raises(KeyError, match="column 'efectiveness' is unknown .*did you mean"):
        res.steps(["efectiveness"])
    one = res.steps("effectiveness")
    assert list(one.columns) == ["point_id", "replicate", "step", "effectiveness"]


def test_duckdb_reads_runs_and_steps_in_place(serial_tiny: Path) -> None:
    duckdb = pytest.importorskip("duckdb", reason="DuckDB is installed by the test extra")
    con = duckdb.connect()
    by_sql = con.execute(
        f"SELECT regime, avg(effectiveness) AS m, count(*) AS n "
        f"FROM '{serial_tiny}/runs.parquet' GROUP BY regime ORDER BY regime"
    ).df()
    runs = load(serial_tiny).runs
    by_pandas = runs.groupby("regime")["effectiveness"].mean()
    assert by_sql["m"].tolist() == pytest.approx(by_pandas.tolist())
    n_steps = con.execute(f"SELECT count(*) FROM '{serial_tiny}/steps/*.parquet'").fetchone()[0]
    steps = load(serial_tiny).steps()
    assert n_steps == len(steps)
    # undefined per-step values are nulls, which SQL skips as pandas skips NaN
    gappy = [c for c in steps.columns if 0 < steps[c].isna().sum() < len(steps)]
    assert gappy, "no metric with undefined steps to check"
    for column in gappy:
        avg = con.execute(f"SELECT avg({column}) FROM '{serial_tiny}/steps/*.parquet'").fetchone()
        assert avg[0] == pytest.approx(steps[column].mean()), column


def test_csv_export(serial_tiny: Path, tmp_path: Path) -> None:
    folder = export(serial_tiny, "csv", tmp_path / "csv")
    runs = pd.read_csv(folder / "runs.csv")
    assert len(runs) == 12
    steps = pd.read_csv(folder / "steps.csv")
    assert len(steps) == len(load(serial_tiny).steps())
    assert len(pd.read_csv(folder / "design.csv")) == 4


def test_ema_export_loads_in_ema_workbench_and_runs_prim(serial_tiny: Path, tmp_path: Path) -> None:
    ema = pytest.importorskip("ema_workbench", reason="EMA Workbench is the optional extra [ema]")
    from ema_workbench.analysis import prim

    result = CliRunner().invoke(
        app, ["export", str(serial_tiny), "--format", "ema", "--out", str(tmp_path / "e.tar.gz")]
    )
    assert result.exit_code == 0, result.output
    experiments, outcomes = ema.load_results(str(tmp_path / "e.tar.gz"))
    assert len(experiments) == 12
    assert {"regime", "rivalry", "scenario", "policy", "model"} <= set(experiments.columns)
    runs = load(serial_tiny).runs
    assert np.allclose(outcomes["effectiveness"], runs["effectiveness"].to_numpy())
    y = outcomes["effectiveness"] > np.median(outcomes["effectiveness"])
    box = prim.Prim(experiments[["regime", "rivalry"]], y.astype(int), mass_min=0.1).find_box()
    assert len(box.peeling_trajectory) >= 1
    # the time series, run by run as in steps/, for EMA's lines and envelopes
    steps = load(serial_tiny).steps(["legitimacy"])
    by_run = steps.pivot(index=["point_id", "replicate"], columns="step", values="legitimacy")
    expected = by_run.loc[list(zip(runs["point_id"], runs["replicate"], strict=True))]
    np.testing.assert_array_equal(outcomes["legitimacy_series"], expected.to_numpy())
    assert outcomes["TIME"].shape == expected.shape
    from ema_workbench.analysis import plotting

    plotting.lines(experiments, outcomes, outcomes_to_show="legitimacy_series", group_by="policy")
    import matplotlib.pyplot as plt

    plt.close("all")


def test_ema_export_leaves_out_series_of_unequal_length(tmp_path: Path) -> None:
    from sim.export import ema_series
    from sim.sweep import run

    data = {"steps": 12, "burn_in": 2, "world": {"n_states": 15}}
    data["sweep"] = {"replicates": 1, "steps": [8, 12]}
    res = run(data, out=tmp_path / "uneven", workers=1, progress=False)
    assert ema_series(res, res.runs) is None
    assert ema_series(res, res.runs[res.runs["steps"] == 8])["TIME"].shape == (1, 8)


def test_export_rejects_a_bad_format_and_folder(serial_tiny: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(app, ["export", str(serial_tiny), "--format", "xlsx"])
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["export", str(tmp_path)])
    assert missing.exit_code == 2


ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)


def ishigami(x: np.ndarray) -> np.ndarray:
    a, b = 7.0, 0.1
    x = -math.pi + 2 * math.pi * x  # from the unit ranges to [-pi, pi]
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_design_round_trips_through_salib_analysis() -> None:
    from SALib.analyze import sobol

    keys = ["rivalry", "world.democracy_share", "world.nonaligned_share"]
    spec = parse_spec(
        {"sweep": {"design": "sobol", "samples": 1024, **{k: [0.0, 1.0] for k in keys}}}
    )
    design = make_design(spec).sort_values("point_id")
    y = ishigami(design[keys].to_numpy())
    indices = sobol.analyze(salib_problem(spec), y, calc_second_order=False, seed=1)
    assert indices["S1"] == pytest.approx(ISHIGAMI_S1, abs=0.08)


def test_a_sobol_sweep_is_analysable_from_its_results(tmp_path: Path) -> None:
    from SALib.analyze import sobol

    data = tiny(design="sobol", samples=8, replicates=2, rivalry=[0.0, 1.0])
    data["sweep"]["behaviour.compliance_noise"] = [0.0, 0.3]
    res = run(data, out=tmp_path / "sobol", workers=1, progress=False)
    problem = res.manifest["design"]["salib_problem"]
    assert problem["names"] == ["rivalry", "behaviour.compliance_noise"]
    # as docs/sweep.md shows it: one regime's runs, the mean over replicates per sample
    for regime in ("charter", "coalition"):
        runs = res.runs[res.runs["regime"] == regime]
        y = runs.groupby("sample")["legitimacy"].mean().sort_index().to_numpy()
        assert len(y) == 8 * (2 + 2)
        indices = sobol.analyze(problem, y, calc_second_order=False, seed=1)
        assert np.isfinite(indices["ST"]).all()


def test_a_damaged_folder_is_one_line_in_report_export_and_resume(
    serial_tiny: Path, tmp_path: Path
) -> None:
    """A damaged part or manifest (a disk fault): one line naming the file, exit 2."""
    import shutil

    part = tmp_path / "part"
    shutil.copytree(serial_tiny, part)
    (part / "runs.parquet").unlink()
    first = sorted((part / "runs").glob("part-*.parquet"))[0]
    first.write_bytes(first.read_bytes()[:200])
    manifest = tmp_path / "manifest"
    shutil.copytree(serial_tiny, manifest)
    (manifest / "manifest.json").write_text('{"name": "tiny", ')
    spec = write_spec(tmp_path / "tiny.toml", TINY)
    for damaged, command in [
        (first.name, ["report", str(part), "--out", str(tmp_path / "r1")]),
        (first.name, ["export", str(part), "--format", "csv"]),
        ("manifest.json", ["report", str(manifest), "--out", str(tmp_path / "r2")]),
        ("manifest.json", ["sweep", str(spec), "--out", str(manifest), "--resume"]),
    ]:
        proc = run_cli(*command)
        assert proc.returncode == 2, (command, proc.stderr)
        assert proc.stderr.count("\n") == 1 and damaged in proc.stderr, proc.stderr
    with pytest.raises(StoreError, match="is damaged"):
        _ = load(part).runs


def test_runs_lost_to_kill_9_are_left_out_everywhere(serial_tiny: Path, tmp_path: Path) -> None:
    """After ``kill -9`` the rows of the last seconds are lost but their runs' steps may be
    on disk: counts, steps and the exports all show the runs kept, nothing else.
    """  # noqa: D205
    import shutil

    import pyarrow.parquet as pq

    folder = tmp_path / "killed"
    shutil.copytree(serial_tiny, folder)
    (folder / "runs.parquet").unlink()
    parts = sorted((folder / "runs").glob("part-*.parquet"))
    table = pa.concat_tables(pq.read_table(p) for p in parts)
    for p in parts:
        p.unlink()
    pq.write_table(table.slice(0, 5), folder / "runs" / "part-0001-000001.parquet")
    results = load(folder)
    assert results.manifest["counts"]["ok"] == 12  # as the session that was killed left it
    assert results.counts == {"ok": 5, "failed": 0, "pending": 7}
    assert "5 ok, 0 failed, 7 pending" in repr(results)
    kept = set(zip(results.runs["point_id"], results.runs["replicate"], strict=True))
    assert len(kept) == 5
    steps = results.steps()
    assert set(zip(steps["point_id"], steps["replicate"], strict=True)) == kept
    csv = export(folder, "csv", tmp_path / "csv")
    exported = pd.read_csv(csv / "steps.csv")
    assert set(zip(exported["point_id"], exported["replicate"], strict=True)) == kept
