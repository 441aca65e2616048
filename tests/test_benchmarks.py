"""The benchmark scripts still run against the current code (no timings are checked).

A change of a kernel's signature once left ``benchmarks/step_cost.py``'s micro-benchmark
calling it with the old arguments; nothing ran it. These run each script at a toy size
and check that it prints its tables.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
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


def _run_script(name: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / f"{name}.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_fingerprint_saves_and_checks_its_own_digests(tmp_path: Path) -> None:
    root = BENCHMARKS.parent
    saved = tmp_path / "digests.json"
    first = _run_script("fingerprint", "--save", str(saved), "--only", "club/15/", cwd=root)
    assert first.returncode == 0, first.stderr
    assert "saved 1 digests" in first.stdout
    again = _run_script("fingerprint", "--check", str(saved), "--only", "club/15/", cwd=root)
    assert again.returncode == 0, again.stderr
    assert "1 of 1 runs identical" in again.stdout


@pytest.mark.slow
def test_sweep_throughput_runs_a_toy_design(tmp_path: Path) -> None:
    done = _run_script(
        "sweep_throughput",
        "--regimes", "club",
        "--rivalry", "0",
        "--replicates", "4",
        "--steps", "3",
        "--states", "10",
        "--repeats", "1",
        "--memory-runs", "8",
        "--memory-steps", "2",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "throughput ratio sweep / batch_run" in done.stdout
    assert "parallel efficiency" in done.stdout
    assert "parent peak MiB" in done.stdout
