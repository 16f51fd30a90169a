"""The arithmetic behind the benchmarks' ratios: interleaved rounds, paired ratios, host steal."""
from __future__ import annotations

import sys

import pytest

from benchmarks.common import cpu_jiffies, interleaved_runs, median_ratio, ratio_range, steal_share


def test_interleaved_runs_measure_each_once_per_round_and_rotate_the_order() -> None:
    calls: list[str] = []

    def measure(name: str, value: float):
        def run() -> float:
            calls.append(name)
            return value
        return run

    values = interleaved_runs(3, {"a": measure("a", 1.0), "b": measure("b", 2.0), "c": measure("c", 3.0)})
    assert calls == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert values == {"a": [1.0] * 3, "b": [2.0] * 3, "c": [3.0] * 3}


def test_median_ratio_pairs_values_of_the_same_round() -> None:
    # per round b/a = 0.5, 2.0, 1.0: the median is 1.0; the ratio of the medians would be 1.5
    values = {"a": [10.0, 20.0, 30.0], "b": [5.0, 40.0, 30.0]}
    assert median_ratio(values, "b", "a") == pytest.approx(1.0)
    assert ratio_range(values, "b", "a") == "0.50-2.00"


def test_median_ratio_refuses_rounds_of_different_lengths() -> None:
    with pytest.raises(ValueError):
        median_ratio({"a": [1.0, 2.0], "b": [1.0]}, "b", "a")


def test_steal_share_is_the_stolen_part_of_the_cpu_time_between_readings() -> None:
    assert steal_share((1000, 40), (1200, 50)) == "5.0 %"
    assert steal_share(None, (1200, 50)) == "unknown"
    assert steal_share((1200, 50), (1200, 50)) == "unknown"  # no time passed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/stat is Linux's")
def test_cpu_jiffies_reads_this_machine() -> None:
    reading = cpu_jiffies()
    assert reading is not None
    total, stolen = reading
    assert total > 0 and 0 <= stolen <= total


def test_the_bare_worlds_two_readings_read_the_same_states() -> None:
    """The yardstick (pybox2d's attributes) and the floor (gathered) differ in speed only."""
    import numpy as np

    from benchmarks.physics import BARE_READINGS
    from qwop_studio.sim.world import QWOPWorld

    world = QWOPWorld(record_contacts=False)
    for _ in range(40):
        world.step()
    plain, gathered = (BARE_READINGS[name](world) for name in ("plain", "gathered"))
    assert plain.shape == gathered.shape == (14, 6)
    assert np.array_equal(plain, gathered)
    assert not np.array_equal(plain, QWOPWorld().read_states())  # a state 40 ticks on, not the spawn pose
