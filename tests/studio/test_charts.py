"""Charts hold the points trainer events bring, and draw at any size."""
from __future__ import annotations

import pygame
import pytest

from qwop_studio.studio.charts import CHARTS, MOVING_AVERAGE_EPISODES, ChartData, ChartView, nice_ticks
from qwop_studio.train import messages as msg


def _feed(data: ChartData, n: int = 150) -> None:
    for i in range(n):
        data.add(msg.EpisodeEnd(step=10 * i, reward=float(i), length=20 + i, distance=0.1 * i, time=1.0,
                                is_success=False))
    data.add(msg.Metrics(step=10 * n, elapsed_s=3.0, env_steps_per_s=1500.0, success_rate=0.25,
                         algo_stats={"entropy_loss": -2.0}))
    data.add(msg.WeightsChanged(step=700, weights={"posture_weight": 0.5}, changes={"posture_weight": 0.5}))


def test_episode_points_and_a_moving_average_over_the_last_100():
    data = ChartData()
    _feed(data)
    assert data.points("reward") == 150 and data.points("reward_avg") == 150
    last = list(range(150 - MOVING_AVERAGE_EPISODES, 150))
    assert data.series["reward_avg"].ys[-1] == pytest.approx(sum(last) / len(last))
    assert data.series["exploration"].ys == [2.0] and data.exploration_label == "Policy entropy"
    assert data.series["throughput"].ys == [1500.0] and data.series["success_rate"].ys == [0.25]
    assert data.markers == [(700, "posture 0.5")]


@pytest.mark.parametrize("key", list(CHARTS))
@pytest.mark.parametrize("size", [(420, 200), (120, 60)])
def test_every_chart_draws_with_and_without_data(key, size):
    for fed in (False, True):
        data = ChartData()
        if fed:
            _feed(data)
        view = ChartView(key)
        target = pygame.Surface((size[0] + 20, size[1] + 20))
        view.draw(target, pygame.Rect(10, 10, *size), data)


def test_nice_ticks_are_round_and_cover_the_range():
    assert nice_ticks(0, 10000, 4) == [0, 2500, 5000, 7500, 10000]
    assert nice_ticks(-15.3, -4.2, 4)[0] >= -15.3
