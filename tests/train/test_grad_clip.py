"""``grad_clip: per_net`` (issue 18): a large value loss no longer shrinks the policy's step.

SB3 clips the whole gradient by its joint norm; with the record runner's returns the value net's gradient
(norm ~400) set that norm and cut the policy's step ~1,000-fold. Per net, the policy's step is what it
would be if the value loss did not exist, and the value net still learns.
"""
from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import pytest
import torch

from qwop_studio.train.config import ConfigError, validate_config
from qwop_studio.train.lean_update import LeanPPO
from qwop_studio.train.learner_setup import prepare_learner
from tests.train.test_lean_update import _collected_model, _update

POLICY_PREFIXES = ("mlp_extractor.policy_net.", "action_net.")
VALUE_PREFIXES = ("mlp_extractor.value_net.", "value_net.")


def _step(model, saved, *, per_net: bool, vf_coef: float, returns_scale: float) -> tuple[dict, dict]:
    """One update from the same weights, optimiser state and rollout (its returns scaled): the parameters'
    change, per net, and the update's logs."""
    state, optimizer, buffer = saved
    buffer = copy.deepcopy(buffer)
    buffer.returns = buffer.returns * returns_scale  # a large value loss, as late in a fast race
    model.vf_coef = vf_coef
    model.grad_clip_per_net = per_net
    model.logger.name_to_value.clear()  # this update's logs only
    _, logs = _update(model, LeanPPO, state, optimizer, buffer)
    after = model.policy.state_dict()
    change = {name: after[name] - state[name] for name in state if name.startswith(POLICY_PREFIXES + VALUE_PREFIXES)}
    return change, logs


def _norm(change: dict, prefixes: tuple[str, ...]) -> float:
    return float(torch.cat([v.flatten() for k, v in change.items() if k.startswith(prefixes)]).norm())


@pytest.fixture(scope="module")
def rollout():
    model = _collected_model()
    saved = (copy.deepcopy(model.policy.state_dict()), copy.deepcopy(model.policy.optimizer.state_dict()),
             copy.deepcopy(model.rollout_buffer))
    return model, saved


def test_per_net_the_policy_steps_as_if_there_were_no_value_loss(rollout):
    model, saved = rollout
    per_net, logs = _step(model, saved, per_net=True, vf_coef=0.5, returns_scale=1000.0)
    without_value_loss, _ = _step(model, saved, per_net=False, vf_coef=0.0, returns_scale=1000.0)
    for name, change in per_net.items():
        if name.startswith(POLICY_PREFIXES):
            torch.testing.assert_close(change, without_value_loss[name], rtol=1e-4, atol=1e-7, msg=name)  # rounding
    assert _norm(per_net, VALUE_PREFIXES) > 0.01  # and the value net learns all the same
    assert logs["train/grad_norm_value"] > 100 * logs["train/grad_norm_policy"]
    assert "train/grad_norm" not in logs


def test_one_global_clip_starves_the_policy_when_the_value_loss_is_large(rollout):
    """The failure per_net fixes, measured the same way: SB3's clip with the same rollout moves the
    policy's weights several times less (its gradient entries fall under Adam's eps)."""
    model, saved = rollout
    per_net, _ = _step(model, saved, per_net=True, vf_coef=0.5, returns_scale=1000.0)
    global_clip, logs = _step(model, saved, per_net=False, vf_coef=0.5, returns_scale=1000.0)
    assert _norm(global_clip, POLICY_PREFIXES) < 0.5 * _norm(per_net, POLICY_PREFIXES)
    assert logs["train/grad_norm"] > 100


def test_the_setting_comes_from_the_config_and_is_never_saved_in_the_model(tmp_path: Path):
    config = validate_config({"algorithm": "PPO", "total_timesteps": 1000, "grad_clip": "per_net"})
    model = prepare_learner(_collected_model(), config)
    assert isinstance(model, LeanPPO) and model.grad_clip_per_net
    model.train()
    assert "train/grad_norm_policy" in model.logger.name_to_value
    model.save(tmp_path / "model.zip")
    with zipfile.ZipFile(tmp_path / "model.zip") as archive:
        assert "grad_clip_per_net" not in json.loads(archive.read("data"))
    plain = prepare_learner(_collected_model(), validate_config({"algorithm": "PPO", "total_timesteps": 1000}))
    assert not plain.grad_clip_per_net


@pytest.mark.parametrize(("data", "message"), [
    ({"algorithm": "A2C"}, "grad_clip: 'per_net' is for PPO only"),
    ({"algorithm": "PPO", "hyperparams": {"target_kl": 0.02}}, "hyperparams.target_kl is set"),
    ({"algorithm": "PPO", "hyperparams": {"max_grad_norm": None}}, "max_grad_norm is null"),
])
def test_per_net_where_it_cannot_run_is_a_one_line_config_error(data, message):
    with pytest.raises(ConfigError, match=message):
        validate_config({"total_timesteps": 1000, "grad_clip": "per_net", **data}, "my.yml")


def test_an_unknown_clip_scope_names_the_key():
    with pytest.raises(ConfigError, match=r"my.yml: grad_clip: should be 'global' or 'per_net'"):
        validate_config({"algorithm": "PPO", "total_timesteps": 1000, "grad_clip": "per-net"}, "my.yml")


def test_sb3s_own_update_refuses_per_net_rather_than_ignoring_it():
    model = _collected_model(target_kl=0.01)
    model.__class__ = LeanPPO
    model.grad_clip_per_net = True
    with pytest.raises(ValueError, match="clips the whole gradient only"):
        model.train()
