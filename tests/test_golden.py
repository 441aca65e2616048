"""Pinned seeded results (STYLE.md, test depth 2): the baseline under every regime.

A change that moves any run-level number of these runs fails here, so that behaviour
changes are always deliberate. After an intended change of the model, regenerate with
``MULTILAT_REGEN_GOLDEN=1 python -m pytest tests/test_golden.py`` and say why in the
commit message.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from sim.model import MultilatModel
from sim.regimes import REGIMES
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).with_name("golden") / "baseline.json"
PAPER = ("charter", "club", "concert", "coalition")


def summaries() -> dict[str, dict[str, float | None]]:
    out = {}
    for regime in PAPER:
        scenario = load_scenario(ROOT / "scenarios" / "baseline.toml", regime=regime, steps=60)
        summary = MultilatModel(scenario, record_votes=False).run().summary()
        out[regime] = {k: (None if math.isnan(v) else v) for k, v in sorted(summary.items())}
    return out


def test_baseline_runs_match_the_pinned_values():
    assert set(PAPER) <= set(REGIMES)
    current = summaries()
    if os.environ.get("MULTILAT_REGEN_GOLDEN"):
        GOLDEN.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    pinned = json.loads(GOLDEN.read_text())
    assert current.keys() == pinned.keys()
    for regime, values in pinned.items():
        assert current[regime].keys() == values.keys(), regime
        for name, value in values.items():
            got = current[regime][name]
            if value is None:
                assert got is None, (regime, name, got)
            else:
                assert got == pytest.approx(value, rel=1e-9, abs=1e-12), (regime, name)
