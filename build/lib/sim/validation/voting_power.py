"""Voting power of the model's decision rules next to the published values.

The decision rules are weighted voting games (:mod:`sim.voting`). The Security Council
rule (permanent members with a veto, abstention counted as no) must reproduce the
indices the voting-power literature publishes; the Assembly's two-thirds rule and a
concert's consensus must give every member the same share.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.voting import banzhaf, council_game, shapley_shubik

#: Tolerance for agreement with a published value (the literature rounds to 3-5 digits).
TOLERANCE = 5e-4


@dataclass(frozen=True)
class PowerRow:
    """One player class of one game: computed index, published value and its source."""

    game: str
    player: str
    index: str
    computed: float
    published: float
    source: str

    @property
    def agrees(self) -> bool:
        """Within :data:`TOLERANCE` of the published value."""
        return abs(self.computed - self.published) <= TOLERANCE

    def to_dict(self) -> dict[str, object]:
        """Plain data for ``--json``."""
        return {
            "game": self.game,
            "player": self.player,
            "index": self.index,
            "computed": round(self.computed, 6),
            "published": self.published,
            "source": self.source,
            "agrees": self.agrees,
        }


_FM = "Felsenthal and Machover (1998), The Measurement of Voting Power, ch. 5"
_SS54 = "Shapley and Shubik (1954), APSR 48(3): the five permanent members hold 98.7% of the power"


def power_rows() -> list[PowerRow]:
    """The table of docs/validation.md: every game, player class and index."""
    rows: list[PowerRow] = []
    council = council_game()  # 5 permanent + 10 elected, 9 votes incl. all permanent
    ss, bz = shapley_shubik(*council), banzhaf(*council)
    game = "Security Council since 1965 (9 of 5+10, veto)"
    rows += [
        PowerRow(game, "permanent member", "Shapley-Shubik", ss[0], 0.1963, _FM),
        PowerRow(game, "elected member", "Shapley-Shubik", ss[5], 0.00186, _FM),
        PowerRow(game, "permanent member", "Banzhaf", bz[0], 0.1669, _FM),
        PowerRow(game, "elected member", "Banzhaf", bz[5], 0.01654, _FM),
    ]
    old = council_game(5, 6, 7)
    ss_old = shapley_shubik(*old)
    rows.append(
        PowerRow(
            "Security Council 1945-1965 (7 of 5+6, veto)",
            "all five permanent members",
            "Shapley-Shubik",
            sum(ss_old[:5]),
            0.987,
            _SS54,
        )
    )
    n = 193
    for name, index in (("Shapley-Shubik", shapley_shubik), ("Banzhaf", banzhaf)):
        rows.append(
            PowerRow(
                f"General Assembly ({n} members, 2/3)",
                "any member",
                name,
                index([1] * n, 2 * n / 3)[0],
                1 / n,
                "symmetry: equal votes give equal power",
            )
        )
    for name, index in (("Shapley-Shubik", shapley_shubik), ("Banzhaf", banzhaf)):
        rows.append(
            PowerRow(
                "Concert (6 powers, consensus)",
                "any power",
                name,
                index([1] * 6, 6)[0],
                1 / 6,
                "symmetry: under unanimity every member is a veto player",
            )
        )
    return rows
