"""Steps, resets and episode ends: frames per step, noop starts, seeds, termination and truncation."""
from __future__ import annotations

import numpy as np
import pytest

from qwop_studio.env import QWOPEnv
from qwop_studio.sim import QWOPGame


def play(env: QWOPEnv, seed: int, n: int = 60):
    """Obs, rewards and flags of one seeded episode with seeded random actions, as bytes to compare."""
    obs, _ = env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    trace = [obs.tobytes()]
    for _ in range(n):
        obs, reward, terminated, truncated, info = env.step(int(rng.integers(env.action_space.n)))
        trace.append(obs.tobytes() + np.float64(reward).tobytes() + bytes([terminated]))
        if terminated:
            break
    return trace


def test_a_step_is_frames_per_step_ticks_with_the_keys_held():
    for fps in (1, 4, 6):
        env = QWOPEnv(frames_per_step=fps)
        env.reset()
        frame = env.game.frame
        env.step(7)  # QP
        assert env.game.frame - frame == fps and env.game.key_string == "QP"


def test_step_matches_the_bare_game_tick_for_tick(env):
    twin = QWOPGame()
    for action, keys in [(1, "Q"), (7, "QP"), (8, "WO"), (0, "")]:
        obs, *_ = env.step(action)
        for _ in range(4):
            twin.step(keys)
        np.testing.assert_array_equal(env.game.body_states(), twin.body_states())


def test_ticking_stops_when_the_game_ends_mid_step(env):
    twin = QWOPGame()
    while not twin.game_ended:
        twin.step("O")
    end_frame = twin.frame
    assert end_frame % 4 != 0, "pick keys whose fall lands mid-step"
    terminated = False
    while not terminated:
        _, _, terminated, truncated, info = env.step(3)
    assert env.game.frame == end_frame and info["fallen"] and not truncated


def test_reset_without_noops_is_the_original_reset(env):
    obs, info = env.reset(seed=123)
    assert env.game.frame == 0 and info["time"] == pytest.approx(1 / 30)
    np.testing.assert_array_equal(obs, QWOPEnv().reset()[0])


def test_start_noop_max_varies_the_start():
    env = QWOPEnv(start_noop_max=30)
    frames = set()
    starts = set()
    for seed in range(12):
        obs, _ = env.reset(seed=seed)
        frames.add(env.game.frame)
        starts.add(obs.tobytes())
        assert 0 <= env.game.frame <= 30
    assert len(frames) >= 4 and len(starts) >= 4


def test_same_seed_reproduces_the_episode_bit_for_bit():
    a, b = QWOPEnv(start_noop_max=30), QWOPEnv(start_noop_max=30)
    first = play(a, 7)
    assert play(b, 7) == first
    play(a, 8)
    assert play(a, 7) == first  # the same env, after another episode
    assert play(a, 9) != first


def test_info_has_every_documented_key(env):
    _, info = env.reset()
    _, _, _, _, step_info = env.step(0)
    expected = {"distance", "time", "avg_speed", "fallen", "jumped", "landed", "is_success", "nonfinite",
                "reward_terms"}
    assert set(info) == expected and set(step_info) == expected
    assert step_info["distance"] == pytest.approx(env.game.distance)
    assert step_info["time"] == pytest.approx(env.game.time)
    assert step_info["avg_speed"] == pytest.approx(env.game.distance / env.game.time)


def test_leaving_the_world_forwards_ends_with_success(env, edit_snapshot):
    env.game.restore(edit_snapshot(env.game, dx=1045.0, dvx=80.0))
    _, _, terminated, _, info = env.step(0)
    assert terminated and info["is_success"] and env.game.torso_x > 1050 and not env.game.game_ended


def test_leaving_the_world_backwards_ends_with_failure(env, edit_snapshot):
    env.game.restore(edit_snapshot(env.game, dx=-97.0, dvx=-80.0))
    _, _, terminated, _, info = env.step(0)
    assert terminated and not info["is_success"] and env.game.torso_x < -100
    assert info["reward_terms"]["failure"] == -10.0


@pytest.mark.parametrize("kwargs, field", [({"frames_per_step": 0}, "frames_per_step"),
                                           ({"frames_per_step": 2.5}, "frames_per_step"),
                                           ({"start_noop_max": -1}, "start_noop_max"),
                                           ({"render_mode": "ascii"}, "render_mode")])
def test_bad_constructor_arguments_raise_naming_them(kwargs, field):
    with pytest.raises(ValueError, match=field):
        QWOPEnv(**kwargs)


def test_a_landing_is_a_success_even_with_the_torso_short_of_the_line(edit_snapshot):
    """The original's finish is the left foot landing past 100 m; the torso is then usually a little
    behind the line, which qwop-gym's torso rule (success_rule="torso") counts as a failure."""
    from qwop_studio.env import QWOPEnv

    results = {}
    for rule in ("landing", "torso"):
        env = QWOPEnv(reduced_action_set=True, success_rule=rule)
        env.reset(seed=0)
        env.game.restore(edit_snapshot(env.game, dx=997.0, dvx=0.0))  # left foot lands near x = 1001
        for _ in range(5):
            _, reward, terminated, _, info = env.step(0)
            if terminated:
                break
        assert terminated and env.game.landed and info["distance"] < 100
        results[rule] = (info["is_success"], info["reward_terms"]["success"], info["reward_terms"]["failure"])
    assert results["landing"] == (True, 50.0, 0.0)
    assert results["torso"] == (False, 0.0, -10.0)


def test_an_unknown_success_rule_is_refused():
    from qwop_studio.env import QWOPEnv

    with pytest.raises(ValueError, match="success_rule"):
        QWOPEnv(success_rule="finish")
