"""Body states read straight from Box2D's memory equal pybox2d's getters, bit for bit."""
import random

import numpy as np
import pytest

from qwop_studio.sim import QWOPGame, state_reading, world
from qwop_studio.sim.state_reading import read_states_by_getters
from qwop_studio.sim.world import STATE_ORDER, QWOPWorld

COMBOS = list(range(16))


def by_getters(w: QWOPWorld) -> np.ndarray:
    out = np.full((len(STATE_ORDER), 6), np.nan)
    read_states_by_getters(w.bodies_in_state_order, out)
    return out


def test_the_fast_reading_is_in_use_on_the_pinned_pybox2d():
    """Box2D 2.3.10's b2Body layout passed the import-time check, so worlds gather their states."""
    assert state_reading.GATHER_STATES
    assert QWOPWorld()._gather is not None


def test_gathered_states_equal_the_getters_through_whole_games():
    """Runner and hurdle rows, over random keys across falls and resets (a new world each time)."""
    rng = random.Random(5)
    game = QWOPGame()
    checked = 0
    for frame in range(1500):
        game.step(rng.choice(COMBOS))
        if frame % 7 == 0:
            gathered = game._world.read_states(with_hurdle=True).copy()
            assert np.array_equal(gathered, by_getters(game._world)), f"frame {frame}"
            checked += 1
        if game.game_ended:
            game.reset()
    assert checked > 200


def test_runner_only_reading_leaves_the_hurdle_rows_alone():
    w = QWOPWorld()
    w.read_states(with_hurdle=True)
    w.states[12:] = -7.0
    w.read_states(with_hurdle=False)
    assert (w.states[12:] == -7.0).all()
    assert np.array_equal(w.states[:12], by_getters(w)[:12])


def test_a_world_without_the_gather_reads_the_same_through_the_getters(monkeypatch: pytest.MonkeyPatch):
    keys = [random.Random(9).choice(COMBOS) for _ in range(200)]
    fast = QWOPGame()
    monkeypatch.setattr(world, "GATHER_STATES", False)  # what an unknown pybox2d layout gives
    slow = QWOPGame()
    for k in keys:
        fast.step(k)
        slow.step(k)
        assert np.array_equal(fast.body_states(), slow.body_states())
    assert np.array_equal(fast.hurdle_states(), slow.hurdle_states())


def test_the_layout_check_rejects_wrong_offsets(monkeypatch: pytest.MonkeyPatch):
    """A pybox2d laid out otherwise must fall back to the getters, not read wrong numbers."""
    assert state_reading._body_layout_matches()
    for wrong in [(12, 16, 52, 64, 68, 72),   # the angle at the step's start (m_sweep.a0)
                  (44, 48, 56, 64, 68, 72)]:  # the centre of mass (m_sweep.c) for the position
        monkeypatch.setattr(state_reading, "BODY_FIELD_OFFSETS", wrong)
        assert not state_reading._body_layout_matches(), wrong


def test_bodies_too_far_apart_for_one_view_are_read_through_the_getters(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(world.BodyStateGather, "MAX_SPAN_BYTES", 64)  # less than any world's bodies span
    w = QWOPWorld()
    assert w._gather is None
    for _ in range(30):
        w.step()
    assert np.array_equal(w.read_states(), by_getters(w))
