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


def interleaved_runs(runs: int, measures: dict[str, Callable[[], float]]) -> dict[str, list[float]]:
    """Run every measure once per round, ``runs`` rounds, rotating which goes first; each one's values.

    Why: on a shared virtual machine the speed a process gets drifts over minutes (other guests on
    the host). Measuring all runs of A and then all runs of B puts that drift into B / A; measuring
    both in every round, back to back, lets :func:`median_ratio` compare runs made under the same
    conditions. Rotating the order keeps any first- or last-in-round effect off one measure.
    """
    names = list(measures)
    values: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(runs):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            values[name].append(measures[name]())
    return values


def median_ratio(values: dict[str, list[float]], numerator: str, denominator: str) -> float:
    """The median over rounds of ``numerator / denominator``, each round's pair measured together."""
    return statistics.median(a / b for a, b in zip(values[numerator], values[denominator], strict=True))


def ratio_range(values: dict[str, list[float]], numerator: str, denominator: str) -> str:
    """The lowest and highest per-round ratio, e.g. ``"1.66-1.78"``: how much the rounds disagree."""
    ratios = [a / b for a, b in zip(values[numerator], values[denominator], strict=True)]
    return f"{min(ratios):.2f}-{max(ratios):.2f}"


def cpu_jiffies() -> tuple[int, int] | None:
    """(all CPU time, time stolen by the hypervisor) since boot, in jiffies, from Linux ``/proc/stat``.

    Why: on a virtual machine the host may run other guests on our cores; the guest sees that time
    as "steal". Two readings around a measurement tell whether it ran on whole cores (None off Linux).
    """
    fields = _proc_stat_cpu()
    if fields is None:
        return None
    return sum(fields[:8]), (fields[7] if len(fields) > 7 else 0)


def cpu_idle_jiffies() -> tuple[int, int] | None:
    """(idle + iowait time, all CPU time) of the whole machine since boot, in jiffies (None off Linux).

    Why: a trainer whose processes wait on each other leaves cores idle; two readings around a run
    say what share of the machine nobody used (:func:`idle_share`).
    """
    fields = _proc_stat_cpu()
    if fields is None or len(fields) < 5:
        return None
    return fields[3] + fields[4], sum(fields[:8])


def idle_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of CPU time idle between two :func:`cpu_idle_jiffies` readings (None if unknown)."""
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


def _proc_stat_cpu() -> list[int] | None:
    """The aggregate ``cpu`` line of Linux ``/proc/stat`` as numbers (user, nice, system, idle, iowait, ...)."""
    try:
        with open("/proc/stat") as f:
            return [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend, or None (said on stderr) where it is not installed."""
    import sys

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot (pip install -e '.[plots]')", file=sys.stderr)
        return None
    return plt


def steal_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> str:
    """The share of CPU time stolen between two :func:`cpu_jiffies` readings, e.g. ``"0.3 %"``."""
    if before is None or after is None or after[0] <= before[0]:
        return "unknown"
    return f"{100 * (after[1] - before[1]) / (after[0] - before[0]):.1f} %"
