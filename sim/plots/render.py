"""Figures of a results folder by name, written to files (``multilat plot``).

:func:`figure` draws one named figure with its defaults; :func:`write_figures` saves
each to ``<out>/<name>-<metric>.<format>``. Only the network figure runs a model: it
replays one recorded run (:mod:`sim.plots.replay`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from sim.metrics import METRICS
from sim.plots.data import FigureError, runs_frame
from sim.plots.save import save_figure
from sim.plots.virtues import VIRTUES


@dataclass(frozen=True)
class Spec:
    """How to draw one named figure from a results folder."""

    name: str
    default_metric: str | None
    needs: tuple[str, ...]
    what: str


#: Every figure ``multilat plot`` and the report know, in the report's order.
SPECS: dict[str, Spec] = {
    s.name: s
    for s in (
        Spec("virtues", None, ("regime",), "the four virtues per regime (Table 1)"),
        Spec("rivalry", "effectiveness", ("rivalry",), "a metric against rivalry"),
        Spec("heatmap", "effectiveness", ("issue",), "a metric per regime and issue type"),
        Spec("pareto", "legitimacy", (), "every run: legitimacy against effectiveness"),
        Spec("winners", "effectiveness", ("issue", "rivalry"), "the best regime per cell"),
        Spec("time", "effectiveness", (), "a metric over time per regime"),
        Spec("network", None, (), "the cooperation network of one replayed run"),
    )
}


def available(results: Any) -> list[str]:
    """The figures ``results`` can make (the factors each needs are varied)."""
    cols = set(runs_frame(results).columns)
    return [n for n, s in SPECS.items() if all(c in cols for c in s.needs)]


def _network(results: Any, metric: str | None, regime: str | None) -> Axes:
    from sim.plots.network import fig_network, network_graph
    from sim.plots.replay import pick_run, replay

    runs = runs_frame(results)
    if regime is None and "regime" in runs.columns:
        regimes = list(runs["regime"].unique())
        regime = "club" if "club" in regimes else (regimes[0] if regimes else None)
    row = pick_run(results, regime)
    g = network_graph(replay(results, run_id=int(row["run_id"])))
    g.graph["run"] = int(row["run_id"])
    if "replicate" in row.index:
        g.graph["replicate"] = int(row["replicate"])
    return fig_network(g)


def figure(results: Any, name: str, metric: str | None = None, regime: str | None = None) -> Axes:
    """Draw the figure ``name`` of ``results`` (``metric`` where the figure takes one).

    ``metric`` is the y axis of ``rivalry`` and ``time``, the cells of ``heatmap``,
    the ranking of ``winners``, the x axis of ``pareto`` (y is effectiveness) and an
    extra group of ``virtues``; ``network`` ignores it and replays a run of ``regime``
    (default: the club, else the first regime).
    """
    from sim.plots import FIGURES

    if name not in SPECS:
        raise FigureError(f"figure {name!r} is unknown; allowed: {', '.join(SPECS)}")
    if metric is not None and metric not in METRICS:
        raise FigureError(f"metric {metric!r} is unknown; allowed: {', '.join(METRICS)}")
    spec = SPECS[name]
    cols = set(runs_frame(results).columns)
    missing = [c for c in spec.needs if c not in cols]
    if missing:
        raise FigureError(
            f"figure {name!r} needs {', '.join(missing)} varied in the sweep; "
            f"these results allow: {', '.join(available(results))}"
        )
    if name == "network":
        return _network(results, metric, regime)
    fn: Callable[..., Axes] = FIGURES[name]
    if name == "virtues":
        extra = (metric,) if metric is not None and metric not in VIRTUES else ()
        return fn(results, metrics=(*VIRTUES, *extra))
    return fn(results, metric or spec.default_metric)


def file_stem(name: str, metric: str | None = None) -> str:
    """``rivalry-effectiveness``, ``virtues``, ``network`` (which shows no metric)."""
    spec = SPECS[name]
    if name == "network":
        return name
    m = metric or spec.default_metric
    if name == "virtues":
        return name if metric is None or metric in VIRTUES else f"{name}-{metric}"
    return name if m is None else f"{name}-{m}"


def write_figures(
    results: Any,
    names: Sequence[str],
    out: str | Path,
    fmt: str = "svg",
    metric: str | None = None,
) -> list[Path]:
    """Draw each of ``names`` and save it to ``out/<stem>.<fmt>``; return the paths."""
    paths = []
    for name in names:
        ax = figure(results, name, metric)
        try:
            paths.append(save_figure(ax.figure, Path(out) / f"{file_stem(name, metric)}.{fmt}"))
        finally:
            plt.close(ax.figure)
    return paths
