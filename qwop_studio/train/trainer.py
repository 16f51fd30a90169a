"""One training job, from a validated config to a run directory; headless or as the studio's child process.

Read top to bottom, a run is: pick the run directory -> write the resolved ``config.yml`` -> build the
vector env -> build the model (or load a checkpoint and its replay buffer) -> compose the callbacks
-> ``model.learn`` -> save the final checkpoint and ``final_model.zip``. Everything else (pausing,
weight changes, metrics for the studio) happens in callbacks (``callbacks.py``).

A run directory, ``saves/runs/<ALGO>_<config>_<timestamp>/`` (the saves root: ``qwop_studio/saves.py``)::

    config.yml                 the resolved config (what was actually run)
    checkpoints/model_<N>_steps.zip        (+ replay_buffer_<N>_steps.npz, off-policy)
    final_model.zip
    progress.csv               one row per finished episode
    reward_weights.csv         the weights at the start and after every change, with the step
    best_model.zip/.json       with eval_freq: the best periodic evaluation's model and report
    evaluations.csv            with eval_freq: one row per periodic evaluation
    tb/<ALGO>/                 TensorBoard logs (a resumed run continues the same curves)

Two entry points: :func:`run_training` (the CLI calls it in-process) and :func:`start_trainer_process`
(the studio: a ``spawn`` child obeying ``messages`` commands, see :class:`TrainerHandle`).
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qwop_studio.saves import runs_dir
from qwop_studio.threads import single_threaded_children
from qwop_studio.train import messages as msg
from qwop_studio.train.config import (
    DEFAULT_CONFIG,
    ConfigError,
    TrainConfig,
    load_config,
    validate_config,
    write_config,
)
from qwop_studio.train.torch_setup import prepare_torch_process

CHECKPOINT_RE = re.compile(r"^model_(\d+)_steps\.zip$")
#: The thread variables a trainer process starts with (one BLAS/OpenMP thread: no oversubscription).


# --------------------------------------------------------------------------------- run directories
def default_run_dir(config: TrainConfig, root: Path | None = None) -> Path:
    """``root/<ALGO>_<config name>_<YYYYmmdd-HHMMSS>`` (with ``-2``, ``-3``... if taken). Not created.

    ``root`` defaults to the saves root's ``runs/`` (``qwop_studio/saves.py``: ``--saves``,
    ``$QWOP_STUDIO_SAVES`` or ``./saves``), resolved now, not at import.
    """
    root = runs_dir() if root is None else Path(root)
    base = root / f"{config.algorithm}_{config.config_name}_{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def checkpoint_step(path: Path) -> int | None:
    m = CHECKPOINT_RE.match(path.name)
    return int(m.group(1)) if m else None


def latest_checkpoint(run_dir: Path) -> Path | None:
    """The run's checkpoint with the most steps, or None."""
    found = [(checkpoint_step(p), p) for p in (run_dir / "checkpoints").glob("model_*_steps.zip")]
    found = [(s, p) for s, p in found if s is not None]
    return max(found)[1] if found else None


def run_dir_of(model_path: Path) -> Path:
    """The run directory a model file belongs to (``checkpoints/`` is one level down)."""
    return model_path.parent.parent if model_path.parent.name == "checkpoints" else model_path.parent


def resolve_resume(resume: str | os.PathLike) -> Path:
    """A checkpoint .zip from a path to one, or to a run directory (its latest checkpoint).

    Raises :class:`ConfigError` (one line) if there is none.
    """
    path = Path(resume)
    if path.is_dir():
        found = latest_checkpoint(path)
        if found is None:
            final = path / "final_model.zip"
            if final.is_file():
                return final
            raise ConfigError(f"{resume}: no checkpoints/model_<N>_steps.zip in this run directory")
        return found
    if path.is_file() and path.suffix == ".zip":
        return path
    raise ConfigError(f"{resume}: no such checkpoint (give a model_<N>_steps.zip or a run directory)")


def replay_buffer_for(checkpoint: Path) -> Path | None:
    """The ``.npz`` replay buffer saved with ``checkpoint``, or None (an SB3 ``.pkl`` is never opened)."""
    step = checkpoint_step(checkpoint)
    if step is None:
        return None
    path = checkpoint.with_name(f"replay_buffer_{step}_steps.npz")
    return path if path.is_file() else None


def read_model_metadata(model_path: Path) -> dict[str, Any] | None:
    """The metadata the trainer stores in every saved .zip (config, env settings), or None."""
    from qwop_studio.train.model_file import ModelFileError, read_model_info

    try:
        return read_model_info(model_path).metadata
    except ModelFileError:
        return None


def config_for_model(model_path: Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """The config a model was trained with: its run's ``config.yml``, else the copy inside the .zip, else
    (a model from rl-zoo3 or any SB3 script) its zoo files, spaces and the env's defaults, said on stderr."""
    config_file = run_dir_of(model_path) / "config.yml"
    if config_file.is_file():
        return load_config(config_file, overrides)
    meta = read_model_metadata(model_path)
    if meta is None or "config" not in meta:
        from qwop_studio.train.foreign_models import config_for_foreign_model

        return config_for_foreign_model(model_path, overrides)
    data = dict(meta["config"])
    for key, value in (overrides or {}).items():
        data[key] = value
    return validate_config(data, str(model_path))


@dataclass(frozen=True)
class RunPlan:
    """What to run, resolved and validated before anything is written."""

    config: TrainConfig
    run_dir: Path
    resume: Path | None
    source: str


def plan_run(config: str | os.PathLike | None = None, run_dir: str | os.PathLike | None = None,
             resume: str | os.PathLike | None = None, overrides: dict[str, Any] | None = None,
             runs_root: str | os.PathLike | None = None) -> RunPlan:
    """Resolve config, run directory and checkpoint; raise :class:`ConfigError` before creating anything.

    A new run without ``run_dir`` lands under ``runs_root`` (default: the saves root's ``runs/``).

    With ``resume`` the run's own ``config.yml`` is used (``config`` is ignored) and the run
    continues in the checkpoint's run directory unless ``run_dir`` is given. ``overrides`` maps
    dotted config keys to values (e.g. ``{"total_timesteps": 20000}``).
    """
    if resume is not None:
        checkpoint = resolve_resume(resume)
        cfg = config_for_model(checkpoint, overrides)
        target = Path(run_dir) if run_dir else run_dir_of(checkpoint)
        step = checkpoint_step(checkpoint) or (read_model_num_timesteps(checkpoint) or 0)
        if step >= cfg.total_timesteps:
            raise ConfigError(f"{checkpoint}: already at {step} steps of total_timesteps {cfg.total_timesteps};"
                              f" pass a larger --total-timesteps to train further")
        _check_checkpoint(checkpoint, cfg)
        _check_run_dir(target)
        return RunPlan(cfg, target, checkpoint, str(checkpoint))
    config = config or DEFAULT_CONFIG
    cfg = load_config(config, overrides)
    if run_dir is not None and (Path(run_dir) / "config.yml").exists():
        raise ConfigError(f"{run_dir}: already holds a run; pick another --run-dir, or --resume {run_dir}")
    target = Path(run_dir) if run_dir else default_run_dir(cfg, runs_root)
    _check_run_dir(target)
    return RunPlan(cfg, target, None, str(config))


def _check_checkpoint(checkpoint: Path, config: TrainConfig) -> None:
    """Refuse, before anything starts, a checkpoint that :func:`run_training` would not load."""
    from qwop_studio.train.model_file import ModelFileError, check_model_file

    try:
        check_model_file(checkpoint, config.algorithm, env_kwargs=config.env.env_kwargs())
    except ModelFileError as e:
        raise ConfigError(str(e)) from None


def _check_run_dir(run_dir: Path) -> None:
    """Refuse a run directory that is a file, lies under one, or cannot be written in."""
    from qwop_studio.fileio import OutputPathError, check_writable_dir

    try:
        check_writable_dir(run_dir, "run directory")
    except OutputPathError as e:
        raise ConfigError(str(e)) from None


def apply_schedules(model: Any, config: TrainConfig) -> None:
    """Give a resumed model the config's learning rate and clip schedules.

    Why: SB3's ``load`` restores the schedules pickled at the start of the run, so a resume with
    ``--set hyperparams.learning_rate=...`` (say, a late decay added to a run under way) would
    silently train on with the old ones. The config's values are the ones the user sees and edits.
    """
    from stable_baselines3.common.utils import FloatSchedule

    from qwop_studio.train.algorithms import SCHEDULE_ARGS, build_kwargs

    kwargs = build_kwargs(config.algorithm, config.hyperparams, config.total_timesteps)
    for key in sorted(SCHEDULE_ARGS & kwargs.keys()):
        if key == "learning_rate":
            model.learning_rate = kwargs[key]
            model._setup_lr_schedule()
        elif hasattr(model, key) and kwargs[key] is not None:
            setattr(model, key, FloatSchedule(kwargs[key]))


def read_model_num_timesteps(model_path: Path) -> int | None:
    """The env steps a saved model had trained for (from its JSON), or None."""
    from qwop_studio.train.model_file import ModelFileError, read_model_info

    try:
        return read_model_info(model_path).num_timesteps
    except ModelFileError:
        return None


def weights_at(csv_path: Path, step: int) -> dict[str, float] | None:
    """The reward weights in force at ``step`` according to ``reward_weights.csv`` (None if unknown)."""
    from qwop_studio.train.weight_log import read_weight_log

    rows = read_weight_log(csv_path, up_to_step=step)
    return rows[-1].weights if rows else None


def _truncate_log(path: Path, step: int) -> None:
    """Drop a step-keyed CSV log's rows after ``step`` (a resumed run rewrites that stretch of history)."""
    from qwop_studio.fileio import atomic_write_text

    if not path.is_file():
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = lines[:1] + [ln for ln in lines[1:] if ln.endswith("\n") and ln.split(",", 1)[0].isdigit()
                        and int(ln.split(",", 1)[0]) <= step]
    if len(kept) != len(lines):
        atomic_write_text(path, "".join(kept))


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
    from qwop_studio.train.async_ppo import as_async
    from qwop_studio.train.best_model import BestModelCallback
    from qwop_studio.train.eval_log import EVALUATIONS
    from qwop_studio.train.model_file import METADATA_ATTR, load_model, load_replay_buffer
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
        restored_weights = weights_at(run_dir_of(resume_path) / "reward_weights.csv", start_step)
        _truncate_log(run_dir / "progress.csv", start_step)
        _truncate_log(run_dir / EVALUATIONS, start_step)

    if config.collection == "async":  # PPO: worker processes collect while the learner learns (async_ppo.py)
        venv = make_rollout_workers(config.n_envs, seed=config.seed + start_step, env_kwargs=env_kwargs,
                                    wrappers=[w.model_dump() for w in config.wrappers],
                                    max_episode_steps=config.max_episode_steps,
                                    n_workers=config.collection_workers)
    else:
        venv = make_vec_env(config.n_envs, config.vec_env, seed=config.seed + start_step, env_kwargs=env_kwargs,
                            wrappers=[w.model_dump() for w in config.wrappers],
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
            model = load_model(resume_path, config.algorithm, hyperparams=config.hyperparams,
                               total_timesteps=config.total_timesteps, env=venv)
            apply_schedules(model, config)
            buffer = replay_buffer_for(resume_path)
            problem = load_replay_buffer(model, buffer) if spec.off_policy and buffer is not None else None
            if spec.off_policy and (buffer is None or problem):
                print(f"note: {problem or f'no replay buffer (.npz) beside {resume_path.name}'}; resuming with an"
                      f" empty one", file=sys.stderr)
        if config.collection == "async":
            model = as_async(model)  # the same PPO, collecting through the workers
        setattr(model, METADATA_ATTR, {"format": 1, "config": config.to_dict(), "env_kwargs": env_kwargs})
        model.set_logger(configure(str(run_dir / "tb" / config.algorithm), ["tensorboard"]))

        clock = cb.RunClock()
        checkpoints = cb.AtomicCheckpointCallback(checkpoint_dir, config.checkpoint_freq, events,
                                                  every_s=config.checkpoint_minutes * 60.0, clock=clock)
        weights = cb.RewardWeightsCallback(run_dir / "reward_weights.csv", events)
        progress_log = cb.ProgressCsvCallback(run_dir / "progress.csv")
        callbacks: list[Any] = [checkpoints, weights, progress_log]
        from qwop_studio.train.bc_callback import demos_callback  # demonstrations: clone first, then a BC term

        demos_cb = demos_callback(model, config, run_dir, pretrain=resume_path is None)
        if demos_cb is not None:
            callbacks.append(demos_cb)
        if config.reward_schedule:
            schedule = [(change.at_step, dict(change.set)) for change in config.reward_schedule]
            # first, so that a checkpoint saved at step N already runs with the change due at N. Either
            # way the change is logged at step N, so a resume from N restores it and skips it.
            callbacks.insert(0, cb.RewardScheduleCallback(schedule, weights, events))
        if config.max_minutes is not None:
            callbacks.append(cb.TimeBudgetCallback(config.max_minutes * 60.0, clock))
        if commands is not None:
            callbacks.insert(0, cb.CommandCallback(commands, events, checkpoints, weights, clock))
        if events is not None:
            callbacks.append(cb.EventPublisherCallback(events, clock, config.total_timesteps, env_kwargs,
                                                       config.algorithm))
        if config.eval_freq > 0:
            eval_seed = config.seed + 10_000
            eval_env = make_vec_env(1, "dummy", seed=eval_seed, env_kwargs=env_kwargs,
                                    wrappers=[w.model_dump() for w in config.wrappers],
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
        command_cb = callbacks[0] if commands is not None else None
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
        for env in (venv, eval_env):
            if env is not None:
                with contextlib.suppress(Exception):
                    env.close()


# ---------------------------------------------------------------------------- the studio's child process
@dataclass
class TrainerHandle:
    """The studio's side of a trainer child process.

    ``send(cmd)`` puts a ``messages`` command; ``poll_events()`` returns every event waiting (never
    blocks). Events are dropped by the trainer if nobody reads them for a long time (queue full).
    """

    process: multiprocessing.process.BaseProcess
    commands: Any
    events: Any
    run_dir: Path
    config: TrainConfig
    resume: Path | None = None
    _pending: list = field(default_factory=list)

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    @property
    def exitcode(self) -> int | None:
        return self.process.exitcode

    def send(self, command: msg.Command) -> None:
        self.commands.put(command)

    def poll_events(self, max_events: int = 100_000) -> list:
        out, self._pending = self._pending, []
        while len(out) < max_events:
            try:
                out.append(self.events.get_nowait())
            except Exception:  # queue.Empty, or a broken queue after the child was killed
                break
        return out

    def join(self, timeout: float | None = None) -> list:
        """Wait for the process to end while draining its events (so it can flush and exit); return them."""
        deadline = None if timeout is None else time.monotonic() + timeout
        got: list = []
        while self.process.is_alive() and (deadline is None or time.monotonic() < deadline):
            got.extend(self.poll_events())
            self.process.join(0.05)
        got.extend(self.poll_events())
        return got

    def stop(self, timeout: float = 60.0) -> list:
        """Send Stop, wait (draining events), terminate if it does not end in ``timeout``; return the events."""
        if self.alive:
            self.send(msg.Stop())
        got = self.join(timeout)
        if self.alive:
            self.process.terminate()
            self.process.join(5)
        return got


def start_trainer_process(config_path_or_name: str | os.PathLike | None = None,
                          run_dir: str | os.PathLike | None = None, resume: str | os.PathLike | None = None,
                          overrides: dict[str, Any] | None = None) -> TrainerHandle:
    """Start :func:`run_training` in a ``spawn`` child process; return its handle at once.

    The config is validated here first, so a bad one raises :class:`ConfigError` in the caller and no
    process or directory is created. Only plain data crosses: the config as a dict, paths as
    strings, and ``messages`` dataclasses on the queues.
    """
    plan = plan_run(config_path_or_name, run_dir, resume, overrides)
    ctx = multiprocessing.get_context("spawn")
    commands, events = ctx.Queue(), ctx.Queue(maxsize=50_000)
    process = ctx.Process(
        target=_child_main, name="qwop-trainer", daemon=False,  # not daemonic: it starts env workers
        args=(plan.config.to_dict(), str(plan.run_dir), str(plan.resume) if plan.resume else None, commands,
              events, plan.source))
    with single_threaded_children():  # the child's interpreter starts single-threaded
        process.start()
    return TrainerHandle(process, commands, events, plan.run_dir, plan.config, plan.resume)


def _child_main(config: dict[str, Any], run_dir: str, resume: str | None, commands: Any, events: Any,
                source: str) -> None:
    """The trainer process: one thread, no Ctrl+C of its own (the studio decides), errors as events."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prepare_torch_process()
    try:
        run_training(config, run_dir, resume, commands=commands, events=events, progress=False, source=source)
    except BaseException as e:  # noqa: BLE001 - everything must reach the studio
        with contextlib.suppress(Exception):
            events.put(msg.Error(f"{type(e).__name__}: {e}", traceback.format_exc(), fatal=True), timeout=5)
        _flush_events(events)
        sys.exit(1)
    _flush_events(events)


def _flush_events(events: Any) -> None:
    """Let the queue's feeder thread hand over the last events, unless the parent is gone (then no one
    reads them and waiting would hang this process forever)."""
    import threading

    events.close()
    flusher = threading.Thread(target=events.join_thread, daemon=True)
    flusher.start()
    parent = multiprocessing.parent_process()
    while flusher.is_alive():
        flusher.join(0.5)
        if parent is not None and not parent.is_alive():
            events.cancel_join_thread()
            return
