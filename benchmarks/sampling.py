"""CPU time per env step of a rollout worker's loop: the policy's sampling pass in torch against numpy.

    python -m benchmarks.sampling [--steps 2000] [--runs 5] [--envs 4]

A rollout worker (async collection) and lock-step collection both run, per vector step, the policy's
forward pass on a few observations and then step the envs. This times that loop in this process, on
the default config's envs (built as a worker builds them: wrappers, time limit, monitor) and the default
policy (64x64 tanh MLP, 9 actions), three ways in rotating order (:func:`~benchmarks.common.interleaved_runs`):
random actions (the envs alone: the floor), the policy sampled in torch
(:class:`~qwop_studio.train.lean_policy.LeanActor`, SB3's numbers bit for bit, the path before the
12th session) and in numpy (:class:`~qwop_studio.train.numpy_actor.NumpyActor`, what collection uses
now). CPU seconds of this process (``time.process_time``), so a busy machine slows the figures less
than wall time would; still, run it alone. Prints microseconds per env step (medians over rounds) and
the sampling pass's own cost: each way minus random actions.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from functools import partial

if __package__ in (None, ""):  # run as ``python benchmarks/sampling.py``
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import interleaved_runs, machine  # noqa: E402

RANDOM, TORCH, NUMPY = "random actions (envs alone)", "sampled in torch (LeanActor)", "sampled in numpy (NumpyActor)"


def worker_loops(steps: int, n_envs: int) -> dict:
    """name -> a function returning CPU microseconds per env step of ``steps`` vector steps."""
    import numpy as np
    import torch as th
    from stable_baselines3.common.policies import ActorCriticPolicy
    from stable_baselines3.common.utils import obs_as_tensor

    from qwop_studio.env.dummy import FreshInfoDummyVecEnv
    from qwop_studio.env.vec import make_worker
    from qwop_studio.env.wrappers import check_wrapper_specs
    from qwop_studio.train.config import load_config
    from qwop_studio.train.lean_policy import LeanActor
    from qwop_studio.train.numpy_actor import NumpyActor

    config = load_config("train_ppo_upright")
    wrappers = check_wrapper_specs(config.wrapper_specs())
    venv = FreshInfoDummyVecEnv([partial(make_worker, rank, 0, config.env.env_kwargs(), wrappers,
                                         config.max_episode_steps, None)
                                 for rank in range(n_envs)])
    policy = ActorCriticPolicy(venv.observation_space, venv.action_space, lambda _: 0.0)
    torch_actor, numpy_actor = LeanActor(policy), NumpyActor(policy, seed=0)
    rng = np.random.default_rng(0)
    state = {"obs": venv.reset()}

    def run(choose) -> float:
        obs = state["obs"]
        start = time.process_time()
        for _ in range(steps):
            obs = venv.step(choose(obs))[0]
        state["obs"] = obs
        return (time.process_time() - start) / (steps * n_envs) * 1e6

    def with_torch(obs):
        with th.no_grad():
            return torch_actor(obs_as_tensor(obs, "cpu"))[0].numpy()

    return {RANDOM: lambda: run(lambda obs: rng.integers(0, venv.action_space.n, n_envs)),
            TORCH: lambda: run(with_torch),
            NUMPY: lambda: run(lambda obs: numpy_actor(obs)[0])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000, help="vector steps per measurement (default 2000)")
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--envs", type=int, default=4, help="envs per vector step (default 4: a worker's share "
                                                          "of the default 8 envs with 2 workers)")
    args = parser.parse_args(argv)
    for name in ("steps", "runs", "envs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name}: must be >= 1")
    from qwop_studio.train.torch_setup import prepare_torch_process

    prepare_torch_process()
    print(f"machine: {machine()}")
    print(f"{args.envs} envs per vector step, {args.steps} vector steps per measurement, {args.runs} rounds", flush=True)
    values = interleaved_runs(args.runs, worker_loops(args.steps, args.envs))
    floor = statistics.median(values[RANDOM])
    width = max(len(name) for name in values)
    for name, runs in values.items():
        median = statistics.median(runs)
        extra = "" if name == RANDOM else f"   sampling pass: {median - floor:6.1f} us per env step"
        print(f"  {name:<{width}}  {median:7.1f} us of CPU per env step{extra}   "
              f"(rounds: {', '.join(f'{v:.0f}' for v in runs)})")
    torch_loop, numpy_loop = statistics.median(values[TORCH]), statistics.median(values[NUMPY])
    print(f"a worker's loop, torch / numpy: {torch_loop / numpy_loop:.2f}x the CPU per env step")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
