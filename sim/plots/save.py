"""Write figures as PDF, SVG or PNG, byte for byte the same for the same input.

Matplotlib stamps files with a creation date (PDF), a date (SVG) and random ids (SVG
clip paths, unless ``svg.hashsalt`` is fixed); here the dates are left out and the salt
is fixed, so identical input gives identical files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from sim.plots.style import RC

#: Formats :func:`save_figure` writes.
FORMATS: tuple[str, ...] = ("pdf", "svg", "png")

#: Metadata per format: no dates, no software versions that vary by machine.
METADATA: dict[str, dict[str, str | None]] = {
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": "multilat"},
    "svg": {"Date": None, "Creator": "multilat"},
    "png": {"Software": None},
}


def save_figure(
    fig: Figure, path: str | Path, fmt: str | None = None, *, tight: bool = True
) -> Path:
    """Write ``fig`` to ``path`` (format from ``fmt`` or the suffix), reproducibly.

    Vector PDF and SVG, PNG at 300 dpi, no timestamps. ``tight`` crops the page to what
    is drawn (legends outside the axes included); ``tight=False`` keeps the figure's own
    size, for a journal's exact column width.
    """
    path = Path(path)
    fmt = fmt or path.suffix.lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is unknown; allowed: {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with mpl.rc_context({**RC, "savefig.bbox": "tight" if tight else "standard"}):
        fig.savefig(path, format=fmt, dpi=300, metadata=METADATA[fmt])
    return path
