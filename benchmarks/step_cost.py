"""Cost of one model step relative to Mesa's own ``shuffle_do`` over as many agents.

For each regime and each number of states ``n``, the benchmark builds
``MultilatModel(regime=R, seed=S, issue=I, record_votes=False, **{"world.n_states": n})``,
runs a warm-up (so that problems, forums and agreements are in flight), then times
``--steps`` calls of ``model.step()`` with :func:`time.perf_counter`. Side by side in the same
process it times ``model.agents.shuffle_do("step")`` on a bare ``mesa.Model`` holding
``n`` agents whose ``step`` does nothing. The two alternate in blocks (``--interleave
block``, the default): ``--block`` consecutive model steps, each timed, then as many
consecutive ``shuffle_do`` calls, timed together, and so on, so that machine noise hits
both alike and each is timed as it runs, a step after a step and a ``shuffle_do`` after a
``shuffle_do`` (the first of each block after the other's block, for both alike).
``--interleave step`` is the interleaving of the rounds before 29 Nov 2026: every timed
model step follows a timed block of ``shuffle_do`` calls (about ``--shuffle-block``
seconds), so each model step starts with caches the ``shuffle_do`` loop has just filled
with its own data while ``shuffle_do`` is timed warm, in a loop of its own; it read about
10 to 25 % higher at 200 states (docs/performance.md). Each (regime, n, seed) is
repeated ``--repeats`` times (the run is seeded, so every repeat does the same work).
The ratio is taken step by step: each step's time over the time per ``shuffle_do`` call
of the block next to it, the median over the repeats, then the mean over steps and over
``--seeds`` (different seeds give different problem streams, i.e. different workloads).
The table also shows the model's mean time per step (each step's median over the
repeats) and ``shuffle_do``'s median over its blocks.

Printed:

1. the table ``regime, n, open problems, ms per model step, us per shuffle_do, ratio,
   target, met``, per regime and for the mean over regimes;
2. the growth exponent of the model's step time between consecutive sizes,
   ``log(t2 / t1) / log(n2 / n1)`` (1 = linear, 2 = quadratic), and a least-squares fit
   ``t(n) = fixed + per_state * n`` for the model and for ``shuffle_do``;
3. where the time goes: an instrumented run per regime (each function of interest
   wrapped by a timer that records its calling context), as a share of the step at
   ``--profile-size`` states, and the per-call cost of each function at every size with
   its growth exponent between the two largest sizes;
4. the flat cProfile of the same steps (top functions by own time);
5. micro-benchmarks of the pairwise-looking terms: the trust table (:mod:`sim.trust`)
   against a dense state x state matrix, and the coalition lead's mandate search
   (:meth:`sim.regimes.coalition.Coalition.mandate`), at growing sizes.

Run from the repository root::

    python benchmarks/step_cost.py                       # defaults, under a minute
    python benchmarks/step_cost.py --sizes 50 200 2000 8000 --repeats 5
    python benchmarks/step_cost.py --regimes coalition --issue climate --no-profile

Pure standard library + numpy + mesa (+ the ``sim`` package). No assertions: the
numbers are reported, not tested.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib
import math
import os
import platform
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _blas_threads_from_argv(argv: list[str]) -> str | None:
    """``--blas-threads N`` must act before numpy is imported (BLAS reads it at load)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--blas-threads", default=None)
    known, _ = pre.parse_known_args(argv)
    return known.blas_threads


if __name__ == "__main__" and (_threads := _blas_threads_from_argv(sys.argv[1:])) is not None:
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads

import mesa  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sim.regimes.coalition  # noqa: E402
from sim import kernels  # noqa: E402
from sim.issues import ISSUE_NAMES, MIXED  # noqa: E402
from sim.model import MultilatModel  # noqa: E402
from sim.regimes import REGIMES  # noqa: E402
from sim.trust import Trust  # noqa: E402

#: The issue's targets: ratio (model step / shuffle_do) at most this many at n states.
TARGETS = {200: 8.0, 2000: 3.0}
ISSUES = (MIXED, *ISSUE_NAMES)


# --- the two things being compared ---------------------------------------------------
class EmptyAgent(mesa.Agent):
    """An agent whose step does nothing: the floor of one Mesa activation."""

    def step(self) -> None:
        pass


def bare_model(n: int) -> mesa.Model:
    """A bare Mesa model with ``n`` agents that do nothing."""
    model = mesa.Model(rng=np.random.default_rng(0))
    for _ in range(n):
        EmptyAgent(model)
    return model


def time_shuffle(model: mesa.Model, calls: int) -> float:
    """Seconds per ``model.agents.shuffle_do("step")`` over ``calls`` calls."""
    agents = model.agents
    t0 = time.perf_counter()
    for _ in range(calls):
        agents.shuffle_do("step")
    return (time.perf_counter() - t0) / calls


def make_model(regime: str, n: int, seed: int, issue: str) -> MultilatModel:
    return MultilatModel(
        regime=regime, seed=seed, issue=issue, record_votes=False, **{"world.n_states": n}
    )


def time_interleaved(
    model: MultilatModel, bare: mesa.Model, steps: int, calls: int
) -> tuple[list[float], list[float], float]:
    """Alternate one ``model.step()`` with one block of ``calls`` ``shuffle_do`` calls.

    Returns the seconds of each model step, the seconds per ``shuffle_do`` call of each
    block, and the mean number of open problems per step.
    """
    agents = bare.agents
    model_t, shuffle_t = [], []
    open_problems = 0
    clock = time.perf_counter
    for _ in range(steps):
        t0 = clock()
        model.step()
        t1 = clock()
        for _ in range(calls):
            agents.shuffle_do("step")
        t2 = clock()
        model_t.append(t1 - t0)
        shuffle_t.append((t2 - t1) / calls)
        open_problems += len(model.problems)
    return model_t, shuffle_t, open_problems / steps


def time_blocks(
    model: MultilatModel, bare: mesa.Model, steps: int, block: int
) -> tuple[list[float], list[float], float]:
    """Alternate ``block`` consecutive ``model.step()`` calls with ``block`` consecutive
    ``shuffle_do`` calls, until ``steps`` model steps are timed.

    Returns the seconds of each model step, the seconds per ``shuffle_do`` call of the
    block after that step's block (one entry per step), and the mean number of open
    problems per step.
    """  # noqa: D205
    agents = bare.agents
    model_t, shuffle_t = [], []
    open_problems = 0
    clock = time.perf_counter
    done = 0
    while done < steps:
        size = min(block, steps - done)
        for _ in range(size):
            t0 = clock()
            model.step()
            model_t.append(clock() - t0)
            open_problems += len(model.problems)
        t1 = clock()
        for _ in range(block):
            agents.shuffle_do("step")
        shuffle_t.extend([(clock() - t1) / block] * size)
        done += size
    return model_t, shuffle_t, open_problems / steps


def exponent(n1: float, t1: float, n2: float, t2: float) -> float:
    if t1 <= 0 or t2 <= 0:
        return math.nan
    return math.log(t2 / t1) / math.log(n2 / n1)


def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares intercept and slope of ``ys`` on ``xs``."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my - slope * mx, slope


def code_state() -> str:
    """HEAD and uncommitted files under sim/ (read-only git calls), if git is there."""
    import subprocess

    def git(*a: str) -> str:
        return subprocess.run(
            ["git", "--no-optional-locks", *a],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        status = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain", "--", "sim"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        dirty = [line[3:] for line in status.splitlines() if line.strip()]
    except (OSError, subprocess.SubprocessError):
        return "code: (git not available)"
    return f"code: HEAD {head}" + (f" + uncommitted changes in {', '.join(dirty)}" if dirty else "")


# --- part 1: the ratio ------------------------------------------------------------------
def measure_ratio(args: argparse.Namespace) -> dict[tuple[str, int], dict[str, float]]:
    """Model step vs ``shuffle_do``, alternating in blocks or step by step (``--interleave``).

    For each (regime, n, seed) the same seeded run is repeated ``--repeats`` times; the
    time of step ``i`` is the median of its repeats (the work is identical, so the
    median drops noise), and the model's time per step is the mean over steps, then
    over seeds. ``shuffle_do``'s time is the median over every block interleaved with
    that regime's steps at that size.

    The ratio is taken step by step against the ``shuffle_do`` block timed next to the
    step (each step's time over that block's time per call: the median over repeats,
    the mean over steps, then over seeds), so that a change of the machine's speed
    during a row (this virtual machine's host moves ``shuffle_do`` between about 110
    and 210 us at 200 agents from one minute to the next) scales both sides of each
    ratio alike instead of mixing the two speeds in the model's mean and not in
    ``shuffle_do``'s median.
    """
    out: dict[tuple[str, int], dict[str, float]] = {}
    for n in args.sizes:
        bare = bare_model(n)
        time_shuffle(bare, 20)  # warm
        one = time_shuffle(bare, 50)
        calls = max(1, round(args.shuffle_block / one))
        for regime in args.regimes:
            per_seed, ratio_seed, shuffle_s, problems = [], [], [], []
            for seed in args.seeds:
                reps, ratios = [], []
                for _ in range(args.repeats):
                    model = make_model(regime, n, seed, args.issue)
                    model.run(args.warmup)
                    gc.collect()
                    if args.interleave == "block":
                        model_t, shuffle_t, n_open = time_blocks(
                            model, bare, args.steps, args.block
                        )
                    else:
                        model_t, shuffle_t, n_open = time_interleaved(
                            model, bare, args.steps, calls
                        )
                    reps.append(model_t)
                    ratios.append([a / b for a, b in zip(model_t, shuffle_t, strict=True)])
                    shuffle_s.extend(shuffle_t)
                    del model
                per_step = [statistics.median(ts) for ts in zip(*reps, strict=True)]
                per_seed.append(statistics.fmean(per_step))
                ratio_seed.append(
                    statistics.fmean(statistics.median(rs) for rs in zip(*ratios, strict=True))
                )
                problems.append(n_open)
            step = statistics.fmean(per_seed)
            q1, q2, q3 = statistics.quantiles(shuffle_s, n=4)
            out[regime, n] = {
                "ms": step * 1e3,
                "us_shuffle": q2 * 1e6,
                "ratio": statistics.fmean(ratio_seed),
                "problems": statistics.fmean(problems),
                "shuffle_iqr": (q3 - q1) / q2,
            }
        del bare
    return out


def interleaving(args: argparse.Namespace) -> str:
    """How the model's steps and ``shuffle_do`` alternated (for the table's title)."""
    if args.interleave == "block":
        return f"alternating blocks of {args.block} model steps and {args.block} shuffle_do calls"
    return f"one {args.shuffle_block * 1e3:g} ms block of shuffle_do after every model step"


def print_ratio(args: argparse.Namespace, res: dict[tuple[str, int], dict[str, float]]) -> None:
    print(
        f"\n== Step cost vs Mesa shuffle_do (issue={args.issue}, warm-up {args.warmup}, "
        f"{args.steps} timed steps, per-step median of {args.repeats} repeats, "
        f"mean over seeds {list(args.seeds)}; {interleaving(args)}) =="
    )
    head = (
        f"{'regime':<10} {'n':>6} {'open':>6} {'ms/step':>9} {'us/shuffle':>11} "
        f"{'ratio':>7} {'target':>7} {'met':>4} {'noise':>6}"
    )
    print(head)
    print("-" * len(head))
    for regime in [*args.regimes, "mean"]:
        for n in args.sizes:
            if regime == "mean":
                rows = [res[r, n] for r in args.regimes]
                ms = statistics.fmean(r["ms"] for r in rows)
                us = statistics.median(r["us_shuffle"] for r in rows)
                ratio = statistics.fmean(r["ratio"] for r in rows)
                open_p = statistics.fmean(r["problems"] for r in rows)
                noise = max(r["shuffle_iqr"] for r in rows)
            else:
                r = res[regime, n]
                ms, us, ratio, open_p = r["ms"], r["us_shuffle"], r["ratio"], r["problems"]
                noise = r["shuffle_iqr"]
            target = TARGETS.get(n)
            met = "-" if target is None else ("yes" if ratio <= target else "NO")
            tgt = "-" if target is None else f"<={target:g}"
            print(
                f"{regime:<10} {n:>6} {open_p:>6.1f} {ms:>9.3f} {us:>11.1f} "
                f"{ratio:>7.2f} {tgt:>7} {met:>4} {noise:>6.0%}"
            )
        print()
    print(
        "ratio = each model step's time / the time per shuffle_do call of the block timed next"
        " to it\n(same process; median over repeats, mean over steps and seeds); ms/step and"
        " us/shuffle are the\nmean step and the median shuffle_do over the whole row;"
    )
    print(
        "'mean' rows: mean of the regimes' ms and ratios (noise: the largest); open = mean "
        "open problems per step;\nnoise = interquartile range / median of the shuffle_do "
        "blocks (machine noise during the row)."
    )

    print("\n== Growth of the model's step time: log(t2/t1) / log(n2/n1) (1 = linear) ==")
    sizes = args.sizes
    pairs = list(zip(sizes, sizes[1:], strict=False))
    if len(sizes) > 2:
        pairs.append((sizes[0], sizes[-1]))
    print(f"{'regime':<10} " + " ".join(f"{f'{a}->{b}':>11}" for a, b in pairs))

    def ms(r: str, n: int) -> float:
        if r == "mean":
            return statistics.fmean(res[x, n]["ms"] for x in args.regimes)
        return res[r, n]["ms"]

    for regime in [*args.regimes, "mean"]:
        cells = [exponent(a, ms(regime, a), b, ms(regime, b)) for a, b in pairs]
        print(f"{regime:<10} " + " ".join(f"{c:>11.2f}" for c in cells))
    shuffle_cells = [
        exponent(
            a,
            statistics.median(res[r, a]["us_shuffle"] for r in args.regimes),
            b,
            statistics.median(res[r, b]["us_shuffle"] for r in args.regimes),
        )
        for a, b in pairs
    ]
    print(f"{'shuffle_do':<10} " + " ".join(f"{c:>11.2f}" for c in shuffle_cells))

    if len(sizes) >= 2:
        print(
            "\n== Least-squares fit t(n) = fixed + per_state * n over the sizes "
            "(asymptotic ratio = model per_state / shuffle_do per_state) =="
        )
        print(f"{'regime':<10} {'fixed ms':>9} {'us/state':>9} {'asym. ratio':>12}")
        xs = [float(n) for n in sizes]
        shuffle_ms = [
            statistics.median(res[r, n]["us_shuffle"] for r in args.regimes) / 1e3 for n in sizes
        ]
        s_fixed, s_slope = linear_fit(xs, shuffle_ms)
        for regime in [*args.regimes, "mean"]:
            ys = [ms(regime, n) for n in sizes]
            fixed, slope = linear_fit(xs, ys)
            print(f"{regime:<10} {fixed:>9.3f} {slope * 1e3:>9.3f} {slope / s_slope:>12.2f}")
        print(f"{'shuffle_do':<10} {s_fixed:>9.3f} {s_slope * 1e3:>9.3f} {'1.00':>12}")


# --- part 2: where the time goes -------------------------------------------------------
class Timers:
    """Inclusive time per calling context (path of wrapped names from the step down)."""

    def __init__(self) -> None:
        self.time: dict[tuple[str, ...], float] = defaultdict(float)
        self.calls: dict[tuple[str, ...], int] = defaultdict(int)
        self.path: list[str] = []
        self.enabled = False
        #: (where, name) of targets that were not found and so not wrapped
        self.missing: set[tuple[str, str]] = set()
        #: instance targets found on at least one model
        self.found: set[tuple[str, str]] = set()

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*a: Any, **k: Any) -> Any:
            if not self.enabled:
                return fn(*a, **k)
            self.path.append(name)
            key = tuple(self.path)
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                self.time[key] += time.perf_counter() - t0
                self.calls[key] += 1
                self.path.pop()

        timed.__wrapped__ = fn  # type: ignore[attr-defined]
        return timed


#: Module-level functions wrapped while profiling, as (module where the caller looks the
#: name up, name). A name that a module no longer has (the code moves on) is skipped and
#: listed under the component table, so that the list can be kept up to date.
MODULE_TARGETS = (
    ("sim.model", "compute"),
    ("sim.model", "implement"),
    ("sim.implementation", "_agreements"),
    ("sim.implementation", "_terms"),
    ("sim.implementation", "_forums"),
    ("sim.implementation", "_in_force"),
    ("sim.implementation", "_open"),
    ("sim.implementation", "_alive"),
    ("sim.implementation", "_voices"),
    ("sim.implementation", "agreements_step"),
    ("sim.implementation", "settle"),
    ("sim.implementation", "shadow_harm"),
    ("sim.implementation", "forums_step"),
    ("sim.regimes.base", "take_positions"),
    ("sim.regimes.charter", "take_positions"),
    ("sim.regimes.coalition", "take_positions"),
    ("sim.regimes.coalition", "settle"),
    ("sim.regimes.base", "supermajority"),
    ("sim.regimes.base", "council"),
    ("sim.regimes.charter", "council"),
    ("sim.regimes.base", "consensus"),
    ("sim.positions", "prepare_stance"),
    ("sim.positions", "choose_proposer"),
    ("sim.metrics", "forum_modularity"),
)

#: Methods wrapped on the instances: (attribute path from the model, method names).
#: Methods a regime does not have (e.g. ``invitees`` outside the coalition) are skipped;
#: a name no regime has is listed under the component table.
INSTANCE_TARGETS = (
    ("", ("_seat_load", "_attempt", "_retire")),
    ("stream", ("arrivals",)),
    ("datacollector", ("collect",)),
    ("regime", ("before_step", "convene", "decide", "voice", "invitees", "mandate")),
    ("regime", ("_refresh_council_voice",)),
    ("trust", ("revert",)),
    ("rivals", ("step", "divert_rows", "_make_table")),
)


def instrument(model: MultilatModel, timers: Timers) -> None:
    """Wrap the model's, regime's, trust's and rivals' methods on the instances."""
    model._user_step = timers.wrap("step", model._user_step)  # what Mesa's step calls
    for path, names in INSTANCE_TARGETS:
        obj = getattr(model, path) if path else model
        prefix = f"{path}." if path else ""
        for name in names:
            if callable(getattr(obj, name, None)):
                setattr(obj, name, timers.wrap(prefix + name, getattr(obj, name)))
                timers.found.add((path or "model", name))
            else:
                timers.missing.add((path or "model", name))


class patched_modules:
    """Context manager: wrap the module-level functions of :data:`MODULE_TARGETS`."""

    def __init__(self, timers: Timers) -> None:
        self.timers = timers
        self.saved: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> patched_modules:
        for mod_name, attr in MODULE_TARGETS:
            try:
                mod = importlib.import_module(mod_name)
            except ImportError:
                self.timers.missing.add((mod_name, attr))
                continue
            fn = getattr(mod, attr, None)
            if not callable(fn):
                self.timers.missing.add((mod_name, attr))
                continue
            label = f"{getattr(fn, '__module__', mod_name).removeprefix('sim.')}.{attr}"
            self.saved.append((mod, attr, fn))
            setattr(mod, attr, self.timers.wrap(label, fn))
        return self

    def __exit__(self, *exc: object) -> None:
        for mod, attr, fn in reversed(self.saved):
            setattr(mod, attr, fn)


def profile_components(
    args: argparse.Namespace,
) -> tuple[dict[int, dict[str, Any]], pstats.Stats | None]:
    """Instrumented runs of every regime at every size (summed over regimes)."""
    by_size: dict[int, dict[str, Any]] = {}
    stats = None
    for n in args.sizes:
        timers = Timers()
        total_steps = 0
        wall = 0.0
        with patched_modules(timers):
            for regime in args.regimes:
                model = make_model(regime, n, args.seeds[0], args.issue)
                instrument(model, timers)
                model.run(args.warmup)
                timers.enabled = True
                t0 = time.perf_counter()
                model.run(args.steps)
                wall += time.perf_counter() - t0
                timers.enabled = False
                total_steps += args.steps
        by_size[n] = {"timers": timers, "steps": total_steps, "wall": wall}
    if args.cprofile_top and args.profile_size in args.sizes:
        prof = cProfile.Profile()
        for regime in args.regimes:
            model = make_model(regime, args.profile_size, args.seeds[0], args.issue)
            model.run(args.warmup)
            prof.enable()
            model.run(args.steps)
            prof.disable()
        stats = pstats.Stats(prof)
    return by_size, stats


def print_components(
    args: argparse.Namespace, by_size: dict[int, dict[str, Any]], stats: pstats.Stats | None
) -> None:
    n = args.profile_size
    if n not in by_size:
        print(f"\n(profile size {n} is not among --sizes; no component table)")
        return
    rec = by_size[n]
    timers: Timers = rec["timers"]
    steps = rec["steps"]
    step_key = ("step",)
    step_total = timers.time[step_key]
    print(
        f"\n== Where the time goes at n={n}: instrumented run, {args.steps} steps after a "
        f"{args.warmup}-step warm-up, summed over {', '.join(args.regimes)} =="
    )
    print(
        f"MultilatModel.step body: {step_total / steps * 1e3:.3f} ms/step instrumented; "
        f"model.step() incl. Mesa's event wrapper: {rec['wall'] / steps * 1e3:.3f} ms/step "
        "(timer overhead included)."
    )
    print(f"{'component (calling context)':<58} {'ms/step':>8} {'share':>7} {'calls/step':>10}")
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for key in timers.time:
        if len(key) > 1:
            children[key[:-1]].append(key)

    def show(key: tuple[str, ...], depth: int) -> None:
        t = timers.time[key]
        label = "  " * depth + key[-1]
        print(
            f"{label:<58} {t / steps * 1e3:>8.3f} {t / step_total:>7.1%} "
            f"{timers.calls[key] / steps:>10.2f}"
        )
        kids = sorted(children.get(key, []), key=lambda k: -timers.time[k])
        for k in kids:
            show(k, depth + 1)
        if kids:
            rest = t - sum(timers.time[k] for k in kids)
            print(
                f"{'  ' * (depth + 1) + '(own code)':<58} {rest / steps * 1e3:>8.3f} "
                f"{rest / step_total:>7.1%}"
            )

    show(step_key, 0)
    mesa_wrap = rec["wall"] - step_total
    print(
        f"{'Mesa step wrapper (event list) + timer overhead':<58} "
        f"{mesa_wrap / steps * 1e3:>8.3f} {mesa_wrap / step_total:>7.1%}"
    )
    missing = sorted(timers.missing - timers.found)
    if missing:
        names = ", ".join(f"{where}.{name}" for where, name in missing)
        print(f"Not instrumented (no such function or method here): {names}")

    # totals by function, over all calling contexts
    def total(name: str) -> float:
        return sum(t for k, t in timers.time.items() if k[-1] == name and name not in k[:-1])

    trust_names = tuple(sorted({k[-1] for k in timers.time if k[-1].startswith("trust.")}))
    trust_t = sum(total(x) for x in trust_names)
    print(
        f"\nTrust, all calls together ({', '.join(trust_names)}): "
        f"{trust_t / steps * 1e3:.3f} ms/step = {trust_t / step_total:.1%} of the step"
    )

    # per-call cost of every function at every size, and its growth exponent
    names = sorted({k[-1] for s in by_size.values() for k in s["timers"].time})
    sizes = sorted(by_size)
    print(
        "\n== Per-call cost by size (us per call, all contexts; exponent between the two "
        "largest sizes: 1 = linear in n, 2 = quadratic) =="
    )
    print(f"{'function':<46} " + " ".join(f"{f'n={s}':>10}" for s in sizes) + f" {'exp':>6}")
    for name in names:
        per_call = []
        for s in sizes:
            tm: Timers = by_size[s]["timers"]
            t = sum(v for k, v in tm.time.items() if k[-1] == name and name not in k[:-1])
            c = sum(v for k, v in tm.calls.items() if k[-1] == name and name not in k[:-1])
            per_call.append(t / c * 1e6 if c else math.nan)
        e = (
            exponent(sizes[-2], per_call[-2], sizes[-1], per_call[-1])
            if len(sizes) > 1
            else math.nan
        )
        cells = " ".join(f"{v:>10.1f}" if not math.isnan(v) else f"{'-':>10}" for v in per_call)
        print(f"{name:<46} {cells} " + (f"{e:>6.2f}" if not math.isnan(e) else f"{'-':>6}"))

    if stats is not None:
        print(
            f"\n== cProfile at n={n}, same steps, top {args.cprofile_top} by own time "
            "(cProfile inflates per-call overhead) =="
        )
        stats.sort_stats("tottime")
        width = max(1, args.cprofile_top)
        rows = []
        for func, (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
            rows.append((tt, ct, nc, func))
        rows.sort(reverse=True)
        total_tt = sum(r[0] for r in rows)
        print(f"{'own s':>7} {'own %':>6} {'cum s':>7} {'calls':>7}  function")
        for tt, ct, nc, (file, line, fname) in rows[:width]:
            where = file.replace(str(ROOT) + "/", "")
            if "site-packages/" in where:
                where = where.split("site-packages/")[1]
            print(f"{tt:>7.3f} {tt / total_tt:>6.1%} {ct:>7.3f} {nc:>7}  {where}:{line}({fname})")


# --- part 3: the pairwise-looking terms --------------------------------------------------
def best_time(fn: Callable[[], Any], min_total: float = 0.05, rounds: int = 5) -> float:
    """Seconds per call: best of ``rounds`` blocks, each at least ``min_total`` long."""
    fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-7)
    calls = max(1, int(min_total / one))
    best = math.inf
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


def agreements_call(tr: Trust, sets: int, rng: np.random.Generator):
    """A call of :func:`sim.kernels.agreements_step` on ``sets`` random sets of half the
    states (every other state an outsider who follows), with its draws made once.
    """  # noqa: D205
    n = len(tr.reputation)
    status = np.where(rng.uniform(size=(sets, n)) < 0.5, 1, 0).astype(np.int8)
    entries = int((status == 1).sum())
    numbers = np.vstack([rng.uniform(0.2, 1.0, (4, sets)), np.ones((1, sets))])
    args = {
        "status": status,
        "base": rng.uniform(0.3, 0.7, entries),
        "group": tr.group,
        "affinity": tr.affinity,
        "reputation": tr.reputation,
        "affinity_weight": tr.affinity_weight,
        "agreement": numbers,
        "legitimacy": np.full((1, n), 0.5),
        "legitimacy_rows": np.zeros(sets, dtype=np.int64),
        "efficiency": np.ones(n),
        "relevance": np.full((sets, n), 1.0 / n),
        "problem_rows": np.arange(sets, dtype=np.int64),
        "noise": rng.normal(0.0, 0.1, entries),
        "keep_draws": rng.uniform(size=entries),
        "slip_draws": rng.uniform(size=sets),
        "w_trust": 0.3,
        "eta": tr.learning,
        "kept_sum": np.zeros(n),
        "kept_count": np.zeros(n),
    }
    return lambda: kernels.agreements_step(**args)


def pairwise_terms(args: argparse.Namespace) -> None:
    sizes = sorted(set(args.pair_sizes))
    rng = np.random.default_rng(0)
    sets_rows = args.sets_rows
    print(
        "\n== Trust (sim/trust.py) vs a dense state x state matrix, all states as members; "
        f"agreements_step: compliance and reciprocity over {sets_rows} random sets of "
        "signatories (sim/kernels.py) (us per call) =="
    )
    cols = ["toward", "among", "revert", "agreements_step", "dense revert"]
    print(f"{'n':>7} {'trust bytes':>12} " + " ".join(f"{c:>16}" for c in cols))
    trust_rows = []
    for n in sizes:
        tr = Trust(rng.uniform(-1, 1, n), rng.uniform(0, 1, n), 0.3)
        everyone = np.arange(n)
        # every array the Trust object holds (a dense state x state matrix would be 8 n^2)
        table_bytes = sum(v.nbytes for v in vars(tr).values() if isinstance(v, np.ndarray))
        calls = {
            "toward": lambda tr=tr, e=everyone: tr.toward(e, e),
            "among": lambda tr=tr, e=everyone: tr.among(e),
            "revert": tr.revert,
            "agreements_step": agreements_call(tr, sets_rows, rng),
        }
        row = [best_time(calls[c]) for c in cols if c != "dense revert"]
        if n <= args.dense_max:
            dense = np.full((n, n), 0.5)
            dense_seed = np.full((n, n), 0.5)

            def dense_revert(d: np.ndarray = dense, s: np.ndarray = dense_seed) -> None:
                d += 0.05 * (s - d)

            row.append(best_time(dense_revert, rounds=3))
            del dense, dense_seed
        else:
            row.append(math.nan)
        trust_rows.append(row)
        cells = " ".join(f"{v * 1e6:>16.1f}" if not math.isnan(v) else f"{'-':>16}" for v in row)
        print(f"{n:>7} {table_bytes:>12} {cells}")
    if len(sizes) > 1:
        exps = []
        for j in range(len(cols)):
            have = [(n, row[j]) for n, row in zip(sizes, trust_rows, strict=True)]
            have = [(n, v) for n, v in have if not math.isnan(v)]
            exps.append(
                exponent(have[0][0], have[0][1], have[-1][0], have[-1][1])
                if len(have) > 1
                else math.nan
            )
        print(
            f"{'exponent (first->last)':>20} "
            + " ".join(f"{e:>16.2f}" if not math.isnan(e) else f"{'-':>16}" for e in exps)
        )

    print(
        "\n== Coalition mandate search (Coalition.mandate): invited = round(invite_share x n), "
        "all willing (us per call) =="
    )
    rules = sim.regimes.coalition.CoalitionRules()
    coal = sim.regimes.coalition.Coalition.__new__(sim.regimes.coalition.Coalition)
    coal.rules = rules
    prev = None
    for n in sizes:
        k = max(1, round(rules.invite_share * n))

        class _P:
            relevance = np.full(n, 1.0 / n)

        invited = np.arange(k)
        willing = np.ones(k, dtype=bool)
        ambition = rng.uniform(0, 1, k)
        t = best_time(lambda i=invited, w=willing, a=ambition, p=_P: coal.mandate(p, i, w, a, 0.9))
        e = f"{exponent(prev[0], prev[1], n, t):.2f}" if prev else "-"
        print(f"n={n:>6} invited={k:>6}  {t * 1e6:>10.1f} us   exponent from previous: {e}")
        prev = (n, t)


# --- main --------------------------------------------------------------------------------
def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--sizes", type=int, nargs="+", default=[50, 200, 2000], help="numbers of states"
    )
    p.add_argument(
        "--regimes",
        nargs="+",
        default=list(REGIMES),
        choices=list(REGIMES),
        help="regimes to time (default: all)",
    )
    p.add_argument("--issue", default="mixed", choices=ISSUES, help="issue (default: mixed)")
    p.add_argument(
        "--seeds", type=int, nargs="+", default=[0, 1, 2], help="scenario seeds (workloads)"
    )
    p.add_argument("--repeats", type=int, default=3, help="timed repeats per seed (median)")
    p.add_argument("--warmup", type=int, default=20, help="untimed steps before timing")
    p.add_argument("--steps", type=int, default=50, help="timed steps per repeat")
    p.add_argument(
        "--interleave",
        choices=["block", "step"],
        default="block",
        help="block: alternate --block model steps and --block shuffle_do calls (default); "
        "step: a --shuffle-block of shuffle_do after every model step (before 29 Nov 2026)",
    )
    p.add_argument(
        "--block", type=int, default=10, help="steps and calls per block (--interleave block)"
    )
    p.add_argument(
        "--shuffle-block",
        type=float,
        default=0.001,
        help="seconds of shuffle_do calls timed after each model step (--interleave step)",
    )
    p.add_argument(
        "--profile-size", type=int, default=2000, help="n of the component shares and cProfile"
    )
    p.add_argument("--cprofile-top", type=int, default=15, help="0 to skip cProfile")
    p.add_argument("--no-profile", action="store_true", help="skip parts 3-5")
    p.add_argument(
        "--blas-threads",
        default=None,
        help="set OPENBLAS/OMP/MKL_NUM_THREADS before numpy loads (default: leave as is)",
    )
    p.add_argument(
        "--pair-sizes",
        type=int,
        nargs="+",
        default=[200, 2000, 8000],
        help="sizes of the trust and mandate micro-benchmarks",
    )
    p.add_argument(
        "--sets-rows", type=int, default=12, help="sets (problems) in the *_sets micro-benchmark"
    )
    p.add_argument(
        "--dense-max", type=int, default=4000, help="largest n for the dense-matrix comparison"
    )
    args = p.parse_args(argv)
    if args.block < 1:
        p.error(f"--block must be at least 1, got {args.block}")
    args.sizes = sorted(set(args.sizes))
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    t_start = time.perf_counter()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, mesa {mesa.__version__}, "
        f"{platform.machine()}, cpus={os.cpu_count()}"
    )
    print(code_state())
    blas = {v: os.environ.get(v, "unset") for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    print("BLAS threads: " + ", ".join(f"{k}={v}" for k, v in blas.items()))
    load0 = os.getloadavg()
    res = measure_ratio(args)
    load1 = os.getloadavg()
    print(
        f"\n(load average 1/5/15 min before the ratio runs: {load0[0]:.2f}/{load0[1]:.2f}/"
        f"{load0[2]:.2f}, after: {load1[0]:.2f}/{load1[1]:.2f}/{load1[2]:.2f}; "
        f"{os.cpu_count()} cpus)"
    )
    print_ratio(args, res)
    if not args.no_profile:
        by_size, stats = profile_components(args)
        print_components(args, by_size, stats)
        pairwise_terms(args)
    print(f"\n(total benchmark time {time.perf_counter() - t_start:.1f} s)")


if __name__ == "__main__":
    main()
