"""The env refuses arguments that would silently mean something else, by name, as gymnasium.make passes them."""
from __future__ import annotations

import gymnasium
import numpy as np
import pytest

from qwop_studio.env import QWOPEnv
from qwop_studio.env.qwop_env import MAX_FRAMES_PER_STEP, MAX_START_NOOP


@pytest.mark.parametrize("value", ["no", "False", 0, 1, None, [True]])
def test_reduced_action_set_must_be_a_bool_not_anything_truthy(value):
    with pytest.raises(ValueError, match=r"^reduced_action_set=.*: expected True or False$"):
        gymnasium.make("qwop_studio:QWOP-v0", reduced_action_set=value)


@pytest.mark.parametrize("flag, actions", [(True, 9), (False, 16), (np.bool_(True), 9)])
def test_reduced_action_set_takes_real_bools(flag, actions):
    assert QWOPEnv(reduced_action_set=flag).action_space.n == actions


@pytest.mark.parametrize("name, limit", [("frames_per_step", MAX_FRAMES_PER_STEP), ("start_noop_max", MAX_START_NOOP)])
def test_frame_counts_beyond_the_configs_limit_are_refused(name, limit):
    QWOPEnv(**{name: limit})
    for bad in (limit + 1, 10 ** 6):
        with pytest.raises(ValueError, match=rf"^{name}={bad}: expected an integer from \d+ to {limit}$"):
            QWOPEnv(**{name: bad})


def test_the_config_and_the_env_share_one_frames_per_step_limit():
    from qwop_studio.train.config import ConfigError, validate_config

    base = {"algorithm": "PPO", "total_timesteps": 1000}
    validate_config({**base, "env": {"frames_per_step": MAX_FRAMES_PER_STEP}})
    with pytest.raises(ConfigError, match="env.frames_per_step"):
        validate_config({**base, "env": {"frames_per_step": MAX_FRAMES_PER_STEP + 1}})
