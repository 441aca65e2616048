"""The cooperation network at a step: states by kind and camp, forums, a seeded layout.

The one figure that takes a model (or a graph) rather than results: a sweep keeps no
networks. :func:`sim.plots.replay.replay` rebuilds one run of a results folder for it.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from sim.plots.style import new_axes, style
from sim.world import CAMPS, KINDS

#: Camp colours: Okabe-Ito blue and orange (colour-blind safe) and a light grey, dark,
#: middle and light in greyscale too (relative luminance 0.15, 0.42, 0.75), so the camps
#: read in print (the earlier sky blue, grey and purple were 0.29 to 0.41). The figure
#: colours no regime (forums are white diamonds), so west and east sharing the charter's
#: and the coalition's colours matches nothing in it.
CAMP_COLOURS: dict[str, str] = {"west": "#0072B2", "nonaligned": "#E0E0E0", "east": "#E69F00"}
#: State markers by kind.
KIND_MARKERS: dict[str, str] = {"great_power": "s", "democracy": "o", "developing": "^"}
#: Forum nodes.
FORUM_MARKER, FORUM_COLOUR = "D", "#FFFFFF"


def network_graph(model: Any, forums: bool = True) -> nx.Graph:
    """The model's cooperation network (``cooperation_network()``) with its active forums
    as extra nodes (``kind="forum"``, ``forum_kind``) tied to their members
    (edges with ``membership=True``).
    """
    g = model.cooperation_network()
    g.graph["step"] = int(model.steps)
    g.graph["regime"] = model.regime.name
    g.graph["rivalry"] = float(model.rivalry)
    g.graph["issue"] = str(model.spec.issue)
    if forums:
        ids = model.world.ids
        for f in model.forums:
            if not f.active:
                continue
            node = f"forum:{f.name}"
            g.add_node(node, kind="forum", forum_kind=f.kind, label=f.name)
            g.add_edges_from(((node, ids[i]) for i in f.member_ids), membership=True, weight=0.0)
    return g


def layout(g: nx.Graph, seed: int = 0) -> dict[Any, np.ndarray]:
    """Node positions: a seeded spring layout of the nodes with ties, isolated nodes on a
    ring around them (sorted by name), so the picture depends only on the graph and seed.

    Unweighted: cooperation weights span orders of magnitude and would pile a forum's
    members onto one point; edge widths show the weights instead.
    """
    tied = sorted(str(n) for n in g.nodes if g.degree(n) > 0)
    alone = sorted(str(n) for n in g.nodes if g.degree(n) == 0)
    core = nx.Graph()
    core.add_nodes_from(tied)
    core.add_edges_from(sorted(tuple(sorted((str(u), str(v)))) for u, v in g.edges))
    pos: dict[Any, np.ndarray] = {}
    if tied:
        k = 2.0 / np.sqrt(len(tied))
        pos.update(
            nx.spring_layout(core, seed=seed, k=k, iterations=200)
            if len(tied) > 1
            else {tied[0]: np.zeros(2)}
        )
    angles = 2 * np.pi * np.arange(len(alone)) / max(len(alone), 1)
    radius = 1.35 if tied else 1.0
    for name, a in zip(alone, angles, strict=True):
        pos[name] = radius * np.array([np.cos(a), np.sin(a)])
    return {n: pos[str(n)] for n in g.nodes}


def fig_network(
    network: Any,
    ax: Axes | None = None,
    *,
    seed: int = 0,
    forums: bool = True,
    label_forums: bool = True,
) -> Axes:
    """Draw the cooperation network: states coloured by camp, shaped by kind, forums as
    white diamonds tied to their members, edge widths by cooperation weight.

    Shows whether cooperation splits into camps (PAPER.md#C8): rival forums of
    dissatisfied powers appear as forums of their own.

    Parameters
    ----------
    network : sim.model.MultilatModel or networkx.Graph
        A model at the step to show (its forums included, see :func:`network_graph`) or
        a graph such as ``model.cooperation_network()``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    seed : int
        Seed of the spring layout (the same seed, the same picture).
    forums : bool
        Show the model's active forums (a model only).
    label_forums : bool
        Write each forum's name next to it.

    Returns
    -------
    matplotlib.axes.Axes
        One path collection per node group (``gid`` ``camp-<camp>-<kind>`` or
        ``forums``), one line collection per edge kind.
    """
    if isinstance(network, nx.Graph):
        g = network
    elif hasattr(network, "cooperation_network"):
        g = network_graph(network, forums=forums)
    else:
        raise TypeError(f"network: expected a MultilatModel or a networkx graph, got {network!r}")
    pos = layout(g, seed)
    coop = [(u, v, d) for u, v, d in g.edges(data=True) if not d.get("membership")]
    member = [(u, v) for u, v, d in g.edges(data=True) if d.get("membership")]
    with style():
        ax = new_axes(ax, (3.46, 3.46))
        if member:
            lines = nx.draw_networkx_edges(
                g, pos, edgelist=member, ax=ax, width=0.3, edge_color="#BBBBBB", style="dotted"
            )
            lines.set_gid("membership")
        if coop:
            w = np.array([d.get("weight", 1.0) for _, _, d in coop], dtype=float)
            width = 0.3 + 2.0 * w / w.max() if w.max() > 0 else np.full(len(w), 0.3)
            lines = nx.draw_networkx_edges(
                g,
                pos,
                edgelist=[(u, v) for u, v, _ in coop],
                ax=ax,
                width=width,
                edge_color="#555555",
                alpha=0.6,
            )
            lines.set_gid("cooperation")
        for camp_i, camp in enumerate(CAMPS):
            for kind in KINDS:
                nodes = [
                    n
                    for n, d in g.nodes(data=True)
                    if d.get("kind") == kind and d.get("camp") == camp_i
                ]
                if not nodes:
                    continue
                size = [20 + 400 * float(g.nodes[n].get("power", 0.0)) for n in nodes]
                coll = nx.draw_networkx_nodes(
                    g,
                    pos,
                    nodelist=nodes,
                    ax=ax,
                    node_size=size,
                    node_color=CAMP_COLOURS[camp],
                    node_shape=KIND_MARKERS[kind],
                    edgecolors="black",
                    linewidths=0.3,
                )
                coll.set_gid(f"camp-{camp}-{kind}")
        forum_nodes = [n for n, d in g.nodes(data=True) if d.get("kind") == "forum"]
        if forum_nodes:
            coll = nx.draw_networkx_nodes(
                g,
                pos,
                nodelist=forum_nodes,
                ax=ax,
                node_size=40,
                node_color=FORUM_COLOUR,
                node_shape=FORUM_MARKER,
                edgecolors="black",
                linewidths=0.8,
            )
            coll.set_gid("forums")
            if label_forums:
                for n in forum_nodes:
                    x, y = pos[n]
                    ax.annotate(
                        g.nodes[n].get("label", n),
                        (x, y),
                        xytext=(3, 3),
                        textcoords="offset points",
                        fontsize=6,
                    )
        ax.set_axis_off()
        handles = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                markerfacecolor=c,
                markeredgecolor="black",  # as the nodes: the light grey shows on white
                markeredgewidth=0.3,
                label=name,
            )
            for name, c in CAMP_COLOURS.items()
        ]
        handles += [
            Line2D(
                [],
                [],
                marker=m,
                linestyle="none",
                color="black",
                markerfacecolor="white",
                label=k.replace("_", " "),
            )
            for k, m in KIND_MARKERS.items()
        ]
        if forum_nodes:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=FORUM_MARKER,
                    linestyle="none",
                    color="black",
                    markerfacecolor="white",
                    label="forum",
                )
            )
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=6)
        ax.set_title(f"Cooperation network{_where(g.graph)}", fontsize=7)
    return ax


#: What the network's title says of its run, in this order (graph attributes).
TITLE_KEYS = ("regime", "issue", "rivalry", "step", "run", "replicate")


def _where(attrs: dict[str, Any]) -> str:
    """`` (club, climate, rivalry 0.4, step 50, run 17, replicate 2)`` from the graph's
    attributes that are set (:data:`TITLE_KEYS`); empty if none is.
    """  # noqa: D205
    parts = []
    for key in TITLE_KEYS:
        value = attrs.get(key)
        if value is None:
            continue
        if key in ("regime", "issue"):
            parts.append(str(value).replace("_", " "))
        else:
            parts.append(f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}")
    return f"\n({', '.join(parts)})" if parts else ""
