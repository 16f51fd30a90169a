"""One training job, from a validated config to a run directory (``run_dir.py`` says what it holds).

Read top to bottom, a run is: pick the run directory -> write the resolved ``config.yml`` -> build the
vector env -> build the model (or load a checkpoint and its replay buffer) -> compose the callbacks
-> ``model.learn`` -> save the final checkpoint and ``final_model.zip``. Everything else (pausing,
weight changes, metrics for the studio) happens in callbacks (``callbacks.py``).

Two entry points: :func:`run_training` (the CLI calls it in-process; resolve what to run first with
``run_dir.plan_run``) and ``child.start_trainer_process`` (the studio: a ``spawn`` child obeying
``messages`` commands).
"""
from __future__ import annotations

import contextlib
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from qwop_studio.train import messages as msg
from qwop_studio.train.config import TrainConfig, validate_config, write_config
from qwop_studio.train.run_dir import (
    checkpoint_step,
    read_model_num_timesteps,
    replay_buffer_for,
    run_dir_of,
    truncate_log,
    weights_at,
)
from qwop_studio.train.torch_setup import prepare_torch_process


def apply_schedules(model: Any, config: TrainConfig) -> None:
    """Give a resumed model the config's learning rate and clip schedules.

    Why: SB3's ``load`` restores the schedules pickled at the start of the run, so a resume with
    ``--set hyperparams.learning_rate=...`` (say, a late decay added to a run under way) would
    silently train on with the old ones. The config's values are the ones the user sees and edits.
    """
    from stable_baselines3.common.utils import FloatSchedule

    from qwop_studio.train.algorithms import SCHEDULE_ARGS, build_kwargs
    from qwop_studio.train.sb3_internals import rebuild_lr_schedule

    kwargs = build_kwargs(config.algorithm, config.hyperparams, config.total_timesteps)
    for key in sorted(SCHEDULE_ARGS & kwargs.keys()):
        if key == "learning_rate":
            model.learning_rate = kwargs[key]
            rebuild_lr_schedule(model)
        elif hasattr(model, key) and kwargs[key] is not None:
            setattr(model, key, FloatSchedule(kwargs[key]))


# ------------------------------------------------------------------------------------ the training run
def run_training(config: TrainConfig | dict[str, Any], run_dir: str | os.PathLike, resume: str | os.PathLike | None = None,
                 commands: Any = None, events: Any = None, progress: bool = True, source: str = "",
                 extra_callbacks: list[Any] | None = None) -> Path:
    """Train to ``config.total_timesteps`` env steps in ``run_dir``; return the final model's path.

    ``resume``: a checkpoint .zip to continue (step count, schedules, TensorBoard curves, replay
    buffer and the reward weights in force at that step). ``commands``/``events``: the studio's
    queues of :mod:`messages` (None from the CLI). ``extra_callbacks``: SB3 callbacks run after ours (a
    sweep's trial budget and intermediate evaluations). Ctrl+C saves a checkpoint before re-raising.
    """
    config = config if isinstance(config, TrainConfig) else validate_config(dict(config), "config")
    prepare_torch_process()
    from stable_baselines3.common.callbacks import CallbackList, ProgressBarCallback
    from stable_baselines3.common.logger import configure

    from qwop_studio.env import make_vec_env
    from qwop_studio.fileio import remove_stale_temporaries
    from qwop_studio.sim.spec import FRAME_CLOCK_S
    from qwop_studio.train import callbacks as cb
    from qwop_studio.train.algorithms import build_kwargs
    from qwop_studio.train.best_model import BestModelCallback
    from qwop_studio.train.eval_log import EVALUATIONS
    from qwop_studio.train.learner_setup import prepare_learner
    from qwop_studio.train.model_file import (
        METADATA_ATTR,
        changed_hyperparams,
        load_model,
        load_replay_buffer,
        plain_hyperparams,
        read_model_info,
    )
    from qwop_studio.train.rollout_workers import RolloutWorkerError, make_rollout_workers

    run_dir = Path(run_dir)
    checkpoint_dir = run_dir / "checkpoints"
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    for folder in (run_dir, checkpoint_dir):  # what a killed earlier run left between write and rename
        remove_stale_temporaries(folder)
    write_config(config, run_dir / "config.yml", source)
    env_kwargs = config.env.env_kwargs()
    resume_path = Path(resume) if resume is not None else None
    start_step = 0
    restored_weights = None
    if resume_path is not None:
        start_step = read_model_num_timesteps(resume_path) or 0
        weight_log = run_dir_of(resume_path) / "reward_weights.csv"
        restored_weights = weights_at(weight_log, start_step)
        if restored_weights is None and config.reward_schedule:
            restored_weights = config.scheduled_weights_at(start_step)
            print(f"note: no {weight_log} to say which reward weights were in force at step {start_step:,}; "
                  f"resuming with the config's curriculum at that step: {restored_weights}", file=sys.stderr)
        truncate_log(run_dir / "progress.csv", start_step)
        truncate_log(run_dir / EVALUATIONS, start_step)

    if config.collects_in_workers:  # PPO: worker processes collect whole rollouts (async_ppo.py)
        venv = make_rollout_workers(config.n_envs, seed=config.seed + start_step, env_kwargs=env_kwargs,
                                    wrappers=config.wrapper_specs(),
                                    max_episode_steps=config.max_episode_steps, n_workers=config.collection_workers,
                                    overlap=config.collection_overlaps_learning)
    else:
        venv = make_vec_env(config.n_envs, config.vec_env, seed=config.seed + start_step, env_kwargs=env_kwargs,
                            wrappers=config.wrapper_specs(),
                            max_episode_steps=config.max_episode_steps, n_workers=config.n_workers)
    eval_env = None
    try:
        if restored_weights:
            venv.env_method("set_reward_weights", **restored_weights)
        spec = config.spec
        if resume_path is None:
            model = spec.cls(config.policy, venv, seed=config.seed, device="cpu", verbose=0,
                             **build_kwargs(config.algorithm, config.hyperparams, config.total_timesteps))
        else:
            overrides = plain_hyperparams(config.algorithm, config.hyperparams)
            for name, (was, now) in changed_hyperparams(read_model_info(resume_path), overrides).items():
                print(f"note: resuming with the config's {name} {now} (the checkpoint had {was})", file=sys.stderr)
            model = load_model(resume_path, config.algorithm, hyperparams=config.hyperparams,
                               total_timesteps=config.total_timesteps, env=venv, overrides=overrides)
            apply_schedules(model, config)
            buffer = replay_buffer_for(resume_path)
            problem = load_replay_buffer(model, buffer) if spec.off_policy and buffer is not None else None
            if spec.off_policy and (buffer is None or problem):
                print(f"note: {problem or f'no replay buffer (.npz) beside {resume_path.name}'}; resuming with an"
                      f" empty one", file=sys.stderr)
        model = prepare_learner(model, config)  # the workers' collection, the lean forward and update
        setattr(model, METADATA_ATTR, {"format": 1, "config": config.to_dict(), "env_kwargs": env_kwargs})
        model.set_logger(configure(str(run_dir / "tb" / config.algorithm), ["tensorboard"]))

        clock = cb.RunClock()
        checkpoints = cb.AtomicCheckpointCallback(checkpoint_dir, config.checkpoint_freq, events,
                                                  every_s=config.checkpoint_minutes * 60.0, clock=clock)
        weights = cb.RewardWeightsCallback(run_dir / "reward_weights.csv", events)
        progress_log = cb.ProgressCsvCallback(run_dir / "progress.csv")
        callbacks: list[Any] = [checkpoints, weights, progress_log]
        # demonstrations (train --demos, the studio's teaching): clone first, then a BC term after each update
        from qwop_studio.train.bc_callback import demos_callback

        demos_cb = demos_callback(model, config, run_dir, pretrain=resume_path is None, live=commands is not None,
                                  events=events)
        if demos_cb is not None:
            callbacks.append(demos_cb)
            if commands is not None:  # the studio's Demonstrations (live teaching) go to the BC term
                commands = demos_cb.inbox(commands)
        if config.reward_schedule:
            schedule = [(change.at_step, dict(change.set)) for change in config.reward_schedule]
            # first, so that a checkpoint saved at step N already runs with the change due at N. Either
            # way the change is logged at step N, so a resume from N restores it and skips it.
            callbacks.insert(0, cb.RewardScheduleCallback(schedule, weights, events))
        if config.max_minutes is not None:
            callbacks.append(cb.TimeBudgetCallback(config.max_minutes * 60.0, clock))
        command_cb = cb.CommandCallback(commands, events, checkpoints, weights, clock) if commands is not None else None
        if command_cb is not None:  # first: a pause or stop is obeyed before anything else runs on a step
            callbacks.insert(0, command_cb)
        if events is not None:
            callbacks.append(cb.EventPublisherCallback(events, clock, config.total_timesteps, env_kwargs,
                                                       config.algorithm))
        if config.eval_freq > 0:
            eval_seed = config.seed + 10_000
            eval_env = make_vec_env(1, "dummy", seed=eval_seed, env_kwargs=env_kwargs,
                                    wrappers=config.wrapper_specs(evaluation=True),
                                    max_episode_steps=config.max_episode_steps)
            time_limit_s = config.max_episode_steps * config.env.frames_per_step * FRAME_CLOCK_S
            callbacks.append(BestModelCallback(eval_env, run_dir, config.eval_freq, config.eval_episodes,
                                               eval_seed, time_limit_s, clock, events))
        callbacks.extend(extra_callbacks or [])
        if progress:
            warnings.filterwarnings("ignore", message=".*rich is experimental.*")
            callbacks.append(ProgressBarCallback())

        cb.emit(events, msg.Started(str(run_dir), config.algorithm, config.total_timesteps, config.config_name,
                                    venv.env_method("get_reward_weights", indices=[0])[0], start_step,
                                    config.n_envs, env_kwargs))
        try:
            model.learn(config.total_timesteps - model.num_timesteps, callback=CallbackList(callbacks),
                        reset_num_timesteps=resume_path is None, tb_log_name=config.algorithm)
        except KeyboardInterrupt:
            progress_log.flush()  # the episodes up to the checkpoint below, not only those of the last flush
            path, _ = cb.save_checkpoint(model, checkpoint_dir)
            print(f"\ninterrupted at step {model.num_timesteps}; checkpoint saved: {path}", file=sys.stderr)
            raise
        except RolloutWorkerError as e:  # the learner is intact: keep its work, end in one line
            for callback in callbacks:
                if isinstance(callback, cb.ProgressCsvCallback):
                    callback.flush()
            path, _ = cb.save_checkpoint(model, checkpoint_dir)
            raise RolloutWorkerError(f"{e}; checkpoint saved at step {model.num_timesteps}: {path} "
                                     f"(continue with --resume {run_dir})") from None
        stopped = bool(command_cb is not None and command_cb.stopped)
        last = checkpoints.last_path
        if last is None or checkpoint_step(last) != model.num_timesteps:
            last = checkpoints.save_now()[0]
        final = cb.save_model_atomic(model, run_dir / "final_model.zip")
        cb.emit(events, msg.Finished(model.num_timesteps, str(final), stopped, str(last)))
        return final
    finally:
        close_envs([env for env in (venv, eval_env) if env is not None])


#: How long closing the vector envs may take before their worker processes are terminated.
CLOSE_TIMEOUT_S = 15.0


def close_envs(envs: list[Any], timeout_s: float = CLOSE_TIMEOUT_S) -> None:
    """Close ``envs``; if that has not finished within ``timeout_s``, terminate this process's children.

    Why: a Ctrl+C or SIGTERM that lands while the main process is reading a worker's reply leaves
    that pipe mid-message, and a vector env's ``close`` then waits for a reply that never comes. The
    checkpoint is saved by then, so ending the workers is safe, and the command must end promptly.
    """
    import multiprocessing
    import threading

    def close_all() -> None:
        for env in envs:
            with contextlib.suppress(Exception):
                env.close()

    closer = threading.Thread(target=close_all, name="close-envs", daemon=True)
    closer.start()
    closer.join(timeout_s)
    if closer.is_alive():
        for child in multiprocessing.active_children():
            child.terminate()
        closer.join(2.0)
