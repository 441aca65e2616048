"""Voting power of the decision rules against the published values (issue #3, point 1).

The Security Council rule (five permanent members with a veto, abstention counted as
no) must give the indices the voting-power literature publishes; the Assembly's
two-thirds rule and a concert's consensus give every member the same share. The
brute-force checks of the reference numbers themselves are in tests/test_voting.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import MultilatModel
from sim.validation.voting_power import TOLERANCE, power_rows
from sim.voting import banzhaf, council_game

ROWS = power_rows()


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.game}-{r.player}-{r.index}")
def test_computed_index_agrees_with_the_published_value(row):
    assert row.computed == pytest.approx(row.published, abs=TOLERANCE)
    assert row.agrees


def test_the_table_covers_the_council_the_assembly_and_the_concert():
    games = " ".join(r.game for r in ROWS)
    for name in ("Security Council since 1965", "1945-1965", "General Assembly", "Concert"):
        assert name in games
    assert {r.index for r in ROWS} == {"Shapley-Shubik", "Banzhaf"}


def test_the_council_voice_uses_these_indices():
    """The charter's council voice (legitimacy's input side) is the council's Banzhaf index.

    A member's voice is its normalised Banzhaf index relative to an equal share (times
    the 15 seats), capped at 1: permanent members 1, elected members 15 x 0.01654.
    """
    model = MultilatModel(regime="charter", steps=2, seed=0, record_votes=False)
    council = model.regime.council
    members = council.member_ids
    permanent = model.world.permanent[members]
    bz = banzhaf(*council_game())
    assert len(members) == 15 and permanent.sum() == 5
    assert np.allclose(council.voice[members[permanent]], 1.0)
    assert np.allclose(council.voice[members[~permanent]], bz[5] * 15)
