"""The command line: ``multilat run`` outputs, ``multilat regimes``, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import run_cli
from typer.testing import CliRunner

from sim.cli import OUTPUT_FILES, app, json_safe, main
from sim.issues import ISSUE_NAMES
from sim.metrics import METRICS
from sim.regimes import REGIMES
from sim.regimes.concert import Concert
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = str(ROOT / "scenarios" / "baseline.toml")
STEPS = 15

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), env={"COLUMNS": "120"})


def strict_json(text: str) -> Any:
    """Parse JSON, refusing NaN and Infinity (which json.dumps would write by default)."""

    def refuse(token: str) -> Any:
        raise ValueError(f"invalid JSON constant {token}")

    return json.loads(text, parse_constant=refuse)


# --------------------------------------------------------------------------- run --out


@pytest.fixture(scope="module", params=list(REGIMES))
def run_out(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    regime = request.param
    out = tmp_path_factory.mktemp(f"out-{regime}")
    result = invoke("run", BASELINE, "--regime", regime, "--steps", str(STEPS), "--out", str(out))
    assert result.exit_code == 0, result.output
    return regime, out, result


def test_run_prints_every_metric(run_out: Any) -> None:
    regime, _, result = run_out
    for name, metric in METRICS.items():
        assert name in result.stdout
        assert metric.label in result.stdout
    assert f"regime={regime}" in result.stdout
    assert f"steps={STEPS}" in result.stdout
    assert "60 states" in result.stdout


def test_run_writes_every_file(run_out: Any) -> None:
    _, out, _ = run_out
    for name in OUTPUT_FILES:
        assert (out / name).is_file(), name
    # atomic writes leave no temporary files behind
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)


def test_summary_json(run_out: Any) -> None:
    regime, out, _ = run_out
    summary = strict_json((out / "summary.json").read_text(encoding="utf-8"))
    for name in METRICS:
        assert name in summary
        assert f"{name}_final" in summary
        assert summary[name] is None or isinstance(summary[name], int | float)
    assert summary["scenario"]["regime"] == regime
    assert summary["scenario"]["steps"] == STEPS
    assert summary["seed"] == summary["scenario"]["seed"] == 0
    assert summary["version"]


def test_metrics_parquet_and_csv(run_out: Any) -> None:
    _, out, _ = run_out
    parquet = pd.read_parquet(out / "metrics.parquet")
    csv = pd.read_csv(out / "metrics.csv")
    for frame in (parquet, csv):
        assert len(frame) == STEPS
        assert list(frame["step"]) == list(range(STEPS))
        assert set(METRICS) <= set(frame.columns)
    pd.testing.assert_frame_equal(
        parquet[list(METRICS)].astype(float), csv[list(METRICS)].astype(float), rtol=1e-9
    )


def test_votes_csv(run_out: Any) -> None:
    _, out, _ = run_out
    votes = pd.read_csv(out / "votes.csv")
    assert list(votes.columns) == ["step", "forum", "problem", "iso3", "vote"]
    assert set(votes["vote"].dropna()) <= {"Y", "N", "A", "X"}
    if len(votes):
        assert votes["step"].between(0, STEPS - 1).all()


def test_scenario_toml_reloads_to_the_same_scenario(run_out: Any) -> None:
    regime, out, _ = run_out
    summary = strict_json((out / "summary.json").read_text(encoding="utf-8"))
    again = load_scenario(out / "scenario.toml")
    assert again.regime == regime
    assert again.to_dict() == summary["scenario"]
    expected = load_scenario(BASELINE, regime=regime, steps=STEPS, burn_in=again.burn_in)
    assert again.to_dict() == expected.to_dict()


def test_same_seed_same_results(tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = invoke(
            "run", BASELINE, "--steps", "12", "--seed", "7", "-q", "--out", str(tmp_path / name)
        )
        assert result.exit_code == 0, result.output
    a = (tmp_path / "a" / "summary.json").read_text(encoding="utf-8")
    b = (tmp_path / "b" / "summary.json").read_text(encoding="utf-8")
    assert a == b
    assert strict_json(a)["seed"] == 7


def test_nan_becomes_null(tmp_path: Path) -> None:
    """With no problems at all most metrics are undefined: null in summary.json."""
    result = invoke(
        "run", BASELINE, "--steps", "5", "--set", "problems.arrival_rate=0", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    summary = strict_json((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["effectiveness"] is None
    assert summary["scenario"]["problems"]["arrival_rate"] == 0


def test_json_safe() -> None:
    data = {"a": float("nan"), "b": [1.0, float("inf")], "c": {"d": -float("inf"), "e": 2}}
    assert json_safe(data) == {"a": None, "b": [1.0, None], "c": {"d": None, "e": 2}}


# ---------------------------------------------------------------------- overrides


def test_overrides_reach_the_scenario(tmp_path: Path) -> None:
    result = invoke(
        "run",
        BASELINE,
        "--regime",
        "concert",
        "--rivalry",
        "0.8",
        "--issue",
        ISSUE_NAMES[0],
        "--seed",
        "3",
        "--steps",
        "10",
        "--burn-in",
        "2",
        "--set",
        "world.n_states=30",
        "--set",
        "rules.charter.council_votes=10",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    s = load_scenario(tmp_path / "scenario.toml")
    assert (s.regime, s.rivalry, s.issue, s.seed, s.steps, s.burn_in) == (
        "concert",
        0.8,
        ISSUE_NAMES[0],
        3,
        10,
        2,
    )
    assert s.world.n_states == 30
    assert s.to_dict()["rules"]["charter"]["council_votes"] == 10
    assert "30 states" in result.stdout


def test_short_run_scales_burn_in_with_a_note() -> None:
    result = invoke("run", BASELINE, "--steps", "10")
    assert result.exit_code == 0, result.output
    assert "burn-in 2" in result.stdout
    assert "burn_in=20" in result.stderr
    quiet = invoke("run", BASELINE, "--steps", "10", "--quiet")
    assert quiet.exit_code == 0
    assert quiet.stderr == ""


def test_out_is_created_with_parents(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "er"
    result = invoke("run", BASELINE, "--steps", "3", "--burn-in", "0", "-q", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "summary.json").is_file()


# ---------------------------------------------------------------- regimes, metrics


def test_regimes_lists_the_registry() -> None:
    result = invoke("regimes")
    assert result.exit_code == 0, result.output
    for name, cls in REGIMES.items():
        assert name in result.stdout
        assert cls.virtue in result.stdout
        for claim in cls.claims:
            assert claim in result.stdout


def test_regimes_rules_lists_every_rule() -> None:
    result = invoke("regimes", "--rules")
    assert result.exit_code == 0, result.output
    for name, cls in REGIMES.items():
        assert f"[rules.{name}]" in result.stdout
        for key in cls.Rules.__dataclass_fields__:
            assert key in result.stdout


class Directorate(Concert):
    """A fifth regime for the registry test: a concert under another name."""

    name = "directorate"
    summary = "test-only regime"
    virtue = "capability"
    claims = ("C10",)


def test_a_registered_regime_is_listed_and_runnable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(REGIMES, Directorate.name, Directorate)
    listed = invoke("regimes")
    assert "directorate" in listed.stdout
    result = invoke("run", BASELINE, "--regime", "directorate", "--steps", "5", "-q")
    assert result.exit_code == 0, result.output
    assert "regime=directorate" in result.stdout


def test_metrics_lists_every_metric() -> None:
    result = invoke("metrics")
    assert result.exit_code == 0, result.output
    for name in METRICS:
        assert name in result.stdout


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("multilat ")


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert "run" in result.output
    assert "regimes" in result.output


# --------------------------------------------------------------------------- errors


def one_line_error(result: Any) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--rivalry", "1.5"], "key 'rivalry': bad value 1.5"),
        (["--rivalry", "abc"], "--rivalry"),
        (["--regime", "clb"], "did you mean 'club'"),
        (["--issue", "climat"], "did you mean 'climate'"),
        (["--steps", "0"], "key 'steps': bad value 0"),
        (["--steps", "x"], "--steps"),
        (["--seed", "-1"], "key 'seed': bad value -1"),
        (["--steps", "10", "--burn-in", "10"], "burn_in=10"),
        (["--set", "rivaly=0.5"], "did you mean 'rivalry'"),
        (["--set", "world.n_state=30"], "did you mean 'n_states'"),
        (["--set", "nonsense"], "KEY=VALUE"),
        (["--rivaly", "0.5"], "--rivaly"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_bad_values_are_one_line(args: list[str], expected: str) -> None:
    line = one_line_error(invoke("run", BASELINE, *args))
    assert expected in line


def test_regime_error_lists_the_registry() -> None:
    line = one_line_error(invoke("run", BASELINE, "--regime", "nope"))
    for name in REGIMES:
        assert name in line


def test_missing_scenario_file(tmp_path: Path) -> None:
    line = one_line_error(invoke("run", str(tmp_path / "nope.toml")))
    assert "nope.toml" in line


def test_bad_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("rivalry = = 1\n", encoding="utf-8")
    line = one_line_error(invoke("run", str(path)))
    assert "not valid TOML" in line


def test_out_must_be_a_directory(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    one_line_error(invoke("run", BASELINE, "--steps", "3", "--out", str(target)))


def test_main_exits_2_on_scenario_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", BASELINE, "--rivalry", "1.5"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == "error: key 'rivalry': bad value 1.5: Input should be less than or equal to 1\n"


# ------------------------------------------------------- the real process, exit codes


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["run", BASELINE, "--rivalry", "1.5"],
            "error: key 'rivalry': bad value 1.5: Input should be less than or equal to 1",
        ),
        (["run", BASELINE, "--regime", "clb"], "error: Invalid value for '--regime'"),
        (["run", BASELINE, "--rivaly", "0.3"], "error: No such option: --rivaly"),
        (["run", "does-not-exist.toml"], "error: scenario file 'does-not-exist.toml'"),
    ],
    ids=["scenario-error", "bad-choice", "unknown-option", "missing-file"],
)
def test_process_exit_code_and_one_line(args: list[str], expected: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith(expected), proc.stderr
    assert proc.stdout == ""


def test_process_bad_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[world\nn_states = 3\n", encoding="utf-8")
    proc = run_cli("run", str(path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert "broken.toml" in proc.stderr


def test_process_run_succeeds(tmp_path: Path) -> None:
    proc = run_cli("run", BASELINE, "--steps", "5", "-q", "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert (tmp_path / "o" / "summary.json").is_file()
