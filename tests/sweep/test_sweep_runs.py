"""Running sweeps: identical results on every executor, resume after SIGKILL, failures."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli

import sim.model
import sim.sweep.executors
from sim.model import MultilatModel
from sim.results import load
from sim.scenario import build_scenario
from sim.sweep import SweepError, run
from sim.sweep.seeds import parse_key
from sim.sweep.worker import Job, execute

from .conftest import TINY, temp_env, tiny, write_spec

ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def steps_equal(a: Path, b: Path) -> None:
    pd.testing.assert_frame_equal(load(a).steps(), load(b).steps(), check_exact=True)


# ------------------------------------------------------------------- the results folder


def test_results_folder_layout(serial_tiny: Path) -> None:
    res = load(serial_tiny)
    names = {p.name for p in serial_tiny.iterdir()}
    assert {"manifest.json", "design.parquet", "runs.parquet", "status.jsonl", "steps"} <= names
    m = res.manifest
    assert m["runs"] == 12 and m["counts"] == {"ok": 12, "failed": 0, "pending": 0}
    assert m["root_seed"] == 11 and len(m["spec_hash"]) == 64
    assert m["versions"]["numpy"] == np.__version__
    assert m["started"] and m["finished"]
    runs = res.runs
    assert len(runs) == 12
    assert runs["run_id"].tolist() == list(range(12))
    # round robin: the first pass covers every point once
    assert runs["point_id"].tolist()[:4] == [0, 1, 2, 3]
    assert runs["replicate"].tolist()[:4] == [0, 0, 0, 0]
    assert {"seed", "spawn_key", "regime", "rivalry", "effectiveness", "harm_final"} <= set(
        runs.columns
    )
    assert len(res.status) == 12
    steps = res.steps(["effectiveness"])
    assert len(steps) == 12 * TINY["steps"]


def test_each_row_reproduces_from_its_seed(serial_tiny: Path) -> None:
    runs = load(serial_tiny).runs
    row = runs.iloc[7]
    scenario = build_scenario(
        {k: v for k, v in TINY.items() if k != "sweep"},
        regime=row["regime"],
        rivalry=float(row["rivalry"]),
    )
    seq = np.random.SeedSequence(int(row["seed"]), spawn_key=parse_key(row["spawn_key"]))
    model = MultilatModel(scenario, rng=np.random.default_rng(seq), record_votes=False).run()
    assert model.summary()["effectiveness"] == row["effectiveness"]


def test_more_replicates_leave_existing_runs_unchanged(serial_tiny: Path, tmp_path: Path) -> None:
    more = run(tiny(replicates=4), out=tmp_path / "more", workers=1, progress=False).runs
    old = load(serial_tiny).runs
    key = ["point_id", "replicate"]
    merged = old.merge(more, on=key, suffixes=("", "_more"))
    assert len(merged) == len(old)
    assert (merged["effectiveness"] == merged["effectiveness_more"]).all()


@pytest.mark.parametrize(
    "change",
    [
        {"rivalry": [0.0, 0.5, 1.0]},  # a level inside the last factor: points renumber
        {"regime": ["charter", "club", "coalition"]},  # and inside the first
    ],
    ids=["last-factor", "first-factor"],
)
def test_more_levels_leave_existing_runs_unchanged(
    serial_tiny: Path, tmp_path: Path, change: dict
) -> None:
    """Seeds are keyed by the point's values (point_key), not by its place in the design."""
    more = run(tiny(**change), out=tmp_path / "more", workers=1, progress=False).runs
    old = load(serial_tiny).runs
    key = ["regime", "rivalry", "replicate"]
    merged = old.merge(more, on=key, suffixes=("", "_more"))
    assert len(merged) == len(old) and len(more) > len(old)
    assert (merged["point_key"] == merged["point_key_more"]).all()
    assert (merged["spawn_key"] == merged["spawn_key_more"]).all()
    metrics = ["effectiveness", "legitimacy", "harm_final"]
    for m in metrics:
        assert (merged[m] == merged[f"{m}_more"]).all(), m
    assert (merged["point_id"] != merged["point_id_more"]).any()  # renumbered, same runs


def test_common_random_numbers_share_seeds_across_points(tmp_path: Path) -> None:
    runs = run(
        tiny(common_random_numbers=True), out=tmp_path / "crn", workers=1, progress=False
    ).runs
    assert runs.groupby("replicate")["spawn_key"].nunique().eq(1).all()
    assert runs["spawn_key"].tolist()[:4] == ["0"] * 4


# ------------------------------------------------------------------------ executors


@pytest.mark.slow
def test_two_workers_give_identical_runs(serial_tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "pool"
    run(TINY, out=out, workers=2, progress=False)
    assert digest(out / "runs.parquet") == digest(serial_tiny / "runs.parquet")
    pd.testing.assert_frame_equal(load(out).runs, load(serial_tiny).runs, check_exact=True)
    steps_equal(out, serial_tiny)


@pytest.mark.slow
def test_dask_local_cluster_gives_identical_runs(serial_tiny: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="Dask is the optional extra [dask]")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        out = tmp_path / "dask"
        run(TINY, out=out, scheduler=client, progress=False)
        # the command line with the scheduler's address
        out2 = tmp_path / "dask-address"
        spec = write_spec(tmp_path / "tiny.toml", TINY)
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        proc = run_cli("sweep", str(spec), "--out", str(out2), "--scheduler", address, "--quiet")
        assert proc.returncode == 0, proc.stderr
        assert json.loads((out2 / "manifest.json").read_text())["sessions"][0][
            "executor"
        ].startswith(f"dask {address}")
    for o in (out, out2):
        assert digest(o / "runs.parquet") == digest(serial_tiny / "runs.parquet")
        steps_equal(o, serial_tiny)


# --------------------------------------------------------------------- resume and faults


def test_refuses_an_existing_sweep_without_resume(serial_tiny: Path) -> None:
    with pytest.raises(SweepError, match="already holds a sweep; pass --resume"):
        run(TINY, out=serial_tiny, workers=1, progress=False)


def test_resume_adds_replicates_without_touching_existing_runs(
    serial_tiny: Path, tmp_path: Path
) -> None:
    import shutil

    out = tmp_path / "grown"
    shutil.copytree(serial_tiny, out)
    res = run(tiny(replicates=4), out=out, workers=1, resume=True, progress=False)
    assert res.manifest["counts"] == {"ok": 16, "failed": 0, "pending": 0}
    assert res.manifest["replicates"] == 4 and res.manifest["runs"] == 16
    assert res.status["replicate"].tolist()[12:] == [3, 3, 3, 3]  # only the new ones ran
    fresh = run(tiny(replicates=4), out=tmp_path / "fresh", workers=1, progress=False)
    assert digest(out / "runs.parquet") == digest(fresh.path / "runs.parquet")
    # fewer replicates is a changed spec
    with pytest.raises(SweepError, match="changed keys: sweep.replicates"):
        run(tiny(replicates=2), out=out, workers=1, resume=True, progress=False)


def test_ctrl_c_while_the_pool_starts_tells_the_new_total(
    serial_tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding replicates, stopped before a run: 12 of the 16 runs asked for are kept (it
    said '12 of 12', from the old manifest, which reads as complete).
    """  # noqa: D205
    import shutil

    import sim.sweep.runner

    out = tmp_path / "grown"
    shutil.copytree(serial_tiny, out)

    def ctrl_c(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.sweep.runner, "make_executor", ctrl_c)
    told: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        run(tiny(replicates=4), out=out, resume=True, progress=False, notify=told.append)
    assert told == [f"interrupted: 12 of 16 runs are kept in {out}; continue with --resume"]


def test_a_regime_registered_at_run_time_is_refused_with_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers import the registry afresh: every run of a notebook's regime would fail
    there (recorded failed, the sweep 'done'); refused before anything runs instead.
    """  # noqa: D205
    import sim.regimes

    cartel = type("Cartel", (sim.regimes.REGIMES["concert"],), {"name": "cartel"})
    monkeypatch.setitem(sim.regimes.REGIMES, "cartel", cartel)
    spec = tiny(regime=["club", "cartel"])
    with pytest.raises(SweepError, match="regime 'cartel' was registered in this process"):
        run(spec, out=tmp_path / "o", workers=2, progress=False)
    assert not (tmp_path / "o").exists()
    res = run(spec, out=tmp_path / "o", workers=1, progress=False)  # this process has it
    assert res.manifest["counts"]["ok"] == 12


def test_resume_refuses_a_changed_spec(serial_tiny: Path) -> None:
    with pytest.raises(SweepError, match=r"its spec has changed \(changed keys: sweep.rivalry\)"):
        run(tiny(rivalry=[0.0, 0.5]), out=serial_tiny, workers=1, resume=True, progress=False)


def test_resume_of_a_finished_sweep_changes_nothing(serial_tiny: Path) -> None:
    before = digest(serial_tiny / "runs.parquet")
    res = run(TINY, out=serial_tiny, workers=1, resume=True, progress=False)
    assert digest(serial_tiny / "runs.parquet") == before
    assert res.manifest["counts"]["ok"] == 12


def test_cli_resume_with_changed_spec_is_one_line(serial_tiny: Path, tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "tiny.toml", tiny(rivalry=[0.0, 0.3]))
    proc = run_cli("sweep", str(spec), "--out", str(serial_tiny), "--resume", "--quiet")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: cannot resume") and len(proc.stderr.splitlines()) == 1


def test_a_failing_run_is_isolated_and_retried(
    serial_tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_step = sim.model.MultilatModel.step

    def step(self: MultilatModel) -> None:
        if self.spec.regime == "coalition" and self.rivalry == 1.0 and self.t == 5:
            raise RuntimeError("model blew up")
        real_step(self)

    monkeypatch.setattr(sim.model.MultilatModel, "step", step)
    out = tmp_path / "faulty"
    res = run(TINY, out=out, workers=1, progress=False)
    assert res.manifest["counts"] == {"ok": 9, "failed": 3, "pending": 0}
    runs = res.runs
    bad = runs[runs["status"] == "failed"]
    assert bad["point_id"].tolist() == [3, 3, 3]
    assert bad["error"].str.contains("RuntimeError: model blew up").all()
    assert bad["effectiveness"].isna().all()
    status = res.status
    assert status.loc[status["status"] == "failed", "traceback"].str.contains("in step").all()
    good = runs[runs["status"] == "ok"].reset_index(drop=True)
    ref = load(serial_tiny).runs
    ref = ref[ref["point_id"] != 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(good, ref, check_exact=True)

    # a resume does not rerun failures; --retry-failed does
    monkeypatch.setattr(sim.model.MultilatModel, "step", real_step)
    assert (
        run(TINY, out=out, workers=1, resume=True, progress=False).manifest["counts"]["failed"] == 3
    )
    res = run(TINY, out=out, workers=1, retry_failed=True, progress=False)
    assert res.manifest["counts"] == {"ok": 12, "failed": 0, "pending": 0}
    assert digest(out / "runs.parquet") == digest(serial_tiny / "runs.parquet")
    # one row per run, the last line winning: the retried runs are ok now
    assert res.status["run_id"].is_unique and len(res.status) == 12
    assert res.status["status"].eq("ok").all()


#: Long enough (200 runs of ~0.05 s on 2 workers) to be killed well before the end.
KILLED = tiny(replicates=50)
KILLED.update(steps=40, burn_in=5)


@pytest.mark.slow
def test_sigkill_then_resume_equals_an_uninterrupted_sweep(tmp_path: Path, short_tmp: Path) -> None:
    spec = write_spec(tmp_path / "killed.toml", KILLED)
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "sweep", str(spec), "--out", str(out), "--quiet"]
        + ["--workers", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=temp_env(short_tmp),
    )
    status = out / "status.jsonl"
    deadline = time.monotonic() + 120
    try:
        # wait until some runs reached a part and more are only in the status log
        while time.monotonic() < deadline and proc.poll() is None:
            parts = list((out / "runs").glob("part-*.parquet")) if out.exists() else []
            lines = status.read_text().count("\n") if status.exists() else 0
            if parts and lines >= 40:
                break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, no clean-up
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["finished"] is None, "the sweep finished before it could be killed"
    kept = len(load(out).runs)
    assert 0 < kept < 200

    resumed = run(spec, out=out, workers=1, resume=True, progress=False)
    run(spec, out=tmp_path / "whole", workers=2, progress=False)
    assert resumed.manifest["counts"] == {"ok": 200, "failed": 0, "pending": 0}
    assert len(resumed.manifest["sessions"]) == 2
    assert digest(out / "runs.parquet") == digest(tmp_path / "whole" / "runs.parquet")
    steps_equal(out, tmp_path / "whole")
    assert not list(out.rglob(".*.tmp"))


def die_on_one_run(job: Job) -> dict:
    """Stands in for the worker's execute: the process dies on run (3, 0)."""
    if (job.point_id, job.replicate) == (3, 0):
        os._exit(1)
    return execute(job)


@pytest.mark.slow
def test_a_dying_worker_fails_only_its_own_run_and_the_pool_recovers(
    serial_tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runs that shared the broken pool are run again, one at a time: only the run
    that kills its worker is recorded failed.
    """  # noqa: D205
    monkeypatch.setattr(sim.sweep.executors, "execute", die_on_one_run)
    out = tmp_path / "dying"
    res = run(TINY, out=out, workers=2, progress=False)
    assert res.manifest["counts"] == {"ok": 11, "failed": 1, "pending": 0}
    failed = res.runs[res.runs["status"] == "failed"]
    assert failed[["point_id", "replicate"]].values.tolist() == [[3, 0]]
    assert failed["error"].str.startswith("the worker running it died").all()
    monkeypatch.undo()
    res = run(TINY, out=out, workers=2, retry_failed=True, progress=False)
    assert res.manifest["counts"] == {"ok": 12, "failed": 0, "pending": 0}
    assert digest(out / "runs.parquet") == digest(serial_tiny / "runs.parquet")


NO_GUARD = """
from sim.sweep import run
run({spec!r}, out={out!r}, workers=2, progress=False)
"""


@pytest.mark.slow
def test_workers_that_cannot_start_stop_the_sweep_with_a_hint(tmp_path: Path) -> None:
    # a script without the `if __name__ == "__main__":` guard: every spawned worker
    # re-runs it and dies while starting
    script = tmp_path / "no_guard.py"
    script.write_text(NO_GUARD.format(spec=TINY, out=str(tmp_path / "o")), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 1
    assert "WorkersFailed: the worker processes died before finishing any run" in proc.stderr
    assert "if __name__ == '__main__':" in proc.stderr


def test_cli_sweep_shows_progress_and_a_summary_per_regime(tmp_path: Path) -> None:
    spec = write_spec(tmp_path / "tiny.toml", TINY)
    out = tmp_path / "cli"
    proc = run_cli("sweep", str(spec), "--out", str(out), "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    assert "12/12" in proc.stderr and "ok=12, failed=0" in proc.stderr  # tqdm's bar
    for word in ("charter", "coalition", "effectiveness", "legitimacy", "95%", str(out)):
        assert word in proc.stdout
    quiet = run_cli("sweep", str(spec), "--out", str(out), "--resume", "--quiet")
    assert quiet.returncode == 0 and quiet.stderr == ""


class _Stream:
    def __init__(self, tty: bool | None) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        if self.tty is None:
            raise ValueError("I/O operation on closed file")
        return self.tty


def test_progress_in_a_log_updates_every_half_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.sweep.runner import LOG_PROGRESS_INTERVAL, progress_timing

    log = {"mininterval": LOG_PROGRESS_INTERVAL, "maxinterval": LOG_PROGRESS_INTERVAL}
    monkeypatch.delenv("TQDM_MININTERVAL", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.setattr(sys, "stderr", _Stream(tty=True))
    assert progress_timing() == {}  # a terminal: tqdm's own
    monkeypatch.setattr(sys, "stderr", _Stream(tty=False))
    assert progress_timing() == log  # a log file or a pipe
    monkeypatch.setattr(sys, "stderr", _Stream(tty=None))
    assert progress_timing() == log  # a closed stream: no error
    monkeypatch.setattr(sys, "stderr", None)
    assert progress_timing() == log
    monkeypatch.setattr(sys, "stderr", _Stream(tty=False))
    monkeypatch.setitem(sys.modules, "ipykernel", object())
    assert progress_timing() == {}  # a notebook: a live widget or bar
    monkeypatch.delitem(sys.modules, "ipykernel")
    monkeypatch.setenv("TQDM_MININTERVAL", "5")
    assert progress_timing() == {}  # the user's own setting, left to tqdm


def test_a_piped_sweep_writes_its_progress_twice(tmp_path: Path) -> None:
    """Through a pipe, as into a batch job's log: the bar at the start and at the end."""
    spec = write_spec(tmp_path / "tiny.toml", {**TINY, "steps": 60})
    proc = run_cli("sweep", str(spec), "--out", str(tmp_path / "o"), "--workers", "1")
    assert proc.returncode == 0, proc.stderr
    bars = [line for line in proc.stderr.splitlines() if "/12 [" in line]
    assert len(bars) == 2 and "12/12" in bars[-1], proc.stderr


def test_a_job_submitted_to_a_just_broken_pool_fails_and_the_pool_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The race in which a worker dies and the next submit meets the broken pool."""
    import concurrent.futures as cf

    from sim.sweep.executors import PoolExecutor

    executor = PoolExecutor(1)
    try:
        broken = executor._pool
        executor._finished = 1  # runs have finished on it: not a start-up failure

        def refuse(*args: object, **kwargs: object) -> None:
            raise cf.process.BrokenProcessPool("a child process terminated abruptly")

        monkeypatch.setattr(broken, "submit", refuse)
        future = executor.submit(Job(0, 0, 0, {}, {}, 1))
        with pytest.raises(cf.process.BrokenProcessPool):
            executor.result(future)
        assert executor._pool is not broken  # replaced once, the sweep goes on
    finally:
        executor.close()
