"""Decoupled PPO (``async_correction: decoupled``): async's learner, one update ahead of the policy that
collected its rollout, clips around its own weights and corrects the lag by importance weights.

Real envs, a real SB3 PPO; nothing of ours is mocked.
"""
from __future__ import annotations

import numpy as np

from .test_async_collection import ENV


def _lagged_update(correction: str | None) -> dict[str, float]:
    """Train a PPO once on rollout 0, then train it on that same rollout again: data one update old, as
    async's learner gets it. ``correction``: None trains it as if it were fresh (lag 0), else with the lag
    known and ``decoupled`` or ``none``. Returns what the second update logged."""
    import copy

    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.logger import configure

    from qwop_studio.env import make_vec_env
    from qwop_studio.train.async_ppo import as_async

    venv = make_vec_env(4, "dummy", seed=3, **ENV)
    try:
        torch.manual_seed(0)
        model = as_async(PPO("MlpPolicy", venv, seed=3, device="cpu", n_steps=128, batch_size=128, n_epochs=4,
                             learning_rate=3e-3), decoupled=correction == "decoupled")
        model.set_logger(configure(None, []))
        model._setup_learn(512, None)
        model.collect_rollouts(venv, model._init_callback(None), model.rollout_buffer, 128)
        rollout = copy.deepcopy(model.rollout_buffer)
        model.train()  # the learner one update further than the weights that collected `rollout`
        model.rollout_buffer = rollout
        model._async().rollout_lag = 0 if correction is None else 1
        model.lr_schedule = lambda _: 3e-4  # a step of the default's size from there
        np.random.seed(1)
        model.train()
        return dict(model.logger.name_to_value)
    finally:
        venv.close()


def test_decoupled_ppo_clips_around_the_learners_weights_not_the_lagged_behaviour_policy():
    """Async's learner trains on a rollout one update old. Plain PPO measures the ratio against the policy
    that acted, so it starts the update already off-centre and clips many samples (the twelfth session's 4x
    clip fraction); decoupled PPO clips around the learner's own weights and reweights by proximal/behaviour."""
    plain = _lagged_update("none")
    decoupled = _lagged_update("decoupled")
    unaware = _lagged_update(None)
    assert plain["train/clip_fraction"] == unaware["train/clip_fraction"]  # "none" is PPO as it always was
    assert "async/behaviour_weight_mean" not in plain
    assert decoupled["train/clip_fraction"] < 0.5 * plain["train/clip_fraction"]
    assert decoupled["train/approx_kl"] < plain["train/approx_kl"]
    assert decoupled["async/behaviour_weight_mean"] != 1.0 and 0.0 <= decoupled["async/behaviour_weight_capped"] < 0.2
