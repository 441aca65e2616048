"""``multilat report RESULTS``: one Markdown and one HTML report of a sweep.

The report holds every figure the results allow (:mod:`sim.plots.render`), a summary
table per main metric (mean and 95% t-interval per regime x issue type) and the
provenance from the manifest (spec hash, root seed, git commit, versions, times).
Figures are files next to the report (``figures/``); both reports link to them.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd

from sim.metrics import METRICS, clip_to_range
from sim.plots.render import SPECS, available, file_stem, write_figures
from sim.plots.style import issue_label, issue_order, metric_label
from sim.results import MAIN_METRICS, Results
from sim.stats import fmt3

#: Extra figures of the report beyond each figure's default: rivalry per main metric.
EXTRA: tuple[tuple[str, str], ...] = tuple(
    ("rivalry", m) for m in MAIN_METRICS if m != SPECS["rivalry"].default_metric
)


@dataclass(frozen=True)
class Report:
    """Where the report went."""

    markdown: Path
    html: Path
    figures: list[Path]


def _cell(mean: float, lo: float, hi: float) -> str:
    """``mean [low, high]``; an interval that rounds to nothing is said in words."""
    if not math.isfinite(mean):
        return "n/a"
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return fmt3(mean)
    if lo == hi:
        return f"{fmt3(mean)} (all runs equal)"
    if fmt3(lo) == fmt3(hi):
        return f"{fmt3(mean)} (± < 0.001)"
    return f"{fmt3(mean)} [{fmt3(lo)}, {fmt3(hi)}]"


def summary_table(results: Results, metric: str, ci: float = 0.95) -> pd.DataFrame:
    """Mean and ``ci`` interval of ``metric``: rows regimes, columns issue types."""
    from sim.plots.style import regime_order

    by = [c for c in ("regime", "issue") if c in results.factors]
    t = results.summary(metric, by=by, ci=ci)
    t["cell"] = [
        _cell(mean, *clip_to_range(metric, lo, hi))
        for mean, lo, hi in zip(t["mean"], t["ci_low"], t["ci_high"], strict=True)
    ]
    if not by:
        return pd.DataFrame({"all runs": t["cell"].to_list()}, index=["all runs"])
    if by == ["regime"]:
        table = t.set_index("regime")[["cell"]].rename(columns={"cell": "all issues"})
    elif by == ["issue"]:
        table = t.set_index("issue")[["cell"]].T.rename(index={"cell": "all runs"})
        table = table[issue_order(table.columns)]
    else:
        table = t.pivot(index="regime", columns="issue", values="cell")
        table = table[issue_order(table.columns)]
    if "regime" in by:
        table = table.loc[[r for r in regime_order(table.index) if r in table.index]]
    table.columns = [issue_label(c) for c in table.columns]
    return table


def provenance(
    manifest: dict[str, Any], counts: dict[str, int] | None = None
) -> list[tuple[str, str]]:
    """Key facts of the manifest, as (label, value) rows; ``counts`` of the runs kept
    (:attr:`sim.results.Results.counts`; default: the manifest's).
    """  # noqa: D205
    counts = manifest.get("counts", {}) if counts is None else counts
    design = manifest.get("design", {})
    versions = manifest.get("versions", {})
    return [
        ("name", str(manifest.get("name"))),
        (
            "runs",
            f"{manifest.get('runs')} ({counts.get('ok', 0)} ok, "
            f"{counts.get('failed', 0)} failed, {counts.get('pending', 0)} pending)",
        ),
        (
            "design",
            f"{design.get('kind')}, {design.get('points')} points, "
            f"factors {', '.join(design.get('factors', []))}",
        ),
        ("replicates", str(manifest.get("replicates"))),
        ("root seed", str(manifest.get("root_seed"))),
        ("spec hash", str(manifest.get("spec_hash"))),
        ("git commit", str(manifest.get("git_commit"))),
        ("started", str(manifest.get("started"))),
        ("finished", str(manifest.get("finished"))),
        ("versions", ", ".join(f"{k} {v}" for k, v in versions.items())),
        ("spec file", str(manifest.get("spec_path"))),
        ("figures made with", f"matplotlib {matplotlib.__version__} (this report)"),
    ]


def sensitivity_section(
    results: Results,
) -> tuple[str, list[tuple[str, list[str], list[list[str]]]]]:
    """The report's sensitivity indices of a Sobol sweep (:mod:`sim.sensitivity`).

    Returns a sentence on what they are and one (metric label, header, rows) per main
    metric; a metric that cannot be analysed gets one row with the reason instead. A
    factorial sweep has no section (empty sentence, no tables); an ``lhs`` sweep only
    the sentence, pointing to ``multilat sensitivity``: its delta analysis takes seconds
    per metric and combination of levels, too slow to run unasked in every report.
    """
    from sim.sensitivity import SensitivityError, cells, sensitivity

    kind = results.manifest.get("design", {}).get("kind")
    if kind == "lhs":
        return (
            "For the delta indices of this Latin hypercube sweep, run "
            f"`multilat sensitivity {results.path}` (docs/sweep.md; slow, so not run here).",
            [],
        )
    if kind != "sobol":
        return "", []
    out, points = [], None
    for m in MAIN_METRICS:
        if m not in results.runs.columns:
            continue
        try:
            t = sensitivity(results, m)
        except SensitivityError as exc:  # the reason, without the command line's advice
            out.append((metric_label(m), ["not computed"], [[str(exc).split("; ")[0]]]))
            continue
        except Exception as exc:  # noqa: BLE001 - SALib's own failure must not sink the report
            out.append((metric_label(m), ["not computed"], [[f"SALib failed: {exc}"]]))
            continue
        points = t.attrs["points"]
        out.append((metric_label(m), *cells(t)))
    where = f" over {points} points" if points else ""
    about = (
        f"Sobol' first-order (S1) and total (ST) indices of each sampled factor{where} "
        "(`multilat sensitivity`, docs/sweep.md): each point is the mean over its "
        "replicates, and ± is the half-width of SALib's 95% bootstrap interval. Few "
        "points give wide intervals, and S1 or ST outside 0..1."
    )
    return about, out


def _code(escaped: str) -> str:
    """Markdown's `code` spans as HTML ``<code>`` (in text already escaped)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], css_class: str = "") -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows
    )
    cls = f" class='{css_class}'" if css_class else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


#: The report's caption of each figure; ``{metric}`` is the metric's label
#: (``{metric_lower}`` inside a sentence), ``{best}`` "highest" or "lowest" (what ranks
#: first).
CAPTIONS: dict[str, str] = {
    "virtues": "The four virtues per regime (the paper's Table 1), mean over replicates "
    "with a 95% interval; a dot marks each regime's own virtue.",
    "rivalry": "{metric} against great-power rivalry, one line per regime, with a 95% band "
    "over replicates.",
    "heatmap": "{metric} per regime and issue type: the mean over runs in each cell.",
    "pareto": "Every run as a dot, {metric_lower} against effectiveness; the step line is the "
    "Pareto front.",
    "winners": "The regime with the {best} {metric_lower} per issue type and rivalry level; a pale "
    "cell has no clear leader (lead under 0.02 or not significant at 95%, each cell tested "
    "on its own: among many cells a few solid ones may be chance).",
    "time": "{metric} at each step, per regime, with a 95% band over replicates.",
    "network": "The cooperation network of one replayed run: states by camp and kind, "
    "forums as diamonds.",
}


def _caption(number: int, name: str, metric: str | None) -> str:
    """``Figure n. <what it shows>`` (:data:`CAPTIONS`)."""
    m = metric or SPECS[name].default_metric or ""
    best = "lowest" if getattr(METRICS.get(m), "better", "") == "lower" else "highest"
    label = metric_label(m) if m else ""
    text = CAPTIONS.get(name, f"{name}: {SPECS[name].what}.").format(
        metric=label, metric_lower=label[:1].lower() + label[1:], best=best
    )
    return f"Figure {number}. {text[0].upper()}{text[1:]}"


CSS = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0;font-size:90%}"
    "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right;"
    "font-variant-numeric:tabular-nums}"
    "td:first-child,th:first-child,.prov td{text-align:left}"
    "figure{margin:2em 0}img{max-width:100%}figcaption{color:#555}"
)


def write_report(
    results: Results, out: str | Path | None = None, fmt: str = "svg", ci: float = 0.95
) -> Report:
    """Write ``report.md``, ``report.html`` and ``figures/`` into ``out``.

    Parameters
    ----------
    results : sim.results.Results
        A results folder.
    out : path, optional
        Where to write (default: ``<results>/report``).
    fmt : str
        Format of the figures: ``svg`` (default) or ``png`` (both show in a browser).
    ci : float
        Confidence level of the summary tables.
    """
    out = Path(out) if out is not None else results.path / "report"
    fig_dir = out / "figures"
    names = available(results)
    wanted = [(n, None) for n in names]
    wanted += [(n, m) for n, m in EXTRA if n in names and m in results.runs.columns]
    figures: list[Path] = []
    entries: list[tuple[str, str]] = []
    for number, (name, metric) in enumerate(wanted, start=1):
        figures += write_figures(results, [name], fig_dir, fmt, metric)
        entries.append((_caption(number, name, metric), f"figures/{file_stem(name, metric)}.{fmt}"))

    manifest = results.manifest
    title = f"multilat report: {manifest.get('name', results.path.name)}"
    prov = provenance(manifest, results.counts)
    tables = [(m, summary_table(results, m, ci)) for m in MAIN_METRICS if m in results.runs.columns]
    about = (
        f"Each cell of the summary: the mean over the finished runs of that regime and "
        f"issue type (rivalry levels and the other factors pooled) with a {ci:.0%} "
        "t-interval over those runs [low, high] (sim.results.Results.summary), cut to the "
        "metric's range; a figure's interval is over replicates instead (docs/figures.md)."
    )
    intro = f"Results folder `{results.path}`. {about}"

    md = [f"# {title}", "", intro, "", "## Summary", ""]
    for m, t in tables:
        md += [
            f"### {metric_label(m)} (`{m}`)",
            "",
            _md_table(
                ["regime", *t.columns], [[i, *r] for i, r in zip(t.index, t.values, strict=True)]
            ),
            "",
        ]
    sens_about, sens = sensitivity_section(results)
    if sens_about:
        md += ["## Sensitivity", "", sens_about, ""]
        for label, header, rows in sens:
            md += [f"### {label}", "", _md_table(header, rows), ""]
    md += ["## Figures", ""]
    for caption, path in entries:
        md += [f"![{caption}]({path})", "", f"*{caption}*", ""]
    md += ["## Provenance", "", _md_table(["item", "value"], prov), ""]

    h = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Results folder <code>{html.escape(str(results.path))}</code>. "
        f"{html.escape(about)}</p>",
        "<h2>Summary</h2>",
    ]
    for m, t in tables:
        h += [
            f"<h3>{html.escape(metric_label(m))} (<code>{m}</code>)</h3>",
            _html_table(
                ["regime", *t.columns], [[i, *r] for i, r in zip(t.index, t.values, strict=True)]
            ),
        ]
    if sens_about:
        h += ["<h2>Sensitivity</h2>", f"<p>{_code(html.escape(sens_about))}</p>"]
        for label, header, rows in sens:
            h += [f"<h3>{html.escape(label)}</h3>", _html_table(header, rows)]
    h.append("<h2>Figures</h2>")
    for caption, path in entries:
        h.append(
            f"<figure><img src='{html.escape(path)}' alt='{html.escape(caption)}'>"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    h += [
        "<h2>Provenance</h2>",
        _html_table(["item", "value"], prov, css_class="prov"),
        "</body></html>",
    ]

    out.mkdir(parents=True, exist_ok=True)
    md_path, html_path = out / "report.md", out / "report.html"
    md_path.write_text("\n".join(md), encoding="utf-8")
    html_path.write_text("\n".join(h) + "\n", encoding="utf-8")
    return Report(md_path, html_path, figures)
