"""The learner borrows the sleeping workers' cores for its update in ``collection: sync``, and only then.

Real worker processes, a real SB3 PPO and torch's own thread setting; the thread count is read inside
the update by a torch optimiser hook.
"""
from __future__ import annotations

import os

import pytest
import torch

from qwop_studio.threads import torch_threads

ENV = {"env_kwargs": {"frames_per_step": 4, "reduced_action_set": True, "start_noop_max": 5}, "wrappers": [],
       "max_episode_steps": 100}


@pytest.mark.parametrize("cores, n_workers, overlap, configured, expected", [
    (2, 2, False, None, 2),   # sync on this VM: both cores for the update
    (16, 8, False, None, 8),  # one per sleeping worker
    (2, 8, False, None, 2),   # never more than the cores
    (None, 2, False, None, 1),
    (2, 2, True, None, 1),    # async: the workers are busy collecting meanwhile
    (16, 15, True, None, 1),
    (2, 2, False, 1, 1),      # the config's learner_threads wins
    (2, 1, True, 3, 3),
])
def test_the_update_takes_a_thread_per_sleeping_worker_in_sync_and_one_in_async(
        monkeypatch, cores, n_workers, overlap, configured, expected):
    from qwop_studio.train.async_ppo import update_thread_count

    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert update_thread_count(n_workers, overlap, configured) == expected


def test_torch_threads_restores_the_count_even_when_the_block_fails():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), torch_threads(before + 1):
        assert torch.get_num_threads() == before + 1
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("overlap", [False, True])
def test_a_sync_update_runs_on_the_borrowed_threads_and_collection_on_one(overlap):
    """Every optimiser step of a sync run sees the update's threads; after learning (and so while the next
    rollout's callbacks run) the learner is back to one. Async keeps one thread throughout."""
    from stable_baselines3 import PPO

    from qwop_studio.train.async_ppo import as_async, update_thread_count
    from qwop_studio.train.rollout_workers import make_rollout_workers

    torch.set_num_threads(1)
    venv = make_rollout_workers(4, seed=3, n_workers=2, overlap=overlap, **ENV)
    try:
        model = PPO("MlpPolicy", venv, seed=3, device="cpu", n_steps=32, batch_size=64, n_epochs=1)
        threads = 2 if not overlap else update_thread_count(2, overlap)
        model = as_async(model, overlap=overlap, update_threads=threads)
        seen: list[int] = []
        model.policy.optimizer.register_step_pre_hook(lambda *_: seen.append(torch.get_num_threads()))
        model.learn(3 * 32 * 4)
    finally:
        venv.close()
    assert seen and set(seen) == {1 if overlap else 2}
    assert torch.get_num_threads() == 1
