"""The studio's trainer: :func:`run_training` in a ``spawn`` child process, and the handle the studio
holds (:class:`TrainerHandle`). Only plain data crosses: the config as a dict, paths as strings, and
``messages`` dataclasses on two queues.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qwop_studio.threads import single_threaded_children
from qwop_studio.train import messages as msg
from qwop_studio.train.config import TrainConfig
from qwop_studio.train.run_dir import plan_run
from qwop_studio.train.torch_setup import prepare_torch_process
from qwop_studio.train.trainer import run_training


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
