"""What every benchmark prints: the machine, and medians of repeated runs."""
from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Callable


def machine() -> str:
    """One line naming the machine, so a figure is never quoted without it."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def median_of(runs: int, measure: Callable[[], float]) -> tuple[float, list[float]]:
    """Run ``measure`` ``runs`` times; the median and every value."""
    values = [measure() for _ in range(runs)]
    return statistics.median(values), values
