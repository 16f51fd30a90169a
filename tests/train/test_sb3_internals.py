"""SB3's model internals the trainer relies on: this fails if a new SB3 changes them."""
from __future__ import annotations

import pytest
from stable_baselines3 import PPO

from qwop_studio.env import QWOPEnv
from qwop_studio.train.sb3_internals import current_learning_rate, rebuild_lr_schedule


def test_the_learning_rate_schedule_is_rebuilt_from_learning_rate_and_read_at_the_current_progress():
    model = PPO("MlpPolicy", QWOPEnv(), n_steps=64, batch_size=64, learning_rate=1e-3, device="cpu")
    assert current_learning_rate(model) == pytest.approx(1e-3)
    model.learning_rate = lambda progress_remaining: 5e-4 * progress_remaining
    rebuild_lr_schedule(model)
    model._current_progress_remaining = 0.5  # what SB3 sets while learning
    assert current_learning_rate(model) == pytest.approx(2.5e-4)
