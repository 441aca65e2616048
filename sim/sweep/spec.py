"""Sweep specs: a scenario TOML file with a ``[sweep]`` table.

Every top-level key except ``sweep`` is the base scenario (same schema and checks as
``multilat run``). ``[sweep]`` holds the sweep's settings (:class:`SweepSettings`) and
its *factors*: any other key, dotted or in a sub-table, whose value is a list::

    [sweep]
    replicates = 20
    seed = 1
    regime = ["charter", "club", "concert", "coalition"]
    rivalry = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    "world.n_states" = [60, 193]

Under ``design = "factorial"`` each list holds levels and every combination is a point.
Under ``"lhs"`` and ``"sobol"`` a list of two numbers ``[low, high]`` is a range to
sample (integers if the key is an integer); any other list holds levels that are
crossed with the sample (e.g. every regime meets the same sample).

A bad key or value raises :class:`SpecError` (a :class:`~sim.scenario.ScenarioError`)
with one line naming the key, the value and what is allowed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.scenario import (
    Scenario,
    ScenarioError,
    build_scenario,
    format_validation_error,
    read_toml,
)


class SpecError(ScenarioError):
    """A sweep spec with a bad key or value; the message is one line for the user."""


#: Keys of ``[sweep]`` that are settings, not factors.
SETTINGS = ("replicates", "seed", "design", "samples", "second_order", "common_random_numbers")


class SweepSettings(BaseModel):
    """The settings in ``[sweep]``.

    Attributes
    ----------
    replicates : int
        Runs per point, each with its own seed.
    seed : int or None
        Root seed of the sweep; by default the base scenario's ``seed``.
    design : {"factorial", "lhs", "sobol"}
        How points are made from the factors.
    samples : int
        Points sampled by ``lhs``; base sample size N of ``sobol`` (a power of 2; the
        Saltelli design has N * (2D + 2) points, N * (D + 2) without second order).
    second_order : bool
        ``sobol`` only: make the design analysable for second-order indices too.
    common_random_numbers : bool
        Key each run's seed by its replicate only, so every point meets the same
        random numbers (paired comparisons between regimes).
    """

    model_config = ConfigDict(extra="forbid")
    replicates: Annotated[int, Field(ge=1, le=1_000_000, strict=True)] = 10
    seed: Annotated[int | None, Field(ge=0, lt=2**63, strict=True)] = None
    design: Literal["factorial", "lhs", "sobol"] = "factorial"
    samples: Annotated[int, Field(ge=1, le=1_000_000, strict=True)] = 64
    second_order: Annotated[bool, Field(strict=True)] = False
    common_random_numbers: Annotated[bool, Field(strict=True)] = False


@dataclass(frozen=True)
class Factor:
    """One varied scenario key: its levels, or a ``(low, high)`` range to sample."""

    key: str
    levels: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    integer: bool = False

    @property
    def is_range(self) -> bool:
        """Sampled over ``[low, high]`` rather than crossed level by level."""
        return self.low is not None


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec.

    Attributes
    ----------
    name : str
        The sweep's name (the base scenario's ``name``; by default the file's stem).
    base : dict
        The base scenario as given (without ``[sweep]``); every run starts from it.
    settings : SweepSettings
        The ``[sweep]`` settings.
    factors : tuple of Factor
        The varied keys, in the order the spec declares them.
    data : dict
        The whole spec as read (hashed into :attr:`hash`, kept in the manifest).
    """

    name: str
    base: dict[str, Any]
    settings: SweepSettings
    factors: tuple[Factor, ...]
    data: dict[str, Any] = field(repr=False)

    @property
    def root_seed(self) -> int:
        """The sweep's root seed."""
        if self.settings.seed is not None:
            return self.settings.seed
        return int(self.base.get("seed", 0))

    @cached_property
    def identity(self) -> dict[str, Any]:
        """What decides the sweep's runs, as plain data: the resolved base scenario (every
        default filled in; not its ``name``, nor its ``seed``, which the root seed
        replaces), the settings with the root seed, and each factor's levels (or range)
        in the declared order. Specs that differ only in spelling (``0`` or ``0.0`` for a
        float, a default written out, the name) have the same identity.
        """  # noqa: D205
        scenario = build_scenario(self.base).to_dict()
        for key in ("name", "seed"):
            scenario.pop(key, None)
        sweep: dict[str, Any] = {**self.settings.model_dump(), "seed": self.root_seed}
        sweep["factor_order"] = [f.key for f in self.factors]
        for f in self.factors:
            if f.is_range:
                kind = int if f.integer else float
                sweep[f.key] = [kind(f.low), kind(f.high)]
            else:
                sweep[f.key] = list(f.levels)
        return {"scenario": scenario, "sweep": sweep}

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON of :attr:`identity`: same runs, same hash."""
        text = json.dumps(self.identity, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def text_hash(self) -> str:
        """SHA-256 of the spec as written (the hash of manifests before ``identity``)."""
        text = json.dumps(self.data, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def scenario(self, params: dict[str, Any] | None = None) -> Scenario:
        """The base scenario with one point's ``params`` (dotted keys) applied."""
        return build_scenario(self.base, **(params or {}))


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{dotted}."))
        else:
            out[dotted] = value
    return out


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _default(resolved: dict[str, Any], key: str) -> Any:
    node: Any = resolved
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _factor(key: str, value: Any, design: str, resolved: dict[str, Any]) -> Factor:
    where = f"key 'sweep.{key}'"
    if not isinstance(value, list):
        guess = difflib.get_close_matches(key, SETTINGS, n=1)
        if guess:
            raise SpecError(
                f"{where}: bad value {value!r}: not a setting of [sweep] (did you mean "
                f"{guess[0]!r}?), and a factor needs a list of levels; settings allowed in "
                f"[sweep]: {', '.join(SETTINGS)}"
            )
        raise SpecError(
            f"{where}: bad value {value!r}: a factor needs a list of levels, "
            f"e.g. {key} = [{value!r}, ...]; settings allowed in [sweep]: {', '.join(SETTINGS)}"
        )
    if not value:
        raise SpecError(f"{where}: bad value []: a factor needs at least one level")
    if any(isinstance(v, dict | list) for v in value):
        raise SpecError(
            f"{where}: bad value {value!r}: levels must be numbers, strings or booleans"
        )
    if design != "factorial" and len(value) == 2 and all(_is_number(v) for v in value):
        low, high = value
        if not low < high:
            raise SpecError(f"{where}: bad value {value!r}: a range [low, high] needs low < high")
        # integers only where the key itself is an integer (rivalry = [0, 1] is a float)
        default = _default(resolved, key)
        integer = isinstance(default, int) and not isinstance(default, bool)
        return Factor(key, low=low, high=high, integer=integer)
    kinds = {type(v).__name__ for v in value}
    # numbers of a float key are floats (rivalry = [0, 1] as 0.0 and 1.0), in every row
    if kinds == {"int", "float"} or (
        kinds == {"int"} and isinstance(_default(resolved, key), float)
    ):
        value = [float(v) for v in value]
    elif len(kinds) > 1:
        raise SpecError(f"{where}: bad value {value!r}: levels of one key must share a type")
    if len(set(value)) != len(value):
        raise SpecError(f"{where}: bad value {value!r}: levels must be distinct")
    return Factor(key, levels=tuple(value))


def _check_factor(base: dict[str, Any], factor: Factor) -> None:
    """Every level (or both ends of the range) must be a valid value of its key."""
    values = factor.levels if not factor.is_range else (factor.low, factor.high)
    for v in values:
        try:
            build_scenario(base, **{factor.key: v})
        except ScenarioError as exc:
            raise SpecError(f"in [sweep]: {exc}") from None


def parse_spec(data: dict[str, Any], name: str | None = None) -> SweepSpec:
    """Validate spec data (a TOML document as a dict).

    Parameters
    ----------
    data : dict
        The base scenario's keys and a ``sweep`` table.
    name : str, optional
        The name if ``data`` has none (a file's stem).

    Raises
    ------
    SpecError
        One line naming the key, the bad value and what is allowed.
    """
    data = dict(data)
    if name is not None:
        data.setdefault("name", name)
    table = data.get("sweep")
    if table is None:
        raise SpecError("key 'sweep' is missing: a sweep spec needs a [sweep] table")
    if not isinstance(table, dict):
        raise SpecError(f"key 'sweep': bad value {table!r}: must be a table ([sweep])")
    base = {k: v for k, v in data.items() if k != "sweep"}
    # the base scenario on its own; errors as for `multilat run`
    try:
        resolved = build_scenario(base).to_dict()
    except ScenarioError as exc:
        raise SpecError(str(exc)) from None
    settings_data = {k: v for k, v in table.items() if k in SETTINGS}
    try:
        settings = SweepSettings.model_validate(settings_data)
    except ValidationError as exc:
        raise SpecError(format_validation_error(exc, ("sweep",))) from None
    design = settings.design
    if settings.second_order and design != "sobol":
        raise SpecError(
            f"key 'sweep.second_order': bad value True: only a sobol design has "
            f"second-order indices (design = {design!r})"
        )
    if "samples" in settings_data and design == "factorial":
        raise SpecError(
            f"key 'sweep.samples': bad value {settings.samples!r}: only an lhs or sobol "
            "design samples points (design = 'factorial' runs every combination)"
        )
    factors = tuple(
        _factor(k, v, design, resolved)
        for k, v in _flatten({k: v for k, v in table.items() if k not in SETTINGS}).items()
    )
    for f in factors:
        if f.key in ("seed", "name"):
            raise SpecError(
                f"key 'sweep.{f.key}': cannot be varied (runs get their seeds from the "
                "root seed; use replicates)"
            )
        _check_factor(base, f)
    if design == "sobol":
        n = settings.samples
        if n & (n - 1):
            raise SpecError(
                f"key 'sweep.samples': bad value {n}: a sobol design needs a power of 2"
            )
    if design != "factorial" and not any(f.is_range for f in factors):
        raise SpecError(
            f"key 'sweep.design': bad value {design!r}: needs at least one range "
            "[low, high] of numbers among the factors"
        )
    return SweepSpec(
        name=str(data.get("name", "sweep")),
        base=base,
        settings=settings,
        factors=factors,
        data=data,
    )


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec file (see the module docstring).

    Raises
    ------
    SpecError
        One line naming the key, the bad value and what is allowed.
    """
    path = Path(path)
    return parse_spec(read_toml(path, "sweep spec", SpecError), name=path.stem)
