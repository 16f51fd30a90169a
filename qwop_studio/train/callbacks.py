"""SB3 callbacks, one job each: checkpoints, the episode log, reward-weight changes, studio commands, and
publishing events. The trainer composes them with ``CallbackList``; nothing loops around ``learn()``.

"step" is an env step as SB3 counts them (``model.num_timesteps``), never a physics tick.
"""
from __future__ import annotations

import contextlib
import csv
import io
import math
import multiprocessing
import os
import queue
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback

from qwop_studio.fileio import append_lines, atomic_write_bytes, start_csv
from qwop_studio.train import messages as msg
from qwop_studio.train.model_file import save_replay_buffer
from qwop_studio.train.progress_log import PROGRESS_COLUMNS
from qwop_studio.train.sb3_internals import current_learning_rate
from qwop_studio.train.weight_log import META_COLUMNS


# -------------------------------------------------------------------------------------- saving
def model_bytes(model: BaseAlgorithm) -> bytes:
    """The model as an SB3 .zip in memory (no replay buffer)."""
    buf = io.BytesIO()
    model.save(buf)
    return buf.getvalue()


def save_model_atomic(model: BaseAlgorithm, path: str | os.PathLike) -> Path:
    """``model.save`` to ``path`` atomically (saved in memory, then written and renamed)."""
    atomic_write_bytes(path, model_bytes(model))
    return Path(path)


def save_checkpoint(model: BaseAlgorithm, checkpoint_dir: str | os.PathLike) -> tuple[Path, Path | None]:
    """Write ``model_<step>_steps.zip`` and, off-policy, ``replay_buffer_<step>_steps.npz`` atomically.

    The replay buffer is written first, so the newest checkpoint .zip always has its buffer beside it;
    older buffers are then deleted (at 100k transitions each is ~50 MB: one per checkpoint would fill
    a disk over a long run). Resuming from an older checkpoint starts with an empty buffer.
    """
    step = model.num_timesteps
    directory = Path(checkpoint_dir)
    buffer_path = None
    if getattr(model, "replay_buffer", None) is not None:
        buffer_path = save_replay_buffer(model, directory / f"replay_buffer_{step}_steps.npz")
    model_path = save_model_atomic(model, directory / f"model_{step}_steps.zip")
    if buffer_path is not None:
        for old in directory.glob("replay_buffer_*_steps.npz"):
            if old != buffer_path:
                with contextlib.suppress(OSError):
                    old.unlink()
    return model_path, buffer_path


def emit(events: Any, event: Any) -> None:
    """Put an event on the studio's queue without ever blocking training (dropped if the queue is full)."""
    if events is None:
        return
    with contextlib.suppress(queue.Full):
        events.put_nowait(event)


class RunClock:
    """Wall time of a run with paused time left out (shared by the command and metrics callbacks)."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.paused_s = 0.0

    def active_s(self) -> float:
        return time.monotonic() - self.start - self.paused_s


# ---------------------------------------------------------------------------------- callbacks
class AtomicCheckpointCallback(BaseCallback):
    """Save a checkpoint every ``save_freq`` env steps and every ``every_s`` seconds of training (0: not
    by that measure), atomically, replay buffer included.

    Unlike SB3's ``CheckpointCallback`` the frequency counts env steps over all workers, so
    ``model_100000_steps.zip`` appears at 100,000 whatever ``n_envs`` is. The wall-time rule bounds
    what a crash costs whatever the speed: at 6,000 steps/s a million steps are ~3 minutes, at 600
    they are half an hour. ``clock`` measures training time (paused time left out).
    """

    def __init__(self, checkpoint_dir: Path, save_freq: int, events: Any = None, every_s: float = 0.0,
                 clock: RunClock | None = None) -> None:
        super().__init__()
        self.checkpoint_dir = Path(checkpoint_dir)
        self.save_freq = save_freq
        self.every_s = every_s
        self.clock = clock or RunClock()
        self.events = events
        self.last_path: Path | None = None
        self._next = 0
        self._last_save_s = 0.0

    def save_now(self) -> tuple[Path, Path | None]:
        model_path, buffer_path = save_checkpoint(self.model, self.checkpoint_dir)
        self.last_path = model_path
        self._last_save_s = self.clock.active_s()
        emit(self.events, msg.CheckpointSaved(self.model.num_timesteps, str(model_path),
                                              str(buffer_path) if buffer_path else None))
        return model_path, buffer_path

    def _on_training_start(self) -> None:
        if self.save_freq > 0:
            self._next = (self.model.num_timesteps // self.save_freq + 1) * self.save_freq
        self._last_save_s = self.clock.active_s()

    def _on_step(self) -> bool:
        due_by_steps = self.save_freq > 0 and self.model.num_timesteps >= self._next
        due_by_time = self.every_s > 0 and self.clock.active_s() - self._last_save_s >= self.every_s
        if due_by_steps or due_by_time:
            self.save_now()
            if self.save_freq > 0:
                self._next = (self.model.num_timesteps // self.save_freq + 1) * self.save_freq
        return True


class TimeBudgetCallback(BaseCallback):
    """End ``learn()`` once the run has trained for ``budget_s`` seconds of wall time (pauses excluded).

    The trainer then saves a checkpoint and the final model as at any other end, so a time budget
    ("train for 10 minutes") is as safe as a step budget; a resumed run gets a fresh budget.
    """

    def __init__(self, budget_s: float, clock: RunClock) -> None:
        super().__init__()
        self.budget_s = budget_s
        self.clock = clock
        self.expired = False

    def _on_step(self) -> bool:
        if self.clock.active_s() >= self.budget_s:
            self.expired = True
            return False
        return True


class ProgressCsvCallback(BaseCallback):
    """Append one row per finished episode to ``progress.csv`` (whole lines, flushed every second).

    Each flush is a single ``write`` of complete lines to a file opened for appending, so a crash can
    lose the last second of rows but never leaves a broken one. Also records the mean distance of
    the last 100 episodes to TensorBoard as ``rollout/distance_mean``.
    """

    def __init__(self, path: Path, flush_interval_s: float = 1.0) -> None:
        super().__init__()
        self.path = Path(path)
        self.flush_interval_s = flush_interval_s
        self._rows: list[str] = []
        self._last_flush = 0.0
        self._t0 = time.monotonic()

    def _on_training_start(self) -> None:
        if start_csv(self.path, PROGRESS_COLUMNS):
            return
        # A resumed run continues the wall-time axis where the checkpoint's history ends, so learning
        # curves against training minutes stay one curve across sessions.
        last = self.path.read_text(encoding="utf-8").rstrip("\n").rsplit("\n", 1)[-1].split(",")
        if len(last) > 1 and last[0].isdigit():
            self._t0 = time.monotonic() - float(last[1])

    def _on_step(self) -> bool:
        for env_index, info in enumerate(self.locals.get("infos", ())):
            episode = info.get("episode")
            if episode is None:
                continue
            row = (self.model.num_timesteps, f"{time.monotonic() - self._t0:.2f}", env_index, f"{episode['r']:.4f}",
                   episode["l"], f"{episode.get('distance', math.nan):.3f}", f"{episode.get('time', math.nan):.3f}",
                   f"{episode.get('avg_speed', math.nan):.4f}", int(bool(episode.get("is_success", False))))
            self._rows.append(",".join(str(v) for v in row) + "\n")
        if self._rows and time.monotonic() - self._last_flush >= self.flush_interval_s:
            self.flush()
        return True

    def flush(self) -> None:
        if self._rows:
            append_lines(self.path, "".join(self._rows))
            self._rows.clear()
        self._last_flush = time.monotonic()
        distances = [e["distance"] for e in self.model.ep_info_buffer or () if "distance" in e]
        if distances:
            self.logger.record("rollout/distance_mean", float(np.mean(distances)))

    def _on_training_end(self) -> None:
        self.flush()


class RewardWeightsCallback(BaseCallback):
    """Owns reward-weight changes: applies them on every worker and logs them with their step.

    Logged to ``reward_weights.csv`` (one row per change, all weights, appended as whole lines) and
    to TensorBoard as ``reward_weights/<name>``. The row at the start of training records the
    weights training began with.
    """

    def __init__(self, csv_path: Path, events: Any = None) -> None:
        super().__init__()
        self.csv_path = Path(csv_path)
        self.events = events
        self.weights: dict[str, float] = {}

    def _on_training_start(self) -> None:
        self.weights = self.training_env.env_method("get_reward_weights", indices=[0])[0]
        self._log("resume" if self.model.num_timesteps else "start", self.weights)

    def _on_step(self) -> bool:
        return True

    def apply(self, changes: dict[str, float], source: str = "change") -> msg.WeightsChanged:
        """Set ``changes`` on every worker and read all weights back; ValueError if a change is rejected.

        ``source`` goes to ``reward_weights.csv``: ``change`` (a user's) or ``schedule`` (the config's).
        """
        from qwop_studio.env.reward import RewardWeights

        RewardWeights().update(**changes)  # validate here first: a worker error would kill the VecEnv
        self.training_env.env_method("set_reward_weights", **changes)
        per_worker = tuple(self.training_env.env_method("get_reward_weights"))
        self.weights = dict(per_worker[0])
        self._log(source, self.weights)
        return msg.WeightsChanged(self.model.num_timesteps, dict(self.weights), dict(changes), per_worker)

    def _log(self, source: str, weights: dict[str, float]) -> None:
        start_csv(self.csv_path, [*META_COLUMNS, *weights])
        line = io.StringIO()
        writer = csv.writer(line, lineterminator="\n")
        step = self.model.num_timesteps
        writer.writerow([step, time.strftime("%Y-%m-%dT%H:%M:%S"), source, *weights.values()])
        append_lines(self.csv_path, line.getvalue())
        for name, value in weights.items():
            self.logger.record(f"reward_weights/{name}", value)
        self.logger.dump(step)


class RewardScheduleCallback(BaseCallback):
    """Applies a config's ``reward_schedule`` (a curriculum) when training reaches each ``at_step``.

    Changes run through :class:`RewardWeightsCallback`, so they reach every worker, are logged and
    become ``WeightsChanged`` events like a slider's. A resumed run skips the changes at or before its
    start step: those weights are already in force (restored from ``reward_weights.csv``).
    """

    def __init__(self, schedule: list[tuple[int, dict[str, float]]], weights: RewardWeightsCallback,
                 events: Any = None) -> None:
        super().__init__()
        self.pending = sorted(schedule, key=lambda change: change[0])
        self.weights = weights
        self.events = events

    def _on_training_start(self) -> None:
        self.pending = [change for change in self.pending if change[0] > self.model.num_timesteps]

    def _on_step(self) -> bool:
        while self.pending and self.model.num_timesteps >= self.pending[0][0]:
            _, changes = self.pending.pop(0)
            emit(self.events, self.weights.apply(dict(changes), source="schedule"))
        return True


class CommandCallback(BaseCallback):
    """Obeys the studio's commands (``messages``) between env steps.

    Polls the queue at most every ``poll_interval_s``. :class:`~messages.Pause` blocks inside
    ``_on_step`` on the queue itself (no busy wait: the trainer and its idle workers use almost no
    CPU) until Resume or Stop; Stop makes ``_on_step`` return False, which ends ``learn()``. If the
    parent process dies, the trainer stops as if told to (and so saves its work).
    """

    def __init__(self, commands: Any, events: Any, checkpoints: AtomicCheckpointCallback,
                 weights: RewardWeightsCallback, clock: RunClock, poll_interval_s: float = 0.05) -> None:
        super().__init__()
        self.commands = commands
        self.events = events
        self.checkpoints = checkpoints
        self.weights = weights
        self.clock = clock
        self.poll_interval_s = poll_interval_s
        self.stopped = False
        self._next_poll = 0.0
        self._next_parent_check = 0.0

    def _on_step(self) -> bool:
        now = time.monotonic()
        if now < self._next_poll:
            return True
        self._next_poll = now + self.poll_interval_s
        while not self.stopped:
            try:
                command = self.commands.get_nowait()
            except queue.Empty:
                break
            self._obey(command)
        if not self.stopped and now >= self._next_parent_check:
            self._next_parent_check = now + 1.0
            self._check_parent()
        return not self.stopped

    def _obey(self, command: Any) -> None:
        if isinstance(command, msg.Pause):
            self._pause()
        elif isinstance(command, msg.SaveCheckpoint):
            self.checkpoints.save_now()
        elif isinstance(command, msg.SetRewardWeights):
            try:
                emit(self.events, self.weights.apply(dict(command.changes)))
            except (ValueError, TypeError) as e:
                emit(self.events, msg.Error(f"reward weights not changed: {e}", fatal=False))
        elif isinstance(command, msg.Stop):
            self.stopped = True
        elif isinstance(command, msg.Resume):
            pass  # not paused: nothing to do
        else:
            emit(self.events, msg.Error(f"unknown command {command!r}", fatal=False))

    def _pause(self) -> None:
        paused_at = time.monotonic()
        emit(self.events, msg.Paused(self.model.num_timesteps))
        while not self.stopped:
            try:
                command = self.commands.get(timeout=0.5)
            except queue.Empty:
                self._check_parent()
                continue
            if isinstance(command, msg.Resume):
                break
            if isinstance(command, msg.Pause):
                continue
            self._obey(command)
        self.clock.paused_s += time.monotonic() - paused_at
        if not self.stopped:
            emit(self.events, msg.Resumed(self.model.num_timesteps))

    def _check_parent(self) -> None:
        parent = multiprocessing.parent_process()
        if parent is not None and not parent.is_alive():
            self.stopped = True


class EventPublisherCallback(BaseCallback):
    """Sends the studio :class:`~messages.EpisodeEnd` for every episode, :class:`~messages.Metrics` every
    ``metrics_interval_s`` and a :class:`~messages.PolicySnapshot` every ``snapshot_interval_s``
    (and at the start and end of training)."""

    def __init__(self, events: Any, clock: RunClock, total_timesteps: int, env_kwargs: dict[str, Any],
                 algo: str, metrics_interval_s: float = 1.0, snapshot_interval_s: float = 5.0,
                 snapshot_bytes: Callable[[BaseAlgorithm], bytes] = model_bytes) -> None:
        super().__init__()
        self.events = events
        self.clock = clock
        self.total_timesteps = total_timesteps
        self.env_kwargs = env_kwargs
        self.algo = algo
        self.metrics_interval_s = metrics_interval_s
        self.snapshot_interval_s = snapshot_interval_s
        self.snapshot_bytes = snapshot_bytes
        self.episodes = 0
        self._algo_stats: dict[str, float] = {}
        self._next_metrics = 0.0
        self._next_snapshot = 0.0
        self._rate_mark = (0.0, 0)

    def _on_training_start(self) -> None:
        now = time.monotonic()
        self._rate_mark = (self.clock.active_s(), self.model.num_timesteps)
        self._next_metrics = now + self.metrics_interval_s
        self.publish_snapshot()

    def _on_step(self) -> bool:
        for info in self.locals.get("infos", ()):
            episode = info.get("episode")
            if episode is not None:
                self.episodes += 1
                emit(self.events, msg.EpisodeEnd(
                    self.model.num_timesteps, float(episode["r"]), int(episode["l"]), float(episode.get("distance", 0.0)),
                    float(episode.get("time", 0.0)), bool(episode.get("is_success", False))))
        now = time.monotonic()
        if now >= self._next_metrics:
            self._next_metrics = now + self.metrics_interval_s
            self.publish_metrics()
        if now >= self._next_snapshot:
            self.publish_snapshot()
        return True

    def _on_rollout_start(self) -> None:
        self._capture_algo_stats()

    def _on_training_end(self) -> None:
        self.publish_metrics()
        self.publish_snapshot()

    def publish_snapshot(self) -> None:
        self._next_snapshot = time.monotonic() + self.snapshot_interval_s
        emit(self.events, msg.PolicySnapshot(self.model.num_timesteps, self.algo, self.snapshot_bytes(self.model),
                                             dict(self.env_kwargs)))

    def publish_metrics(self) -> None:
        self._capture_algo_stats()
        active = self.clock.active_s()
        mark_s, mark_step = self._rate_mark
        rate = (self.model.num_timesteps - mark_step) / (active - mark_s) if active > mark_s else 0.0
        self._rate_mark = (active, self.model.num_timesteps)
        infos = list(self.model.ep_info_buffer or ())

        def mean(key: str) -> float | None:
            values = [float(e[key]) for e in infos if key in e]
            return float(np.mean(values)) if values else None

        emit(self.events, msg.Metrics(
            step=self.model.num_timesteps, elapsed_s=active, env_steps_per_s=rate, total_timesteps=self.total_timesteps,
            episodes=self.episodes, ep_reward_mean=mean("r"), ep_length_mean=mean("l"),
            distance_mean=mean("distance"), success_rate=mean("is_success"), algo_stats=dict(self._algo_stats)))

    def _capture_algo_stats(self) -> None:
        """Keep the latest logged ``train/*`` values (SB3's logger forgets them at every dump)."""
        for key, value in self.model.logger.name_to_value.items():
            if key.startswith("train/") and isinstance(value, (int, float, np.floating)):
                self._algo_stats[key.removeprefix("train/")] = float(value)
        if hasattr(self.model, "exploration_rate"):
            self._algo_stats["exploration_rate"] = float(self.model.exploration_rate)
        with contextlib.suppress(Exception):
            self._algo_stats["learning_rate"] = current_learning_rate(self.model)
