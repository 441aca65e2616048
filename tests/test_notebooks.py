"""Every notebook in notebooks/ runs top to bottom (nbclient), at a small size.

The cell tagged ``parameters`` holds a notebook's sizes; the tests replace it with the
small values below, run the notebook in its own folder (so its relative paths work) and
write any results into a temporary folder. Notebooks are stored without outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

#: Small settings per notebook ({tmp}: a temporary folder).
SMALL: dict[str, str] = {
    "01_quickstart": (
        'REGIME = "club"\nRIVALRY = 0.3\nISSUE = "mixed"\nSEED = 1\nN_STATES = 15\n'
        "STEPS = 12\nBURN_IN = 3\n"
    ),
    "02_compare_regimes": (
        'SPEC = "../scenarios/quick.toml"\nOUT = r"{tmp}/quick"\nWORKERS = 1\n'
        'OVERRIDES = {{"steps": 8, "burn_in": 2, "world": {{"n_states": 12}}, '
        '"sweep": {{"replicates": 2, "rivalry": [0.0, 1.0], '
        '"issue": ["climate", "security_crisis"]}}}}\n'
    ),
    "03_explore": "N_STATES = 12\nSTEPS = 10\n",
    "04_custom_regime": (
        'OUT = r"{tmp}/five"\nSTEPS = 8\nN_STATES = 12\nREPLICATES = 2\nRIVALRY = [0.0, 1.0]\n'
    ),
}


def notebooks() -> list[str]:
    return sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


def test_every_notebook_has_small_settings() -> None:
    assert notebooks() == sorted(SMALL)


@pytest.mark.parametrize("name", notebooks())
def test_stored_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, name
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}: one cell tagged 'parameters'"


@pytest.mark.parametrize("name", notebooks())
def test_notebook_runs(name: str, tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = SMALL[name].format(tmp=tmp_path)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute(env={"MPLBACKEND": "Agg"})
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
