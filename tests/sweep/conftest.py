"""Shared sweep specs and helpers for the sweep tests."""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w

#: A sweep small enough to run in a second: 2 regimes x 2 rivalry levels x 3 replicates.
TINY: dict[str, Any] = {
    "name": "tiny",
    "steps": 12,
    "burn_in": 2,
    "world": {"n_states": 15},
    "sweep": {
        "replicates": 3,
        "seed": 11,
        "regime": ["charter", "coalition"],
        "rivalry": [0.0, 1.0],
    },
}


def tiny(**sweep: Any) -> dict[str, Any]:
    """A copy of :data:`TINY` with ``sweep`` keys replaced."""
    data = copy.deepcopy(TINY)
    data["sweep"].update(sweep)
    return data


def write_spec(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def serial_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny sweep run in this process (workers=1): the reference results."""
    from sim.sweep import run

    out = tmp_path_factory.mktemp("serial") / "tiny"
    run(TINY, out=out, workers=1, progress=False)
    return out


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temporary folder with a short path, removed afterwards, for the TMPDIR of a CLI
    subprocess killed on purpose: multiprocessing's ``pymp-*`` folder, which a killed
    sweep cannot remove, goes there instead of the machine's ``/tmp``. Short, because
    the fork server's socket lives in it and a Unix socket's path has at most 107 bytes
    (104 on macOS), which a folder under pytest's ``tmp_path`` can come near.
    """  # noqa: D205
    path = Path(tempfile.mkdtemp(prefix="mlt-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def temp_env(tmp: Path | None) -> dict[str, str] | None:
    """The environment for a CLI subprocess with ``TMPDIR`` set to ``tmp``
    (:func:`short_tmp`); None (inherit) without ``tmp``.
    """  # noqa: D205
    if tmp is None:
        return None
    return {**os.environ, "TMPDIR": str(tmp)}
