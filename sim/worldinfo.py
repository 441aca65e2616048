"""``multilat world``: what a world holds, at a glance.

Counts by kind and camp, the largest powers, the memberships the regimes build on (the
permanent five and the elected council, the club's democracies, the concert's great
powers) and the imputed values of a real-world dataset.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from sim.regimes.club import ClubRules
from sim.world import CAMPS, KINDS, REGIONS, World

#: The club's default democracy threshold, read from its rules.
CLUB_THRESHOLD = ClubRules().democracy_threshold


def describe_world(world: World, top: int = 10) -> dict[str, Any]:
    """The summary as plain data (ids in order of power where a list is long)."""
    order = np.argsort(-world.power, kind="stable")
    ids = np.asarray(world.ids)
    imputed = {world.ids[i]: list(world.imputed[i]) for i in range(world.n) if world.imputed[i]}
    return {
        "states": world.n,
        "kinds": {k: int((world.kind == i).sum()) for i, k in enumerate(KINDS)},
        "camps": {c: int((world.camp == i).sum()) for i, c in enumerate(CAMPS)},
        "regions": {r: int((world.region == i).sum()) for i, r in enumerate(REGIONS)},
        "largest": [
            {
                "id": world.ids[i],
                "name": world.names[i],
                "kind": KINDS[int(world.kind[i])],
                "camp": CAMPS[int(world.camp[i])],
                "power": float(world.power[i]),
                "democracy": float(world.democracy[i]),
                "emissions": float(world.emissions[i]),
            }
            for i in order[:top]
        ],
        "permanent": list(ids[world.permanent]),
        "elected": list(ids[world.elected]),
        "great_powers": list(ids[order][world.great_power[order]]),
        "club": list(ids[order][(world.democracy >= CLUB_THRESHOLD)[order]]),
        "revisionist": list(ids[order][world.revisionist[order]]),
        "east": list(ids[order][(world.camp == CAMPS.index("east"))[order]]),
        "imputed": imputed,
    }


def _listing(values: list[str], limit: int = 30) -> str:
    if len(values) <= limit:
        return ", ".join(values)
    return ", ".join(values[:limit]) + f", ... ({len(values) - limit} more)"


def render_world(info: dict[str, Any], title: str, console: Console) -> None:
    """Print the summary as tables."""
    console.print(f"[bold]{title}[/bold]: {info['states']} states", highlight=False)
    t = Table(title="By kind, camp and UN regional group", title_justify="left")
    t.add_column("grouping")
    t.add_column("counts")
    for key in ("kinds", "camps", "regions"):
        t.add_row(key, ", ".join(f"{k} {v}" for k, v in info[key].items()))
    console.print(t)

    t = Table(title="Largest powers", title_justify="left")
    for col in ("id", "name", "kind", "camp", "power", "democracy", "emissions"):
        t.add_column(col, justify="right" if col in ("power", "democracy", "emissions") else "left")
    for s in info["largest"]:
        t.add_row(
            s["id"],
            s["name"],
            s["kind"],
            s["camp"],
            f"{s['power']:.3f}",
            f"{s['democracy']:.2f}",
            f"{s['emissions']:.3f}",
        )
    console.print(t)

    t = Table(title="Memberships", title_justify="left")
    t.add_column("who")
    t.add_column("n", justify="right")
    t.add_column("members (by power)", overflow="fold")
    rows = (
        ("permanent council members", "permanent"),
        ("elected council members", "elected"),
        ("great powers (the concert)", "great_powers"),
        (f"democracy >= {CLUB_THRESHOLD} (the club)", "club"),
        ("eastern camp", "east"),
        ("revisionist", "revisionist"),
    )
    for label, key in rows:
        t.add_row(label, str(len(info[key])), _listing(info[key]))
    console.print(t)
    if info["imputed"]:
        by_column: dict[str, list[str]] = {}
        for state, columns in info["imputed"].items():
            for c in columns:
                by_column.setdefault(c, []).append(state)
        t = Table(title="Imputed values (rules in docs/model.md)", title_justify="left")
        t.add_column("column")
        t.add_column("n", justify="right")
        t.add_column("states", overflow="fold")
        for column, states in by_column.items():
            t.add_row(column, str(len(states)), _listing(states))
        console.print(t)
