"""``multilat plot`` and ``multilat report`` on a tiny sweep; one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from typer.testing import CliRunner

from sim.cli import app
from sim.plots.render import SPECS

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.mark.parametrize("fmt", ["pdf", "svg", "png"])
def test_plot_all(tiny_results: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / fmt
    result = invoke("plot", str(tiny_results), "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == len(SPECS)
    assert all(p.stat().st_size > 1000 for p in out.iterdir())
    assert f"rivalry-effectiveness.{fmt}" in files and f"network.{fmt}" in files


def test_plot_one_figure_and_metric_is_reproducible(tiny_results: Path, tmp_path: Path) -> None:
    args = ["plot", str(tiny_results), "--figure", "heatmap", "--metric", "legitimacy"]
    for k in ("a", "b"):
        result = invoke(*args, "--format", "svg", "--out", str(tmp_path / k))
        assert result.exit_code == 0, result.output
    a = (tmp_path / "a" / "heatmap-legitimacy.svg").read_bytes()
    assert a == (tmp_path / "b" / "heatmap-legitimacy.svg").read_bytes()


def test_time_of_a_sweep_shades_its_burn_in(tiny_results: Path) -> None:
    from sim.plots import fig_time
    from sim.plots.time import sweep_burn_in
    from sim.results import load

    res = load(tiny_results)
    assert sweep_burn_in(res) == 2  # TINY_FIGS
    assert [p for p in fig_time(res).patches if p.get_gid() == "burn-in"]


def test_network_title_names_the_replayed_run(tiny_results: Path) -> None:
    from sim.plots.render import figure
    from sim.results import load

    res = load(tiny_results)
    title = figure(res, "network").get_title()
    row = res.runs[(res.runs["regime"] == "club") & (res.runs["status"] == "ok")].iloc[0]
    assert f"run {row['run_id']}, replicate {row['replicate']}" in title
    assert f"rivalry {row['rivalry']:g}" in title and str(row["issue"]).replace("_", " ") in title


def test_report(tiny_results: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = invoke("report", str(tiny_results), "--out", str(out))
    assert result.exit_code == 0, result.output
    md = (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    for name in SPECS:
        assert f"figures/{name}" in md and f"figures/{name}" in page
    for link in [line.split("](")[1].rstrip(")") for line in md.splitlines() if "![" in line]:
        assert (out / link).is_file()
    assert "| charter |" in md and "security crisis" in md  # regime x issue table
    assert "spec hash" in md and "root seed" in md and "git commit" in md
    assert "| item | value |" in md  # the provenance table has a header
    assert page.startswith("<!DOCTYPE html>") and "<table>" in page
    # captions are numbered sentences, not internal names
    captions = [line for line in md.splitlines() if line.startswith("*Figure ")]
    assert [c.split(".")[0] for c in captions] == [
        f"*Figure {k}" for k in range(1, len(captions) + 1)
    ]
    assert "*Figure 2. Effectiveness against great-power rivalry" in md
    # issue columns in the model's order (climate before security crisis), not A-Z
    header = next(line for line in md.splitlines() if line.startswith("| regime |"))
    assert header.index("climate") < header.index("security crisis")


def test_report_cells_say_when_an_interval_rounds_to_nothing() -> None:
    from sim.report import _cell

    assert _cell(0.5, 0.25, 0.75) == "0.500 [0.250, 0.750]"
    assert _cell(1.0, 1.0, 1.0) == "1.000 (all runs equal)"
    assert _cell(0.188, 0.18801, 0.18804) == "0.188 (± < 0.001)"
    assert _cell(0.3, float("nan"), float("nan")) == "0.300"
    assert _cell(float("nan"), 0, 1) == "n/a"
    assert _cell(0.0, -0.0004, 0.0004) == "0.000 (± < 0.001)"
    assert _cell(0.01, -0.0001, 0.02) == "0.010 [0.000, 0.020]"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ["plot", "{res}", "--figure", "pie"],
            "'--figure': 'pie' is not a known figure; allowed: virtues",
        ),
        (["plot", "{res}", "--metric", "efectiveness"], "'--metric': 'efectiveness'"),
        (
            ["plot", "{res}", "--figure", "network", "--metric", "voice"],
            "the network figure shows no metric",
        ),
        (
            ["plot", "{res}", "--format", "jpg"],
            "'--format': 'jpg' is not a known format",
        ),
        (["plot", "{missing}"], "RESULTS '"),
        (["report", "{missing}"], "nowhere': no such folder"),
        (["report", "{empty}"], "no sweep results folder there (no manifest.json)"),
        (["plot", "{one_run}"], "the output of `multilat run` (one run), not a sweep"),
    ],
)
def test_bad_input_is_one_line_exit_2(tiny_results: Path, tmp_path: Path, args, needle) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "one_run").mkdir()
    (tmp_path / "one_run" / "summary.json").write_text("{}")
    places = {"missing": tmp_path / "nowhere", "empty": tmp_path / "empty"}
    places["one_run"] = tmp_path / "one_run"
    argv = [a.format(res=tiny_results, **places) for a in args]
    proc = run_cli(*argv)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert needle in lines[0]
    assert "Traceback" not in proc.stderr


def test_figure_that_needs_an_unvaried_factor(tmp_path: Path) -> None:
    from sim.sweep import run

    data = {
        "name": "noissue",
        "steps": 6,
        "burn_in": 1,
        "world": {"n_states": 10},
        "sweep": {"replicates": 2, "regime": ["charter", "club"], "rivalry": [0.0, 1.0]},
    }
    run(data, out=tmp_path / "r", workers=1, progress=False)
    result = invoke("plot", str(tmp_path / "r"), "--figure", "heatmap")
    assert result.exit_code == 2
    result = invoke("plot", str(tmp_path / "r"), "--format", "svg")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "r" / "figures" / "heatmap-effectiveness.svg").exists()
    assert (tmp_path / "r" / "figures" / "rivalry-effectiveness.svg").exists()


def test_replay_is_the_recorded_run(tiny_results: Path) -> None:
    import sim.results
    from sim.plots.replay import replay

    res = sim.results.load(tiny_results)
    for regime in ("charter", "coalition"):
        row = res.runs[(res.runs["regime"] == regime) & (res.runs["status"] == "ok")].iloc[-1]
        model = replay(res, run_id=int(row["run_id"]))
        assert model.regime.name == regime
        assert model.summary()["effectiveness"] == pytest.approx(row["effectiveness"], rel=1e-12)


def test_file_names_carry_the_metric_a_figure_shows() -> None:
    from sim.plots.render import file_stem

    assert file_stem("rivalry", "voice") == "rivalry-voice"
    assert file_stem("rivalry") == "rivalry-effectiveness"
    assert file_stem("virtues", "solidarity") == "virtues"
    assert file_stem("network", "voice") == "network"  # it shows no metric
