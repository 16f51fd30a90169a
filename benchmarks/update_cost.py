"""CPU time of one PPO update on the default config's rollout: plain, and decoupled for a lagged rollout.

    python -m benchmarks.update_cost [--runs 7]

Why: async collection trains on a rollout one update old, and ``async_correction: decoupled`` (the
default) pays one extra no-grad pass over the rollout per update for its proximal log-probabilities
(``AsyncPPO._decouple``). This prices that pass where the learner pays it: one ``train()`` of the
default config's sizes (8 envs x ``n_steps`` samples, its batch size and epochs, the 64x64 MLP) on a
real rollout of the default config's envs, three ways in rotating order
(:func:`~benchmarks.common.interleaved_runs`): a fresh rollout (lag 0: plain PPO, as sync and lock-step
train), a lagged one with ``async_correction: none`` and a lagged one with ``decoupled``; and the last
again with Adam's ``foreach`` ops instead of its fused kernel (what the lean update used before the 29th
session). CPU seconds of this process (one torch thread), medians over rounds.
"""
from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time

if __package__ in (None, ""):  # run as ``python -m`` from elsewhere or as a file
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import interleaved_runs, machine  # noqa: E402

FRESH, PLAIN, DECOUPLED = "fresh rollout (plain PPO)", "lagged, async_correction: none", "lagged, decoupled"
FOREACH = "lagged, decoupled, Adam with foreach ops (before the 29th session)"


def update_measures() -> dict:
    """name -> a function returning CPU milliseconds of one update of the default config's sizes."""
    import numpy as np
    from stable_baselines3 import PPO
    from stable_baselines3.common.logger import configure

    from qwop_studio.env import make_vec_env
    from qwop_studio.train.algorithms import build_kwargs
    from qwop_studio.train.async_ppo import as_async
    from qwop_studio.train.config import load_config

    config = load_config("train_ppo_upright")
    venv = make_vec_env(config.n_envs, "dummy", seed=0, env_kwargs=config.env.env_kwargs(),
                        wrappers=config.wrapper_specs(), max_episode_steps=config.max_episode_steps)
    kwargs = build_kwargs(config.algorithm, config.hyperparams, config.total_timesteps)  # as the trainer builds it
    models = {}
    for decoupled in (False, True):
        model = as_async(PPO(config.policy, venv, seed=0, device="cpu", **kwargs), decoupled=decoupled)
        model.set_logger(configure(None, []))
        model._setup_learn(10 * config.n_envs * model.n_steps, None)
        models[decoupled] = model
    first = models[False]
    first.collect_rollouts(venv, first._init_callback(None), first.rollout_buffer, first.n_steps)
    rollout = first.rollout_buffer
    venv.close()
    weights = copy.deepcopy(first.policy.state_dict())

    def update(decoupled: bool, lag: int, adam: dict | None = None) -> float:
        model = models[decoupled]
        model.policy_kwargs["optimizer_kwargs"] = adam or {}  # a config's choice; unset: the lean update's
        for group in model.policy.optimizer.param_groups if adam else ():  # (unset: the update sets its own)
            group.update(adam)
        model.policy.load_state_dict(weights)  # every measure starts from the same weights and rollout
        model.rollout_buffer = copy.deepcopy(rollout)
        model._async().rollout_lag = lag
        np.random.seed(0)
        start = time.process_time()
        model.train()
        return (time.process_time() - start) * 1e3

    return {FRESH: lambda: update(False, 0), PLAIN: lambda: update(False, 1), DECOUPLED: lambda: update(True, 1),
            FOREACH: lambda: update(True, 1, {"foreach": True, "fused": None})}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="interleaved rounds (default 7)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs: must be >= 1")
    from qwop_studio.train.torch_setup import prepare_torch_process

    prepare_torch_process()
    print(f"machine: {machine()}")
    print(f"one update of the default config (train_ppo_upright), {args.runs} rounds", flush=True)
    values = interleaved_runs(args.runs, update_measures())
    fresh = statistics.median(values[FRESH])
    width = max(len(name) for name in values)
    for name, runs in values.items():
        median = statistics.median(runs)
        print(f"  {name:<{width}}  {median:7.1f} ms of CPU per update ({median / fresh:.3f}x fresh)   "
              f"(rounds: {', '.join(f'{v:.0f}' for v in runs)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
