"""``learner_threads``: the learner's update on more than one torch thread (in ``collection: sync`` the
workers sleep while it runs), and the learner back on one thread outside the update.

Real worker processes, a real SB3 PPO and torch's own thread setting; the thread count is read inside
the update by a torch optimiser hook.
"""
from __future__ import annotations

import pytest
import torch

from qwop_studio.threads import torch_threads

from .test_async_collection import ENV


def test_torch_threads_restores_the_count_even_when_the_block_fails():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), torch_threads(before + 1):
        assert torch.get_num_threads() == before + 1
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("collection", ["sync", "async"])
def test_the_update_runs_on_learner_threads_and_everything_else_on_one(collection):
    """Every optimiser step sees the config's ``learner_threads`` (2 here), sync and async, through the
    same setup the trainer and the benchmark use; after learning (and so while rollouts are replayed
    through the callbacks) the learner is back on one."""
    from stable_baselines3 import PPO

    from qwop_studio.train.config import validate_config
    from qwop_studio.train.learner_setup import prepare_learner
    from qwop_studio.train.rollout_workers import make_rollout_workers

    config = validate_config({"algorithm": "PPO", "total_timesteps": 1000, "n_envs": 4, "collection": collection,
                              "collection_workers": 2, "learner_threads": 2, "env": ENV["env_kwargs"],
                              "hyperparams": {"n_steps": 32, "batch_size": 64, "n_epochs": 1}})
    torch.set_num_threads(1)
    venv = make_rollout_workers(config.n_envs, seed=3, n_workers=config.collection_workers,
                                overlap=config.collection_overlaps_learning, **ENV)
    try:
        model = PPO("MlpPolicy", venv, seed=3, device="cpu", **config.hyperparams)
        model = prepare_learner(model, config)
        seen: list[int] = []
        model.policy.optimizer.register_step_pre_hook(lambda *_: seen.append(torch.get_num_threads()))
        model.learn(3 * 32 * 4)
    finally:
        venv.close()
    assert seen and set(seen) == {2}
    assert torch.get_num_threads() == 1
