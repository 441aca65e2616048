"""Throughput of ``multilat sweep`` against ``mesa.batch_run``, and the sweep's memory.

1. Throughput: the same design (``--regimes`` x ``--rivalry`` x ``--replicates`` runs of
   ``--steps`` steps in a world of ``--states`` states, votes not recorded) is run by

   * ``mesa.batch_run(MultilatModel, ..., number_processes=W, data_collection_period=1)``:
     every step's metrics come back to the parent in memory, as our sweep writes them;
   * :func:`sim.sweep.run` with ``workers=W`` (local process pool), in a fresh process
     each time as ``multilat sweep`` runs it: run-level rows and per-step Parquet parts
     on disk, status log, manifest;
   * :func:`sim.sweep.run` with ``workers=1`` (this process), for the parallel
     efficiency ``(time with 1 worker) / (W x time with W workers)``;
   * the whole ``multilat sweep SPEC --workers W`` and ``--workers 1`` command, from the
     start of its process to its exit (imports included), as a researcher waits for it;
     the efficiency of the whole command is printed too.

   Each is timed ``--repeats`` times (wall clock, pool start-up included), in turns;
   printed: the median and the minimum of each (the minimum is the least disturbed by
   other work on the machine), runs per second from the median, and the ratios from
   both. The start-up of a ``spawn`` pool alone (the workers import the model) is timed
   too: what the sweep's ``forkserver`` pool saves.
2. Memory: a sweep of ``--memory-runs`` runs (default 500 and 5,000; 10-step runs of 15
   states, the regimes x rivalry 0, 0.25, ..., 1, so whole replicates) in a
   fresh Python process each, ``workers=W``; printed: the peak resident memory of the
   parent process and of the largest worker (``getrusage``), and the size of the folder.

Run from the repository root::

    python benchmarks/sweep_throughput.py                  # defaults, about 5 minutes
    python benchmarks/sweep_throughput.py --repeats 1 --memory-runs 500

No assertions: the numbers are reported, not tested.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import math
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim.model import MultilatModel
from sim.sweep.executors import pool_context
from sim.sweep.worker import warm_up

SWEEP_CHILD = r"""
import json, sys, time
from sim.sweep import run
spec, out, workers = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
t = time.perf_counter()
run(spec, out=out, workers=workers, progress=False)
print(time.perf_counter() - t)
"""

MEMORY_CHILD = r"""
import json, resource, sys, time
from sim.sweep import run
spec, out, workers = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
t = time.perf_counter()
res = run(spec, out=out, workers=workers, progress=False)
seconds = time.perf_counter() - t
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "parent_kb": self_kb, "worker_kb": child_kb,
                  "ok": res.manifest["counts"]["ok"]}))
"""


def spec_for(args: argparse.Namespace, replicates: int, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "steps": args.steps,
        "burn_in": args.steps // 5,
        "world": {"n_states": args.states},
        "sweep": {
            "replicates": replicates,
            "seed": 1,
            "regime": list(args.regimes),
            "rivalry": list(args.rivalry),
        },
    }


def time_batch_run(args: argparse.Namespace) -> float:
    rngs = [
        np.random.default_rng(np.random.SeedSequence(1, spawn_key=(r,)))
        for r in range(args.replicates)
    ]
    start = time.perf_counter()
    mesa.batch_run(
        MultilatModel,
        parameters={
            "regime": list(args.regimes),
            "rivalry": list(args.rivalry),
            "steps": args.steps,
            "burn_in": args.steps // 5,
            "world.n_states": args.states,
            "record_votes": False,
        },
        number_processes=args.workers,
        rng=rngs,
        max_steps=args.steps,
        data_collection_period=1,
        display_progress=False,
    )
    return time.perf_counter() - start


def time_sweep(args: argparse.Namespace, workers: int, tmp: Path) -> float:
    """Seconds of ``sim.sweep.run`` in a fresh process, as ``multilat sweep`` runs it.

    A fresh process each time, so that the pool (and its ``forkserver``) starts anew as
    it does for every ``multilat sweep``; the parent's own imports are not counted.
    """
    out = tmp / f"sweep-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    spec = spec_for(args, args.replicates, "throughput")
    proc = subprocess.run(
        [sys.executable, "-c", SWEEP_CHILD, json.dumps(spec), str(out), str(workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    shutil.rmtree(out, ignore_errors=True)
    return float(proc.stdout.strip().splitlines()[-1])


def time_command(args: argparse.Namespace, workers: int, tmp: Path) -> float:
    """Wall seconds of the whole ``multilat sweep`` command, from process start to exit."""
    import tomli_w

    out = tmp / f"command-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    spec = tmp / "command.toml"
    spec.write_text(tomli_w.dumps(spec_for(args, args.replicates, "command")), encoding="utf-8")
    entry = "import sys; from sim.entry import main; sys.argv[0] = 'multilat'; main()"
    argv = ["sweep", str(spec), "--out", str(out), "--quiet", "--workers", str(workers)]
    start = time.perf_counter()
    # until the command exits (not until workers that outlive it close inherited pipes)
    proc = subprocess.Popen(
        [sys.executable, "-c", entry, *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if proc.wait() != 0:
        raise RuntimeError(f"multilat sweep exited with {proc.returncode}")
    seconds = time.perf_counter() - start
    shutil.rmtree(out, ignore_errors=True)
    return seconds


def time_pool_start(workers: int, method: str) -> float:
    """Seconds to start a pool (model imported) and use every worker."""
    ctx = pool_context() if method == "forkserver" else multiprocessing.get_context(method)
    start = time.perf_counter()
    with cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=warm_up) as pool:
        list(pool.map(abs, range(workers)))
    return time.perf_counter() - start


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


#: Rivalry levels of the memory sweeps: with the four regimes, 20 points, so that 500
#: and 5,000 runs are whole numbers of replicates.
MEMORY_RIVALRY = [0.0, 0.25, 0.5, 0.75, 1.0]


def memory(args: argparse.Namespace, n_runs: int, tmp: Path) -> dict[str, Any]:
    """Peak memory of a sweep of at least ``n_runs`` small runs (whole replicates)."""
    points = len(args.regimes) * len(MEMORY_RIVALRY)
    replicates = max(1, math.ceil(n_runs / points))
    small = argparse.Namespace(
        **{**vars(args), "steps": args.memory_steps, "states": 15, "rivalry": MEMORY_RIVALRY}
    )
    spec = spec_for(small, replicates, f"memory-{n_runs}")
    out = tmp / f"memory-{n_runs}"
    proc = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, json.dumps(spec), str(out), str(args.workers)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["runs"] = points * replicates
    result["folder_mb"] = folder_mb(out)
    shutil.rmtree(out, ignore_errors=True)
    return result


def git_line() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "sim"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "code: not a git checkout"
    return f"code: commit {head}" + (", uncommitted changes under sim/" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--regimes",
        nargs="+",
        default=["charter", "club", "concert", "coalition"],
        help="regimes of the throughput design (and of the memory sweeps)",
    )
    parser.add_argument(
        "--rivalry",
        nargs="+",
        type=float,
        default=[0.0, 0.5, 1.0],
        help="rivalry levels of the throughput design",
    )
    parser.add_argument(
        "--replicates", type=int, default=20, help="replicates per point of the throughput design"
    )
    parser.add_argument("--steps", type=int, default=60, help="steps per run (throughput)")
    parser.add_argument("--states", type=int, default=40, help="states per world (throughput)")
    parser.add_argument(
        "--workers", type=int, default=2, help="processes for batch_run and the sweep"
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="times each throughput variant is timed"
    )
    parser.add_argument(
        "--memory-runs",
        nargs="*",
        type=int,
        default=[500, 5000],
        help="sizes of the memory sweeps (none: skip them)",
    )
    parser.add_argument(
        "--memory-steps", type=int, default=10, help="steps per run of the memory sweeps"
    )
    args = parser.parse_args()

    n_runs = len(args.regimes) * len(args.rivalry) * args.replicates
    print(f"python {platform.python_version()}, mesa {mesa.__version__}, numpy {np.__version__}")
    print(f"{git_line()}; cores: {os.cpu_count()}; load average {os.getloadavg()}")
    print(
        f"design: {len(args.regimes)} regimes x {len(args.rivalry)} rivalry levels x "
        f"{args.replicates} replicates = {n_runs} runs of {args.steps} steps, "
        f"{args.states} states; {args.workers} workers; {args.repeats} repeats\n"
    )
    times: dict[str, list[float]] = {
        "batch_run": [],
        "sweep": [],
        "sweep-1": [],
        "command": [],
        "command-1": [],
        "spawn start": [],
    }
    summary: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for _ in range(args.repeats):
            times["batch_run"].append(time_batch_run(args))
            times["sweep"].append(time_sweep(args, args.workers, tmp))
            times["sweep-1"].append(time_sweep(args, 1, tmp))
            times["command"].append(time_command(args, args.workers, tmp))
            times["command-1"].append(time_command(args, 1, tmp))
            times["spawn start"].append(time_pool_start(args.workers, "spawn"))
        w = args.workers
        print(f"{'':44} {'median':>8} {'min':>8} {'runs/s':>8}   all seconds")
        labels = {
            "batch_run": f"mesa.batch_run, {w} processes",
            "sweep": f"sim.sweep.run, {w} workers",
            "sweep-1": "sim.sweep.run, 1 worker (in process)",
            "command": f"multilat sweep --workers {w} (whole command)",
            "command-1": "multilat sweep --workers 1 (whole command)",
            "spawn start": f"start-up of a {w}-worker spawn pool (no runs)",
        }
        for key in ("median", "min"):
            pick = statistics.median if key == "median" else min
            summary[key] = {k: pick(v) for k, v in times.items()}
        for k, label in labels.items():
            shown = ", ".join(f"{t:.2f}" for t in times[k])
            med, low = summary["median"][k], summary["min"][k]
            rate = f"{n_runs / med:8.2f}" if k != "spawn start" else f"{'':8}"
            print(f"{label:44} {med:8.2f} {low:8.2f} {rate}   {shown}")
        for key in ("median", "min"):
            t = summary[key]
            ratio = t["batch_run"] / t["sweep"]
            efficiency = t["sweep-1"] / (w * t["sweep"])
            command = t["command-1"] / (w * t["command"])
            print(
                f"from the {key}s: throughput ratio sweep / batch_run ({w} each) {ratio:.2f}, "
                f"parallel efficiency of the sweep on {w} workers {efficiency:.2f} "
                f"(of the whole command {command:.2f})"
            )

        if args.memory_runs:
            print(
                f"\nmemory ({args.memory_steps}-step runs, 15 states, {len(args.regimes)} "
                f"regimes x {len(MEMORY_RIVALRY)} rivalry levels, {w} workers):"
            )
            heads = ("runs", "seconds", "parent peak MiB", "worker peak MiB", "folder MiB")
            print(" ".join(f"{h:>{max(6, len(h))}}" for h in heads))
            for n in args.memory_runs:
                m = memory(args, n, tmp)
                print(
                    f"{m['runs']:6d} {m['seconds']:7.1f} {m['parent_kb'] / 1024:15.1f} "
                    f"{m['worker_kb'] / 1024:15.1f} {m['folder_mb']:10.1f}"
                )
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
