"""Exports of a sweep's results: plain CSV, and EMA Workbench's results archive.

``csv`` writes ``design.csv``, ``runs.csv`` and ``steps.csv`` into a folder (the
per-step parts are appended one at a time, so memory stays flat). ``ema`` writes the
tar.gz that :func:`ema_workbench.load_results` reads: ``experiments.csv`` (one row per
finished run: the factors, ``point_id``, ``replicate``, and EMA's ``scenario``,
``policy`` and ``model`` columns), ``metadata.json`` and one file per outcome (each
run-level metric as a ``ScalarOutcome``), so EMA's PRIM, CART and feature scoring run
on our results. When every run has the same number of steps, each metric's time series
is a ``TimeSeriesOutcome`` too (``<metric>_series``, one row per run, one column per
step, with ``TIME``), for EMA's ``lines`` and ``envelopes`` plots. Only runs with status
``ok`` are exported to EMA.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.files import atomic_write
from sim.metrics import METRICS
from sim.results import Results
from sim.sweep.worker import steps_file

FORMATS = ("csv", "ema")


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def _ema_dtype(series: pd.Series) -> str:
    """The dtype name EMA's loader restores (strings as object, then category)."""
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int64"
    if pd.api.types.is_float_dtype(series):
        return "float64"
    return "object"


def ema_series(results: Results, runs: pd.DataFrame) -> dict[str, np.ndarray] | None:
    """Each metric's per-step values of ``runs`` as an array (runs x steps), and ``TIME``.

    None when the runs differ in length (``steps`` varied) or a run has no per-step part.
    """
    paths = [
        steps_file(results.path / "steps", int(p), int(r))
        for p, r in zip(runs["point_id"], runs["replicate"], strict=True)
    ]
    if not paths or not all(p.is_file() for p in paths):
        return None
    lengths = {pq.read_metadata(p).num_rows for p in paths}
    if len(lengths) != 1:
        return None
    n_steps = lengths.pop()
    series = {m: np.empty((len(paths), n_steps)) for m in METRICS}
    for i, path in enumerate(paths):
        table = pq.read_table(path, columns=list(METRICS))
        for m in METRICS:
            series[m][i] = table.column(m).to_numpy()
    out = {f"{m}_series": values for m, values in series.items()}
    out["TIME"] = np.tile(np.arange(n_steps, dtype=float), (len(paths), 1))
    return out


def to_ema(results: Results, path: Path) -> Path:
    """Write the EMA Workbench archive of ``results`` to ``path`` (a .tar.gz)."""
    runs = results.runs
    runs = runs[runs["status"] == "ok"].reset_index(drop=True)
    factors = results.factors
    experiments = runs[[*factors, "point_id", "replicate"]].copy()
    experiments["scenario"] = runs["run_id"].to_numpy()
    regime = runs["regime"] if "regime" in runs else results.manifest["spec"].get("regime")
    experiments["policy"] = regime if regime is not None else "charter"
    experiments["model"] = "multilat"
    outcomes = [name for name in METRICS if name in runs.columns]
    series = ema_series(results, runs) or {}
    metadata = {
        "version": 0.1,
        "outcomes": [["ScalarOutcome", name, f"{name}.cls"] for name in outcomes]
        + [["TimeSeriesOutcome", name, f"{name}.csv"] for name in series],
        "experiments": {c: _ema_dtype(experiments[c]) for c in experiments.columns},
    }

    def write(tmp: Path) -> None:
        with tarfile.open(tmp, "w:gz") as archive:
            _add(archive, "experiments.csv", experiments.to_csv(index=False).encode())
            for name in outcomes:
                text = runs[[name]].to_csv(header=False, index=False)
                _add(archive, f"{name}.cls", text.encode())
            for name, values in series.items():  # as EMA writes a TimeSeriesOutcome
                _add(archive, f"{name}.csv", pd.DataFrame(values).to_csv(index=False).encode())
            _add(archive, "metadata.json", json.dumps(metadata).encode())

    atomic_write(path, write)
    return path


def to_csv(results: Results, folder: Path) -> Path:
    """Write ``design.csv``, ``runs.csv`` and ``steps.csv`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / "design.csv", lambda p: results.design.to_csv(p, index=False))
    atomic_write(folder / "runs.csv", lambda p: results.runs.to_csv(p, index=False))
    files = results.step_files()

    def write_steps(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            for i, part in enumerate(files):
                pq.read_table(part).to_pandas().to_csv(f, header=i == 0, index=False)

    atomic_write(folder / "steps.csv", write_steps)
    return folder


def export(results: str | Path | Results, fmt: str, out: str | Path | None = None) -> Path:
    """Export a results folder as ``csv`` (a folder) or ``ema`` (a tar.gz); return the path.

    By default the export goes into the results folder: ``csv/`` or ``<name>-ema.tar.gz``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format: bad value {fmt!r}: allowed: {', '.join(FORMATS)}")
    res = results if isinstance(results, Results) else Results(results)
    if fmt == "ema":
        default = res.path / f"{res.manifest.get('name', 'sweep')}-ema.tar.gz"
        return to_ema(res, Path(out) if out is not None else default)
    return to_csv(res, Path(out) if out is not None else res.path / "csv")
