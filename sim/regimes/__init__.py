"""The registry of regimes: one module each, found by name.

Adding a regime takes one new module with a :class:`~sim.regimes.base.Regime` subclass,
one line in :data:`REGIMES` (or :func:`register` at run time, e.g. in a notebook) and one
test file; the CLI choices and the contract tests read this registry.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from sim.regimes.base import Regime, Rules
from sim.regimes.charter import Charter
from sim.regimes.club import Club
from sim.regimes.coalition import Coalition
from sim.regimes.concert import Concert

#: Regimes by name, in the paper's order.
REGIMES: dict[str, type[Regime]] = {
    Charter.name: Charter,
    Club.name: Club,
    Concert.name: Concert,
    Coalition.name: Coalition,
}


#: The regimes every process has from its import (a worker process too): the names above.
BUILT_IN: tuple[str, ...] = tuple(REGIMES)


def get_regime(name: str) -> type[Regime]:
    """The regime class registered as ``name``; ValueError naming the allowed ones."""
    try:
        return REGIMES[name]
    except KeyError:
        raise ValueError(f"regime={name!r} is unknown; allowed: {', '.join(REGIMES)}") from None


def register(cls: type[Regime]) -> type[Regime]:
    """Add a regime class to the registry (usable as a class decorator).

    Registering a name again replaces the class (re-running a notebook cell); replacing
    one of the regimes of :data:`BUILT_IN` warns, since every later run of that name in
    this process, including the paper's comparisons, then uses the new class.
    """
    if not (isinstance(cls, type) and issubclass(cls, Regime)):
        raise TypeError(f"{cls!r} is not a Regime subclass")
    old = REGIMES.get(cls.name)
    if cls.name in BUILT_IN and old is not cls:
        warnings.warn(
            f"regime {cls.name!r} now means {cls.__qualname__}, not the built-in "
            f"{old.__module__}.{old.__qualname__}; give the new regime its own name",
            stacklevel=2,
        )
    REGIMES[cls.name] = cls
    return cls


def registered_at_run_time(names: Iterable[str]) -> list[str]:
    """The ``names`` registered in this process (:func:`register`), not at import: worker
    processes (a sweep's pool, a Dask cluster) start from a fresh import without them.
    """  # noqa: D205
    return [n for n in dict.fromkeys(names) if n in REGIMES and n not in BUILT_IN]


__all__ = [
    "BUILT_IN",
    "REGIMES",
    "Regime",
    "Rules",
    "get_regime",
    "register",
    "registered_at_run_time",
]
