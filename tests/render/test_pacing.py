"""FramePacer on a fake clock: the average rate holds when sleeps overshoot, and a stall is not rushed."""
import pytest

from qwop_studio.render.pacing import FramePacer


class FakeTime:
    """A clock that advances only by work and sleeps; every sleep overshoots by ``overshoot_s``."""

    def __init__(self, overshoot_s: float = 0.0) -> None:
        self.now = 100.0
        self.overshoot_s = overshoot_s

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds + self.overshoot_s

    def work(self, seconds: float) -> None:
        self.now += seconds


def test_late_wake_ups_do_not_slow_the_average_rate():
    """Each sleep wakes 3 ms late (a busy core): 300 frames at 30 fps still take 10 s, not 10.9 s."""
    t = FakeTime(overshoot_s=0.003)
    pacer = FramePacer(30, clock=t.clock, sleep=t.sleep)
    pacer.tick()
    start = t.now
    for _ in range(300):
        t.work(0.010)  # a frame's drawing
        pacer.tick()
    assert t.now - start == pytest.approx(10.0, abs=0.004)


def test_tick_returns_the_time_since_the_previous_tick():
    t = FakeTime()
    pacer = FramePacer(25, clock=t.clock, sleep=t.sleep)
    assert pacer.tick() == 0.0
    t.work(0.01)
    assert pacer.tick() == pytest.approx(0.04)
    t.work(0.07)  # a slow frame: no wait, the time it took
    assert pacer.tick() == pytest.approx(0.07)


def test_a_stall_starts_afresh_instead_of_rushing_frames():
    t = FakeTime()
    pacer = FramePacer(30, clock=t.clock, sleep=t.sleep)
    pacer.tick()
    t.work(1.0)  # the window was dragged for a second
    pacer.tick()
    gaps = []
    for _ in range(5):
        before = t.now
        pacer.tick()
        gaps.append(t.now - before)
    assert gaps == pytest.approx([1 / 30] * 5)


@pytest.mark.parametrize("fps", [0, -30, float("nan")])
def test_a_bad_rate_is_refused(fps):
    with pytest.raises(ValueError, match="fps="):
        FramePacer(fps)
