"""``multilat validate``: the three validation tables, as terminal, Markdown or JSON.

1. voting power of the decision rules next to the published values
   (:mod:`sim.validation.voting_power`);
2. stable coalition sizes of the membership process next to the analytic ones
   (:mod:`sim.validation.coalitions`);
3. the paper's claims C1-C20 over many seeds (:mod:`sim.validation.claims`).

docs/validation.md is the Markdown output of ``multilat validate --markdown`` (full size).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.stats import LEVEL
from sim.validation.claims import Finding, evaluate
from sim.validation.coalitions import CoalitionRow, coalition_rows
from sim.validation.grid import SIZES, Size, runs_for
from sim.validation.voting_power import PowerRow, power_rows


@dataclass(frozen=True)
class Validation:
    """Everything ``multilat validate`` found."""

    size: Size
    power: list[PowerRow]
    coalitions: list[CoalitionRow]
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        """Every table agrees, every claim holds or diverges as documented."""
        return (
            all(r.agrees for r in self.power)
            and all(r.agrees for r in self.coalitions)
            and all(f.ok for f in self.findings)
        )

    def counts(self) -> dict[str, int]:
        """Claims by status."""
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.status] = out.get(f.status, 0) + 1
        return out


def validate(
    size_name: str = "quick",
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Validation:
    """Compute the three tables (the claims over the runs of ``size_name``)."""
    runs = runs_for(size_name, workers=workers, progress=progress)
    return Validation(SIZES[size_name], power_rows(), coalition_rows(), evaluate(runs))


# --- JSON -------------------------------------------------------------------------------


def to_json(v: Validation) -> dict[str, Any]:
    """Plain data: sizes, every row and check, and the overall verdict."""
    return {
        "ok": v.ok,
        "size": {"name": v.size.name, "seeds": v.size.seeds, "steps": v.size.steps},
        "confidence": LEVEL,
        "voting_power": [r.to_dict() for r in v.power],
        "stable_coalitions": [r.to_dict() for r in v.coalitions],
        "claims": [
            {
                "claim": f.claim.id,
                "key": f.claim.key,
                "title": f.claim.title,
                "expected": f.claim.expected,
                "status": f.status,
                "figure": f.claim.figure,
                "reason": f.claim.reason,
                "checks": [c.to_dict() for c in f.checks],
            }
            for f in v.findings
        ],
        "counts": v.counts(),
    }


# --- shared row texts -------------------------------------------------------------------


def _coalition_params(r: CoalitionRow) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in r.params.items())


def _power_cells(r: PowerRow) -> list[str]:
    return [r.game, r.player, r.index, f"{r.computed:.5f}", f"{r.published:g}"]


def _coalition_cells(r: CoalitionRow) -> list[str]:
    return [
        r.kind,
        str(r.n_states),
        _coalition_params(r),
        f"{r.gamma:g}",
        ", ".join(map(str, r.analytic)),
        f"{r.simulated:g}",
    ]


def _counts(v: Validation) -> str:
    return ", ".join(f"{n} {k}" for k, n in v.counts().items())


def _shows(f: Finding) -> list[str]:
    if not f.checks:
        return [f.claim.reason]
    lines = [str(c) for c in f.checks]
    if f.claim.expected == "diverges":
        lines.append(f"why: {f.claim.reason}")
    return lines


# --- terminal ---------------------------------------------------------------------------


def render(v: Validation, console: Console) -> None:
    """The three tables and a verdict line, for a terminal."""
    t = Table(title="1. Voting power of the decision rules", title_justify="left")
    for col in ("game", "player", "index", "computed", "published", "agrees"):
        t.add_column(col)
    for r in v.power:
        t.add_row(*_power_cells(r), "yes" if r.agrees else "[red]NO[/red]")
    console.print(t)

    t = Table(title="2. Stable coalition size", title_justify="left")
    for col in ("payoffs", "N", "parameters", "gamma", "analytic", "model", "agrees"):
        t.add_column(col)
    for r in v.coalitions:
        t.add_row(*_coalition_cells(r), "yes" if r.agrees else "[red]NO[/red]")
    console.print(t)

    t = Table(
        title=(
            f"3. The paper's claims ({v.size.name}: {v.size.seeds} seeds x {v.size.steps} "
            f"steps; means with {LEVEL:.0%} t-intervals over seeds)"
        ),
        title_justify="left",
        show_lines=True,
    )
    for col in ("claim", "what the model shows", "status", "figure"):
        t.add_column(col, overflow="fold")
    style = {"pass": "green", "FAIL": "bold red", "XPASS": "bold red", "diverges": "yellow"}
    for f in v.findings:
        s = style.get(f.status, "dim")
        t.add_row(
            f"{f.claim.id} {escape(f.claim.title)}",
            escape("\n".join(_shows(f))),
            f"[{s}]{f.status}[/{s}]",
            escape(f.claim.figure),
        )
    console.print(t)
    verdict = "[green]ok[/green]" if v.ok else "[bold red]FAILED[/bold red]"
    console.print(f"validation {verdict}: claims {_counts(v)}")


# --- Markdown ---------------------------------------------------------------------------


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def to_markdown(v: Validation) -> str:
    """The three tables in Markdown (docs/validation.md)."""
    out = [
        f"Generated by `multilat validate --markdown{'' if v.size.name == 'full' else ' --quick'}`"
        f" ({v.size.name}: {v.size.seeds} seeds x {v.size.steps} steps).",
        "",
        "### Voting power",
        "",
        _md_row(["game", "player", "index", "computed", "published", "source", "agrees"]),
        _md_row(["---"] * 7),
    ]
    out += [_md_row([*_power_cells(r), r.source, "yes" if r.agrees else "**no**"]) for r in v.power]
    out += [
        "",
        "### Stable coalition size",
        "",
        _md_row(["payoffs", "N", "parameters", "gamma = c/b", "analytic", "model", "agrees"]),
        _md_row(["---"] * 7),
    ]
    out += [_md_row([*_coalition_cells(r), "yes" if r.agrees else "**no**"]) for r in v.coalitions]
    out += [
        "",
        f"### The paper's claims (means with {LEVEL:.0%} t-intervals over seeds)",
        "",
        _md_row(["claim", "what the model shows", "status", "figure"]),
        _md_row(["---"] * 4),
    ]
    out += [
        _md_row(
            [
                f"[{f.claim.id}](PAPER.md#{f.claim.id}) {f.claim.title}",
                "<br>".join(_shows(f)),
                f"**{f.status}**" if not f.ok else f.status,
                f.claim.figure,
            ]
        )
        for f in v.findings
    ]
    out += ["", f"Verdict: {'ok' if v.ok else 'FAILED'} (claims: {_counts(v)}).", ""]
    return "\n".join(out)
