"""``make_vec_env``: n QWOPEnv workers for Stable-Baselines3, each wrapped the same way.

Each worker is ``QWOPEnv(**env_kwargs)`` -> the configured wrappers, in order -> ``TimeLimit`` ->
SB3's ``Monitor`` (which logs ``distance``, ``time``, ``is_success`` and ``avg_speed`` at each
episode end). Every worker's wrappers expose ``set_reward_weights``/``get_reward_weights``, so
``vec_env.env_method("set_reward_weights", ...)`` reaches all of them.
"""
from __future__ import annotations

import os
from functools import partial

import gymnasium as gym
from gymnasium.wrappers import TimeLimit
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import SubprocVecEnv, VecEnv

from qwop_studio.env.dummy import FreshInfoDummyVecEnv
from qwop_studio.env.limits import MAX_EPISODE_STEPS
from qwop_studio.env.qwop_env import QWOPEnv
from qwop_studio.env.reward import RewardWeights
from qwop_studio.env.sharded import ShardedSubprocVecEnv, check_transport
from qwop_studio.env.wrappers import apply_wrappers, check_wrapper_specs
from qwop_studio.threads import single_threaded_children

#: ``info`` keys SB3's ``Monitor`` copies into each episode's record.
MONITOR_INFO_KEYWORDS: tuple[str, ...] = ("distance", "time", "is_success", "avg_speed")
VEC_ENV_CLASSES: dict[str, type[VecEnv]] = {
    "subproc": SubprocVecEnv, "sharded": ShardedSubprocVecEnv, "dummy": FreshInfoDummyVecEnv}


def make_worker(rank: int, seed: int | None, env_kwargs: dict, wrappers: list[dict], max_episode_steps: int,
                monitor_dir: str | None) -> gym.Env:
    """One worker: QWOPEnv -> wrappers -> TimeLimit -> Monitor (log file ``<monitor_dir>/<rank>``).

    Its action space is seeded ``seed + rank`` (for ``action_space.sample()``); the env itself is
    seeded through ``VecEnv.seed`` at its first reset.
    """
    env = apply_wrappers(QWOPEnv(**env_kwargs), wrappers)
    if seed is not None:
        env.action_space.seed(seed + rank)
    env = TimeLimit(env, max_episode_steps=max_episode_steps)
    filename = os.path.join(monitor_dir, str(rank)) if monitor_dir is not None else None
    return Monitor(env, filename=filename, info_keywords=MONITOR_INFO_KEYWORDS)


def make_vec_env(n_envs: int, vec_env: str = "subproc", seed: int | None = 0, env_kwargs: dict | None = None,
                 wrappers: list[dict] | None = None, max_episode_steps: int = MAX_EPISODE_STEPS,
                 monitor_dir: str | None = None, n_workers: int | None = None,
                 transport: str = "shared_memory") -> VecEnv:
    """A vector env of ``n_envs`` workers; worker i is seeded ``seed + i`` on its first reset.

    ``vec_env``: ``"subproc"`` (SB3's: one process per env, started with ``spawn``), ``"sharded"``
    (``n_workers`` shards, default one per core, each stepping its share of the envs per message; the
    first shard is stepped in this process, so ``n_workers - 1`` worker processes: the fast choice on
    few cores; ``transport`` ``"shared_memory"`` or ``"pipe"`` is how its workers get their messages)
    or ``"dummy"`` (all in this process). ``wrappers``: ``[{"name": "RewardShapingWrapper", "kwargs": {...}}, ...]`` with
    names from ``wrappers.WRAPPERS``. Bad arguments raise a one-line ``ValueError`` naming them, here
    in the caller's process (one worker is built and closed here first), not in a worker.
    With ``"subproc"`` the calling script needs the usual ``if __name__ == "__main__":`` guard
    (``spawn`` re-imports it in each worker).
    """
    if isinstance(n_envs, bool) or not isinstance(n_envs, int) or n_envs < 1:
        raise ValueError(f"n_envs={n_envs!r}: expected an integer >= 1")
    if vec_env not in VEC_ENV_CLASSES:
        raise ValueError(f"vec_env={vec_env!r}: expected one of {', '.join(VEC_ENV_CLASSES)}")
    check_transport(transport)
    if isinstance(max_episode_steps, bool) or not isinstance(max_episode_steps, int) or max_episode_steps < 1:
        raise ValueError(f"max_episode_steps={max_episode_steps!r}: expected an integer >= 1")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError(f"seed={seed!r}: expected an integer or None")
    env_kwargs = dict(env_kwargs or {})
    wrappers = check_wrapper_specs(wrappers)
    if monitor_dir is not None:
        os.makedirs(monitor_dir, exist_ok=True)
    factories = [partial(make_worker, rank, seed, env_kwargs, wrappers, max_episode_steps, monitor_dir)
                 for rank in range(n_envs)]
    if vec_env in ("subproc", "sharded"):
        try:
            make_worker(0, seed, env_kwargs, wrappers, max_episode_steps, None).close()  # fail here, not in a child
        except TypeError as exc:
            raise ValueError(f"env_kwargs: {exc}") from None
        with single_threaded_children():  # one BLAS thread per worker
            if vec_env == "sharded":
                workers = min(n_envs, n_workers or os.cpu_count() or 1)
                venv: VecEnv = ShardedSubprocVecEnv(factories, n_workers=workers, start_method="spawn",
                                                      local_shard=True, transport=transport)
            else:
                venv = SubprocVecEnv(factories, start_method="spawn")
    else:
        try:
            venv = FreshInfoDummyVecEnv(factories)
        except TypeError as exc:
            raise ValueError(f"env_kwargs: {exc}") from None
    if seed is not None:
        venv.seed(seed)  # SB3 passes seed + i to worker i's next reset
    return venv


def set_reward_weights(venv: VecEnv, **changes: float) -> list[dict[str, float]]:
    """Change reward weights in every worker; returns each worker's weights after the change.

    The changes are checked here first, so a bad one raises a one-line ``ValueError`` in the caller
    and reaches no worker (an exception inside a ``SubprocVecEnv`` worker would kill it).
    """
    RewardWeights().update(**changes)
    return venv.env_method("set_reward_weights", **changes)


__all__ = ["make_vec_env", "set_reward_weights", "make_worker", "MONITOR_INFO_KEYWORDS", "VEC_ENV_CLASSES"]
