"""The registry of regimes: one module each, found by name.

Adding a regime takes one new module with a :class:`~sim.regimes.base.Regime` subclass,
one line in :data:`REGIMES` (or :func:`register` at run time, e.g. in a notebook) and one
test file; the CLI choices and the contract tests read this registry.
"""

from __future__ import annotations

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


def get_regime(name: str) -> type[Regime]:
    """The regime class registered as ``name``; ValueError naming the allowed ones."""
    try:
        return REGIMES[name]
    except KeyError:
        raise ValueError(f"regime={name!r} is unknown; allowed: {', '.join(REGIMES)}") from None


def register(cls: type[Regime]) -> type[Regime]:
    """Add a regime class to the registry (usable as a class decorator)."""
    if not (isinstance(cls, type) and issubclass(cls, Regime)):
        raise TypeError(f"{cls!r} is not a Regime subclass")
    REGIMES[cls.name] = cls
    return cls


__all__ = ["REGIMES", "Regime", "Rules", "get_regime", "register"]
