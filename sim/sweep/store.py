"""The results folder of a sweep: its layout, and every write to it.

::

    manifest.json       the spec, its hash, seeds, versions, commit, times, counts
    design.parquet      one row per point
    runs.parquet        one row per run (assembled from runs/ at the end of a session)
    runs/part-*.parquet run rows as they finish, a part every few seconds
    steps/*.parquet     per-step metrics, one part per run, written by the worker
    status.jsonl        append-only: one line per finished run
    .lock               held (``flock``) by the session running the sweep

Every file but ``status.jsonl`` is written atomically (a temporary file, then a rename),
so a sweep killed at any moment leaves only whole files; runs whose rows reached a part
are finished, the others are run again by ``--resume``. A line of ``status.jsonl`` cut
short (a full disk, a kill mid-write) is dropped when the next session opens the log.
One session at a time: a second one on the same folder is refused while the first runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.files import StoreError, atomic_write, json_safe
from sim.metrics import METRICS

MANIFEST = "manifest.json"
DESIGN = "design.parquet"
RUNS = "runs.parquet"
PARTS = "runs"
STEPS = "steps"
STATUS = "status.jsonl"
LOCK = ".lock"

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock
    fcntl = None  # type: ignore[assignment]

#: Leading columns of every run row, before the factors and the metrics.
RUN_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("run_id", pa.int64()),
    ("point_id", pa.int64()),
    ("point_key", pa.int64()),
    ("replicate", pa.int64()),
    ("seed", pa.int64()),
    ("spawn_key", pa.string()),
    ("status", pa.string()),
    ("error", pa.string()),
)

#: Packages whose versions the manifest records.
PACKAGES = ("multilat", "mesa", "numpy", "pandas", "pyarrow", "scipy", "SALib", "pydantic")

#: Runs assembled into runs.parquet at a time (bounds the memory of assembling).
WINDOW = 20_000


def now() -> str:
    """The current time, ISO 8601 in UTC."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def metric_columns() -> list[str]:
    """Run-level metric columns: each metric's summary and its final value."""
    return [c for name in METRICS for c in (name, f"{name}_final")]


def run_schema(design: pd.DataFrame) -> pa.Schema:
    """Schema of run rows: :data:`RUN_COLUMNS`, ``sample`` (lhs, sobol), the factors, then
    the metrics.
    """
    factors = pa.Schema.from_pandas(
        design.drop(columns=["point_id", "point_key"]), preserve_index=False
    )
    fields = [pa.field(n, t) for n, t in RUN_COLUMNS]
    fields += [pa.field(f.name, f.type) for f in factors]
    fields += [pa.field(c, pa.float64()) for c in metric_columns()]
    return pa.schema(fields)


def versions() -> dict[str, str | None]:
    """Installed versions of :data:`PACKAGES` and of Python."""
    out: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def git_commit() -> str | None:
    """The commit of the ``sim`` package's source tree (``+dirty`` with uncommitted changes).

    None when the package is not in a git checkout (e.g. installed from a wheel).
    """
    here = Path(__file__).resolve().parent

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", *args], cwd=here, capture_output=True, text=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit}+dirty" if dirty else commit


class Store:
    """One sweep's results folder.

    Parameters
    ----------
    root : path
        The folder (created if missing).
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # --- paths and plain files ------------------------------------------------------
    @property
    def steps_dir(self) -> Path:
        """Folder of the per-step parts."""
        return self.root / STEPS

    @property
    def parts_dir(self) -> Path:
        """Folder of the run-row parts."""
        return self.root / PARTS

    def exists(self) -> bool:
        """Whether the folder already holds a sweep (it has a manifest)."""
        return (self.root / MANIFEST).is_file()

    def is_unstarted(self) -> bool:
        """Whether the folder holds nothing but what a sweep killed before its manifest
        was written leaves: the empty sub-folders, the lock and temporary files, and
        ``design.parquet`` only beside both sub-folders (a sweep makes them first; a
        lone ``design.parquet`` is someone's file), so it may be used as if empty.
        """  # noqa: D205
        if not self.root.is_dir() or self.exists():
            return False
        entries = list(self.root.iterdir())
        if DESIGN in (names := {entry.name for entry in entries}) and not {PARTS, STEPS} <= names:
            return False
        allowed = {PARTS, STEPS, DESIGN, LOCK}
        for entry in entries:
            if entry.name not in allowed and not _is_temporary(entry):
                return False
            if entry.name in (PARTS, STEPS) and (
                not entry.is_dir() or any(not _is_temporary(e) for e in entry.iterdir())
            ):
                return False
        return True

    def create(self) -> None:
        """Make the folder and its sub-folders."""
        for d in (self.root, self.parts_dir, self.steps_dir):
            d.mkdir(parents=True, exist_ok=True)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder's lock (``.lock``, ``flock``) for one session.

        Raises
        ------
        StoreError
            Another session (this machine or one sharing the file system) holds it.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK
        with open(path, "a+", encoding="utf-8") as handle:
            if fcntl is not None:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise StoreError(
                        f"{str(self.root)!r} is in use by a running sweep ({holder}); wait "
                        "for it to finish or stop it, then --resume"
                    ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} on {socket.gethostname()} since {now()}\n")
            handle.flush()
            try:
                yield
            finally:
                handle.seek(0)
                handle.truncate()
                handle.flush()

    def remove_temporaries(self) -> None:
        """Delete temporary files left by a sweep that was killed mid-write."""
        for d in (self.root, self.parts_dir, self.steps_dir):
            for tmp in d.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)

    def read_manifest(self) -> dict[str, Any]:
        """The manifest as a dict (a damaged one: :class:`StoreError`, one line)."""
        path = self.root / MANIFEST
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise damaged(
                path,
                exc,
                "the folder's runs.parquet and steps/ are still plain Parquet, but the sweep "
                "cannot be continued: start it again with another --out",
            ) from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest atomically."""
        text = json.dumps(json_safe(manifest), indent=2, allow_nan=False) + "\n"
        atomic_write(self.root / MANIFEST, lambda p: p.write_text(text, encoding="utf-8"))

    def write_design(self, design: pd.DataFrame) -> None:
        """Write design.parquet atomically."""
        atomic_write(self.root / DESIGN, lambda p: design.to_parquet(p, index=False))

    def read_design(self) -> pd.DataFrame:
        """design.parquet."""
        return pd.read_parquet(self.root / DESIGN)

    # --- run parts ------------------------------------------------------------------
    def parts(self) -> list[Path]:
        """The run-row parts, oldest first."""
        return sorted(self.parts_dir.glob("part-*.parquet"))

    def next_session(self, manifest: dict[str, Any]) -> int:
        """Number of the session about to start: 1 + the last one in the manifest or
        with parts (a session killed before it wrote the manifest may have parts).
        """  # noqa: D205
        last = [int(p.name.split("-")[1]) for p in self.parts()]
        last += [int(s["session"]) for s in manifest.get("sessions", [])]
        return max(last, default=0) + 1

    def read_part(self, part: Path, **kwargs: Any) -> pa.Table:
        """One run-row part (a damaged one: :class:`StoreError`, one line)."""
        try:
            return pq.read_table(part, **kwargs)
        except (pa.ArrowException, OSError) as exc:
            raise damaged(part, exc, "delete it and --resume: its runs will be run again") from None

    def finished(self, n_runs: int) -> tuple[np.ndarray, np.ndarray]:
        """Masks over run ids of the runs recorded ok and recorded failed (latest wins)."""
        ok = np.zeros(n_runs, dtype=bool)
        failed = np.zeros(n_runs, dtype=bool)
        for part in self.parts():
            t = self.read_part(part, columns=["run_id", "status"])
            ids = t.column("run_id").to_numpy()
            good = np.asarray(t.column("status").to_pylist()) == "ok"
            ok[ids], failed[ids] = good, ~good
        return ok, failed

    def write_part(
        self, session: int, seq: int, rows: list[dict[str, Any]], schema: pa.Schema
    ) -> None:
        """Write run rows (sorted by run id) as one part, atomically."""
        rows = sorted(rows, key=lambda r: r["run_id"])
        table = pa.Table.from_pylist(rows, schema=schema)
        path = self.parts_dir / f"part-{session:04d}-{seq:06d}.parquet"
        atomic_write(path, lambda p: pq.write_table(table, p))

    def assemble(self, n_runs: int, schema: pa.Schema) -> Path:
        """Write runs.parquet from the parts, in run-id order, :data:`WINDOW` runs at a time.

        A run recorded twice (a failure retried) keeps its latest row.
        """
        spans = []
        for part in self.parts():
            try:
                stats = pq.read_metadata(part).row_group(0).column(0).statistics
            except (pa.ArrowException, OSError):
                self.read_part(part)  # raises the one-line error
                raise
            if stats is not None and stats.has_min_max:
                spans.append((part, stats.min, stats.max))
        path = self.root / RUNS

        def write(tmp: Path) -> None:
            with pq.ParquetWriter(tmp, schema) as writer:
                for lo in range(0, max(n_runs, 1), WINDOW):
                    hi = lo + WINDOW
                    tables = [
                        self.read_part(p, filters=[("run_id", ">=", lo), ("run_id", "<", hi)])
                        for p, a, b in spans
                        if a < hi and b >= lo
                    ]
                    if not tables:
                        continue
                    frame = pa.concat_tables(tables).to_pandas()
                    frame = frame.drop_duplicates("run_id", keep="last").sort_values("run_id")
                    writer.write_table(
                        pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
                    )

        atomic_write(path, write)
        return path


def _is_temporary(path: Path) -> bool:
    return path.is_file() and path.name.startswith(".") and path.name.endswith(".tmp")


def damaged(path: Path, exc: BaseException, advice: str) -> StoreError:
    """The one-line error for a results file that cannot be read: the file, the first
    line of the reader's error, and what to do.
    """  # noqa: D205
    text = str(exc).strip()
    reason = text.splitlines()[0] if text else type(exc).__name__
    return StoreError(f"{str(path)!r} is damaged ({reason}); {advice}")


def drop_cut_line(path: Path) -> None:
    """Cut a last line without its newline (a write interrupted mid-line) off ``path``."""
    if not path.is_file():
        return
    with open(path, "rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return
        handle.seek(max(0, size - (1 << 20)))
        tail = handle.read()
        cut = tail.rfind(b"\n")
        handle.truncate(size - len(tail) + cut + 1 if cut >= 0 else 0)


class StatusLog:
    """``status.jsonl``: one JSON line per finished run, appended and flushed at once."""

    def __init__(self, path: Path) -> None:
        drop_cut_line(path)
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def write(self, row: dict[str, Any], session: int) -> None:
        """Append the line of one finished run."""
        line = {
            "run_id": row["run_id"],
            "point_id": row["point_id"],
            "replicate": row["replicate"],
            "status": row["status"],
            "seconds": round(row["seconds"], 4),
            "error": row["error"],
            "traceback": row["traceback"],
            "session": session,
            "time": now(),
        }
        self._file.write(json.dumps(json_safe(line)) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


class PartWriter:
    """Buffers finished run rows and writes them as a part every ``every`` seconds."""

    def __init__(self, store: Store, session: int, schema: pa.Schema, every: float = 2.0) -> None:
        self.store, self.session, self.schema, self.every = store, session, schema, every
        self.rows: list[dict[str, Any]] = []
        self.seq = 0
        self.last = time.monotonic()

    def add(self, row: dict[str, Any]) -> None:
        """Buffer one row (metric NaNs become nulls, which SQL aggregates skip)."""
        clean = {k: v for k, v in row.items() if k in self.schema.names}
        for k, v in clean.items():
            if isinstance(v, float) and v != v:
                clean[k] = None
        self.rows.append(clean)
        if time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows, if any, as one part."""
        self.last = time.monotonic()
        if not self.rows:
            return
        self.seq += 1
        self.store.write_part(self.session, self.seq, self.rows, self.schema)
        self.rows = []
