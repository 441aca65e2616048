"""``multilat sweep`` starts its fork server before its own imports (sim.forkserver)."""

from __future__ import annotations

import pytest

from sim.forkserver import PRELOAD, wants_pool


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["sweep", "scenarios/quick.toml"], True),
        (["sweep", "s.toml", "--workers", "2", "--resume"], True),
        (["--version"], False),
        (["run", "scenarios/baseline.toml"], False),
        (["sweep", "--help"], False),
        (["sweep", "s.toml", "-h"], False),
        (["sweep", "s.toml", "--workers", "1"], False),
        (["sweep", "s.toml", "--workers=1"], False),
        (["sweep", "s.toml", "-w", "1"], False),
        (["sweep", "s.toml", "-w1"], False),
        (["sweep", "s.toml", "--workers", "12"], True),
        (["sweep", "s.toml", "--scheduler", "tcp://h:8786"], False),
        (["sweep", "s.toml", "--scheduler=tcp://h:8786"], False),
        ([], False),
    ],
)
def test_which_command_lines_start_the_fork_server_early(argv: list[str], expected: bool) -> None:
    assert wants_pool(argv) is expected


def test_the_server_preloads_the_model_without_this_module_importing_it() -> None:
    import subprocess
    import sys

    assert "sim.model" in PRELOAD
    code = "import sys, sim.forkserver; print('sim.model' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"  # cheap to import first thing
