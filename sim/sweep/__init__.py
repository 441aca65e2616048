"""Parameter sweeps: ``multilat sweep SPEC.toml`` and :func:`run` from Python.

A spec is a scenario TOML file with a ``[sweep]`` table (:mod:`sim.sweep.spec`); its
design (:mod:`sim.sweep.design`) gives the points, each run gets its seed from its key
(:mod:`sim.sweep.seeds`), workers execute runs (:mod:`sim.sweep.worker`,
:mod:`sim.sweep.executors`), and the runner (:mod:`sim.sweep.runner`) records them in a
results folder (:mod:`sim.sweep.store`) that :func:`sim.results.load` reads.
"""

from sim.sweep.executors import ExecutorError, WorkersFailed
from sim.sweep.runner import SweepError, run
from sim.sweep.spec import SpecError, SweepSpec, load_spec, parse_spec

__all__ = [
    "ExecutorError",
    "SpecError",
    "SweepError",
    "WorkersFailed",
    "SweepSpec",
    "load_spec",
    "parse_spec",
    "run",
]
