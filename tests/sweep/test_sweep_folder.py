"""The results folder under faults: a kill before the manifest, two sessions at once, a
cut status line, a damaged part, a spec respelled, a finished sweep resumed.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import inspect
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_cli

from sim.results import load
from sim.sweep import SweepError, run
from sim.sweep.spec import parse_spec
from sim.sweep.store import StatusLog, Store

from .conftest import TINY, temp_env, write_spec

ROOT = Path(__file__).resolve().parents[2]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) and its digest."""
    return {str(p.relative_to(folder)): digest(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_killed_before_its_manifest_is_started_afresh(
    serial_tiny: Path, tmp_path: Path
) -> None:
    """What a kill in the first moments leaves (sub-folders, design, a temporary file)
    is no sweep yet; neither a new start nor --resume may refuse it.
    """  # noqa: D205
    for resume in (False, True):
        out = tmp_path / f"early-{resume}"
        (out / "runs").mkdir(parents=True)
        (out / "steps").mkdir()
        (out / "steps" / ".p000000-r0000.parquet.abc.tmp").write_bytes(b"half")
        shutil.copy(serial_tiny / "design.parquet", out / "design.parquet")
        (out / ".lock").write_text("")
        res = run(TINY, out=out, workers=1, resume=resume, progress=False)
        assert res.manifest["counts"] == {"ok": 12, "failed": 0, "pending": 0}
        assert digest(out / "runs.parquet") == digest(serial_tiny / "runs.parquet")


@pytest.mark.parametrize("mine", ["notes.txt", "design.parquet"])
def test_a_folder_of_other_files_is_refused_untouched(tmp_path: Path, mine: str) -> None:
    """Also a lone design.parquet: a sweep killed early leaves its sub-folders beside it."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / mine).write_text("keep me")
    for resume in (False, True):
        with pytest.raises(SweepError, match="exists and is not an empty folder or a sweep"):
            run(TINY, out=out, workers=1, resume=resume, progress=False)
    assert sorted(p.name for p in out.iterdir()) == [mine]
    assert (out / mine).read_text() == "keep me"


def test_a_second_session_on_a_busy_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "busy"
    with Store(out).lock():
        with pytest.raises(SweepError, match=r"is in use by a running sweep \(pid \d+ on "):
            run(TINY, out=out, workers=1, resume=True, progress=False)
    # the lock is released with its session
    assert run(TINY, out=out, workers=1, progress=False).manifest["counts"]["ok"] == 12


def test_sessions_are_numbered_from_the_manifest(tmp_path: Path) -> None:
    """A session killed before its first part still counts: the next one is not renumbered."""
    store = Store(tmp_path)
    store.create()
    assert store.next_session({"sessions": []}) == 1
    assert store.next_session({"sessions": [{"session": 1}, {"session": 2}]}) == 3


def test_a_status_line_cut_short_is_dropped(serial_tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "cut"
    shutil.copytree(serial_tiny, out)
    status = out / "status.jsonl"
    whole = status.read_text()
    status.write_text(whole + '{"run_id": 3, "point_id": 3, "sta')
    assert len(load(out).status) == 12  # the reader leaves the fragment out
    StatusLog(status).close()  # the next session cuts it off before appending
    assert status.read_text() == whole


def test_a_damaged_part_is_named_in_one_line(serial_tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "damaged"
    shutil.copytree(serial_tiny, out)
    part = sorted((out / "runs").glob("part-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:100])
    with pytest.raises(SweepError) as info:
        run(TINY, out=out, workers=1, resume=True, progress=False)
    message = str(info.value)
    assert part.name in message and "is damaged" in message and "\n" not in message


def test_a_spec_respelled_resumes_as_the_same_sweep(serial_tiny: Path, tmp_path: Path) -> None:
    """Whole numbers for a float key, no name, a default written out: the same runs."""
    respelled = copy.deepcopy(TINY)
    del respelled["name"]
    respelled["sweep"]["rivalry"] = [0, 1]
    respelled["world"]["n_great_powers"] = parse_spec(TINY).scenario().world.n_great_powers
    assert parse_spec(respelled).hash == parse_spec(TINY).hash
    out = tmp_path / "respelled"
    shutil.copytree(serial_tiny, out)
    res = run(respelled, out=out, workers=1, resume=True, progress=False)
    assert res.manifest["counts"]["ok"] == 12


def test_resuming_a_finished_sweep_writes_nothing(serial_tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "finished"
    shutil.copytree(serial_tiny, out)
    before = tree(out)
    run(TINY, out=out, workers=1, resume=True, progress=False)
    run(TINY, out=out, workers=1, retry_failed=True, progress=False)
    assert tree(out) == before
    assert len(json.loads((out / "manifest.json").read_text())["sessions"]) == 1


# ------------------------------------------------------------- the sweep's processes

#: Long enough (200 runs on 2 workers) to be stopped well before the end.
LONG = copy.deepcopy(TINY)
LONG["sweep"]["replicates"] = 50
LONG.update(steps=40, burn_in=5)


def descendants(pid: int) -> list[int]:
    """Live (not zombie) processes below ``pid``, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, parent in parents.items() if parent == p]
        found += kids
        frontier += kids
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_cli(*args: str, tmp: Path | None = None) -> subprocess.Popen:
    """``python -m sim ARGS`` (started as the ``multilat`` script is: :mod:`sim.entry`) in
    its own process group, to be signalled as a terminal's Ctrl-C signals it.

    With ``tmp`` (:func:`~tests.sweep.conftest.short_tmp`), its temporary files
    (multiprocessing's ``pymp-*`` folders, which a killed sweep cannot remove) go there.
    """  # noqa: D205
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        cwd=ROOT,
        env=temp_env(tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # a shell's background job inherits SIGINT ignored; a terminal's does not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def start_long_sweep(
    tmp_path: Path, short_tmp: Path, *options: str
) -> tuple[subprocess.Popen, Path]:
    spec = write_spec(tmp_path / "long.toml", LONG)
    out = tmp_path / "long"
    proc = start_cli(
        "sweep", str(spec), "--out", str(out), *options, "--workers", "2", tmp=short_tmp
    )
    status = out / "status.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if status.exists() and status.read_text().count("\n") >= 20:
            break
        time.sleep(0.02)
    return proc, out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.slow
def test_workers_end_when_the_sweep_is_killed(tmp_path: Path, short_tmp: Path) -> None:
    proc, _ = start_long_sweep(tmp_path, short_tmp, "--quiet")
    workers = descendants(proc.pid)
    try:
        assert workers, "the sweep has no worker processes"
        proc.kill()  # the sweep alone, not its process group
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(p) for p in workers):
            time.sleep(0.1)
        assert not [p for p in workers if alive(p)], "workers outlived the sweep"
    finally:
        for p in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)


@pytest.mark.slow
def test_sigterm_keeps_the_finished_runs_like_ctrl_c(tmp_path: Path, short_tmp: Path) -> None:
    proc, out = start_long_sweep(tmp_path, short_tmp)
    proc.terminate()
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr  # as after Ctrl-C
    assert "continue with --resume" in stderr and "Traceback" not in stderr
    manifest = json.loads((out / "manifest.json").read_text())
    kept = manifest["counts"]["ok"]
    assert kept >= 20 and manifest["counts"]["pending"] == 200 - kept
    assert len(load(out).runs) == kept  # runs.parquet was assembled on the way out
    assert manifest["finished"] is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--scheduler", "foo"], "option '--scheduler': bad value 'foo': must be a Dask"),
        (["--scheduler", "tcp://h:1", "--workers", "2"], "'--workers' and '--scheduler' exclude"),
    ],
)
def test_bad_scheduler_options_exit_2_in_one_line(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    spec = write_spec(tmp_path / "tiny.toml", TINY)
    proc = run_cli("sweep", str(spec), "--out", str(tmp_path / "o"), *args)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert expected in proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 0.8, 1.2, 1.6, 2.4])
def test_ctrl_c_at_any_moment_of_the_start_prints_one_line(
    tmp_path: Path, short_tmp: Path, delay: float
) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while Python
    imports the model, while the spec is read, while the fork server and the workers
    start, or once runs are going: one line, never a traceback, exit code 130. How far
    the start has come after ``delay`` depends on the machine; every moment must pass.
    """  # noqa: D205
    spec = write_spec(tmp_path / "long.toml", LONG)
    proc = start_cli(
        "sweep", str(spec), "--out", str(tmp_path / "o"), "--workers", "2", tmp=short_tmp
    )
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("interrupted"), stderr
    if (tmp_path / "o" / "manifest.json").exists():  # else stopped before the sweep began
        assert "continue with --resume" in last


def test_a_ctrl_c_while_the_fork_server_starts_is_not_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fork server starts with SIGINT blocked; a Ctrl-C in that time still stops the
    sweep once it has started (it was ignored, and the sweep went on to the end).
    """  # noqa: D205
    from multiprocessing import forkserver

    from sim.sweep import executors

    monkeypatch.setattr(forkserver, "ensure_running", lambda: signal.raise_signal(signal.SIGINT))
    with pytest.raises(KeyboardInterrupt):
        executors._start_fork_server()


def test_ctrl_c_during_a_run_prints_one_line() -> None:
    """``multilat run`` interrupted: 'interrupted' and exit code 130, no traceback (on a
    busy machine the 3 s may end before the imports do: the start's own line then).
    """  # noqa: D205
    proc = start_cli("run", "scenarios/baseline.toml", "--steps", "100000")
    time.sleep(3.0)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    lines = stderr.strip().splitlines()
    assert lines in (["interrupted"], ["interrupted while starting: nothing was written"])


def _numba_interrupt() -> SystemError:
    """What a Ctrl-C that lands while a compiled kernel calls back into Python (numba's
    ``_numba_unpickle``) raises: a SystemError caused by a SystemError caused by the
    KeyboardInterrupt (seen in a fresh clone's test run, printed as a traceback).
    """  # noqa: D205
    try:
        try:
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt as exc:
                raise SystemError("returned a result with an exception set") from exc
        except SystemError as exc:
            raise SystemError("returned a result with an exception set") from exc
    except SystemError as exc:
        return exc


def test_an_interrupt_inside_compiled_code_is_told_from_a_failure() -> None:
    from sim.entry import caused_by_interrupt

    assert caused_by_interrupt(_numba_interrupt())
    assert caused_by_interrupt(KeyboardInterrupt())
    assert not caused_by_interrupt(ValueError("a failing run"))
    assert not caused_by_interrupt(None)
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise RuntimeError("raised while handling it")  # noqa: B904 - the context is the point
    except RuntimeError as exc:
        assert caused_by_interrupt(exc)
    loop = ValueError("cause loop")
    loop.__cause__ = loop
    assert not caused_by_interrupt(loop)


def test_an_interrupt_inside_compiled_code_stops_the_run_not_fails_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In this process (``--workers 1``) the Ctrl-C must stop the sweep, not be recorded
    as a failed run that ``--resume`` would then skip.
    """  # noqa: D205
    from sim.model import MultilatModel
    from sim.sweep.worker import Job, execute

    def interrupted(self, steps=None):
        raise _numba_interrupt()

    monkeypatch.setattr(MultilatModel, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        execute(Job(0, 0, 0, {"steps": 5, "world": {"n_states": 12}}, {}, 1))


def run_interrupted(boom: str) -> subprocess.CompletedProcess[str]:
    """``multilat run`` in a process of its own, its model run replaced by ``boom``
    (source code defining ``boom(*a, **k)``, which raises as a Ctrl-C would).
    """  # noqa: D205
    code = (
        f"import sim.cli\n{boom}\nsim.cli._run_model = boom\nfrom sim.entry import main\n"
        "main(['run', 'scenarios/baseline.toml', '--steps', '30'])\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_an_interrupt_inside_compiled_code_prints_one_line() -> None:
    """``multilat run`` stopped by a Ctrl-C inside a kernel: 'interrupted', exit code 130."""
    proc = run_interrupted(
        f"exec({inspect.getsource(_numba_interrupt)!r})\n"
        "def boom(*a, **k):\n"
        "    raise _numba_interrupt()\n"
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip().splitlines() == ["interrupted"], proc.stderr


def test_what_a_ctrl_c_leaves_half_made_does_not_print_as_the_process_ends() -> None:
    """A Ctrl-C while numba compiles leaves objects whose destructors fail at exit
    ("Exception ignored in: <function OutputString.__del__ ...>", a traceback): after
    'interrupted' the process ends quietly.
    """  # noqa: D205
    proc = run_interrupted(
        "class HalfMade:\n"
        "    def __del__(self):\n"
        "        raise RuntimeError('destructor of a half-made object')\n"
        "def boom(*a, **k):\n"
        "    sim.cli.LEFT = HalfMade()\n"
        "    raise KeyboardInterrupt\n"
    )
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip().splitlines() == ["interrupted"], proc.stderr


def test_files_reach_the_disk_before_their_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power cut must leave the old file or the new one, not a renamed empty one."""
    from sim import files

    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        os, "replace", lambda a, b: (events.append("rename"), real_replace(a, b))[1]
    )
    files.atomic_write(tmp_path / "x.json", lambda p: p.write_text("{}"))
    assert events == ["fsync", "rename"]
    assert (tmp_path / "x.json").read_text() == "{}"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_ctrl_c_dropped_by_a_destructor_is_still_seen() -> None:
    """Python runs a signal's handler wherever the main thread is, also in a ``__del__``,
    which drops the KeyboardInterrupt ("Exception ignored"): the sweep loop still stops
    (seen once in about twenty Ctrl-Cs at the start of a sweep, which then ran to its end).
    """  # noqa: D205
    from sim.sweep.interrupts import watch_interrupts

    class Dropper:
        def __del__(self) -> None:
            signal.raise_signal(signal.SIGINT)  # the handler runs here; its raise is lost

    before = signal.getsignal(signal.SIGINT)
    with watch_interrupts() as watch:
        watch.check()  # nothing yet
        dropper = Dropper()
        del dropper
        with pytest.raises(KeyboardInterrupt):
            watch.check()
    assert signal.getsignal(signal.SIGINT) is before


def test_closing_now_stops_the_runs_in_progress() -> None:
    """After a Ctrl-C the runs in progress are not kept: the pool stops them at once
    instead of waiting (as long as a run) for rows it would throw away.
    """  # noqa: D205
    import concurrent.futures as cf

    from sim.sweep.executors import PoolExecutor
    from sim.sweep.worker import Job

    executor = PoolExecutor(1)
    long_run = Job(0, 0, 0, {"steps": 100_000, "world": {"n_states": 200}}, {}, 1)
    future = executor.submit(long_run)
    deadline = time.monotonic() + 60
    while not future.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    executor.close(now=True)
    assert future.done() and future.exception() is not None  # stopped, not finished
    assert isinstance(future.exception(), cf.process.BrokenProcessPool)


@pytest.mark.slow
def test_a_second_ctrl_c_cannot_cut_the_writing_of_what_has_finished(
    tmp_path: Path, short_tmp: Path
) -> None:
    """Ctrl-C pressed twice: the second waits until the finished runs are written out
    (it cut that short: counts of 0, no runs.parquet, rows lost, at times a hang).
    """  # noqa: D205
    proc, out = start_long_sweep(tmp_path, short_tmp)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    # -2: the second Ctrl-C came as Python was exiting (a shell shows 130 for both)
    assert proc.returncode in (130, -signal.SIGINT), stderr
    assert "Traceback" not in stderr, stderr
    manifest = json.loads((out / "manifest.json").read_text())
    kept = manifest["counts"]["ok"]
    assert kept >= 20, manifest["counts"]
    logged = [json.loads(line) for line in (out / "status.jsonl").read_text().splitlines()]
    assert len(load(out).runs) == kept == sum(r["status"] == "ok" for r in logged)
    assert f"{kept} of 200 runs are kept" in stderr
