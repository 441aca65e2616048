"""One style for every figure: regime colours, labels from METRICS, fonts for one column.

Regime colours come from the registry (:data:`sim.regimes.REGIMES`): a regime class may
set ``colour``; otherwise it takes the next colour of the Okabe-Ito palette (colour-blind
safe) in registry order. Registering a fifth regime appends it, so the four keep their
colours. Axis labels and units are the metric definitions' (:data:`sim.metrics.METRICS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from sim.metrics import METRICS

#: Okabe & Ito (2008), "Color Universal Design": distinguishable under every common form
#: of colour blindness. Yellow comes last: it is faint as a line on white.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)

#: Line styles and markers by the same order, so figures also read in greyscale.
LINESTYLES: tuple[Any, ...] = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 2)))
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
#: Hatches of filled areas (bars) by the same order: greyscale tells the bars apart.
HATCHES: tuple[str, ...] = ("", "////", "....", "xxxx", "\\\\", "++++", "oo", "--")


def luminance(colour: str) -> float:
    """Relative luminance of ``colour`` (WCAG 2: 0 black, 1 white): how light it prints in
    greyscale.
    """  # noqa: D205
    from matplotlib.colors import to_rgb

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


#: Width of one column of a two-column journal page, inches (88 mm).
COLUMN_WIDTH = 3.46

#: Labels of the design's factors and of time.
FACTOR_LABELS: dict[str, str] = {
    "regime": "Regime",
    "rivalry": "Great-power rivalry (0-1)",
    "issue": "Issue type",
    "step": "Step",
}

#: Matplotlib settings of every figure: 8-pt fonts (readable at one column), no
#: timestamps or random ids in the files (svg.hashsalt), TrueType fonts in PDF.
RC: dict[str, Any] = {
    "figure.figsize": (COLUMN_WIDTH, COLUMN_WIDTH * 0.75),
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "lines.linewidth": 1.4,
    "lines.markersize": 4,
    "hatch.linewidth": 0.5,
    "svg.hashsalt": "multilat",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
}


@contextmanager
def style() -> Iterator[None]:
    """Matplotlib settings of :data:`RC` for the duration of the block."""
    with mpl.rc_context(RC):
        yield


def regime_order(names: Iterable[str] = ()) -> list[str]:
    """The registered regimes in registry order, then any other ``names`` sorted."""
    from sim.regimes import REGIMES

    names = {str(n) for n in names}
    registered = list(REGIMES)
    return registered + sorted(names - set(registered))


def _index(regime: str) -> int:
    return regime_order([regime]).index(regime)


def regime_colour(regime: str) -> str:
    """The colour of ``regime``: its class's ``colour`` or the palette by registry order."""
    from sim.regimes import REGIMES

    own = getattr(REGIMES.get(regime), "colour", None)
    return own or OKABE_ITO[_index(regime) % len(OKABE_ITO)]


def regime_linestyle(regime: str) -> Any:
    """The line style of ``regime`` (by registry order)."""
    return LINESTYLES[_index(regime) % len(LINESTYLES)]


def regime_marker(regime: str) -> str:
    """The marker of ``regime`` (by registry order)."""
    return MARKERS[_index(regime) % len(MARKERS)]


def regime_hatch(regime: str) -> str:
    """The hatch of ``regime``'s bars (by registry order; the first has none)."""
    return HATCHES[_index(regime) % len(HATCHES)]


def metric_label(name: str) -> str:
    """The axis label of a metric or factor: its METRICS label, else a tidy name."""
    if name in METRICS:
        return METRICS[name].label
    if name.endswith("_final") and name[: -len("_final")] in METRICS:
        return f"{METRICS[name[: -len('_final')]].label}, final"
    return FACTOR_LABELS.get(name, name.replace("_", " ").capitalize())


def metric_limits(name: str) -> tuple[float, float] | None:
    """The metric's range when it is bounded (for fixed axes and colour scales)."""
    m = METRICS.get(name.removesuffix("_final"))
    if m is None or not (abs(m.lo) < float("inf") and abs(m.hi) < float("inf")):
        return None
    return float(m.lo), float(m.hi)


def issue_order(names: Iterable[str]) -> list[str]:
    """``names`` in the model's order of issue types (:data:`sim.issues.ISSUE_NAMES`:
    climate, pandemic, proliferation, security crisis, financial crisis, cyber norms),
    then ``mixed``, then any other name sorted.
    """  # noqa: D205
    from sim.issues import ISSUE_NAMES, MIXED

    present = [str(n) for n in dict.fromkeys(names)]
    known = [*ISSUE_NAMES, MIXED]
    return [n for n in known if n in present] + sorted(n for n in present if n not in known)


def issue_label(issue: str) -> str:
    """``security_crisis`` -> ``security crisis``."""
    return str(issue).replace("_", " ")


def new_axes(ax: Axes | None, size: tuple[float, float] | None = None) -> Axes:
    """``ax``, or the axes of a new figure of ``size`` inches (default: one column)."""
    if ax is not None:
        return ax
    fig = plt.figure(figsize=size or RC["figure.figsize"])
    return fig.add_subplot()


def regime_lines(ax: Axes, table: Any, x: str, *, markers: bool = True) -> None:
    """One line of ``mean`` against ``x`` per regime, with its ``ci_low..ci_high`` band.

    ``table`` has the columns ``regime``, ``x``, ``mean``, ``ci_low`` and ``ci_high``
    (:func:`sim.plots.data.mean_ci`); regimes are drawn in registry order.
    """
    for regime in regime_order(table["regime"]):
        t = table[table["regime"] == regime].sort_values(x)
        if t.empty:
            continue
        colour = regime_colour(regime)
        ax.plot(
            t[x],
            t["mean"],
            color=colour,
            linestyle=regime_linestyle(regime),
            marker=regime_marker(regime) if markers else None,
            label=regime,
        )
        ax.fill_between(t[x], t["ci_low"], t["ci_high"], color=colour, alpha=0.2, linewidth=0)
