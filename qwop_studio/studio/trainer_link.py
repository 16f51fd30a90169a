"""The studio's one line to the trainer: starts it, sends commands, collects events, notices its death.

Nothing here ever blocks the window's thread:

- starting a trainer (config validation imports the algorithm registry, and with it torch) runs on a
  short-lived thread; the link is ``STARTING`` until the child process exists;
- events are read off the trainer's queue by a daemon reader thread into a deque that
  :meth:`TrainerLink.poll` empties. A trainer killed halfway through writing a message can leave a
  reader waiting forever for the rest of it; that is then the reader thread's problem, not the
  window's;
- commands are ``Queue.put`` calls, which hand the message to a feeder thread and return at once.

The trainer is "dead" when its process has ended without a :class:`~messages.Finished` or a fatal
:class:`~messages.Error` (killed, crashed hard). The link then keeps the run directory so that the
studio can offer to resume from its latest checkpoint.
"""
from __future__ import annotations

import collections
import contextlib
import threading
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from qwop_studio.train import messages as msg

#: How often the reader thread looks at the trainer's queue (s).
READ_INTERVAL_S = 0.02
#: After the process has ended, how long the reader may take to drain what it left before we decide.
DRAIN_GRACE_S = 0.5


class LinkState(Enum):
    IDLE = "idle"            # no trainer yet
    STARTING = "starting"    # validating the config / spawning; or spawned and building the model
    RUNNING = "running"
    PAUSED = "paused"
    STOPPING = "stopping"    # Stop sent; saving the checkpoint and final model
    FINISHED = "finished"    # ended normally (total reached or stopped)
    FAILED = "failed"        # could not start, or ended with a fatal Error
    DEAD = "dead"            # ended without saying why (killed)


ACTIVE_STATES = frozenset({LinkState.STARTING, LinkState.RUNNING, LinkState.PAUSED, LinkState.STOPPING})


@dataclass(frozen=True)
class StartRequest:
    """What to start: a config (name or file) for a new run, or a run dir / checkpoint to resume."""

    config: str | None = None
    resume: str | None = None
    runs_root: str | None = None
    overrides: dict[str, Any] | None = None


class TrainerLink:
    """One trainer child at a time. Call :meth:`poll` every frame; read the public fields to draw."""

    def __init__(self) -> None:
        self.state = LinkState.IDLE
        self.handle: Any = None          # child.TrainerHandle once spawned
        self.run_dir: Path | None = None
        self.problem: str | None = None  # one line: why the trainer failed or died
        self.problem_detail: str = ""
        self.started: msg.Started | None = None
        self.finished: msg.Finished | None = None
        self.last_checkpoint: str | None = None
        self.last_step = 0
        self._events: collections.deque = collections.deque()
        self._start_thread: threading.Thread | None = None
        self._reader: threading.Thread | None = None
        self._reader_stop = threading.Event()
        self._ended_at: float | None = None
        self._lock = threading.Lock()
        self._start_error: str | None = None

    # ----------------------------------------------------------------------------- queries
    @property
    def active(self) -> bool:
        """A trainer is starting, running, paused or stopping."""
        return self.state in ACTIVE_STATES

    @property
    def pid(self) -> int | None:
        return self.handle.process.pid if self.handle is not None else None

    def resume_target(self) -> Path | None:
        """The run directory to resume after a death, if it holds a checkpoint to resume from."""
        if self.run_dir is None:
            return None
        # the trainer's module (and torch) is loaded by now: starting the trainer validated its config
        from qwop_studio.train.run_dir import latest_checkpoint

        return self.run_dir if latest_checkpoint(self.run_dir) is not None else None

    # ----------------------------------------------------------------------------- control
    def start(self, request: StartRequest) -> None:
        """Start a trainer in the background; ``poll`` reports ``Started`` (or the failure) later."""
        if self.active:
            raise RuntimeError("a trainer is already running; stop it first")
        self._reset_run_state()
        self.state = LinkState.STARTING
        self._start_thread = threading.Thread(target=self._spawn, args=(request,), name="studio-trainer-start",
                                              daemon=True)
        self._start_thread.start()

    def _reset_run_state(self) -> None:
        self.handle = None
        self.run_dir = None
        self.problem = None
        self.problem_detail = ""
        self.started = None
        self.finished = None
        self.last_checkpoint = None
        self.last_step = 0
        self._ended_at = None
        self._start_error = None
        self._events.clear()

    def _spawn(self, request: StartRequest) -> None:
        try:
            from qwop_studio.train.child import start_trainer_process
            from qwop_studio.train.config import DEFAULT_CONFIG, load_config
            from qwop_studio.train.run_dir import default_run_dir

            run_dir = None
            if request.resume is None:
                cfg = load_config(request.config or DEFAULT_CONFIG, request.overrides)
                run_dir = default_run_dir(cfg, Path(request.runs_root) if request.runs_root else None)
            handle = start_trainer_process(request.config, run_dir=run_dir, resume=request.resume,
                                           overrides=request.overrides)
        except Exception as e:  # noqa: BLE001 - a ConfigError or anything else: shown in the window
            with self._lock:
                self._start_error = str(e) if type(e).__name__ == "ConfigError" else f"{type(e).__name__}: {e}"
            return
        with self._lock:
            self.handle = handle
            self.run_dir = Path(handle.run_dir)
        self._reader_stop.clear()
        self._reader = threading.Thread(target=self._read, args=(handle,), name="studio-trainer-events", daemon=True)
        self._reader.start()

    def _read(self, handle: Any) -> None:
        while not self._reader_stop.is_set():
            got = handle.poll_events()
            if got:
                self._events.extend(got)
            elif not handle.alive:
                # one more look after the end: the last events may still be in the pipe
                self._events.extend(handle.poll_events())
                return
            time.sleep(READ_INTERVAL_S)

    def send(self, command: msg.Command) -> bool:
        """Send a command if a trainer process is there; False otherwise. Never blocks."""
        handle = self.handle
        if handle is None or self.state not in (LinkState.RUNNING, LinkState.PAUSED, LinkState.STARTING,
                                                LinkState.STOPPING):
            return False
        try:
            handle.send(command)
        except (OSError, ValueError, AssertionError):
            return False
        return True

    def pause(self) -> bool:
        return self.state == LinkState.RUNNING and self.send(msg.Pause())

    def resume(self) -> bool:
        return self.state == LinkState.PAUSED and self.send(msg.Resume())

    def save_checkpoint(self) -> bool:
        return self.state in (LinkState.RUNNING, LinkState.PAUSED) and self.send(msg.SaveCheckpoint())

    def set_reward_weights(self, changes: dict[str, float]) -> bool:
        return bool(changes) and self.state in (LinkState.RUNNING, LinkState.PAUSED) and \
            self.send(msg.SetRewardWeights(dict(changes)))

    def stop(self) -> bool:
        """Ask the trainer to save and end (it replies ``Finished``). Returns False if there is none."""
        if self.state in (LinkState.RUNNING, LinkState.PAUSED, LinkState.STARTING) and self.handle is not None:
            if self.send(msg.Stop()):
                self.state = LinkState.STOPPING
                return True
        return False

    def terminate(self) -> None:
        """Last resort (the trainer ignored Stop): end the process now."""
        handle = self.handle
        if handle is not None and handle.alive:
            with contextlib.suppress(Exception):
                handle.process.terminate()

    def close(self) -> None:
        """Stop the reader thread (the process is left to whatever stopped it)."""
        self._reader_stop.set()

    # ----------------------------------------------------------------------------- events
    def poll(self) -> list:
        """Every event that arrived since the last call, after updating :attr:`state` from them."""
        with self._lock:
            start_error, self._start_error = self._start_error, None
        if start_error is not None:
            self.state = LinkState.FAILED
            self.problem = f"Could not start training: {start_error}"
        out = []
        while self._events:
            event = self._events.popleft()
            self._track(event)
            out.append(event)
        self._check_alive()
        return out

    def _track(self, event: Any) -> None:
        step = getattr(event, "step", None)
        if isinstance(step, int):
            self.last_step = max(self.last_step, step)
        if isinstance(event, msg.Started):
            self.started = event
            self.last_step = event.start_step
            self.run_dir = Path(event.run_dir)
            if self.state == LinkState.STARTING:
                self.state = LinkState.RUNNING
        elif isinstance(event, msg.Paused):
            if self.state != LinkState.STOPPING:
                self.state = LinkState.PAUSED
        elif isinstance(event, msg.Resumed):
            if self.state != LinkState.STOPPING:
                self.state = LinkState.RUNNING
        elif isinstance(event, msg.CheckpointSaved):
            self.last_checkpoint = event.path
        elif isinstance(event, msg.Finished):
            self.finished = event
            if event.checkpoint_path:
                self.last_checkpoint = event.checkpoint_path
            self.state = LinkState.FINISHED
        elif isinstance(event, msg.Error) and event.fatal:
            self.state = LinkState.FAILED
            self.problem = f"Training stopped with an error: {event.message}"
            self.problem_detail = event.traceback

    def _check_alive(self) -> None:
        handle = self.handle
        if handle is None or self.state not in ACTIVE_STATES:
            return
        if handle.alive:
            return
        now = time.monotonic()
        if self._ended_at is None:
            self._ended_at = now
            return
        reader_done = self._reader is None or not self._reader.is_alive()
        if not (reader_done and not self._events) and now - self._ended_at < DRAIN_GRACE_S:
            return
        if self._events:
            return  # the next poll handles them first
        code = handle.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        self.state = LinkState.DEAD
        self.problem = f"The trainer process ended unexpectedly ({how}) at step {self.last_step:,}."
