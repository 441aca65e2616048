"""The model: states, problems, forums and one regime on Mesa.

One step (DESIGN.md, What states do each step):

1. new problems arrive;
2. the regime convenes a forum for each open problem that has none;
3. members take positions (:mod:`sim.positions`);
4. once its deliberation delay has passed, the forum's decision rule turns positions into
   an agreement or a deadlock (:mod:`sim.decisions`, the regime's :meth:`decide`);
5. signatories deliver a share of their pledge (compliance), outsiders follow by the
   legitimacy they see, standing capacity multiplies effort, overloaded states lose
   effort to transaction costs;
6. the aggregation technology turns effort into provision, and harm falls by that share;
7. trust, perceived legitimacy and rival forums are updated;
8. the data collector records the metrics (:mod:`sim.metrics`).
"""

from __future__ import annotations

import difflib
import math
from operator import itemgetter
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim.agents import State
from sim.decisions import Decision
from sim.forums import VOTE_LETTERS, Forum, Rule
from sim.implementation import implement
from sim.metrics import METRICS, Tally, compute
from sim.payoffs import Payoffs, make_payoffs
from sim.problems import Agreement, Problem, ProblemStream
from sim.regimes import get_regime
from sim.rivals import RivalForums
from sim.scenario import Scenario, ScenarioError, build_scenario
from sim.trust import Trust
from sim.world import World, load_world


def _child_generator(rng: np.random.Generator) -> np.random.Generator:
    """An independent generator derived from ``rng``'s seed sequence (child key 0).

    Derived without drawing from ``rng`` or spawning (which would change its state), so
    a generator made from ``SeedSequence(s)`` gives the same run as ``seed=s``.
    """
    seq = getattr(rng.bit_generator, "seed_seq", None)
    if isinstance(seq, np.random.SeedSequence):
        child = np.random.SeedSequence(
            seq.entropy, spawn_key=(*seq.spawn_key, 0), pool_size=seq.pool_size
        )
        return np.random.default_rng(child)
    return np.random.default_rng(int(rng.integers(2**63)))


def build_world(scenario: Scenario, rng: np.random.Generator | None = None) -> World:
    """The scenario's world from its loader (the run's generator, or one from its seed)."""
    if rng is None:
        rng = np.random.default_rng(np.random.SeedSequence(scenario.seed))
    return load_world(scenario.world.kind, rng, **scenario.world.params())


def resolve_events(scenario: Scenario, world: World) -> dict[int, list[tuple[str, int | None]]]:
    """The scenario's ``[[events]]`` by step, each party resolved to a state index.

    Raises
    ------
    ScenarioError
        When a party is not a state of ``world`` (one line, with a did-you-mean).
    """
    index = {state_id: i for i, state_id in enumerate(world.ids)}
    events: dict[int, list[tuple[str, int | None]]] = {}
    for k, event in enumerate(scenario.events):
        party = None
        if event.party is not None:
            if event.party not in index:
                guess = difflib.get_close_matches(event.party, world.ids, n=1)
                hint = f" (did you mean {guess[0]!r}?)" if guess else ""
                raise ScenarioError(
                    f"key 'events.{k}.party': bad value {event.party!r}: not a state of "
                    f"world {scenario.world.kind!r}{hint}"
                )
            party = index[event.party]
        events.setdefault(event.step, []).append((event.issue, party))
    return events


#: Name of the data collector's one model reporter: all metrics of a step at once.
METRICS_REPORTER = "metrics"
_metric_values = itemgetter(*METRICS)


def metrics_row(model: MultilatModel) -> np.ndarray:
    """The step's metrics (:attr:`MultilatModel.step_metrics`) as one float array.

    The data collector's one model reporter. Mesa deep-copies what a reporter returns;
    one array per step is one cheap copy, where one reporter per metric made 23
    ``deepcopy`` calls. The entries are in :data:`sim.metrics.METRICS` order (every
    metric is a float, so the array holds the same values);
    :meth:`MultilatModel.metrics_frame` expands it into one column per metric.
    """
    return np.array(_metric_values(model.step_metrics), dtype=float)


class MultilatModel(mesa.Model):
    """States cooperating on transnational problems under one multilateral regime.

    Parameters
    ----------
    scenario : Scenario, optional
        A validated scenario (:func:`sim.scenario.load_scenario`); defaults otherwise.
    rng : numpy.random.Generator, optional
        The run's generator. By default one is derived from the scenario's ``seed`` with
        :class:`numpy.random.SeedSequence`. A given ``rng`` decides the run instead of
        the scenario's seed; passing ``seed=`` as well is an error.
    record_votes : bool
        Keep every vote cast (see :meth:`votes_frame`).
    world : World, optional
        A ready-made world (e.g. a hand-built one of a few states in tests) instead of
        the scenario's world loader.
    **overrides
        Scenario keys, e.g. ``regime="club", rivalry=0.6, **{"world.n_states": 100}``.

    Examples
    --------
    >>> model = MultilatModel(regime="concert", rivalry=0.2, steps=30, seed=1)
    >>> model.run()
    >>> round(model.summary()["effectiveness"], 2) >= 0
    True
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        rng: np.random.Generator | None = None,
        record_votes: bool = True,
        world: World | None = None,
        **overrides: Any,
    ) -> None:
        if rng is not None and "seed" in overrides:
            raise ValueError("pass either rng or seed, not both")
        if scenario is None or overrides:
            base = scenario.model_dump() if scenario is not None else {}
            scenario = build_scenario(base, **overrides)
        if rng is None:
            rng = np.random.default_rng(np.random.SeedSequence(scenario.seed))
        # problems come from a generator of their own, so that every regime meets the
        # same problems on the same seed (common random numbers across regimes)
        stream_rng = _child_generator(rng)
        super().__init__(rng=rng)
        self.spec = scenario
        self.rivalry = scenario.rivalry
        self.behaviour = scenario.behaviour
        self.t = 0
        self.world: World = world if world is not None else build_world(scenario, self.rng)
        self.states = [State(self, i) for i in range(self.world.n)]
        #: theory-mode payoffs of joining a coalition; None: position margins
        self.payoffs: Payoffs | None = make_payoffs(scenario.payoffs, self.world.n)
        b = self.behaviour
        self.trust = Trust(
            self.world.alignment,
            self.world.democracy,
            self.rivalry,
            learning=b.trust_learning,
            reversion=b.trust_reversion,
            like_minded=b.trust_like_minded,
            rivalry_split=b.trust_rivalry_split,
        )
        self.forums: list[Forum] = []
        self._forum_ids = 0
        self.seats = np.zeros(self.world.n)
        self.stream = ProblemStream(
            self.world,
            stream_rng,
            issue=scenario.issue,
            arrival_rate=scenario.problems.arrival_rate,
            issue_weights=scenario.problems.issue_weights,
            great_power_party_share=scenario.problems.great_power_party_share,
        )
        self.problems: list[Problem] = []
        #: the scenario's scripted problems by step: (issue, party index or None)
        self.events = resolve_events(scenario, self.world)
        #: arrays stacked from problems and agreements, reused while they stay the same:
        #: sim.implementation's Alive, Open, InForce and Voices (each rebuilt when the
        #: problems or agreements it was built for change), the great powers' indices and
        #: the one zero voice of problems no forum has taken up ("no_voice")
        self.stacks: dict[str, Any] = {}
        self.counters = dict.fromkeys(
            (
                "agreed",
                "agreement_delay",
                "in_window",
                "window_known",
                "ended",
                "ended_unagreed",
                "attempts",
                "deadlocks",
                "vetoes",
            ),
            0.0,
        )
        self.record_votes = record_votes
        self._votes: list[tuple[int, str, str, np.ndarray, np.ndarray]] = []
        regime_cls = get_regime(scenario.regime)
        self.regime = regime_cls(self, scenario.regime_rules())
        self.regime.setup()
        self.rivals = RivalForums(self)
        self.step_metrics: dict[str, float] = dict.fromkeys(METRICS, math.nan)
        self.datacollector = mesa.DataCollector(model_reporters={METRICS_REPORTER: metrics_row})

    # --- forums ------------------------------------------------------------------------
    def add_forum(
        self,
        name: str,
        kind: str,
        members: np.ndarray,
        *,
        rule: Rule,
        bindingness: float,
        **kw: Any,
    ) -> Forum:
        """Create a forum, register it and seat its members."""
        forum = Forum(
            id=self._forum_ids,
            name=name,
            kind=kind,
            members=members.copy(),
            rule=rule,
            bindingness=bindingness,
            founded=self.t,
            **kw,
        )
        forum.legitimacy = self.prior_legitimacy(forum.voice)
        self._forum_ids += 1
        self.forums.append(forum)
        self.seats += forum.members
        return forum

    def prior_legitimacy(self, voice: np.ndarray) -> np.ndarray:
        """Perceived legitimacy of a new forum: the voice it gives, output not yet seen."""
        a = self.behaviour.voice_weight
        return a * voice + (1 - a) * 0.5

    def close_forum(self, forum: Forum) -> None:
        """Dissolve an ad hoc or rival forum."""
        forum.active = False
        self.forums.remove(forum)

    def free_bandwidth(self) -> np.ndarray:
        """Seats each state can still staff this step."""
        return self.world.bandwidth - self.seats

    def charge_setup(self, forum: Forum, already_seated: np.ndarray | None = None) -> None:
        """Seat a new coalition's members and charge its set-up cost (PAPER.md#C16).

        States in ``already_seated`` (the lead, seated when the forum was founded) pay
        the set-up cost but not a second seat.
        """
        new = forum.members & ~already_seated if already_seated is not None else forum.members
        self.seats += new + forum.members * forum.setup_cost

    def _seat_load(self) -> np.ndarray:
        """One seat per active forum a state sits in, however many problems it handles."""
        if not self.forums:
            return np.zeros(self.world.n)
        # whole numbers: any order of summation gives the same seats
        return np.array([f.members for f in self.forums]).sum(axis=0, dtype=float)

    # --- the step ----------------------------------------------------------------------
    def step(self) -> None:
        """Advance one step (module docstring)."""
        t = self.t
        self.regime.before_step()
        self.seats = self._seat_load()
        tally = Tally(self.world.n)
        for f in self.forums:
            f.effort = 0.0
        for issue, party in self.events.get(t, ()):
            self.problems.append(self.stream.new(t, issue=issue, party=party))
        self.problems.extend(self.stream.arrivals(t))

        for p in self.problems:
            if p.open and p.agreement is None and (p.forum is None or not p.forum.active):
                forum = self.regime.convene(p)
                if forum is not None:
                    p.forum, p.convened = forum, t
        for p in self.problems:
            if (
                p.open
                and p.agreement is None
                and p.forum is not None
                and t - p.convened >= p.forum.delay
            ):
                self._attempt(p, tally)

        efficiency = np.minimum(1.0, self.world.bandwidth / np.maximum(self.seats, 1e-9))
        implement(self, tally, efficiency)
        tally.efforts = [f.effort for f in self.forums]  # before any forum closes
        self.trust.revert()
        self.rivals.step()
        self._retire(t)
        self.step_metrics = compute(self, tally)
        self.datacollector.collect(self)
        self.t += 1

    def _attempt(self, p: Problem, tally: Tally) -> None:
        forum = p.forum
        assert forum is not None
        decision: Decision = self.regime.decide(forum, p)
        p.attempts += 1
        tally.attempts += 1
        if decision.agreed:
            tally.shortfall.append(decision.shortfall)
        self.counters["attempts"] += 1
        if len(decision.vetoed_by):
            tally.vetoes += 1
            self.counters["vetoes"] += 1
        if self.record_votes and len(decision.voters):
            self._votes.append((self.t, forum.name, p.name, decision.voters, decision.votes))
        if not decision.agreed:
            p.deadlocks += 1
            tally.deadlocks += 1
            self.counters["deadlocks"] += 1
            return
        p.agreement = Agreement(
            forum=forum,
            ambition=decision.ambition,
            signatories=decision.signatories,
            step=self.t,
            voice=self.regime.voice(forum, decision),
            opposed=decision.opposed,
        )
        if not forum.standing:
            forum.legitimacy = self.prior_legitimacy(p.agreement.voice)
        delay = self.t - p.arrived
        self.counters["agreed"] += 1
        self.counters["agreement_delay"] += delay
        if delay <= p.issue.window:  # later ones were counted when their window passed
            self.counters["in_window"] += 1
            self.counters["window_known"] += 1

    def _retire(self, t: int) -> None:
        """Drop problems whose lifetime is over; dissolve their ad hoc forums."""
        keep = []
        for p in self.problems:
            solved_now = p.resolved == t
            if p.alive(t + 1) and not solved_now:
                keep.append(p)
                if p.agreement is None and p.age(t) == p.issue.window:
                    self.counters["window_known"] += 1  # missed its window
                continue
            if solved_now and p.alive(t + 1):
                keep.append(p)  # its shadow runs on
            if solved_now or p.open:
                self.counters["ended"] += 1
                if p.agreement is None:
                    self.counters["ended_unagreed"] += 1
                forum = p.forum
                if forum is not None and not forum.standing and forum.active:
                    self.close_forum(forum)
        self.problems = keep

    # --- running and results -----------------------------------------------------------
    def run(self, steps: int | None = None) -> MultilatModel:
        """Run ``steps`` steps (default: the scenario's)."""
        for _ in range(self.spec.steps if steps is None else steps):
            self.step()
        return self

    def metrics_frame(self) -> pd.DataFrame:
        """Per-step metrics: one row per step (index ``step``), one column per metric.

        Expanded from the data collector's rows (:func:`metrics_row`), in
        :data:`sim.metrics.METRICS` order, as float columns (no rows: empty columns).
        """
        rows = self.datacollector.model_vars[METRICS_REPORTER]
        if rows:
            df = pd.DataFrame(self.metrics_array(), columns=list(METRICS))
        else:
            df = pd.DataFrame({name: [] for name in METRICS})
        df.index.name = "step"
        return df

    def metrics_array(self) -> np.ndarray:
        """Per-step metrics as one float array: one row per step, one column per metric
        in :data:`sim.metrics.METRICS` order (what :meth:`metrics_frame` labels).
        """  # noqa: D205
        rows = self.datacollector.model_vars[METRICS_REPORTER]
        return np.array(rows) if rows else np.zeros((0, len(METRICS)))

    def summary(self) -> dict[str, float]:
        """Run-level summary: each metric's mean after burn-in and its final value."""
        from sim.summary import summarise_array

        return summarise_array(self.metrics_array(), self.spec.burn_in)

    def votes_frame(self) -> pd.DataFrame:
        """Every vote cast: columns ``step, forum, problem, iso3, vote`` (Y, N, A, X)."""
        rows = []
        ids = np.asarray(self.world.ids)
        letters = np.asarray(VOTE_LETTERS)
        for step, forum, problem, voters, votes in self._votes:
            rows.append(
                pd.DataFrame(
                    {
                        "step": step,
                        "forum": forum,
                        "problem": problem,
                        "iso3": ids[voters],
                        "vote": letters[votes],
                    }
                )
            )
        if not rows:
            return pd.DataFrame(columns=["step", "forum", "problem", "iso3", "vote"])
        return pd.concat(rows, ignore_index=True)

    def cooperation_network(self) -> Any:
        """The cooperation network as a networkx graph (for analysis and figures only).

        Nodes are states with their kind and camp; edge weights sum, over active forums,
        the product of both states' recent kept effort there.
        """
        import networkx as nx

        w = self.world
        g = nx.Graph()
        for i in range(w.n):
            g.add_node(
                w.ids[i], kind=self.states[i].kind, camp=int(w.camp[i]), power=float(w.power[i])
            )
        ties = (
            np.stack([f.ties for f in self.forums], axis=1) if self.forums else np.zeros((w.n, 0))
        )
        weight = ties @ ties.T
        rows, cols = np.nonzero(np.triu(weight, 1) > 1e-9)
        g.add_weighted_edges_from(
            (w.ids[i], w.ids[j], float(weight[i, j])) for i, j in zip(rows, cols, strict=True)
        )
        return g
