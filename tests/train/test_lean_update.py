"""LeanPPO's update is SB3's PPO update bit for bit (issue 20: less Python, the same maths)."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from stable_baselines3 import PPO

from qwop_studio.env import make_vec_env
from qwop_studio.train.async_ppo import AsyncPPO, as_async
from qwop_studio.train.lean_update import LeanPPO, install_lean_update, lean_supported


def _collected_model(**hyperparams) -> PPO:
    env = make_vec_env(2, "dummy", seed=3, env_kwargs={"frames_per_step": 4, "reduced_action_set": True},
                       max_episode_steps=200)
    kwargs = {"n_steps": 64, "batch_size": 32, "n_epochs": 3, "seed": 0, "device": "cpu", **hyperparams}
    model = PPO("MlpPolicy", env, verbose=0, **kwargs)
    model._setup_learn(10_000, None)
    model.collect_rollouts(env, model._init_callback(None), model.rollout_buffer, model.n_steps)
    return model


def _update(model: PPO, cls: type, state: dict, optimizer: dict, buffer) -> tuple[torch.Tensor, dict]:
    model.__class__ = cls
    model.policy.load_state_dict(state)
    model.policy.optimizer.load_state_dict(optimizer)
    model.rollout_buffer = copy.deepcopy(buffer)
    model._n_updates = 0
    np.random.seed(11)  # SB3 draws each epoch's minibatch order from numpy's global stream
    model.train()
    params = torch.cat([p.detach().flatten().clone() for p in model.policy.parameters()])
    return params, dict(model.logger.name_to_value)


@pytest.mark.parametrize("hyperparams", [{}, {"normalize_advantage": False, "ent_coef": 0.05}])
def test_the_lean_update_gives_sb3s_parameters_and_logs_exactly(hyperparams):
    """With the same Adam (the fused kernel, which the lean update picks) both updates agree bit for bit."""
    model = _collected_model(policy_kwargs={"optimizer_kwargs": {"fused": True}}, **hyperparams)
    saved = (copy.deepcopy(model.policy.state_dict()), copy.deepcopy(model.policy.optimizer.state_dict()),
             copy.deepcopy(model.rollout_buffer))
    sb3_params, sb3_logs = _update(model, PPO, *saved)
    lean_params, lean_logs = _update(model, LeanPPO, *saved)
    assert model.policy.optimizer.param_groups[0]["fused"] is True
    assert torch.equal(sb3_params, lean_params)
    before = torch.cat([p.flatten() for p in saved[0].values() if p.dtype.is_floating_point])
    assert not torch.equal(before.sort().values, lean_params.sort().values)  # it did learn something
    assert lean_logs.keys() == sb3_logs.keys() | {"train/grad_norm"}  # SB3's logs, plus the clip's norm
    assert lean_logs["train/grad_norm"] > 0
    for key, value in sb3_logs.items():
        assert lean_logs[key] == pytest.approx(value, rel=0, abs=0), key


def test_the_lean_update_fuses_adam_unless_the_config_chose_and_stays_within_rounding_of_sb3s_loop():
    """Left to torch, SB3's Adam runs a loop per tensor on the CPU; the lean update switches it to the fused
    kernel (also over a saved state's ``foreach``: models saved before the 29th session), the same formula
    rounded differently; a ``foreach``/``fused`` the policy's ``optimizer_kwargs`` chose stands."""
    model = _collected_model()
    state, optimizer, buffer = (copy.deepcopy(model.policy.state_dict()),
                                copy.deepcopy(model.policy.optimizer.state_dict()), copy.deepcopy(model.rollout_buffer))
    sb3_params, _ = _update(model, PPO, state, optimizer, buffer)
    assert model.policy.optimizer.param_groups[0]["fused"] is None  # SB3's update: the per-tensor loop
    optimizer["param_groups"][0]["foreach"] = True  # as the 28th session's lean update saved it
    lean_params, _ = _update(model, LeanPPO, state, optimizer, buffer)
    group = model.policy.optimizer.param_groups[0]
    assert group["fused"] is True and group["foreach"] is None
    assert not torch.equal(sb3_params, lean_params)  # rounded differently ...
    torch.testing.assert_close(lean_params, sb3_params, rtol=0, atol=1e-5)  # ... the same update
    chose = _collected_model(policy_kwargs={"optimizer_kwargs": {"foreach": True}})
    install_lean_update(chose)
    chose.train()
    assert chose.policy.optimizer.param_groups[0]["foreach"] is True
    assert not chose.policy.optimizer.param_groups[0]["fused"]


def test_what_the_lean_path_does_not_cover_runs_sb3s_update():
    assert lean_supported(_collected_model())
    for hyperparams in ({"target_kl": 0.01}, {"clip_range_vf": 0.2}):
        model = _collected_model(**hyperparams)
        assert not lean_supported(model)
        install_lean_update(model)
        model.train()  # SB3's own path, which knows these options
        assert model._n_updates > 0


def test_the_trainer_models_are_lean_in_both_collection_modes():
    model = _collected_model()
    assert install_lean_update(model) and type(model) is LeanPPO
    assert not install_lean_update(model)  # already one
    assert isinstance(as_async(_collected_model()), AsyncPPO) and issubclass(AsyncPPO, LeanPPO)


def test_the_fused_adams_steps_reach_the_numpy_sampling_pass():
    """The fused kernel writes the parameters without bumping torch's version counters; the lean update's
    step hook bumps them, so lock-step's numpy sampling pass samples with the updated weights."""
    from qwop_studio.train.numpy_actor import NumpyActor

    model = _collected_model()
    install_lean_update(model)
    obs = model.rollout_buffer.observations[:4, 0].copy()
    actor = NumpyActor(model.policy, seed=0)
    before = actor(obs)[1]
    model.train()
    assert model.policy.optimizer.param_groups[0]["fused"] is True
    with torch.no_grad():
        expected = model.policy.predict_values(torch.as_tensor(obs)).numpy()
    assert not np.allclose(before, expected, rtol=0, atol=1e-4)
    np.testing.assert_allclose(actor(obs)[1], expected, rtol=0, atol=1e-5)
