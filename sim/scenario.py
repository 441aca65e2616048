"""Scenarios: one validated TOML file drives the CLI, the Python API and notebooks.

A scenario names the regime, the rivalry, the issue, the world and its parameters, the
steps and the seed, and may override any behavioural constant (``[behaviour]``) and any
regime's rule parameters (``[rules.<regime>]``). Everything is checked on load by
pydantic; a bad key or value raises :class:`ScenarioError` with one line naming the key,
the value and what is allowed (the CLI turns it into exit code 2, no traceback).
"""

from __future__ import annotations

import difflib
import inspect
import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import tomli_w
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.functional_validators import BeforeValidator

from sim.behaviour import Behaviour, Unit, not_a_bool
from sim.issues import ISSUE_NAMES, MIXED
from sim.payoffs import THEORY_PAYOFFS
from sim.regimes import REGIMES
from sim.world import WORLD_LOADERS

#: Issue keys as types, from the one list in sim.issues.
IssueName = Literal[ISSUE_NAMES]  # type: ignore[valid-type]
IssueOrMixed = Literal[(MIXED, *ISSUE_NAMES)]  # type: ignore[valid-type]
STRICT = ConfigDict(extra="forbid", validate_default=True)


#: Steps of a run, and steps discarded before run-level means, unless a scenario says
#: otherwise.
DEFAULT_STEPS = 100
DEFAULT_BURN_IN = 20


class ScenarioError(ValueError):
    """A scenario key with a bad value; the message is one line for the user."""


def _loader_params(kind: str) -> tuple[str, ...]:
    """The keyword parameters the world loader ``kind`` takes."""
    return _keyword_params(WORLD_LOADERS[kind])


@cache
def _keyword_params(loader: Callable[..., Any]) -> tuple[str, ...]:
    # read once per loader: every scenario validated (each run of a sweep) asks again
    signature = inspect.signature(loader)
    return tuple(p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY)


def _loader_takes(info: ValidationInfo, name: str) -> bool:
    kind = info.data.get("kind")
    return kind in WORLD_LOADERS and name in _loader_params(kind)


class WorldSpec(BaseModel):
    """``[world]``: which world and its parameters.

    Each loader takes its own parameters (:func:`sim.world.synthetic_world`,
    :func:`sim.world.identical_world`); setting one the chosen loader does not take is an
    error.
    """

    model_config = STRICT
    kind: str = "synthetic"
    n_states: Annotated[int, Field(ge=3, le=20_000)] = 60
    n_great_powers: Annotated[int, Field(ge=1, le=50)] = 6
    democracy_share: Unit = 0.35
    great_power_share: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.65
    power_skew: Annotated[float, Field(gt=0.1, le=10.0)] = 1.2
    nonaligned_share: Unit = 0.5
    revisionist_powers: Annotated[int, Field(ge=0, le=50)] = 2
    nonaligned_powers: Annotated[int, Field(ge=0, le=50)] = 1
    year: Annotated[int, BeforeValidator(not_a_bool), Field(ge=2022, le=2022)] = 2022

    @field_validator("kind")
    @classmethod
    def _known_world(cls, v: str) -> str:
        if v not in WORLD_LOADERS:
            raise ValueError(f"must be one of: {', '.join(WORLD_LOADERS)}")
        return v

    @field_validator("n_great_powers")
    @classmethod
    def _fewer_powers_than_states(cls, v: int, info: ValidationInfo) -> int:
        n = info.data.get("n_states")
        if _loader_takes(info, "n_great_powers") and n is not None and v >= n:
            raise ValueError(f"n_great_powers={v} must be below n_states={n}")
        return v

    @field_validator("nonaligned_powers")
    @classmethod
    def _powers_add_up(cls, v: int, info: ValidationInfo) -> int:
        g, r = info.data.get("n_great_powers"), info.data.get("revisionist_powers")
        if (
            _loader_takes(info, "nonaligned_powers")
            and g is not None
            and r is not None
            and r + v > g - 1
        ):
            raise ValueError(
                f"revisionist_powers + nonaligned_powers = {r + v} must leave the leading "
                f"Western power: at most n_great_powers-1={g - 1}"
            )
        return v

    @model_validator(mode="after")
    def _only_the_loaders_parameters(self) -> WorldSpec:
        # a key the loader does not take is an error unless it only restates the default
        # (as a scenario dumped in full and read back does)
        takes = _loader_params(self.kind)
        fields = type(self).model_fields
        unused = [
            k
            for k in fields
            if k in self.model_fields_set
            and k != "kind"
            and k not in takes
            and getattr(self, k) != fields[k].default
        ]
        if unused:
            raise ValueError(
                f"world {self.kind!r} does not take {', '.join(unused)}; "
                f"it takes: {', '.join(takes)}"
            )
        return self

    def params(self) -> dict[str, Any]:
        """Keyword arguments for the world loader (only those it takes)."""
        takes = _loader_params(self.kind)
        return {k: v for k, v in self.model_dump(exclude={"kind"}).items() if k in takes}


class PayoffSpec(BaseModel):
    """``[payoffs]``: theory-mode payoffs of joining a coalition (:mod:`sim.payoffs`).

    ``kind`` names the model (Carraro and Siniscalco 1993, or Barrett 1994); ``b`` and
    ``c`` weigh benefits and abatement costs, ``a`` is Barrett's benefit intercept.
    """

    model_config = STRICT
    kind: Literal[tuple(THEORY_PAYOFFS)]  # type: ignore[valid-type]
    a: Annotated[float, Field(gt=0.0, le=1e9)] = 100.0
    b: Annotated[float, Field(gt=0.0, le=1e9)] = 1.0
    c: Annotated[float, Field(gt=0.0, le=1e9)] = 1.0

    @model_validator(mode="after")
    def _a_is_barretts(self) -> PayoffSpec:
        default = type(self).model_fields["a"].default
        if self.kind != "barrett" and "a" in self.model_fields_set and self.a != default:
            raise ValueError(f"payoffs {self.kind!r} take b and c, not a")
        return self

    def params(self) -> dict[str, float]:
        """Keyword arguments of the payoff model."""
        names = ("a", "b", "c") if self.kind == "barrett" else ("b", "c")
        return {k: getattr(self, k) for k in names}


class ProblemSpec(BaseModel):
    """``[problems]``: the stream of problems."""

    model_config = STRICT
    arrival_rate: Annotated[float, Field(ge=0.0, le=20.0)] = 0.5
    great_power_party_share: Unit = 0.5
    issue_weights: dict[IssueName, Annotated[float, Field(ge=0.0)]] | None = None

    @field_validator("issue_weights")
    @classmethod
    def _some_weight(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None and sum(v.values()) <= 0:
            raise ValueError("at least one issue weight must be positive")
        return v


class EventSpec(BaseModel):
    """``[[events]]``: a problem that arrives at a given step (an episode of the paper).

    ``party`` names the state a security crisis is about (its id: an ISO3 code in the
    real world) or is left out; ``note`` says what the event stands for.
    """

    model_config = STRICT
    step: Annotated[int, BeforeValidator(not_a_bool), Field(ge=0, le=100_000)] = 0
    issue: IssueName
    party: str | None = None
    note: str = ""


class Scenario(BaseModel):
    """A whole scenario; every field is a TOML key (docs in scenarios/baseline.toml)."""

    model_config = STRICT
    name: str = "scenario"
    regime: str = "charter"
    rivalry: Unit = 0.3
    issue: IssueOrMixed = MIXED
    steps: Annotated[int, BeforeValidator(not_a_bool), Field(ge=1, le=100_000)] = DEFAULT_STEPS
    burn_in: Annotated[int, Field(ge=0, le=100_000)] = DEFAULT_BURN_IN
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    world: WorldSpec = Field(default_factory=WorldSpec)
    problems: ProblemSpec = Field(default_factory=ProblemSpec)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    payoffs: PayoffSpec | None = None
    events: list[EventSpec] = Field(default_factory=list)

    @field_validator("regime")
    @classmethod
    def _known_regime(cls, v: str) -> str:
        if v not in REGIMES:
            guess = difflib.get_close_matches(v, list(REGIMES), n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            raise ValueError(f"must be one of: {', '.join(REGIMES)}{hint}")
        return v

    @field_validator("world", mode="before")
    @classmethod
    def _world_shorthand(cls, v: Any) -> Any:
        return {"kind": v} if isinstance(v, str) else v

    @field_validator("burn_in")
    @classmethod
    def _burn_in_below_steps(cls, v: int, info: ValidationInfo) -> int:
        steps = info.data.get("steps")
        if steps is not None and v >= steps:
            raise ValueError(f"burn_in={v} must be below steps={steps}")
        return v

    def regime_rules(self, name: str | None = None) -> Any:
        """The validated rule dataclass of ``name`` (default: this scenario's regime)."""
        name = name or self.regime
        return REGIMES[name].make_rules(self.rules.get(name))

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as plain data, every default filled in."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["world"] = {"kind": self.world.kind, **self.world.params()}
        if self.payoffs is not None:
            data["payoffs"] = {"kind": self.payoffs.kind, **self.payoffs.params()}
        data["behaviour"] = dict(sorted(data["behaviour"].items()))
        resolved = {}
        for name in REGIMES:
            rules = REGIMES[name].make_rules(self.rules.get(name))
            resolved[name] = {k: getattr(rules, k) for k in rules.__dataclass_fields__}
        data["rules"] = resolved
        return data

    def to_toml(self) -> str:
        """The resolved scenario as TOML (``multilat run --out`` writes it)."""
        return tomli_w.dumps(self.to_dict())


# --- loading and errors ----------------------------------------------------------------


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Keys allowed in the table at ``loc`` (for did-you-mean)."""
    if not loc:
        return list(Scenario.model_fields)
    head = loc[0]
    if head == "world":
        return list(WorldSpec.model_fields)
    if head == "problems":
        return list(ProblemSpec.model_fields)
    if head == "payoffs":
        return list(PayoffSpec.model_fields)
    if head == "events":
        return list(EventSpec.model_fields)
    if head == "behaviour":
        return list(Behaviour.__dataclass_fields__)
    if head == "rules" and len(loc) >= 2 and loc[1] in REGIMES:
        return list(REGIMES[loc[1]].Rules.__dataclass_fields__)
    return []


def _describe(error: dict[str, Any], prefix: tuple[Any, ...] = ()) -> str:
    loc = prefix + tuple(p for p in error["loc"] if not str(p).startswith("function-"))
    key = ".".join(str(p) for p in loc) or "(scenario)"
    kind = error["type"]
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        allowed = _allowed_keys(loc[:-1])
        if loc == ("sweep",):  # a sweep spec given where a scenario belongs
            return (
                "unknown key 'sweep': this is a sweep spec (it has a [sweep] table); run "
                "it with `multilat sweep`, or remove [sweep] to run one scenario"
            )
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        return f"unknown key {key!r}{hint}; allowed: {', '.join(allowed)}"
    msg = error["msg"].removeprefix("Value error, ")
    if kind in ("missing",):
        return f"key {key!r} is missing"
    value = error.get("input")
    if isinstance(value, dict) or (isinstance(value, list) and len(repr(value)) > 60):
        return f"key {key!r}: {msg}"
    return f"key {key!r}: bad value {value!r}: {msg}"


def format_validation_error(exc: ValidationError, prefix: tuple[Any, ...] = ()) -> str:
    """One line (the first problem, plus a count of any others) for the user."""
    errors = exc.errors()
    line = _describe(errors[0], prefix)
    if len(errors) > 1:
        line += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return line


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for p in parts[:-1]:
        child = node.get(p)
        if isinstance(child, str) and p == "world":
            child = {"kind": child}
        node[p] = child = dict(child) if isinstance(child, dict) else {}
        node = child
    node[parts[-1]] = value


def build_scenario(
    data: dict[str, Any] | None = None,
    *,
    notify: Callable[[str], None] | None = None,
    **overrides: Any,
) -> Scenario:
    """Validate scenario data with ``overrides`` (dotted keys like ``world.n_states``).

    When the run is made shorter than its burn-in (``steps`` overridden, or left out of
    ``data`` with the default burn-in) and ``burn_in`` is not given with it, the burn-in
    keeps its share of the run (20 of 100 steps becomes 3 of 15) and ``notify`` is told.

    Raises
    ------
    ScenarioError
        One line naming the key, the bad value and what is allowed.
    """
    data = dict(data or {})
    # the burn-in keeps its share of the steps it was set for: the file's own, or the
    # defaults' when the file leaves burn_in out
    old_steps = data.get("steps", DEFAULT_STEPS) if "burn_in" in data else DEFAULT_STEPS
    old_burn_in = data.get("burn_in", DEFAULT_BURN_IN)
    burn_in_given = overrides.get("burn_in") is not None or (
        "burn_in" in data and overrides.get("steps") is None
    )
    for key, value in overrides.items():
        if value is not None:
            _set_dotted(data, key, value)
    steps = data.get("steps", DEFAULT_STEPS)
    if (
        not burn_in_given
        and all(isinstance(v, int) and v > 0 for v in (steps, old_steps))
        and isinstance(old_burn_in, int)
        and old_burn_in >= steps
    ):
        data["burn_in"] = old_burn_in * steps // old_steps
        if notify is not None:
            notify(
                f"note: burn_in={old_burn_in} is not below steps={steps}; "
                f"using burn_in={data['burn_in']} (give burn_in to choose)"
            )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc)) from None
    for name, table in scenario.rules.items():
        if name not in REGIMES:
            guess = difflib.get_close_matches(name, list(REGIMES), n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            raise ScenarioError(f"unknown key 'rules.{name}'{hint}; allowed: {', '.join(REGIMES)}")
        try:
            REGIMES[name].make_rules(table)
        except ValidationError as exc:
            raise ScenarioError(format_validation_error(exc, ("rules", name))) from None
        except TypeError as exc:
            raise ScenarioError(f"key 'rules.{name}': {exc}") from None
    return scenario


def read_toml(path: Path, what: str, error: type[ScenarioError] = ScenarioError) -> dict[str, Any]:
    """The TOML table in ``path``; ``error`` (one line naming ``what``) if it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} {str(path)!r} does not exist") from None
    except OSError as exc:
        raise error(f"{what} {str(path)!r} cannot be read: {exc.strerror}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {str(path)!r} is not valid TOML: {exc}") from None


def load_scenario(
    path: str | Path, *, notify: Callable[[str], None] | None = None, **overrides: Any
) -> Scenario:
    """Read and validate a scenario TOML file, applying ``overrides``.

    ``notify`` is told when the burn-in is scaled to a shorter run (:func:`build_scenario`).
    """
    path = Path(path)
    data = read_toml(path, "scenario file")
    data.setdefault("name", path.stem)
    return build_scenario(data, notify=notify, **overrides)


__all__ = [
    "ISSUE_NAMES",
    "Scenario",
    "ScenarioError",
    "build_scenario",
    "load_scenario",
    "format_validation_error",
]
