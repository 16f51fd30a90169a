"""Widen a reduced-action (9) PPO runner to the full 16 actions, behaving the same at first.

Each action the reduced set lacks gets the policy row of the reduced action its keys map to
(KEYS_TO_REDUCED: QO -> Q, WP -> W, ...) with its logit lowered by OFFSET: it starts as that action's
rarer twin (e^-OFFSET as likely), so the deterministic runner is unchanged and PPO can explore the new
motor commands Q+O and W+P. Usage: python widen_actions.py IN.zip CONFIG.yml OUT.zip
"""
import sys

import torch
from stable_baselines3 import PPO

from qwop_studio.env import make_vec_env
from qwop_studio.env.actions import FULL_ACTIONS, KEYS_TO_REDUCED, REDUCED_ACTIONS
from qwop_studio.sim.keys import key_mask
from qwop_studio.train.algorithms import build_kwargs
from qwop_studio.train.callbacks import save_model_atomic
from qwop_studio.train.config import load_config
from qwop_studio.train.model_file import load_model

OFFSET = 3.0

if __name__ == "__main__":
    source, config_path, out = sys.argv[1:4]
    config = load_config(config_path)
    assert not config.env.reduced_action_set
    reduced_kwargs = {**config.env.env_kwargs(), "reduced_action_set": True}
    old = load_model(source, "PPO", reduced_kwargs)
    venv = make_vec_env(1, "dummy", seed=0, env_kwargs=config.env.env_kwargs())
    new = PPO(config.policy, venv, seed=0, device="cpu", **build_kwargs("PPO", dict(config.hyperparams), config.total_timesteps))
    state = old.policy.state_dict()
    w, b = state["action_net.weight"], state["action_net.bias"]
    new_w, new_b = torch.empty(len(FULL_ACTIONS), w.shape[1]), torch.empty(len(FULL_ACTIONS))
    for i, keys in enumerate(FULL_ACTIONS):
        j = KEYS_TO_REDUCED[key_mask(keys)]
        exact = keys in REDUCED_ACTIONS
        assert not exact or REDUCED_ACTIONS[j] == keys
        new_w[i], new_b[i] = w[j], b[j] - (0.0 if exact else OFFSET)
        print(f"{keys or '-':5s} <- {REDUCED_ACTIONS[j] or '-':3s}{'' if exact else f' (logit -{OFFSET:g})'}")
    state["action_net.weight"], state["action_net.bias"] = new_w, new_b
    new.policy.load_state_dict(state)
    # Adam's moments carry over too (rows of the action head widened the same way), so that the first
    # updates are as gentle as a plain resume's
    optim = old.policy.optimizer.state_dict()
    names = [name for name, _ in old.policy.named_parameters()]
    rows = [KEYS_TO_REDUCED[key_mask(keys)] for keys in FULL_ACTIONS]
    for index, name in enumerate(names):
        if name.startswith("action_net.") and index in optim["state"]:
            for moment in ("exp_avg", "exp_avg_sq"):
                optim["state"][index][moment] = optim["state"][index][moment][rows].clone()
    new.policy.optimizer.load_state_dict(optim)
    new.num_timesteps = old.num_timesteps
    save_model_atomic(new, out)
    print(f"wrote {out} at {new.num_timesteps} steps")
