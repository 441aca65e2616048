"""One run of a sweep, as a worker process executes it.

:func:`execute` is a plain module-level function of a plain :class:`Job`, so any
executor can ship it (process pools with ``spawn``, Dask), including from a notebook.
It writes the run's per-step metrics itself, atomically, and returns only the run-level
row. It never raises for a failing run: the error and its traceback come back in the row.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.entry import caused_by_interrupt
from sim.sweep.seeds import key_text, run_seed_sequence, spawn_key


@dataclass(frozen=True)
class Job:
    """Everything one run needs: the base scenario, the point, the seed and where to write.

    Attributes
    ----------
    run_id : int
        ``replicate * n_points + point_id``: the run's place in the round-robin order.
    point_id, replicate : int
        The design point (its row in the design) and the replicate.
    point_key : int
        The point's stable name from its values (:func:`sim.sweep.design.point_key`): the
        run's seed is keyed by ``(point_key, replicate)``.
    base : dict
        The base scenario (spec data without ``[sweep]``).
    params : dict
        The point's scenario overrides (dotted keys).
    root_seed : int
        The sweep's root seed.
    common_random_numbers : bool
        Key the seed by replicate only.
    steps_path : str or None
        Where to write the per-step metrics (Parquet), or None for none.
    """

    run_id: int
    point_id: int
    replicate: int
    base: dict[str, Any]
    params: dict[str, Any]
    root_seed: int
    common_random_numbers: bool = False
    steps_path: str | None = None
    point_key: int = 0

    def identity(self) -> dict[str, Any]:
        """The columns that name the run in every row about it: ids, seed, spawn key."""
        key = spawn_key(self.point_key, self.replicate, self.common_random_numbers)
        return {
            "run_id": self.run_id,
            "point_id": self.point_id,
            "point_key": self.point_key,
            "replicate": self.replicate,
            "seed": self.root_seed,
            "spawn_key": key_text(key),
        }


def steps_file(folder: Path, point_id: int, replicate: int) -> Path:
    """Path of one run's per-step Parquet part under ``folder``."""
    return folder / f"p{point_id:06d}-r{replicate:04d}.parquet"


def _write_steps(values: np.ndarray, job: Job, path: Path) -> None:
    """Write one run's per-step metrics (:meth:`MultilatModel.metrics_array`) as a
    Parquet part: ``point_id``, ``replicate``, ``step`` and one column per metric (an
    undefined value is a null).
    """  # noqa: D205
    from sim.files import atomic_write
    from sim.metrics import METRICS

    n = len(values)
    columns = {
        "point_id": np.full(n, job.point_id, dtype=np.int64),
        "replicate": np.full(n, job.replicate, dtype=np.int64),
        "step": np.arange(n, dtype=np.int64),
    }
    # undefined values are nulls, as in runs.parquet, so SQL aggregates skip them
    for name, col in zip(METRICS, np.ascontiguousarray(values.T, dtype=float), strict=True):
        columns[name] = pa.array(col, mask=np.isnan(col))
    table = pa.table(columns)
    atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def execute(job: Job) -> dict[str, Any]:
    """Run one job; return its run-level row (``status`` ``"ok"`` or ``"failed"``).

    The row holds ``run_id``, ``point_id``, ``point_key``, ``replicate``, ``seed``, ``spawn_key``,
    ``status``, ``error``, ``traceback``, ``seconds`` and, for a run that finished, the
    summary of every metric (:meth:`sim.model.MultilatModel.summary`).
    """
    from sim.model import MultilatModel
    from sim.scenario import build_scenario

    start = time.perf_counter()
    seq = run_seed_sequence(job.root_seed, job.point_key, job.replicate, job.common_random_numbers)
    row: dict[str, Any] = {
        **job.identity(),
        "status": "ok",
        "error": None,
        "traceback": None,
    }
    try:
        scenario = build_scenario(job.base, **job.params)
        model = MultilatModel(scenario, rng=np.random.default_rng(seq), record_votes=False)
        model.run()
        if job.steps_path is not None:
            _write_steps(model.metrics_array(), job, Path(job.steps_path))
        row.update(model.summary())
    except Exception as exc:  # noqa: BLE001 - a failing run is recorded, the sweep goes on
        if caused_by_interrupt(exc):  # a Ctrl-C inside compiled code: not the run's failure
            raise KeyboardInterrupt from exc
        row["status"] = "failed"
        row["error"] = _one_line(f"{type(exc).__name__}: {exc}") or type(exc).__name__
        row["traceback"] = traceback.format_exc()
    row["seconds"] = time.perf_counter() - start
    return row


#: Seconds between a worker's checks that the sweep that started it is alive.
WATCH = 1.0


def _exit_with(parent: int) -> None:
    """Wait until process ``parent`` is gone, then end this process at once."""
    while True:
        time.sleep(WATCH)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # alive, another user's (cannot happen for our parent)
            continue


def warm_up(parent: int | None = None) -> None:
    """Import the model once, when a worker process starts (not for every run).

    With ``parent`` (the sweep's process id) a watchdog thread ends the worker when
    the sweep is gone: killed with SIGKILL, its workers would otherwise wait for runs
    forever.
    """
    import sim.files  # noqa: F401
    import sim.model  # noqa: F401

    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
