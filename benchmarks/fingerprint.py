"""Digest of everything a set of runs computes, step by step: for speed changes that must
not change results.

A speed change of the model should leave every run bit-identical. The golden test
(``tests/test_golden.py``) pins run-level summaries of the baseline; this script is the
stricter check to run before and after such a change. For each run of a fixed grid (the
four regimes on synthetic worlds of 15 to 2,000 states, every issue and the mixed
stream, rivalry 0 to 1, the real world, the two theory scenarios and a scripted
episode; some without votes kept, as sweeps run) it hashes, after every step, the
step's metrics, the votes cast, the trust table, seats, every forum's arrays (members,
legitimacy, ties, voice, effort), every problem's state (provision, progress, attempts,
deadlocks, agreement) and the state of both random generators; then the run's
``metrics_frame()``, ``votes_frame()`` and ``summary()``.

Run from the repository root::

    python benchmarks/fingerprint.py --save /tmp/before.json     # on the old code
    python benchmarks/fingerprint.py --check /tmp/before.json    # on the new code

``--check`` prints the runs whose digest differs (and the first step where it does)
and exits 1 if any does. No timing, no assertions on numbers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from sim.model import MultilatModel
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
REGIMES = ("charter", "club", "concert", "coalition")


def grid() -> list[tuple[str, dict[str, Any]]]:
    """(name, scenario keys) of every run: a scenario file under ``file`` or keywords."""
    runs: list[tuple[str, dict[str, Any]]] = []
    worlds = [
        (15, "mixed", 0.5, 80),
        (40, "mixed", 0.0, 120),
        (60, "climate", 0.9, 80),
        (80, "pandemic", 0.3, 80),
        (100, "proliferation", 0.6, 80),
        (120, "security_crisis", 0.8, 80),
        (150, "financial_crisis", 0.2, 80),
        (200, "cyber_norms", 1.0, 80),
        (200, "mixed", 0.5, 100),
        (2000, "mixed", 0.4, 40),
    ]
    for regime in REGIMES:
        for k, (n, issue, rivalry, steps) in enumerate(worlds):
            runs.append(
                (
                    f"{regime}/{n}/{issue}/{rivalry}",
                    {
                        "regime": regime,
                        "issue": issue,
                        "rivalry": rivalry,
                        "steps": steps,
                        "seed": 100 + k,
                        "world.n_states": n,
                    },
                )
            )
        runs.append((f"{regime}/real", {"regime": regime, "world.kind": "real", "steps": 60}))
        # as sweeps run: no votes kept (a path of its own where a vote count is skipped)
        for n, seed in ((40, 7), (200, 8)):
            runs.append(
                (
                    f"{regime}/{n}/mixed/0.7/no-votes",
                    {
                        "regime": regime,
                        "rivalry": 0.7,
                        "steps": 80,
                        "seed": seed,
                        "world.n_states": n,
                        "record_votes": False,
                    },
                )
            )
    for name in ("theory_cs", "theory_barrett", "ukraine_2022", "climate_2022_linkage"):
        runs.append((name, {"file": f"scenarios/{name}.toml"}))
    return runs


def _update(h: Any, value: Any) -> None:
    if isinstance(value, np.ndarray):
        h.update(str(value.dtype).encode() + str(value.shape).encode())
        h.update(np.ascontiguousarray(value).tobytes())
    else:
        h.update(repr(value).encode())


def step_state(model: MultilatModel) -> list[Any]:
    """Everything the model holds after a step that a later step or a metric reads."""
    out: list[Any] = [
        model.t,
        model.step_metrics,
        model.trust.affinity,
        model.trust.reputation,
        model.seats,
        model.rng.bit_generator.state,
        model.stream.rng.bit_generator.state,
        dict(model.counters),
    ]
    for f in model.forums:
        out += [f.id, f.name, f.kind, f.active, f.members, f.legitimacy, f.ties, f.voice, f.effort]
    for p in model.problems:
        out += [p.id, p.provision, p.progress, p.unaddressed, p.attempts, p.deadlocks, p.resolved]
        a = p.agreement
        if a is not None:
            out += [a.forum.id, a.ambition, a.signatories, a.voice, a.opposed, a.step]
    return out


def digest(keys: dict[str, Any]) -> tuple[str, list[str]]:
    """The run's overall digest and one digest per step."""
    keys = dict(keys)
    path = keys.pop("file", None)
    if path is not None:
        scenario = load_scenario(ROOT / path)
        model = MultilatModel(scenario, record_votes=True)
    else:
        record_votes = keys.pop("record_votes", True)
        model = MultilatModel(record_votes=record_votes, **keys)
    steps = []
    for _ in range(model.spec.steps):
        model.step()
        h = hashlib.sha256()
        for value in step_state(model):
            _update(h, value)
        steps.append(h.hexdigest()[:16])
    h = hashlib.sha256("".join(steps).encode())
    frame = model.metrics_frame()
    h.update(frame.to_csv(float_format="%r").encode() + str(frame.dtypes.to_dict()).encode())
    h.update(model.votes_frame().to_csv().encode())
    h.update(repr(sorted(model.summary().items())).encode())
    return h.hexdigest(), steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the digests to this file")
    group.add_argument("--check", type=Path, help="compare with digests saved before")
    parser.add_argument("--only", help="run only the runs whose name contains this")
    args = parser.parse_args()
    runs = [(n, k) for n, k in grid() if args.only is None or args.only in n]
    results = {}
    for name, keys in runs:
        overall, steps = digest(keys)
        results[name] = {"digest": overall, "steps": steps}
        print(f"{overall[:16]}  {name}", flush=True)
    if args.save:
        args.save.write_text(json.dumps(results, indent=1) + "\n")
        print(f"saved {len(results)} digests to {args.save}")
        return 0
    saved = json.loads(args.check.read_text())
    differ = []
    for name, got in results.items():
        want = saved.get(name)
        if want is None:
            print(f"not in {args.check}: {name}")
            continue
        if got["digest"] != want["digest"]:
            first = next(
                (
                    i
                    for i, (a, b) in enumerate(zip(got["steps"], want["steps"], strict=False))
                    if a != b
                ),
                min(len(got["steps"]), len(want["steps"])),
            )
            differ.append(name)
            print(f"DIFFERS: {name} (first at step {first})")
    print(f"{len(results) - len(differ)} of {len(results)} runs identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
