"""Rollouts in flight: with ``async_weights: latest`` workers switch to the learner's new weights
mid-rollout, never torn; a rollout queued while one is collected goes on from where that one ended.

Real worker processes, real envs, a real SB3 policy; the weights that force one action make the switch
visible in the actions the workers store.
"""
from __future__ import annotations

import time
from multiprocessing import shared_memory

import numpy as np
import pytest

from qwop_studio.train.rollout_shared import PolicyRecipe, WeightBoard

ENV = {"env_kwargs": {"frames_per_step": 4, "reduced_action_set": True, "start_noop_max": 5}, "wrappers": [],
       "max_episode_steps": 100}
FORCED_ACTION = 3


def test_the_board_announces_a_version_only_after_writing_it_and_keeps_the_previous_intact():
    n = 10
    block = shared_memory.SharedMemory(create=True, size=WeightBoard.nbytes(n))
    try:
        board = WeightBoard(block.buf, n)
        board.clear()
        assert board.latest() == -1
        with pytest.raises(RuntimeError, match="no weights"):
            board.copy_latest()
        board.publish(np.full(n, 1.0, dtype=np.float32), 0)
        board.publish(np.full(n, 2.0, dtype=np.float32), 1)
        reader = WeightBoard(block.buf, n)  # another view of the same memory, as a worker holds
        version, weights = reader.copy_latest()
        assert version == 1 and (weights == 2.0).all()
        assert (board.buffers[0] == 1.0).all(), "a publish writes only its own buffer"
        weights[:] = 7.0
        assert (board.buffers[1] == 2.0).all(), "the copy is private"
        board.release()
        reader.release()
    finally:
        block.close()
        block.unlink()


def _policy_weights(venv, forced: bool) -> tuple[PolicyRecipe, np.ndarray]:
    """A fresh SB3 policy's recipe and weights; ``forced``: its action logits always pick FORCED_ACTION."""
    import torch as th
    from stable_baselines3 import PPO
    from torch.nn.utils import parameters_to_vector

    model = PPO("MlpPolicy", venv, seed=0, device="cpu", n_steps=64)
    if forced:
        with th.no_grad():
            model.policy.action_net.weight.zero_()
            model.policy.action_net.bias.fill_(-50.0)
            model.policy.action_net.bias[FORCED_ACTION] = 50.0
    recipe = PolicyRecipe(model.policy_class, venv.observation_space, venv.action_space, {},
                          sum(p.numel() for p in model.policy.parameters()), 0.99)
    with th.no_grad():
        return recipe, parameters_to_vector(model.policy.parameters()).numpy().copy()


@pytest.mark.parametrize("latest", [True, False])
def test_workers_switch_to_weights_published_mid_rollout_only_with_latest_weights(latest: bool):
    import torch as th

    from qwop_studio.train.rollout_workers import make_rollout_workers

    venv = make_rollout_workers(2, seed=1, n_workers=1, **ENV)
    try:
        recipe, free = _policy_weights(venv, forced=False)
        _, forced = _policy_weights(venv, forced=True)
        n_steps = 2000  # ~1 s of collection: time to publish while it runs
        venv.attach(recipe, n_steps, th.get_rng_state().numpy().tobytes(), 0, latest_weights=latest)
        venv.reset()
        venv.start_rollout(free, 0)
        time.sleep(0.3)
        venv.publish(forced, 1)
        result = venv.wait_rollout()
        arrays = {name: array.copy() for name, array in result.arrays.items()}  # the slot's views go with close
        latest_steps = result.latest_steps
        del result
        actions = arrays["actions"][:, :, 0]
        forced_rows = (actions == FORCED_ACTION).all(axis=1)
        if latest:
            first = n_steps - latest_steps // 2  # the first step with the new weights, as the worker counted
            assert 0 < first < n_steps, "the switch happened during the rollout"
            assert forced_rows[first:].all(), "every step after the switch acts with the new weights"
            assert forced_rows[:first].mean() < 0.1, "the steps before it act with the old ones"
            # what was stored is the behaviour policy's: certain of its action after the switch
            assert np.allclose(arrays["log_probs"][first:], 0.0, atol=1e-6)
        else:
            assert not forced_rows.all() and latest_steps == 0
        venv.start_rollout(forced, 1)  # either way, the next rollout starts with the newest weights
        assert (venv.wait_rollout().arrays["actions"].copy() == FORCED_ACTION).all()
    finally:
        venv.close()


@pytest.mark.slow
def test_async_training_with_latest_weights_logs_the_share_collected_after_each_update(tmp_path):
    from pathlib import Path

    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from qwop_studio.cli import main

    tiny = Path(__file__).parent / "tiny_ppo.yml"
    run_dir = tmp_path / "run"
    assert main(["train", "--config", str(tiny), "--set", "collection=async", "--set", "vec_env=dummy",
                 "--set", "async_weights=latest", "--run-dir", str(run_dir), "--no-progress"]) == 0
    events = EventAccumulator(str(next((run_dir / "tb" / "PPO").glob("events.*"))))
    events.Reload()
    shares = [e.value for e in events.Scalars("async/latest_weights_share")]
    assert len(shares) == 4 and shares[0] == 0.0  # the first rollout overlaps no update
    assert all(0.0 <= s < 1.0 for s in shares) and max(shares) > 0.0
    assert (run_dir / "final_model.zip").is_file()


def test_a_rollout_queued_during_another_continues_each_env_where_the_first_ended():
    """The learner queues rollout k+1 before it waits for k: two queued rollouts of n steps must hold
    exactly what one rollout of 2n steps holds (one worker, fixed weights, same seeds and RNG state)."""
    import torch as th

    from qwop_studio.train.rollout_workers import make_rollout_workers

    n = 150
    rng_state = th.get_rng_state().numpy().tobytes()
    collected: list[dict[str, np.ndarray]] = []
    for n_steps, rollouts in ((n, 2), (2 * n, 1)):
        venv = make_rollout_workers(2, seed=3, n_workers=1, **ENV)
        try:
            recipe, weights = _policy_weights(venv, forced=False)
            venv.attach(recipe, n_steps, rng_state, 0)
            venv.reset()
            for _ in range(rollouts):
                venv.start_rollout(weights, 0)
            assert venv.in_flight == rollouts
            if rollouts == 2:
                with pytest.raises(RuntimeError, match="already in flight"):
                    venv.start_rollout(weights, 0)  # both slots are taken
            parts = []
            for expected_id in range(rollouts):
                result = venv.wait_rollout()
                assert result.rollout_id == expected_id and result.slot == expected_id
                parts.append({name: result.arrays[name].copy() for name in ("observations", "actions", "rewards",
                                                                             "episode_starts", "log_probs")})
                del result
            collected.append({name: np.concatenate([p[name] for p in parts]) for name in parts[0]})
        finally:
            venv.close()
    queued, whole = collected
    for name in whole:
        np.testing.assert_array_equal(queued[name], whole[name], err_msg=name)
    assert whole["episode_starts"][1:].any(), "episodes ended within the rollouts (resets were crossed)"


def test_closing_while_a_rollouts_arrays_are_held_is_quiet_and_leaves_them_readable(monkeypatch):
    """Ctrl+C interrupts the learner while a frame still holds a finished rollout's arrays (views of a shared
    slot), then the workers are closed: no "Exception ignored ... BufferError" from ``SharedMemory.__del__``,
    and the held arrays stay readable until they go. Fails if the failed close is left for ``__del__`` to retry."""
    import gc
    import sys

    import torch as th

    from qwop_studio.train.rollout_workers import make_rollout_workers

    unraisable: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda report: unraisable.append(repr(report.exc_value)))
    venv = make_rollout_workers(2, seed=1, n_workers=1, **ENV)
    recipe, weights = _policy_weights(venv, forced=False)
    venv.attach(recipe, 20, th.get_rng_state().numpy().tobytes(), 0)
    venv.reset()
    venv.start_rollout(weights, 0)
    held = venv.wait_rollout().arrays  # views of the slot, as an interrupted frame would keep them
    expected = held["rewards"].copy()
    venv.close()
    gc.collect()
    assert unraisable == []
    assert np.array_equal(held["rewards"], expected), "the views still read the rollout"
    del held
    gc.collect()
    assert unraisable == []
