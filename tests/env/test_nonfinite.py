"""A non-finite physics state ends the episode with a flag instead of reaching the learner."""
from __future__ import annotations

import math

import numpy as np
import pytest

from qwop_studio.env import QWOPEnv
from qwop_studio.env.reward import MAX_WEIGHT_MAGNITUDE


def assert_clean_nonfinite_end(env: QWOPEnv, last_obs: np.ndarray, result) -> None:
    obs, reward, terminated, truncated, info = result
    assert terminated and not truncated and info["nonfinite"] and not info["is_success"]
    np.testing.assert_array_equal(obs, last_obs)
    assert np.isfinite(obs).all() and math.isfinite(reward)
    assert reward == -env.reward_weights.failure_cost == info["reward_terms"]["failure"]
    assert all(math.isfinite(v) for v in info["reward_terms"].values())
    assert math.isfinite(info["distance"]) and math.isfinite(info["time"])


@pytest.mark.parametrize("row, column, value", [(0, 3, math.nan),     # torso vx: the game's rules raise
                                                (4, 4, math.inf),     # left foot vy: spreads through joints
                                                (1, 2, math.nan)])    # head angle
def test_a_nan_or_inf_body_state_ends_the_episode_flagged(env, edit_snapshot, row, column, value):
    for _ in range(3):
        last_obs, *_ = env.step(7)
    env.game.restore(edit_snapshot(env.game, row=row, column=column, value=value))
    assert_clean_nonfinite_end(env, last_obs, env.step(7))


def test_a_nonfinite_state_the_rules_do_not_notice_is_caught_too(env, monkeypatch):
    last_obs, *_ = env.step(1)
    real = env.game.body_states

    def broken(copy: bool = True):
        states = real()
        states[9, 4] = math.inf  # right foot vy; the game itself stays finite
        return states

    monkeypatch.setattr(env.game, "body_states", broken)
    assert_clean_nonfinite_end(env, last_obs, env.step(1))


def test_after_a_nonfinite_end_step_refuses_and_reset_recovers(env, edit_snapshot):
    env.game.restore(edit_snapshot(env.game, row=0, column=0, value=math.nan))
    assert env.step(0)[4]["nonfinite"]
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    obs, info = env.reset(seed=0)
    assert np.isfinite(obs).all() and not info["nonfinite"]
    assert not env.step(0)[4]["nonfinite"]


def test_a_reward_that_overflows_ends_the_episode_flagged(env, edit_snapshot):
    last_obs, *_ = env.step(0)
    # set_reward_weights refuses weights beyond MAX_WEIGHT_MAGNITUDE (test below); the guard against an
    # overflowing reward stays as a last line of defence, so it is reached here past the validation
    env.set_reward_weights(velocity_exponent=10.0)
    object.__setattr__(env.reward_weights, "velocity_weight", 1e308)
    env.game.restore(edit_snapshot(env.game, dvx=60.0))  # a fast run: 1e308 * v ** 10 overflows
    assert_clean_nonfinite_end(env, last_obs, env.step(0))


@pytest.mark.parametrize("name", ["time_cost", "velocity_weight", "success_reward"])
def test_weights_so_large_that_rewards_overflow_are_refused_by_name(env, name):
    before = env.get_reward_weights()
    with pytest.raises(ValueError, match=rf"^reward weight {name}=1e\+308: must be within"):
        env.set_reward_weights(**{name: 1e308})
    with pytest.raises(ValueError, match=name):
        env.set_reward_weights(**{name: -2 * MAX_WEIGHT_MAGNITUDE})
    assert env.get_reward_weights() == before
    env.set_reward_weights(**{name: MAX_WEIGHT_MAGNITUDE})  # the limit itself is allowed
