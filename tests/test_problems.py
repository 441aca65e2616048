"""Tests of sim.problems (the problem stream's draws) and of the draws the model relies on."""

from __future__ import annotations

import numpy as np
import pytest

from sim.issues import ISSUE_NAMES
from sim.problems import ProblemStream, issue_cdf
from sim.world import synthetic_world

MIXES = [
    np.full(len(ISSUE_NAMES), 1 / len(ISSUE_NAMES)),
    np.array([3.0, 1.0, 0.0, 2.0, 0.5, 1.5]) / 8.0,
    np.array([0.0, 0.0, 1.0, 0.0, 0.0, 0.0]),
    np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    np.array([0.0, 0.0, 0.0, 0.0, 0.0, 1.0]),
]


def stream(mix: np.ndarray, seed: int) -> ProblemStream:
    s = ProblemStream(
        synthetic_world(np.random.default_rng(0), n_states=20),
        np.random.default_rng(seed),
        issue="mixed",
        arrival_rate=0.5,
    )
    s.mix = mix
    s._cdf = issue_cdf(mix)
    return s


@pytest.mark.parametrize("mix", MIXES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_issue_draw_is_numpys_choice_bit_for_bit(mix, seed):
    """Same indices as ``Generator.choice(6, p=mix)`` and the same generator state."""
    s = stream(mix, seed)
    twin = np.random.default_rng(seed)
    drawn = [s._draw_issue() for _ in range(3000)]
    expected = [int(twin.choice(len(ISSUE_NAMES), p=mix)) for _ in range(3000)]
    assert drawn == expected
    assert s.rng.bit_generator.state == twin.bit_generator.state


def test_issue_draw_falls_back_to_choice_for_a_mix_it_rejects():
    s = stream(np.array([np.nan, 0.0, 0.0, 0.0, 0.0, 0.0]), 0)
    assert s._cdf is None
    with pytest.raises(ValueError, match="NaN"):
        s._draw_issue()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_is_uniform_bit_for_bit(seed):
    """The model draws ``rng.random(n)`` where it drew ``rng.uniform(...)`` over [0, 1)."""
    a, b = np.random.default_rng(seed), np.random.default_rng(seed)
    for n in (0, 1, 7, 200, 5000):
        for expected in (a.uniform(size=n), a.uniform(0.0, 1.0, n)):
            got = b.random(n)
            assert np.array_equal(got.view(np.int64), expected.view(np.int64))
    assert a.bit_generator.state == b.bit_generator.state
