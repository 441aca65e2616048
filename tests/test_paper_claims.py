"""The paper's claims, shown by the model's own mechanisms over many seeds.

The checks live in :mod:`sim.validation.claims` (``multilat validate`` runs the same
ones): each cites its claim (PAPER.md#Cn), runs every regime over 10 seeds on the same
synthetic worlds (common random numbers: seed s gives the same world and problems to
every regime) and compares seed means, or paired differences, with a stated margin.
Nothing is written into a regime: if a mechanism changes and a claim stops emerging,
its test fails. Parts the model shows otherwise stay visible as strict expected
failures with the reason (an unexpected pass fails too); claims the model cannot
express yet are expected failures that say so.

Runs are computed once per session (``sim.validation.grid.runs_for("quick")``, two
worker processes) and shared with the ``multilat validate --quick`` test.
"""

from __future__ import annotations

import pytest

from sim.regimes import REGIMES
from sim.validation.claims import CLAIMS, Claim, Finding
from sim.validation.grid import PAPER, runs_for

pytestmark = pytest.mark.slow


def _param(claim: Claim) -> object:
    marks = []
    if claim.expected == "diverges":
        marks.append(pytest.mark.xfail(strict=True, reason=f"{claim.id} partly: {claim.reason}"))
    elif claim.expected == "not expressible":
        marks.append(pytest.mark.xfail(reason=f"{claim.id} not expressible: {claim.reason}"))
    return pytest.param(claim, id=claim.key.replace(" ", "_"), marks=marks)


def test_the_paper_regimes_are_registered():
    assert set(PAPER) <= set(REGIMES)


def test_every_claim_of_the_paper_is_listed():
    assert sorted({c.id for c in CLAIMS}, key=lambda c: int(c[1:])) == [
        f"C{i}" for i in range(1, 21)
    ]
    assert len({c.key for c in CLAIMS}) == len(CLAIMS)


@pytest.mark.parametrize("claim", [_param(c) for c in CLAIMS])
def test_claim(claim: Claim) -> None:
    """Every comparison of the claim holds (see its check in sim.validation.claims)."""
    if claim.check is None:
        pytest.fail(f"{claim.id} has no check: {claim.reason}")
    finding = Finding(claim, tuple(claim.check(runs_for("quick"))))
    failed = [str(c) for c in finding.checks if not c.passed]
    assert finding.checks and not failed, "\n".join(failed)
