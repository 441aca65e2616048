"""Command line: ``multilat run SCENARIO.toml``, ``regimes``, ``metrics``, ``world``, ``validate``,
``sweep``, ``export``, ``plot`` and ``report``.

``multilat run`` loads and validates a scenario (:func:`sim.scenario.load_scenario`),
applies the command-line overrides, runs :class:`sim.model.MultilatModel`, prints a table
of every metric in :data:`sim.metrics.METRICS` and, with ``--out DIR``, writes
``summary.json``, ``metrics.parquet``, ``metrics.csv``, ``votes.csv`` and
``scenario.toml`` there (each atomically: a temporary file in ``DIR``, then
:func:`os.replace`).

Errors never end in a traceback: a bad scenario key or value
(:class:`~sim.scenario.ScenarioError`) and a bad command-line value both print one line,
``error: ...``, to stderr and exit with code 2; a failure to write results exits with 1.
Regime and issue choices come from :data:`sim.regimes.REGIMES` and
:data:`sim.issues.ISSUE_NAMES`, never from a list written here.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import math
import re
import signal
import sys
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from sim.entry import caused_by_interrupt, started
from sim.files import StoreError, atomic_write, json_safe
from sim.issues import ISSUE_NAMES, MIXED
from sim.metrics import METRICS
from sim.regimes import REGIMES
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.world import World

try:  # typer >= 0.20 vendors click as typer._click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer depends on click itself
    from click.exceptions import ClickException  # type: ignore[no-redef]

#: Show a progress bar (on a terminal) when steps x states reaches this.
PROGRESS_THRESHOLD = 50_000
#: How plain text (paths, file lists, descriptions) is printed: as is, no markup or
#: highlighting, and long lines left whole so that paths can be copied.
PLAIN: dict[str, bool] = {"highlight": False, "markup": False, "soft_wrap": True}

#: Files ``multilat run --out DIR`` writes, in order.
OUTPUT_FILES: tuple[str, ...] = (
    "summary.json",
    "metrics.parquet",
    "metrics.csv",
    "votes.csv",
    "scenario.toml",
)


def package_version() -> str:
    """The installed version of multilat (``"unknown"`` if it is not installed)."""
    try:
        return _dist_version("multilat")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


class CliError(Exception):
    """A failure reported as one ``error:`` line with ``exit_code`` (no traceback)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _one_line(message: str) -> str:
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())


#: Key of ``click.Context.meta`` set once a command has told the user of a Ctrl-C.
INTERRUPT_TOLD = "multilat.interrupt_told"


def _fail(message: str, exit_code: int) -> None:
    sys.stderr.write(f"error: {_one_line(message)}\n")
    sys.stderr.flush()
    sys.exit(exit_code)


def _ignore_unraisable(unraisable: Any) -> None:
    """A :data:`sys.unraisablehook` that prints nothing (after a Ctrl-C, :class:`OneLineErrors`)."""


class OneLineErrors(TyperGroup):
    """A Typer group whose errors are one ``error:`` line on stderr, never a traceback.

    Usage errors (unknown option, bad option type, bad choice) keep click's exit code 2;
    :class:`~sim.scenario.ScenarioError` and :class:`~sim.files.StoreError` (a damaged
    results folder) exit with 2 too; :class:`CliError` with its
    own code. A Ctrl-C (or SIGTERM during a sweep) exits with 130 after one line: the
    command's own (a sweep tells what it kept) or ``interrupted``.
    """

    def invoke(self, ctx: Any) -> Any:
        """Run the command; on Ctrl-C, say so in one line unless the command did."""
        started()  # Ctrl-C is now a KeyboardInterrupt, handled here (sim.entry)
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # a Ctrl-C inside compiled code comes out as an error caused by it
            if not caused_by_interrupt(exc):
                raise
            self._told(ctx)
            raise KeyboardInterrupt from None  # Typer turns it into exit code 130
        except KeyboardInterrupt:
            self._told(ctx)
            raise  # Typer turns it into exit code 130

    @staticmethod
    def _told(ctx: Any) -> None:
        """Say ``interrupted`` unless the command has told what a Ctrl-C left; then keep
        the objects the Ctrl-C left half made from printing as the process ends.

        A Ctrl-C can cut numba (llvmlite) in the middle of compiling a kernel; at exit,
        the destructors of what it left fail ("Exception ignored in:
        <function OutputString.__del__ ...>" and a traceback, seen in a fresh clone's
        test run). The command is over and has said so: such errors are noise then.
        """
        if not ctx.meta.get(INTERRUPT_TOLD):
            sys.stderr.write("interrupted\n")
            sys.stderr.flush()
        sys.unraisablehook = _ignore_unraisable

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        """Run the command line; in standalone mode, turn errors into one line."""
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except (ScenarioError, StoreError) as exc:
            _fail(str(exc), 2)
        except CliError as exc:
            _fail(str(exc), exc.exit_code)
        except ClickException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `multilat`: show help
                sys.stdout.write(exc.format_message() + "\n")
                sys.exit(0)
            message = exc.format_message()
            ctx = getattr(exc, "ctx", None)
            if ctx is not None and getattr(exc, "exit_code", 1) == 2:
                message = f"{_one_line(message)} (see '{ctx.command_path} --help')"
            _fail(message, exc.exit_code)
        except typer.Abort:
            _fail("aborted", 1)
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    cls=OneLineErrors,
    name="multilat",
    help=(
        "Agent-based simulation of the four contending approaches to multilateralism "
        "(charter, club, concert, coalition), after Stewart Patrick (Carnegie, 2023)."
    ),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"multilat {package_version()}")
        raise typer.Exit()


def _flag(*names: str, **kwargs: Any) -> Any:
    """A flag option: it takes no value, so its help shows none (Typer's would show
    ``<bool>``, and ``--resume true`` is an error).
    """  # noqa: D205
    return typer.Option(*names, metavar="", **kwargs)


@app.callback()
def _root(
    version: Annotated[
        bool,
        _flag(
            "--version",
            help="Print the version and exit.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Run scenarios of the four Cs and list the registered regimes and metrics."""


# --- option checks ----------------------------------------------------------------------


def _choose(value: str, allowed: Iterable[str], what: str, option: str | None = None) -> str:
    allowed = list(allowed)
    if value in allowed:
        return value
    guess = difflib.get_close_matches(value, allowed, n=1)
    hint = f" (did you mean {guess[0]!r}?)" if guess else ""
    raise typer.BadParameter(
        f"{value!r} is not a known {what}{hint}; allowed: {', '.join(allowed)}",
        param_hint=f"'{option}'" if option else None,
    )


def _check_regime(value: str | None) -> str | None:
    return None if value is None else _choose(value, REGIMES, "regime")


def _issue_choices() -> list[str]:
    return [MIXED, *ISSUE_NAMES]


def _check_issue(value: str | None) -> str | None:
    return None if value is None else _choose(value, _issue_choices(), "issue")


def _parse_value(text: str) -> Any:
    """A ``--set`` value as a TOML value (number, bool, string, array, inline table).

    Text that is not a TOML value is taken as a bare string (``--set regime=club``).
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _parse_sets(items: Sequence[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise typer.BadParameter(
                f"{item!r} is not KEY=VALUE (e.g. world.n_states=30)", param_hint="'--set'"
            )
        out[key] = _parse_value(value.strip())
    return out


# --- loading --------------------------------------------------------------------------


def resolve_scenario(
    path: Path, overrides: dict[str, Any], note: Callable[[str], None] | None = None
) -> Scenario:
    """Load ``path`` with ``overrides`` (None values ignored); ``note`` hears of a
    burn-in scaled to a shorter run (:func:`sim.scenario.build_scenario`).
    """
    return load_scenario(path, notify=note, **overrides)


# --- output -----------------------------------------------------------------------------


def run_summary(model: Any, scenario: Scenario) -> dict[str, Any]:
    """``summary.json``: run-level metrics, version, seed and the resolved scenario."""
    return json_safe(
        {
            "name": scenario.name,
            "version": package_version(),
            "seed": scenario.seed,
            **model.summary(),
            "scenario": scenario.to_dict(),
        }
    )


def write_outputs(model: Any, scenario: Scenario, out: Path) -> list[Path]:
    """Write every file of :data:`OUTPUT_FILES` into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    metrics = model.metrics_frame().reset_index()
    votes = model.votes_frame()
    summary = json.dumps(run_summary(model, scenario), indent=2, allow_nan=False) + "\n"
    writers: dict[str, Callable[[Path], None]] = {
        "summary.json": lambda p: p.write_text(summary, encoding="utf-8"),
        "metrics.parquet": lambda p: metrics.to_parquet(p, index=False, engine="pyarrow"),
        "metrics.csv": lambda p: metrics.to_csv(p, index=False),
        "votes.csv": lambda p: votes.to_csv(p, index=False),
        "scenario.toml": lambda p: p.write_text(scenario.to_toml(), encoding="utf-8"),
    }
    paths = []
    for name in OUTPUT_FILES:
        path = out / name
        atomic_write(path, writers[name])
        paths.append(path)
    return paths


def _fmt(value: float | None, bounded: bool = True) -> str:
    """A metric value for the table: 3 decimals in 0..1, counts as whole numbers."""
    if value is None or not math.isfinite(value):
        return "[dim]n/a[/dim]"
    if abs(value) < 5e-4:
        value = 0.0  # no "-0.000" from rounding noise
    if bounded:
        return f"{value:.3f}"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def describe_run(scenario: Scenario, world: World) -> str:
    """One line: regime, rivalry, issue, seed, steps, world size and great powers."""
    return (
        f"regime={scenario.regime}  rivalry={scenario.rivalry:g}  issue={scenario.issue}  "
        f"seed={scenario.seed}  steps={scenario.steps} (burn-in {scenario.burn_in})  "
        f"world={scenario.world.kind}: {world.n} states, "
        f"{int(world.great_power.sum())} great powers"
    )


def summary_table(summary: dict[str, float], title: str | None = None) -> Table:
    """Every metric of :data:`METRICS`: label, name, mean after burn-in, final value."""
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    table.add_column("name", style="dim")
    table.add_column("after burn-in", justify="right")
    table.add_column("final", justify="right")
    for name, metric in METRICS.items():
        how = " (sum)" if metric.summary == "sum" else ""
        bounded = math.isfinite(metric.hi)
        table.add_row(
            escape(metric.label),
            name,
            _fmt(summary.get(name, math.nan), bounded) + how,
            _fmt(summary.get(f"{name}_final", math.nan), bounded),
        )
    return table


#: ``--quiet``, as every long-running command spells it.
Quiet = Annotated[bool, _flag("--quiet", "-q", help="No progress bar and no notes on stderr.")]


def _notes(err: Console, quiet: bool) -> Callable[[str], None]:
    """A function that prints a note on stderr unless ``quiet``."""

    def note(text: str) -> None:
        if not quiet:
            err.print(text, style="yellow", **PLAIN)

    return note


def _progress_bar(err: Console) -> Any:
    """The progress bar of ``run`` and ``validate``: description, bar, n of N, time left."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def _run_model(model: Any, steps: int, show_progress: bool, err: Console) -> None:
    if not show_progress:
        model.run()
        return
    with _progress_bar(err) as progress:
        task = progress.add_task("steps", total=steps)
        for _ in range(steps):
            model.run(1)
            progress.advance(task)


# --- commands -------------------------------------------------------------------------

_REGIME_HELP = (
    f"Regime, one of: {', '.join(REGIMES)} (default: the scenario's; see `multilat regimes`)."
)
_ISSUE_HELP = f"Issue type, one of: {', '.join(_issue_choices())} (default: the scenario's)."


@app.command()
def run(
    scenario_file: Annotated[
        Path,
        typer.Argument(
            metavar="SCENARIO",
            help="Scenario TOML file (scenarios/baseline.toml documents every key).",
            show_default=False,
        ),
    ],
    regime: Annotated[
        str | None, typer.Option("--regime", "-r", help=_REGIME_HELP, callback=_check_regime)
    ] = None,
    rivalry: Annotated[
        float | None, typer.Option("--rivalry", help="Great-power rivalry, 0..1.")
    ] = None,
    issue: Annotated[
        str | None, typer.Option("--issue", help=_ISSUE_HELP, callback=_check_issue)
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed, >= 0.")] = None,
    steps: Annotated[int | None, typer.Option("--steps", help="Steps to run, >= 1.")] = None,
    burn_in: Annotated[
        int | None,
        typer.Option("--burn-in", help="Steps left out of the summary means, below steps."),
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help=(
                "Override any scenario key, dotted for tables (repeatable): "
                "--set world.n_states=30 --set rules.charter.council_votes=10."
            ),
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help=f"Write {', '.join(OUTPUT_FILES)} into this directory.",
            file_okay=False,
        ),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Run one scenario and print a summary of every metric."""
    from sim.model import MultilatModel

    err = Console(stderr=True)
    note = _notes(err, quiet)

    overrides = _parse_sets(sets)
    named = {
        "regime": regime,
        "rivalry": rivalry,
        "issue": issue,
        "seed": seed,
        "steps": steps,
        "burn_in": burn_in,
    }
    overrides.update({k: v for k, v in named.items() if v is not None})
    scenario = resolve_scenario(scenario_file, overrides, note)
    if out is not None and out.exists() and not out.is_dir():
        raise CliError(f"--out {str(out)!r} exists and is not a directory")

    model = MultilatModel(scenario)
    n_states = model.world.n
    show_progress = (
        not quiet and err.is_terminal and scenario.steps * n_states >= PROGRESS_THRESHOLD
    )
    _run_model(model, scenario.steps, show_progress, err)

    console = Console()
    console.print(
        f"[bold]multilat {package_version()}[/bold]  {escape(scenario.name)}", highlight=False
    )
    console.print(describe_run(scenario, model.world), **PLAIN)
    console.print(summary_table(model.summary()))
    if out is not None:
        try:
            write_outputs(model, scenario, out)
        except OSError as exc:
            raise CliError(f"cannot write results to {str(out)!r}: {exc}", exit_code=1) from None
        console.print(
            f"wrote {', '.join(OUTPUT_FILES)} to {out}",
            **PLAIN,
        )


@app.command()
def regimes(
    rules: Annotated[
        bool, _flag("--rules", help="Also list each regime's rule parameters.")
    ] = False,
) -> None:
    """List the registered regimes: name, virtue, summary and PAPER.md claims."""
    console = Console()
    table = Table(title="Registered regimes (sim.regimes.REGIMES)", title_justify="left")
    for col in ("name", "virtue", "summary", "claims"):
        table.add_column(col, overflow="fold", no_wrap=col in ("name", "virtue"))
    for name, cls in REGIMES.items():
        table.add_row(
            name,
            getattr(cls, "virtue", ""),
            getattr(cls, "summary", ""),
            ", ".join(getattr(cls, "claims", ())),
        )
    console.print(table)
    if rules:
        for name, cls in REGIMES.items():
            defaults = cls.make_rules()
            t = Table(title=escape(f"[rules.{name}] defaults"), title_justify="left")
            t.add_column("key")
            t.add_column("default", justify="right")
            for key in defaults.__dataclass_fields__:
                t.add_row(key, repr(getattr(defaults, key)))
            console.print(t)


@app.command()
def metrics() -> None:
    """List the outcome metrics (sim.metrics.METRICS): name, range, claims, meaning."""
    console = Console()
    table = Table(title="Metrics (sim.metrics.METRICS)", title_justify="left")
    for col in ("name", "range", "claims", "meaning"):
        table.add_column(col, overflow="fold", no_wrap=col in ("name", "range"))
    for name, m in METRICS.items():
        hi = "inf" if math.isinf(m.hi) else f"{m.hi:g}"
        table.add_row(name, f"{m.lo:g}..{hi}", ", ".join(m.claims), m.description)
    console.print(table)


# --- sweeps -----------------------------------------------------------------------------


def sweep_table(results: Any, ci: float = 0.95) -> Group:
    """Mean and confidence interval of the main metrics per regime, over the ok runs."""
    from sim.results import MAIN_METRICS, overview

    table_data = overview(results, MAIN_METRICS, ci=ci)
    counts = results.counts
    by_regime = "regime" in table_data.columns
    title = (
        f"{results.manifest.get('name', 'sweep')}: {counts.get('ok', 0)} runs ok, "
        f"{counts.get('failed', 0)} failed, {counts.get('pending', 0)} pending; "
        f"mean ± half-width of the {ci:.0%} t-interval over runs"
        + (" per regime" if by_regime else "")
    )
    table = Table(show_edge=False)
    groups = list(table_data["regime"].unique()) if by_regime else ["all runs"]
    table.add_column("metric")
    for g in groups:
        table.add_column(str(g), justify="right")
    for m in MAIN_METRICS:
        rows = table_data[table_data["metric"] == m]
        cells = []
        for g in groups:
            r = (rows[rows["regime"] == g] if by_regime else rows).iloc[0]
            half = (r["ci_high"] - r["ci_low"]) / 2
            interval = f" ±{half:.3f}" if math.isfinite(half) else ""
            cells.append(f"{r['mean']:.3f}{interval}" if math.isfinite(r["mean"]) else "n/a")
        table.add_row(m, *cells)
    # the title above the table, not in it: a table's title wraps at the table's width
    return Group(Text(title), table)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Handle SIGTERM (a batch system's stop, ``kill``) like Ctrl-C while a sweep runs:
    the finished runs are written out and ``--resume`` continues.
    """  # noqa: D205

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave SIGTERM alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command()
def sweep(
    ctx: typer.Context,
    spec_file: Annotated[
        Path,
        typer.Argument(
            metavar="SPEC",
            help=escape("Sweep spec: a scenario TOML file with a [sweep] table (docs/sweep.md)."),
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Results folder (default: results/<name>).", file_okay=False
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", min=1, help="Local worker processes (default: cores)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            help=escape("Run on this Dask scheduler instead (pip install 'multilat[dask]')."),
        ),
    ] = None,
    resume: Annotated[
        bool,
        _flag(
            "--resume",
            help="Continue the sweep in the results folder (also to add replicates).",
        ),
    ] = False,
    retry_failed: Annotated[
        bool,
        _flag("--retry-failed", help="Continue it and rerun its failed runs."),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Run a parameter sweep and print the main metrics per regime."""
    err = Console(stderr=True)
    note = _notes(err, quiet)

    def tell_interrupt(text: str) -> None:  # what was kept; with --quiet just 'interrupted'
        if not quiet:
            ctx.meta[INTERRUPT_TOLD] = True
            note(text)

    try:  # about a second: numba, mesa, pandas
        from sim.sweep import ExecutorError, SweepError, WorkersFailed
        from sim.sweep import run as run_sweep
    except KeyboardInterrupt:
        tell_interrupt("interrupted before the sweep began: nothing was written")
        raise

    if scheduler is not None:
        if workers is not None:
            raise CliError(
                "options '--workers' and '--scheduler' exclude each other: the Dask "
                "cluster's workers run the sweep"
            )
        if not re.fullmatch(r"([a-z]+://)?[^\s:/]+:\d+", scheduler):
            raise CliError(
                f"option '--scheduler': bad value {scheduler!r}: must be a Dask scheduler's "
                "address, tcp://HOST:PORT"
            )

    try:
        with _terminate_as_interrupt():
            results = run_sweep(
                spec_file,
                out=out,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                retry_failed=retry_failed,
                progress=not quiet,
                notify=tell_interrupt,
            )
    except SweepError as exc:
        raise CliError(str(exc)) from None
    except WorkersFailed as exc:
        raise CliError(str(exc), exit_code=1) from None
    except ExecutorError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"sweep failed: {exc}", exit_code=1) from None
    console = Console()
    if not console.is_terminal:  # a log file or a pipe: no wrapping at 80 columns
        console = Console(width=160)
    console.print(sweep_table(results))
    failed = results.manifest["counts"].get("failed", 0)
    if failed:
        note(
            f"{failed} runs failed (errors and tracebacks in {results.path / 'status.jsonl'}); "
            "rerun them with --retry-failed"
        )
    console.print(
        f"results in {results.path}/: runs.parquet (one row per run), steps/ (per-step "
        f"metrics), design.parquet, manifest.json, status.jsonl; in Python: "
        f"sim.results.load({str(results.path)!r})",
        **PLAIN,
    )


@app.command()
def export(
    results_dir: Annotated[
        Path,
        typer.Argument(metavar="RESULTS", help="A sweep's results folder.", show_default=False),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv (a folder of CSV files) or ema (tar.gz).")
    ] = "csv",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write (default: inside RESULTS)."),
    ] = None,
) -> None:
    """Export a sweep's results as CSV, or as EMA Workbench's load_results archive."""
    from sim.export import FORMATS
    from sim.export import export as export_results

    _choose(fmt, FORMATS, "format", "--format")
    try:
        path = export_results(results_dir, fmt, out)
    except FileNotFoundError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot export to {str(out)!r}: {exc}", exit_code=1) from None
    Console().print(f"wrote {path}", **PLAIN)


# --- figures and reports ---------------------------------------------------------------


def _load_results(path: Path) -> Any:
    from sim.results import load

    allowed = "allowed: a folder written by `multilat sweep`, e.g. results/quick"
    if not path.exists():
        raise CliError(f"RESULTS {str(path)!r}: no such folder; {allowed}")
    if (path / "summary.json").is_file() and not (path / "manifest.json").exists():
        raise CliError(
            f"RESULTS {str(path)!r}: the output of `multilat run` (one run), not a sweep; {allowed}"
        )
    try:
        return load(path)
    except FileNotFoundError:
        raise CliError(
            f"RESULTS {str(path)!r}: no sweep results folder there (no manifest.json); {allowed}"
        ) from None


@app.command()
def plot(
    results_dir: Annotated[
        Path,
        typer.Argument(metavar="RESULTS", help="A sweep's results folder.", show_default=False),
    ],
    figure: Annotated[
        str,
        typer.Option("--figure", help="A figure name or 'all' (see docs/figures.md)."),
    ] = "all",
    metric: Annotated[
        str | None,
        typer.Option("--metric", help="The metric to show (default: each figure's own)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="pdf, svg or png.")] = "pdf",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the files (default: RESULTS/figures)."),
    ] = None,
) -> None:
    """Draw figures of a sweep's results (PDF/SVG, or PNG at 300 dpi)."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.plots.data import FigureError
    from sim.plots.render import SPECS, available, write_figures
    from sim.plots.save import FORMATS

    _choose(figure, [*SPECS, "all"], "figure", "--figure")
    if metric is not None:
        _choose(metric, METRICS, "metric", "--metric")
        if figure == "network":
            raise CliError(
                f"option '--metric': bad value {metric!r}: the network figure shows no "
                "metric (it draws the cooperation network of one replayed run); leave "
                "--metric out"
            )
    _choose(fmt, FORMATS, "format", "--format")
    results = _load_results(results_dir)
    names = available(results) if figure == "all" else [figure]
    target = out if out is not None else results.path / "figures"
    try:
        paths = write_figures(results, names, target, fmt, metric)
    except FigureError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write figures to {str(target)!r}: {exc}", exit_code=1) from None
    skipped = [n for n in SPECS if figure == "all" and n not in names]
    console = Console()
    for p in paths:
        console.print(f"wrote {p}", **PLAIN)
    if skipped:
        Console(stderr=True).print(
            f"skipped {', '.join(skipped)}: the factors they need are not varied",
            style="yellow",
            **PLAIN,
        )


@app.command()
def report(
    results_dir: Annotated[
        Path,
        typer.Argument(metavar="RESULTS", help="A sweep's results folder.", show_default=False),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder of the report (default: RESULTS/report)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Figure format: svg or png.")] = "svg",
) -> None:
    """Write a Markdown and an HTML report: every figure, summary tables, provenance."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.plots.data import FigureError
    from sim.report import write_report

    _choose(fmt, ["svg", "png"], "format", "--format")
    results = _load_results(results_dir)
    try:
        rep = write_report(results, out, fmt)
    except FigureError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot write the report: {exc}", exit_code=1) from None
    Console().print(
        f"wrote {rep.markdown} and {rep.html} ({len(rep.figures)} figures); "
        f"open {rep.html} in a browser",
        **PLAIN,
    )


@app.command()
def sensitivity(
    results_dir: Annotated[
        Path,
        typer.Argument(
            metavar="RESULTS", help="An lhs or sobol sweep's results folder.", show_default=False
        ),
    ],
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric",
            "-m",
            metavar="METRIC",
            help="A run-level metric; repeat for more (default: effectiveness).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="FILE", help="Also write the indices to this CSV file."
        ),
    ] = None,
) -> None:
    """Sensitivity indices of a sampled sweep with SALib: Sobol' S1/ST or delta (lhs)."""
    from sim.sensitivity import SensitivityError
    from sim.sensitivity import sensitivity as indices_of

    metrics = metric or ["effectiveness"]
    for m in metrics:
        _choose(m, METRICS, "metric", "--metric")
    results = _load_results(results_dir)
    tables = []
    with Console(stderr=True).status("analysing") as status:
        for m in metrics:

            def show(k: int, n: int, where: str, m: str = m) -> None:
                status.update(f"{m}: {where or 'all runs'} ({k} of {n})")

            try:
                tables.append(indices_of(results, m, progress=show))
            except SensitivityError as exc:
                raise CliError(str(exc)) from None
    console = Console()
    for t in tables:
        console.print(sensitivity_table(t))
    if out is not None:
        import pandas as pd

        tidy = pd.concat([t.assign(metric=t.attrs["metric"]) for t in tables], ignore_index=True)
        tidy = tidy[["metric", *tidy.columns[:-1]]]
        try:
            atomic_write(out, lambda tmp: tidy.to_csv(tmp, index=False))
        except OSError as exc:
            raise CliError(f"cannot write {str(out)!r}: {exc}", exit_code=1) from None
        console.print(f"wrote {out}", **PLAIN)


def sensitivity_table(t: Any) -> Table:
    """A table of :func:`sim.sensitivity.sensitivity`'s indices, each as value ± half-width."""
    from sim.sensitivity import cells

    a = t.attrs
    title = (
        f"{METRICS[a['metric']].label}: {a['method']} indices over {a['points']} points"
        f"{' per ' + ' x '.join(a['by']) if a['by'] else ''} (each the mean over its "
        f"replicates); ± half-width of SALib's {a['level']:.0%} bootstrap interval"
    )
    table = Table(title=title, title_justify="left", show_edge=False)
    header, rows = cells(t)
    n_keys = len(a["by"]) + 1
    for k, col in enumerate(header):
        table.add_column(col, justify="left" if k < n_keys else "right")
    for row in rows:
        table.add_row(*row)
    return table


@app.command()
def world(
    scenario_file: Annotated[
        Path | None,
        typer.Argument(
            metavar="[SCENARIO]", help="Scenario TOML file (default: the built-in defaults)."
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (generated worlds only).")] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="KEY=VALUE", help="Any scenario key, e.g. world.kind=real."),
    ] = None,
    as_json: Annotated[bool, _flag("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Summarise a scenario's world: kinds, camps, largest powers, memberships."""
    from sim.model import build_world
    from sim.scenario import build_scenario
    from sim.worldinfo import describe_world, render_world

    overrides = {**_parse_sets(sets), "seed": seed}
    if scenario_file is None:
        scenario = build_scenario({"name": "defaults"}, **overrides)
    else:
        scenario = resolve_scenario(scenario_file, overrides)
    info = describe_world(build_world(scenario))
    if as_json:
        sys.stdout.write(json.dumps(json_safe(info), indent=2) + "\n")
        return
    title = f"{scenario.name}: world {scenario.world.kind!r}"
    render_world(info, title, Console())


@app.command()
def validate(
    quick: Annotated[
        bool,
        _flag("--quick", help="Fewer seeds and shorter runs (what CI runs, ~30 s)."),
    ] = False,
    as_json: Annotated[
        bool, _flag("--json", help="Print the results as JSON (for machines).")
    ] = False,
    markdown: Annotated[
        bool,
        _flag("--markdown", help="Print the tables as Markdown (docs/validation.md)."),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Worker processes (default: the number of cores)."),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Reproduce known results: voting power, stable coalitions and the claims C1-C20.

    Exits with 1 if a table disagrees with its reference or a claim check fails (or a
    documented divergence no longer diverges).
    """
    from sim.validation.report import render, to_json, to_markdown
    from sim.validation.report import validate as run_validation

    if as_json and markdown:
        raise CliError("give at most one of --json and --markdown")
    err = Console(stderr=True)
    size = "quick" if quick else "full"
    if quiet or not err.is_terminal:
        result = run_validation(size, workers=workers)
    else:
        with _progress_bar(err) as bar:
            task = bar.add_task(f"claim runs ({size})", total=None)
            result = run_validation(
                size,
                workers=workers,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    if as_json:
        sys.stdout.write(json.dumps(json_safe(to_json(result)), indent=2) + "\n")
    elif markdown:
        sys.stdout.write(to_markdown(result))
    else:
        console = Console()
        render(result, console if console.is_terminal else Console(width=160))
    if not result.ok:
        sys.exit(1)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``multilat`` console script."""
    app(args=None if argv is None else list(argv), prog_name="multilat")


if __name__ == "__main__":
    main()
