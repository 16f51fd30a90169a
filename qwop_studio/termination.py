"""SIGTERM ends a command the way Ctrl+C does: its cleanup runs (partial files removed, windows closed).

Why: Python's default for SIGTERM kills the process at once, skipping ``finally`` blocks, so a video
export left its ``.partial.mp4`` behind; and once pygame is initialised, SDL installs its own SIGTERM
handler that only queues a quit event, which a headless export never reads, so the process ignored
SIGTERM. A Python handler installed before pygame starts keeps SDL's away (SDL replaces only the
default handler) and raises :class:`KeyboardInterrupt` in the main thread.
"""
from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any

#: The exit code of a command ended by SIGTERM (128 + 15, as a shell reports it).
EXIT_TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when SIGTERM arrives inside :func:`terminate_as_interrupt`."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(f"signal {signum}")


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (a ``KeyboardInterrupt``); restored after."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
