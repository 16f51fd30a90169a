"""``FramePacer``: frames at a steady rate on a busy machine (the windows' replacement for ``Clock.tick``).

Why not ``pygame.time.Clock.tick(fps)``: it waits one period from its previous return, so every late
wake-up (sleep granularity, a core busy with the trainer) is lost for good and the window runs
slow: 29.3-29.7 frames/s measured for a 30 fps studio while the trainer's two processes kept both
cores of a 2-core machine busy. For the manual game that also means a slower game clock than the
original's 30 frames per second. Here frame deadlines lie exactly one period apart, so a late frame
is followed by a shorter wait and the average rate is the asked one. A window that falls more than
``max_lag_frames`` behind (a stall, a dragged window) starts afresh from the present instead of
rushing out frames to catch up.
"""
from __future__ import annotations

import time
from collections.abc import Callable


class FramePacer:
    """Waits for deadlines ``1 / fps`` apart; :meth:`tick` once per frame, as with ``Clock.tick``."""

    def __init__(self, fps: float, clock: Callable[[], float] = time.perf_counter,
                 sleep: Callable[[float], None] = time.sleep, max_lag_frames: float = 2.0) -> None:
        if not fps > 0:
            raise ValueError(f"fps={fps!r}: expected a positive number")
        self.period_s = 1.0 / fps
        self.max_lag_s = max_lag_frames * self.period_s
        self._clock = clock
        self._sleep = sleep
        self._deadline: float | None = None
        self._last: float | None = None

    def tick(self) -> float:
        """Wait until this frame's deadline; seconds since the previous call (0.0 on the first)."""
        now = self._clock()
        if self._deadline is None or self._last is None:
            self._deadline = self._last = now
            return 0.0
        self._deadline += self.period_s
        wait = self._deadline - now
        if wait > 0:
            self._sleep(wait)
            now = self._clock()
        elif -wait > self.max_lag_s:
            self._deadline = now
        dt, self._last = now - self._last, now
        return dt
