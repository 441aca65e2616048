"""The benchmark scripts still run against the current code (no timings are checked).

A change of a kernel's signature once left ``benchmarks/step_cost.py``'s micro-benchmark
calling it with the old arguments; nothing ran it. These run each part of the script at
a toy size and check that it prints its tables.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_step_cost_runs_every_part_at_a_toy_size(capsys: pytest.CaptureFixture[str]) -> None:
    step_cost = _script("step_cost")
    step_cost.main(
        [
            "--sizes", "20", "40",
            "--regimes", "charter", "coalition",
            "--seeds", "0",
            "--repeats", "1",
            "--warmup", "2",
            "--steps", "2",
            "--shuffle-block", "0.0001",
            "--profile-size", "40",
            "--cprofile-top", "3",
            "--pair-sizes", "30", "60",
            "--dense-max", "60",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    for heading in (
        "== Step cost vs Mesa shuffle_do",
        "== Growth of the model's step time",
        "== Where the time goes at n=40",
        "== cProfile at n=40",
        "== Trust (sim/trust.py) vs a dense state x state matrix",
        "== Coalition mandate search",
    ):
        assert heading in out
    assert "mean           40" in out
