"""Figures for papers and reports: ``fig_x(results, ax=None, ...) -> Axes``.

Every figure reads tidy results (:func:`sim.results.load` or a DataFrame of runs) and
never runs a model; the network figure alone takes a model or a graph. :data:`FIGURES`
names them for ``multilat plot --figure`` and the claims table of ``multilat validate``
(:mod:`sim.validation.claims`). One style (:mod:`sim.plots.style`): a colour per regime
from the registry, labels from :data:`sim.metrics.METRICS`, one-column fonts; files are
byte-reproducible (:func:`sim.plots.save.save_figure`).
"""

from sim.plots.heatmap import fig_heatmap
from sim.plots.network import fig_network, network_graph
from sim.plots.pareto import fig_pareto, pareto_front
from sim.plots.rivalry import fig_rivalry
from sim.plots.save import FORMATS, save_figure
from sim.plots.style import regime_colour
from sim.plots.time import fig_time
from sim.plots.virtues import VIRTUES, fig_virtues
from sim.plots.winners import fig_winners, winners_table

#: Figure name -> function, in the order of the report.
FIGURES = {
    "virtues": fig_virtues,
    "rivalry": fig_rivalry,
    "heatmap": fig_heatmap,
    "pareto": fig_pareto,
    "winners": fig_winners,
    "time": fig_time,
    "network": fig_network,
}

__all__ = [
    "FIGURES",
    "FORMATS",
    "VIRTUES",
    "fig_heatmap",
    "fig_network",
    "fig_pareto",
    "fig_rivalry",
    "fig_time",
    "fig_virtues",
    "fig_winners",
    "network_graph",
    "pareto_front",
    "regime_colour",
    "save_figure",
    "winners_table",
]
