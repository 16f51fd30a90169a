"""One episode-end rule and one step limit, owned by the env: its step is its ticks, and everyone reads its limit."""
from __future__ import annotations

import random

import gymnasium
import numpy as np

from qwop_studio.env import QWOPEnv
from qwop_studio.env.limits import MAX_EPISODE_STEPS
from qwop_studio.env.qwop_env import episode_over
from qwop_studio.train.config import TrainConfig


def test_a_step_is_its_ticks_by_the_same_rule_bit_for_bit():
    """Stepping an env and ticking a twin (observe, action_mask, tick) give the same games and ends."""
    stepped, ticked = QWOPEnv(), QWOPEnv()
    rng = random.Random(3)
    for _ in range(3):  # episodes, across falls
        obs, _ = stepped.reset(seed=0)
        ticked.reset(seed=0)
        terminated = False
        while not terminated:
            assert np.array_equal(obs, ticked.observe())
            action = rng.randrange(16)
            obs, _, terminated, _, _ = stepped.step(action)
            mask = ticked.action_mask(action)
            for _ in range(ticked.frames_per_step):
                ended = ticked.tick(mask)
                if ended:
                    break
            assert ended == terminated == episode_over(ticked.game)
            assert np.array_equal(stepped.game.body_states(), ticked.game.body_states())


def test_the_registered_env_and_the_configs_share_the_envs_step_limit():
    assert gymnasium.spec("QWOP-v0").max_episode_steps == MAX_EPISODE_STEPS
    assert TrainConfig(algorithm="PPO", total_timesteps=1).max_episode_steps == MAX_EPISODE_STEPS
