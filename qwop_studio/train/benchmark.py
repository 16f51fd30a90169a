"""Throughput on this machine: the env alone, and training with each shipped config.

For each config the learner runs for a fixed wall time after a warm-up (the model built, the first
``learning_starts`` steps collected), and we report env steps per second while learning, and how that
time splits between waiting for the vector env (physics, plus IPC for ``subproc``) and the learner
(action selection, gradient updates, buffers, callbacks). The learner's settings decide throughput
far more than the physics does; this table shows by how much.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: learning_starts is capped so that the warm-up does not eat the benchmark.
MAX_LEARNING_STARTS = 1000


@dataclass(frozen=True)
class EnvResult:
    label: str
    n_envs: int
    vec_env: str
    env_steps_per_s: float
    ticks_per_s: float


@dataclass(frozen=True)
class TrainResult:
    config: str
    algorithm: str
    n_envs: int
    vec_env: str
    env_steps_per_s: float
    env_fraction: float  # share of the measured wall time spent in the vector env
    steps: int
    seconds: float
    mean_episode_steps: float = float("nan")  # the last 100 finished episodes' mean length (SB3's ep_info_buffer)
    learner_cpu_s: float = float("nan")  # CPU time of the learner's process (this one) over the measured window
    probes: tuple[Any, Any] | None = None  # ``probe()`` at the window's start and end (see training_throughput)


def env_throughput(seconds: float = 2.0, frames_per_step: int = 4, reduced_action_set: bool = True) -> EnvResult:
    """One ``QWOPEnv`` in this process, random actions, resets included."""
    from qwop_studio.env import QWOPEnv

    env = QWOPEnv(frames_per_step=frames_per_step, reduced_action_set=reduced_action_set)
    return _random_steps(env, seconds, "QWOPEnv (one, in-process)", frames_per_step)


def configured_env_throughput(config: Any, seconds: float = 2.0) -> EnvResult:
    """One env as ``config``'s workers build it (its observation, no-op starts, wrappers, time limit and
    SB3's Monitor), in this process, random actions, resets included.

    Why beside :func:`env_throughput`: a training run steps this env, not the bare one; the gap between the
    two is the env-side work every collection mode pays (the default config's is ~15 % of the step), and
    the rest of the gap to a training run's rate is what learning costs.
    """
    from qwop_studio.env.vec import make_worker
    from qwop_studio.env.wrappers import check_wrapper_specs

    env = make_worker(0, 0, config.env.env_kwargs(), check_wrapper_specs(config.wrapper_specs()),
                      config.max_episode_steps, None)
    return _random_steps(env, seconds, f"{config.config_name} env (one, as its workers build it)",
                         config.env.frames_per_step)


def _random_steps(env: Any, seconds: float, label: str, frames_per_step: int) -> EnvResult:
    env.reset(seed=0)
    env.action_space.seed(0)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            steps += 1
            if terminated or truncated:
                env.reset()
    elapsed = time.perf_counter() - start
    env.close()
    return EnvResult(label, 1, "-", steps / elapsed, steps * frames_per_step / elapsed)


def vec_env_throughput(config: Any, seconds: float = 2.0) -> EnvResult:
    """The config's vector env with random actions and no learner."""
    from qwop_studio.env import make_vec_env

    venv = make_vec_env(config.n_envs, config.vec_env, seed=0, env_kwargs=config.env.env_kwargs(),
                        wrappers=config.wrapper_specs(), max_episode_steps=config.max_episode_steps)
    try:
        venv.reset()
        rng = np.random.default_rng(0)
        n = venv.action_space.n
        venv.step(rng.integers(n, size=config.n_envs))
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            venv.step(rng.integers(n, size=config.n_envs))
            steps += config.n_envs
        elapsed = time.perf_counter() - start
    finally:
        venv.close()
    fps = config.env.frames_per_step
    return EnvResult(f"{config.config_name} vec env, no learner", config.n_envs, config.vec_env, steps / elapsed,
                     steps * fps / elapsed)


def training_throughput(config: Any, seconds: float = 10.0, policy_from: str | os.PathLike | None = None,
                        probe: Callable[[], Any] | None = None) -> TrainResult:
    """Env steps per second while ``config``'s algorithm learns, measured for ``seconds`` after warm-up.

    ``probe`` (optional) is called when the measured window starts and when it ends; both readings come
    back in ``TrainResult.probes`` (``benchmarks.training`` reads the machine's idle time with it, so the
    CPU per env step covers exactly the window, not the start-up).

    ``policy_from``: a saved model whose policy weights the learner starts from (loaded without pickle).
    Why: a fresh policy falls within a second, so its envs spend much of their time resetting; a trained
    one runs whole races, as the envs of a real run do after its first minutes.
    """
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.vec_env import VecEnvWrapper

    from qwop_studio.env import make_vec_env
    from qwop_studio.train.algorithms import build_kwargs
    from qwop_studio.train.learner_setup import prepare_learner

    class TimedVecEnv(VecEnvWrapper):
        """Adds up the wall time spent inside the vector env's step and reset."""

        def __init__(self, venv: Any) -> None:
            super().__init__(venv)
            self.env_s = 0.0

        def reset(self):
            t = time.perf_counter()
            obs = self.venv.reset()
            self.env_s += time.perf_counter() - t
            return obs

        def step_async(self, actions):
            t = time.perf_counter()
            self.venv.step_async(actions)
            self.env_s += time.perf_counter() - t

        def step_wait(self):
            t = time.perf_counter()
            out = self.venv.step_wait()
            self.env_s += time.perf_counter() - t
            return out

    hyperparams = dict(config.hyperparams)
    warm_steps = 0
    if config.spec.off_policy:
        hyperparams["learning_starts"] = min(int(hyperparams.get("learning_starts", 100)), MAX_LEARNING_STARTS)
        warm_steps = hyperparams["learning_starts"]
    else:  # one full rollout and its update before the clock starts
        warm_steps = int(hyperparams.get("n_steps", 2048)) * config.n_envs + 1

    class Window(BaseCallback):
        """Counts env steps and time between rollout ends (async callbacks see a rollout in one burst
        after it was collected, so a window bounded by steps would cut rollouts unevenly)."""

        def __init__(self) -> None:
            super().__init__()
            self.t0: float | None = None
            self.step0 = 0
            self.env0 = 0.0
            self.cpu0 = 0.0
            self.probe0: Any = None
            self.result: tuple[int, float, float, float, Any] = (0, 0.0, 0.0, float("nan"), None)

        def _on_rollout_end(self) -> None:
            now, cpu = time.perf_counter(), time.process_time()
            if self.t0 is None:
                if self.num_timesteps > warm_steps:
                    self.t0, self.step0, self.env0, self.cpu0 = now, self.num_timesteps, env_seconds(), cpu
                    self.probe0 = probe() if probe else None
                return
            self.result = (self.num_timesteps - self.step0, now - self.t0, env_seconds() - self.env0,
                           cpu - self.cpu0, (self.probe0, probe()) if probe else None)

        def _on_step(self) -> bool:
            return self.t0 is None or time.perf_counter() - self.t0 < seconds

    env_args = {"seed": 0, "env_kwargs": config.env.env_kwargs(), "wrappers": config.wrapper_specs(),
                "max_episode_steps": config.max_episode_steps}
    if config.collects_in_workers:  # workers collect whole rollouts (while the learner learns, for async)
        from qwop_studio.train.async_ppo import AsyncPPO, learner_wait_s
        from qwop_studio.train.rollout_workers import make_rollout_workers

        venv = make_rollout_workers(config.n_envs, n_workers=config.collection_workers,
                                    overlap=config.collection_overlaps_learning, **env_args)
        algorithm_class: Any = AsyncPPO
        vec_label = f"{config.collection} x{len(venv.shards)}"

        def env_seconds() -> float:  # the learner's wait for rollouts: what the overlap did not hide
            return learner_wait_s(model)
    else:
        venv = TimedVecEnv(make_vec_env(config.n_envs, config.vec_env, **env_args))
        algorithm_class, vec_label = config.spec.cls, config.vec_env

        def env_seconds() -> float:
            return venv.env_s

    try:
        model = algorithm_class(config.policy, venv, seed=0, device="cpu", verbose=0,
                                **build_kwargs(config.algorithm, hyperparams, config.total_timesteps))
        if policy_from is not None:
            from qwop_studio.train.model_file import load_model

            trained = load_model(policy_from, config.algorithm, config.env.env_kwargs())
            model.policy.load_state_dict(trained.policy.state_dict())
        model = prepare_learner(model, config)  # as the trainer does
        window = Window()
        model.learn(10**9, callback=window)
    finally:
        venv.close()
    steps, elapsed, env_s, learner_cpu_s, probes = window.result
    lengths = [info["l"] for info in model.ep_info_buffer or []]
    return TrainResult(config.config_name, config.algorithm, config.n_envs, vec_label,
                       steps / elapsed if elapsed else 0.0, env_s / elapsed if elapsed else 0.0, steps, elapsed,
                       float(np.mean(lengths)) if lengths else float("nan"), learner_cpu_s, probes)


def run_benchmark(seconds: float = 10.0, configs: list[str] | None = None, overrides: dict[str, Any] | None = None
                  ) -> tuple[list[EnvResult], list[TrainResult]]:
    """Measure and print the env and training tables; return the results.

    ``configs``: shipped config names or files (default: every shipped config); ``overrides``: dotted
    config keys applied to each (e.g. ``{"vec_env": "dummy"}``).
    """
    from rich.console import Console
    from rich.table import Table

    from qwop_studio.train.config import load_config, shipped_config_names
    from qwop_studio.train.torch_setup import prepare_torch_process

    prepare_torch_process()
    loaded = [load_config(name, overrides) for name in (configs or shipped_config_names())]
    console = Console(width=max(Console().width, 110))
    env_results = [env_throughput(min(seconds, 3.0))]
    console.print(f"[bold]env[/] one QWOPEnv: {env_results[0].env_steps_per_s:,.0f} env steps/s "
                  f"({env_results[0].ticks_per_s:,.0f} physics ticks/s)")
    train_results = []
    for config in loaded:
        env_results.append(vec_env_throughput(config, min(seconds, 3.0)))
        console.print(f"[bold]{config.config_name}[/]: vec env alone {env_results[-1].env_steps_per_s:,.0f} steps/s;"
                      f" training for {seconds:g} s ...")
        train_results.append(training_throughput(config, seconds))

    table = Table(title=f"Training throughput ({seconds:g} s of learning per config, after warm-up)")
    for col in ("config", "algo", "envs", "vec env", "env only /s", "learning /s", "in env", "in learner"):
        table.add_column(col, justify="left" if col in ("config", "algo", "vec env") else "right")
    for env_r, r in zip(env_results[1:], train_results, strict=True):
        table.add_row(r.config, r.algorithm, str(r.n_envs), r.vec_env, f"{env_r.env_steps_per_s:,.0f}",
                      f"{r.env_steps_per_s:,.0f}", f"{r.env_fraction:.0%}", f"{1 - r.env_fraction:.0%}")
    console.print(table)
    return env_results, train_results
