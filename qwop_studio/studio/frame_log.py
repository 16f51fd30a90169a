"""``qwop-studio studio --frame-log FILE``: the window's own frame rate, written as it runs.

Why: what a user gets is the studio in a real window over minutes, and only the window's loop knows how
many frames it drew. Each second of wall time appends one line ``<unix time> <frames> <slowest ms>``
(frames drawn in that second, the slowest of them), flushed at once, so a benchmark driving the real
window from outside (``benchmarks/studio_window.py``: Xvfb, a mouse click on Start) reads the frame
rate over any stretch of the run. Without the flag the loop is exactly :meth:`StudioApp.run`.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from qwop_studio.render.pacing import FramePacer


def run_with_frame_log(app: Any, path: str | Path) -> int:
    """:meth:`StudioApp.run`'s loop, appending each second's frame count and slowest frame to ``path``."""
    pacer = FramePacer(app.fps)
    with open(path, "a", encoding="utf-8", buffering=1) as log:
        second_start, frames, slowest = time.monotonic(), 0, 0.0
        try:
            while app.running:
                dt_s = pacer.tick()
                t = time.monotonic()
                app.frame(min(dt_s, 0.25))
                now = time.monotonic()
                frames, slowest = frames + 1, max(slowest, now - t)
                if now - second_start >= 1.0:
                    log.write(f"{time.time():.3f} {frames} {slowest * 1000:.1f}\n")
                    second_start, frames, slowest = now, 0, 0.0
        finally:
            app.shutdown()
    return 0
