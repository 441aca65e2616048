"""The sweep loop: schedule runs round-robin, record each as it finishes, resume.

Runs are numbered ``run_id = replicate * n_points + point_id`` and submitted in that
order, so the first ``n_points`` runs cover the whole design once, the next ones again,
and an interrupted sweep has covered the whole space evenly. At most the executor's
``slots`` runs are in flight; a finished run's row goes to ``status.jsonl`` at once and
to a Parquet part within seconds, its per-step metrics were written by its worker. The
runs in flight when a worker dies are run again one at a time; only one that dies alone
is recorded failed. On resume, the runs found in the parts are kept and every other run
is done (failed ones too with ``retry_failed``); at the end of every session
``runs.parquet`` is assembled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from sim.sweep.design import make_design, point_params, salib_problem
from sim.sweep.executors import Executor, WorkersFailed, in_this_process, make_executor
from sim.sweep.interrupts import InterruptWatch, signals_held, watch_interrupts
from sim.sweep.spec import SweepSpec, load_spec, parse_spec
from sim.sweep.store import (
    DESIGN,
    PartWriter,
    StatusLog,
    Store,
    StoreError,
    git_commit,
    now,
    run_schema,
    versions,
)
from sim.sweep.worker import Job, steps_file

if TYPE_CHECKING:
    from sim.results import Results

#: Seconds between checks of the futures in flight (keeps Ctrl-C and the bar responsive).
POLL = 0.5


class SweepError(ValueError):
    """The sweep cannot start as asked (e.g. resuming with a changed spec); one line."""


def as_spec(spec_or_path: SweepSpec | dict[str, Any] | str | Path) -> SweepSpec:
    """A validated spec from a spec, its data, or a path to its TOML file."""
    if isinstance(spec_or_path, SweepSpec):
        return spec_or_path
    if isinstance(spec_or_path, dict):
        return parse_spec(spec_or_path)
    return load_spec(spec_or_path)


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(data, dict):
        return {prefix.rstrip("."): data}
    out: dict[str, Any] = {}
    for k, v in data.items():
        out.update(_flat(v, f"{prefix}{k}."))
    return out


def _changed_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    a, b = _flat(old), _flat(new)
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def _same_runs(old: dict[str, Any], spec: SweepSpec) -> bool:
    """Whether a manifest was written for this spec (by identity, or by the text hash of
    manifests written before there was one).
    """  # noqa: D205
    if "identity" in old:
        return old.get("spec_hash") == spec.hash
    return old.get("spec_hash") == spec.text_hash


def _open_store(spec: SweepSpec, out: Path, resume: bool) -> tuple[Store, bool]:
    """The results folder; whether it already held this sweep."""
    store = Store(out)
    if store.exists():
        if not resume:
            raise SweepError(
                f"{str(out)!r} already holds a sweep; pass --resume to continue it "
                "(or --retry-failed; in Python resume=True or retry_failed=True), or "
                "choose another folder (--out; out= in Python)"
            )
        old = store.read_manifest()
        if not _same_runs(old, spec):
            if "identity" in old:
                changed = _changed_keys(old["identity"], spec.identity)
            else:
                changed = _changed_keys(old.get("spec", {}), spec.data)
            if changed == ["sweep.replicates"] and spec.settings.replicates > old["replicates"]:
                return store, True  # more replicates: the runs there keep their ids and seeds
            raise SweepError(
                f"cannot resume {str(out)!r}: its spec has changed "
                f"(changed keys: {', '.join(changed) or 'none visible'}); resume with the "
                "spec it was started with (only more replicates may be added), or choose "
                "another folder for the new spec (--out; out= in Python)"
            )
        return store, True
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not store.is_unstarted():
        raise SweepError(f"--out {str(out)!r} exists and is not an empty folder or a sweep")
    return store, False


def _nothing_to_do(store: Store, spec: SweepSpec, retry_failed: bool) -> dict[str, Any] | None:
    """The manifest of a finished sweep of this spec with no run left to do, else None.

    Resuming such a sweep writes nothing (it works on a read-only copy too).
    """
    if not store.exists():
        return None
    manifest = store.read_manifest()
    if not _same_runs(manifest, spec) or manifest.get("finished") is None:
        return None
    ok, failed = store.finished(int(manifest["runs"]))
    done = ok if retry_failed else ok | failed
    return manifest if done.all() else None


def _new_manifest(spec: SweepSpec, design: pd.DataFrame, spec_path: str | None) -> dict:
    s = spec.settings
    key = "(replicate,)" if s.common_random_numbers else "(point_key, replicate)"
    return {
        "name": spec.name,
        "spec_path": spec_path,
        "spec_hash": spec.hash,
        "spec": spec.data,
        "identity": spec.identity,
        "root_seed": spec.root_seed,
        "seeds": f"numpy.random.SeedSequence(root_seed, spawn_key={key})",
        "design": {
            "kind": s.design,
            "points": len(design),
            "factors": [f.key for f in spec.factors],
            "salib_problem": salib_problem(spec) if s.design != "factorial" else None,
            "second_order": s.second_order if s.design == "sobol" else None,
        },
        "replicates": s.replicates,
        "runs": len(design) * s.replicates,
        "common_random_numbers": s.common_random_numbers,
        "versions": versions(),
        "git_commit": git_commit(),
        "started": now(),
        "finished": None,
        "counts": {"ok": 0, "failed": 0, "pending": len(design) * s.replicates},
        "sessions": [],
    }


#: Seconds between progress updates written to a log (not a terminal, not a notebook).
LOG_PROGRESS_INTERVAL = 30.0


def progress_timing() -> dict[str, float]:
    """The timing of the sweep's tqdm bar: tqdm's own (updates up to ten a second) on a
    terminal or in a notebook; in a log file (a batch job, ``multilat sweep ... > log``)
    an update every :data:`LOG_PROGRESS_INTERVAL` seconds, not ten lines a second for
    hours (the bar's last state is written at the end either way). A
    ``TQDM_MININTERVAL`` in the environment is the user's choice and is left to tqdm.
    """  # noqa: D205
    if "TQDM_MININTERVAL" in os.environ:
        return {}
    try:
        terminal = sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        terminal = False
    if terminal or "ipykernel" in sys.modules:
        return {}
    # maxinterval too: tqdm's monitor would otherwise refresh every 10 s
    return {"mininterval": LOG_PROGRESS_INTERVAL, "maxinterval": LOG_PROGRESS_INTERVAL}


def _todo(ok: np.ndarray, failed: np.ndarray, retry_failed: bool) -> Iterator[int]:
    """Run ids still to do, in round-robin order."""
    wanted = ~ok if retry_failed else ~(ok | failed)
    return (int(k) for k in np.flatnonzero(wanted))


def _died(job: Job) -> dict[str, Any]:
    """The row of a run whose worker died (or whose future failed) before it returned."""
    return {
        **job.identity(),
        "status": "failed",
        "error": "the worker running it died: " + traceback.format_exc().strip().splitlines()[-1],
        "traceback": traceback.format_exc(),
        "seconds": 0.0,
    }


def execute_sweep(
    spec: SweepSpec,
    design: pd.DataFrame,
    out: Path,
    executor: Executor,
    *,
    resume: bool = False,
    retry_failed: bool = False,
    progress: bool = True,
    spec_path: str | None = None,
    interrupts: InterruptWatch,
) -> dict[str, Any]:
    """Run (or continue) a sweep of ``design`` (:func:`~sim.sweep.design.make_design`
    of ``spec``) into ``out`` on ``executor``; return the manifest.

    ``interrupts``: the watch of stop signals (:func:`sim.sweep.interrupts.watch_interrupts`,
    kept by :func:`run` from before the executor starts) that the sweep loop checks.

    Raises
    ------
    SweepError
        ``out`` holds another sweep, or a sweep of a changed spec.
    """
    # refused (another sweep, a changed spec, a folder of other files) before anything
    # is written
    try:
        store, _ = _open_store(spec, out, resume or retry_failed)
        if resume or retry_failed:
            manifest = _nothing_to_do(store, spec, retry_failed)
            if manifest is not None:
                return manifest
        with store.lock():
            return _execute_locked(
                spec,
                design,
                out,
                executor,
                resume=resume or retry_failed,
                retry_failed=retry_failed,
                progress=progress,
                spec_path=spec_path,
                interrupts=interrupts,
            )
    except StoreError as exc:
        raise SweepError(str(exc)) from None


@contextlib.contextmanager
def _tell_if_interrupted(
    store: Store, notify: Callable[[str], None] | None, total: int
) -> Iterator[None]:
    """On Ctrl-C (or SIGTERM in the CLI), tell what is kept: the finished runs of the
    ``total`` the spec asks for once the folder is a sweep (a resume that adds replicates
    may be stopped before its manifest counts them), else that the sweep had not begun.
    """  # noqa: D205
    try:
        yield
    except KeyboardInterrupt:
        if notify is None:
            raise
        if store.exists():
            counts = store.read_manifest()["counts"]
            kept = counts["ok"] + counts["failed"]
            notify(
                f"interrupted: {kept} of {total} runs are kept in {store.root}; "
                "continue with --resume"
            )
        else:
            notify(f"interrupted before the sweep began: no run was kept in {store.root}")
        raise


def _execute_locked(
    spec: SweepSpec,
    design: pd.DataFrame,
    out: Path,
    executor: Executor,
    *,
    resume: bool,
    retry_failed: bool,
    progress: bool,
    spec_path: str | None,
    interrupts: InterruptWatch,
) -> dict[str, Any]:
    """:func:`execute_sweep` once it holds the folder's lock."""
    store, existing = _open_store(spec, out, resume)
    if existing:
        store.create()
        store.remove_temporaries()
        manifest = store.read_manifest()
        if not _same_runs(manifest, spec):  # more replicates (see _open_store)
            n = len(design) * spec.settings.replicates
            manifest.update(
                spec=spec.data,
                spec_hash=spec.hash,
                identity=spec.identity,
                replicates=spec.settings.replicates,
                runs=n,
            )
            manifest["finished"] = None
        if not (store.root / DESIGN).is_file():
            store.write_design(design)
    else:
        # the manifest first: a folder killed after it is a sweep that --resume continues
        store.create()
        store.remove_temporaries()
        manifest = _new_manifest(spec, design, spec_path)
        store.write_manifest(manifest)
        store.write_design(design)
    n_points, reps = len(design), spec.settings.replicates
    n_runs = n_points * reps
    records = design.to_dict("records")
    params = [point_params(r, spec) for r in records]
    point_keys = [int(r["point_key"]) for r in records]
    # what each run's row says about its point: the sample number (lhs, sobol), the factors
    columns = [{"sample": int(r["sample"])} if "sample" in r else {} for r in records]
    for c, p in zip(columns, params, strict=True):
        c.update(p)
    schema = run_schema(design)
    ok, failed = store.finished(n_runs)
    # counts of this design from the start (more replicates raise the pending ones), so
    # that an interrupt before the first run is told against the new total
    manifest["counts"] = _counts(ok, failed, n_runs)
    session = store.next_session(manifest)
    manifest["sessions"].append(
        {
            "session": session,
            "started": now(),
            "finished": None,
            "executor": executor.description,
            "retry_failed": retry_failed,
            "git_commit": git_commit(),
            "versions": versions(),
        }
    )
    store.write_manifest(manifest)

    def job(k: int) -> Job:
        point, rep = k % n_points, k // n_points
        return Job(
            run_id=k,
            point_id=point,
            point_key=point_keys[point],
            replicate=rep,
            base=spec.base,
            params=params[point],
            root_seed=spec.root_seed,
            common_random_numbers=spec.settings.common_random_numbers,
            steps_path=str(steps_file(store.steps_dir, point, rep)),
        )

    # failed runs count as done unless they are to be run again
    counts = {"ok": int(ok.sum()), "failed": 0 if retry_failed else int(failed.sum())}
    todo = _todo(ok, failed, retry_failed)
    bar = tqdm(
        total=n_runs,
        initial=counts["ok"] + counts["failed"],
        disable=not progress,
        unit="run",
        desc=spec.name,
        dynamic_ncols=True,
        **progress_timing(),
    )
    bar.set_postfix(counts, refresh=False)
    status = StatusLog(store.root / "status.jsonl")
    parts = PartWriter(store, session, schema)
    in_flight: dict[Any, Job] = {}
    # runs in flight when a worker died: run again one at a time, so that a run that
    # kills its worker is told from the runs that only shared its pool
    suspects: deque[int] = deque()
    alone: set[int] = set()
    finished_all = False
    started = False  # has a run of this session finished yet?
    try:
        while True:
            while len(in_flight) < executor.slots:
                if suspects:
                    if in_flight:
                        break
                    k = suspects.popleft()
                    alone.add(k)
                else:
                    k = next(todo, None)
                    if k is None:
                        break
                j = job(k)
                in_flight[executor.submit(j)] = j
                if k in alone:
                    break
            if not in_flight:
                finished_all = True
                break
            done, _ = executor.wait(set(in_flight), POLL)
            interrupts.check()  # a Ctrl-C whose KeyboardInterrupt went astray
            for future in sorted(done, key=lambda f: in_flight[f].run_id):
                j = in_flight.pop(future)
                try:
                    row = executor.result(future)
                except WorkersFailed:
                    raise
                except Exception:  # noqa: BLE001 - a worker died; the sweep goes on
                    if j.run_id not in alone:
                        suspects.append(j.run_id)
                        continue
                    row = _died(j)
                row.update(columns[j.point_id])
                # a Ctrl-C waits until the run is both logged and kept, so that the
                # counts told on the way out agree with status.jsonl
                with signals_held(signal.SIGINT, signal.SIGTERM):
                    status.write(row, session)
                    parts.add(row)
                counts["ok" if row["status"] == "ok" else "failed"] += 1
                if not started:
                    # the rate starts at the first finished run: the workers' start-up
                    # (about 1.5 s) would make the first ETA read hours
                    bar.unpause()
                    started = True
                bar.set_postfix(counts, refresh=False)
                bar.update(1)
    finally:
        # what has finished is written out whole: a second Ctrl-C waits until then
        with signals_held(signal.SIGINT, signal.SIGTERM):
            bar.close()
            executor.close(now=not finished_all)
            parts.flush()
            status.close()
            store.assemble(n_runs, schema)
            ok, failed = store.finished(n_runs)
            manifest["counts"] = _counts(ok, failed, n_runs)
            manifest["sessions"][-1]["finished"] = now()
            if finished_all and not manifest["counts"]["pending"]:
                manifest["finished"] = now()
            store.write_manifest(manifest)
    return manifest


def _counts(ok: np.ndarray, failed: np.ndarray, n_runs: int) -> dict[str, int]:
    """The manifest's runs by status, from the finished-run masks (:meth:`Store.finished`)."""
    return {
        "ok": int(ok.sum()),
        "failed": int(failed.sum()),
        "pending": int(n_runs - ok.sum() - failed.sum()),
    }


def _check_regimes_reach_workers(spec: SweepSpec, design: pd.DataFrame) -> None:
    """SweepError if a regime of the sweep was registered in this process only: worker
    processes import :mod:`sim.regimes` afresh, and every run of it would fail there.
    """  # noqa: D205
    from sim.regimes import registered_at_run_time
    from sim.scenario import build_scenario

    used = design["regime"] if "regime" in design else [build_scenario(spec.base).regime]
    late = registered_at_run_time(str(r) for r in used)
    if late:
        raise SweepError(
            f"regime {late[0]!r} was registered in this process (sim.regimes.register), "
            "and worker processes start without it: run with workers=1, or put its module "
            "in sim/regimes/ with a line in REGIMES (README, 'Adding a regime')"
        )


def run(
    spec_or_path: SweepSpec | dict[str, Any] | str | Path,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    resume: bool = False,
    retry_failed: bool = False,
    progress: bool = True,
    notify: Callable[[str], None] | None = None,
) -> Results:
    """Run a sweep and return its results (:class:`sim.results.Results`).

    Parameters
    ----------
    spec_or_path : SweepSpec, dict or path
        The spec: a TOML file (see :mod:`sim.sweep.spec`), its data, or a parsed spec.
    out : path, optional
        The results folder; by default ``results/<name>``.
    workers : int, optional
        Local worker processes (default: the cores; 1 runs in this process).
    scheduler : str or distributed.Client, optional
        A Dask scheduler (``tcp://HOST:PORT``) or client to run on instead.
    resume : bool
        Continue the sweep already in ``out`` (it must have the same spec).
    retry_failed : bool
        Continue it and run its failed runs again (implies ``resume``).
    progress : bool
        Show a progress bar (tqdm; in notebooks a widget where available).
    notify : callable, optional
        Told one line when the sweep is interrupted.

    Raises
    ------
    SpecError
        A bad key or value in the spec (one line).
    SweepError
        ``out`` holds another sweep, or a sweep of a changed spec.

    Examples
    --------
    >>> from sim.sweep import run  # doctest: +SKIP
    >>> results = run("scenarios/quick.toml", out="results/quick")  # doctest: +SKIP
    >>> results.summary("effectiveness", by=["regime"])  # doctest: +SKIP
    """
    from sim.results import Results

    spec_path = None if isinstance(spec_or_path, SweepSpec | dict) else str(spec_or_path)
    spec = as_spec(spec_or_path)
    out = Path(out) if out is not None else Path("results") / spec.name
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {str(out)!r} exists and is not a folder")
    design = make_design(spec)  # a bad point is refused before the workers start
    if not in_this_process(workers, scheduler):
        _check_regimes_reach_workers(spec, design)
    total = len(design) * spec.settings.replicates
    with _tell_if_interrupted(Store(out), notify, total), watch_interrupts() as interrupts:
        executor = make_executor(workers, scheduler)
        try:
            execute_sweep(
                spec,
                design,
                out,
                executor,
                resume=resume,
                retry_failed=retry_failed,
                progress=progress,
                spec_path=spec_path,
                interrupts=interrupts,
            )
        finally:
            executor.close()
    return Results(out)
