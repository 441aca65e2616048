"""Reading a sweep's results folder: ``sim.results.load(path)``.

:class:`Results` gives pandas DataFrames of the runs, the per-step metrics, the design,
the status log and the manifest, and :meth:`Results.summary` gives means with
t-intervals over replicates. The files are plain Parquet and JSON, so DuckDB reads them
in place too (``SELECT * FROM 'results/quick/runs.parquet'``).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from sim.sweep.store import DESIGN, MANIFEST, RUNS, STATUS, Store, damaged
from sim.sweep.worker import steps_file

#: Metrics of the end-of-sweep summary: effectiveness and the four virtues' measures.
MAIN_METRICS = ("effectiveness", "legitimacy", "solidarity", "capability", "flexibility")


class Results:
    """A sweep's results folder.

    Parameters
    ----------
    path : path
        The folder (``results/<name>`` or the sweep's ``--out``).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not (self.path / MANIFEST).is_file():
            raise FileNotFoundError(
                f"{str(self.path)!r} is not a sweep results folder (no {MANIFEST})"
            )
        self._store = Store(self.path)

    def __repr__(self) -> str:
        c = self.counts
        return (
            f"Results({str(self.path)!r}: {self.manifest.get('runs')} runs, "
            f"{c['ok']} ok, {c['failed']} failed, {c['pending']} pending)"
        )

    @cached_property
    def manifest(self) -> dict[str, Any]:
        """manifest.json: the spec, its hash, seeds, versions, commit, times, counts.

        Its counts are those at the end of the last session; :attr:`counts` are those of
        the runs kept now (they differ after a ``kill -9``).
        """
        return self._store.read_manifest()

    @cached_property
    def spec(self) -> Any:
        """The sweep's spec as read (:class:`sim.sweep.spec.SweepSpec`), from the manifest."""
        from sim.sweep.spec import parse_spec

        return parse_spec(self.manifest["spec"], name=self.manifest.get("name"))

    @property
    def counts(self) -> dict[str, int]:
        """Runs kept ``ok`` and ``failed`` (the rows of :attr:`runs`), and ``pending``."""
        status = self.runs.get("status", pd.Series(dtype=object))
        n_ok, n_failed = int((status == "ok").sum()), int((status != "ok").sum())
        n_runs = int(self.manifest.get("runs", 0))
        return {"ok": n_ok, "failed": n_failed, "pending": n_runs - n_ok - n_failed}

    @property
    def factors(self) -> list[str]:
        """The varied scenario keys (columns of :attr:`design` and :attr:`runs`)."""
        return list(self.manifest["design"]["factors"])

    @cached_property
    def design(self) -> pd.DataFrame:
        """design.parquet: one row per point."""
        return pd.read_parquet(self.path / DESIGN)

    @cached_property
    def runs(self) -> pd.DataFrame:
        """One row per run: ids, seed, status, the factors and every run-level metric.

        From runs.parquet, or from the parts if a sweep was killed before assembling it.
        """
        runs = self.path / RUNS
        parts = self._store.parts()
        stale = not runs.is_file() or any(p.stat().st_mtime > runs.stat().st_mtime for p in parts)
        if not stale:
            try:
                return pd.read_parquet(runs)
            except (pa.ArrowException, OSError) as exc:
                advice = "delete it: it is assembled again from runs/ on reading"
                raise damaged(runs, exc, advice) from None
        if not parts:
            return pd.DataFrame()
        frame = pa.concat_tables(self._store.read_part(p) for p in parts).to_pandas()
        frame = frame.drop_duplicates("run_id", keep="last").sort_values("run_id")
        return frame.reset_index(drop=True)

    def step_files(self) -> list[Path]:
        """The per-step Parquet parts of the runs in :attr:`runs`, in file-name order."""
        folder = self._store.steps_dir
        runs = self.runs
        pairs = zip(runs.get("point_id", []), runs.get("replicate", []), strict=True)
        kept = {steps_file(folder, p, r) for p, r in pairs}
        return [f for f in sorted(folder.glob("p*.parquet")) if f in kept]

    def steps(self, columns: Sequence[str] | str | None = None, filter: Any = None) -> pd.DataFrame:
        """Per-step metrics of the runs in :attr:`runs`: ids, ``step`` and the metrics.

        Columns ``point_id``, ``replicate``, ``step`` and one per metric. A run killed
        with ``kill -9`` after it wrote its steps but before its row reached the disk is
        left out, as it is from :attr:`runs` (``--resume`` runs it again).

        Parameters
        ----------
        columns : list of str, or str, optional
            Metrics to read (``point_id``, ``replicate`` and ``step`` are always read);
            an unknown name raises KeyError naming the allowed ones.
        filter : pyarrow.dataset.Expression, optional
            Rows to read, e.g. ``pyarrow.dataset.field("point_id") == 3``.
        """
        from sim.metrics import METRICS

        keys = ["point_id", "replicate", "step"]
        if isinstance(columns, str):
            columns = [columns]
        for c in columns or ():
            if c not in keys and c not in METRICS:
                raise KeyError(_unknown("column", c, "per-step columns", [*keys, *METRICS]))
        files = self.step_files()
        if not files:
            return pd.DataFrame()
        cols = None if columns is None else keys + [c for c in columns if c not in keys]
        table = ds.dataset(files, format="parquet").to_table(columns=cols, filter=filter)
        frame = table.to_pandas()
        return frame.sort_values(keys, kind="stable").reset_index(drop=True)

    @property
    def status(self) -> pd.DataFrame:
        """status.jsonl: one row per finished run (the last line wins after a retry).

        A last line cut short (a write interrupted mid-line) is left out.
        """
        path = self.path / STATUS
        if not path.is_file():
            return pd.DataFrame()
        rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        try:
            last = [json.loads(rows[-1])] if rows else []
        except json.JSONDecodeError:
            last = []
        frame = pd.DataFrame([json.loads(line) for line in rows[:-1]] + last)
        if "run_id" not in frame.columns:
            return frame
        return frame.drop_duplicates("run_id", keep="last").reset_index(drop=True)

    def summary(
        self, metric: str, by: Sequence[str] | str | None = None, ci: float = 0.95
    ) -> pd.DataFrame:
        """Mean of ``metric`` with a t-interval over the runs of each group.

        Parameters
        ----------
        metric : str
            A run-level column of :attr:`runs` (e.g. ``"effectiveness"``).
        by : list of str, or str, optional
            Columns to group by (e.g. ``["regime", "rivalry"]``); grouping by every
            factor makes the interval one over replicates. None: all runs together.
        ci : float
            Confidence level of the interval, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            One row per group: the ``by`` columns, ``n`` (runs with a value), ``mean``,
            ``std``, ``ci_low`` and ``ci_high`` (NaN where ``n < 2``).
        """
        from sim.stats import t_half_width

        if not isinstance(metric, str):
            raise TypeError(f"metric: one name, got {metric!r}; call summary() once per metric")
        if not 0 < ci < 1:
            raise ValueError(f"ci: bad value {ci!r}: must be between 0 and 1")
        runs = self.runs
        if metric not in runs.columns:
            numeric = [c for c in runs.columns if pd.api.types.is_float_dtype(runs[c])]
            raise KeyError(_unknown("metric", metric, "metrics of runs", numeric))
        runs = runs[runs["status"] == "ok"]
        by = [by] if isinstance(by, str) else list(by or [])
        for b in by:
            if b not in runs.columns:
                raise KeyError(_unknown("by", b, "factors of this sweep", self.factors))
        if by:
            grouped = runs.groupby(by, sort=False, dropna=False)[metric]
            table = grouped.agg(n="count", mean="mean", std="std").reset_index()
        else:
            col = runs[metric]
            table = pd.DataFrame({"n": [col.count()], "mean": [col.mean()], "std": [col.std()]})
        half = t_half_width(table["std"].to_numpy(), table["n"].to_numpy(), ci)
        table["ci_low"] = table["mean"] - half
        table["ci_high"] = table["mean"] + half
        return table


def _unknown(what: str, value: str, kind: str, allowed: Sequence[str]) -> str:
    """``what 'value' is unknown (did you mean ...?); kind: allowed...`` on one line."""
    close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{what} {value!r} is unknown{hint}; {kind}: {', '.join(map(str, allowed))}"


def load(path: str | Path) -> Results:
    """Open a sweep's results folder (see :class:`Results`)."""
    return Results(path)


def overview(
    results: Results, metrics: Sequence[str] = MAIN_METRICS, ci: float = 0.95
) -> pd.DataFrame:
    """Mean and interval of each of ``metrics`` per regime (all runs if not varied).

    The intervals are the plain t-intervals (the sweep's summary prints their half-width),
    not cut to the metric's range as the report's and the figures' are.
    """
    by = ["regime"] if "regime" in results.factors else []
    frames = []
    for m in metrics:
        t = results.summary(m, by=by, ci=ci)
        t.insert(0, "metric", m)
        frames.append(t)
    return pd.concat(frames, ignore_index=True)
