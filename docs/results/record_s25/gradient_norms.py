"""Issue 18, 25th session: where PPO's gradient norm comes from, on one rollout of a model, and what SB3's
global clip (``max_grad_norm``) leaves of the policy net's gradient.

Why: SB3 clips the gradient of the *whole* loss (policy + entropy + vf_coef x value) to ``max_grad_norm``.
The policy and value nets share no layer, so when the value loss is large (returns in the thousands) the
value net's gradient sets the clip factor for both, and the policy's entries can fall below Adam's eps.
Run from the repository root (one torch thread, a few seconds):

    python docs/results/record_s25/gradient_norms.py MODEL.zip CONFIG.yml [--vf-coef 0.5 0.005]
"""
from __future__ import annotations

import argparse

import torch as th
from stable_baselines3 import PPO
from stable_baselines3.common.logger import configure

from qwop_studio.env import make_vec_env
from qwop_studio.train.config import load_config

ADAM_EPS = 1e-5  # SB3's ActorCriticPolicy gives Adam this eps


def grad_norms(policy, loss: th.Tensor) -> tuple[float, float, float, th.Tensor]:
    """(policy net's norm, value net's norm, whole norm, the policy net's entries) of ``loss``'s gradient."""
    policy.zero_grad()
    loss.backward(retain_graph=True)
    named = [(n, p.grad) for n, p in policy.named_parameters() if p.grad is not None]
    pi = [g.flatten() for n, g in named if "policy_net" in n or "action_net" in n]
    vf = [g.flatten() for n, g in named if "value_net" in n]
    pi_all, vf_all = th.cat(pi) if pi else th.zeros(1), th.cat(vf) if vf else th.zeros(1)
    return float(pi_all.norm()), float(vf_all.norm()), float(th.cat([pi_all, vf_all]).norm()), pi_all.abs()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("config")
    parser.add_argument("--vf-coef", type=float, nargs="+", default=[0.5, 0.005])
    args = parser.parse_args()
    th.set_num_threads(1)
    config = load_config(args.config)
    venv = make_vec_env(config.n_envs, "dummy", seed=0, env_kwargs=config.env.env_kwargs(),
                        wrappers=config.wrapper_specs(), max_episode_steps=config.max_episode_steps)
    model = PPO.load(args.model, env=venv, device="cpu")
    model.set_logger(configure(None, []))
    model._setup_learn(10**9, None)
    model.collect_rollouts(venv, model._init_callback(None), model.rollout_buffer, model.n_steps)
    buffer = model.rollout_buffer
    print(f"one rollout of {buffer.buffer_size} x {buffer.n_envs} steps: returns mean {buffer.returns.mean():.0f}, "
          f"std {buffer.returns.std():.0f}")
    data = next(buffer.get(model.batch_size))
    values, log_prob, entropy = model.policy.evaluate_actions(data.observations, data.actions.long().flatten())
    advantages = (data.advantages - data.advantages.mean()) / (data.advantages.std() + 1e-8)
    ratio = th.exp(log_prob - data.old_log_prob)
    clip = model.clip_range(1.0)
    policy_loss = -th.min(advantages * ratio, advantages * th.clamp(ratio, 1 - clip, 1 + clip)).mean()
    value_loss = th.nn.functional.mse_loss(data.returns, values.flatten())
    print(f"value loss {float(value_loss.detach()):.1f}; policy loss's own gradient norm "
          f"{grad_norms(model.policy, policy_loss)[0]:.3f}")
    for vf_coef in args.vf_coef:
        loss = policy_loss - model.ent_coef * entropy.mean() + vf_coef * value_loss
        pi_norm, vf_norm, whole, pi_entries = grad_norms(model.policy, loss)
        factor = min(1.0, model.max_grad_norm / whole)
        clipped = pi_entries * factor
        print(f"vf_coef {vf_coef:g}: gradient norm {whole:.2f} (policy net {pi_norm:.3f}, value net {vf_norm:.2f}); "
              f"clip factor {factor:.4f}; policy entries after it: median {float(clipped.median()):.2e}, "
              f"{float((clipped < ADAM_EPS).float().mean()) * 100:.0f} % below Adam's eps")
    venv.close()


if __name__ == "__main__":
    main()
