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


def _eval_pixels(surface: pygame.Surface) -> int:
    from qwop_studio.studio.charts import EVAL_POINT

    pixels = pygame.surfarray.pixels3d(surface)
    return int(((pixels[..., 0] == EVAL_POINT[0]) & (pixels[..., 1] == EVAL_POINT[1])
                & (pixels[..., 2] == EVAL_POINT[2])).sum())


@pytest.mark.parametrize("key", ["success", "eval_time"])
def test_periodic_evaluations_are_dots_on_the_success_and_time_charts(key):
    """The trainer's Evaluated events (best-model keeping) show as dots in their own colour; an
    evaluation where nothing finished has a success rate but no median time."""
    data = ChartData()
    _feed(data)
    before = data.version
    rendered = {}
    for with_evals in (False, True):
        if with_evals:
            data.add(msg.Evaluated(step=1000, success_rate=0.0, median_time_s=None, score_s=133.3, improved=True,
                                   duration_s=2.0))
            data.add(msg.Evaluated(step=1500, success_rate=0.6, median_time_s=71.5, score_s=95.0, improved=True,
                                   duration_s=2.0))
        surface = pygame.Surface((420, 200))
        ChartView(key).render(surface, data)
        rendered[with_evals] = _eval_pixels(surface)
    assert data.series["eval_success"].ys == [0.0, 0.6] and data.series["eval_time"].ys == [71.5]
    assert data.version > before
    assert rendered[False] == 0 and rendered[True] > 20


def test_a_long_series_stays_evenly_dense_and_ends_at_the_latest_point():
    """80,000 episodes (a 20 M-step history loaded on resume): bounded, the same density in the first
    and last quarter of the steps, and the newest value is the last point (the chart's label)."""
    from qwop_studio.studio.charts import MAX_POINTS, Series

    series = Series()
    for i in range(80_000):
        series.add(i, float(i))
    assert len(series) <= MAX_POINTS + 1
    assert series.xs[-1] == 79_999 and series.ys[-1] == 79_999.0
    assert series.xs == sorted(series.xs)
    first = sum(x < 20_000 for x in series.xs)
    last = sum(x >= 60_000 for x in series.xs)
    assert abs(first - last) <= 0.1 * last


def test_nice_ticks_are_round_and_cover_the_range():
    assert nice_ticks(0, 10000, 4) == [0, 2500, 5000, 7500, 10000]
    assert nice_ticks(-15.3, -4.2, 4)[0] >= -15.3


def test_a_resumed_run_starts_with_its_history_up_to_the_resume_step(tmp_path):
    (tmp_path / "progress.csv").write_text(
        "step,wall_time_s,env,reward,length,distance_m,time_s,avg_speed,is_success\n"
        "100,1.0,0,-10.5,16,0.7,2.6,0.28,0\n"
        "250,2.0,1,60.0,700,100.2,93.0,1.08,1\n"
        "400,3.0,0,5.0,120,20.0,16.0,1.25,0\n"
        "900,4.0,1,61.0,690,100.4,92.0,1.09,1\n")
    (tmp_path / "reward_weights.csv").write_text(
        "step,wall_time,source,posture_weight,velocity_weight\n"
        "0,t,start,0.0,0.05\n"
        "300,t,change,0.3,0.05\n"
        "500,t,resume,0.3,0.05\n"
        "800,t,change,0.3,0.2\n")
    (tmp_path / "evaluations.csv").write_text(
        "step,success_rate,median_time_s,score_s,improved,duration_s\n"
        "200,0.0,,133.333,1,4.10\n"
        "400,0.6,88.5,106.43,1,9.80\n"
        "600,0.9,70.1,76.4,1,9.90\n")
    data = ChartData()
    data.add(msg.Started(run_dir=str(tmp_path), algo="PPO", total_timesteps=10_000, config_name="x",
                         reward_weights={}, start_step=500))
    assert data.series["distance"].xs == [100, 250, 400] and data.series["distance"].ys == [0.7, 100.2, 20.0]
    assert data.series["success_rate"].ys == pytest.approx([0.0, 0.5, 1 / 3])
    assert data.markers == [(300, "posture 0.3")]
    # the evaluation dots up to the resume step: success at both, a time only where a runner finished
    assert data.series["eval_success"].xs == [200, 400] and data.series["eval_success"].ys == [0.0, 0.6]
    assert data.series["eval_time"].xs == [400] and data.series["eval_time"].ys == [88.5]

    fresh = ChartData()  # a new run (start_step 0) has no history, even in a directory that has files
    fresh.add(msg.Started(run_dir=str(tmp_path), algo="PPO", total_timesteps=10_000, config_name="x",
                          reward_weights={}, start_step=0))
    assert fresh.points("reward") == 0


def test_missing_or_damaged_history_adds_nothing(tmp_path):
    (tmp_path / "progress.csv").write_text("step,reward\nnot-a-number,1\n")
    (tmp_path / "evaluations.csv").write_text("step,success_rate,median_time_s,score_s,improved,duration_s\n"
                                              "x,0.5,60,70,1,9\n300,0.5\n400,0.7,61.0,72.0,0,9.5\n")
    data = ChartData()
    assert data.load_history(tmp_path, 1000) == 0
    assert data.series["eval_success"].xs == [400]  # damaged rows skipped, the good one kept
    assert data.load_history(tmp_path / "missing", 1000) == 0 and data.points("reward") == 0


def test_marker_labels_never_overlap_and_stay_inside_the_plot():
    from qwop_studio.studio.charts import place_marker_labels
    from qwop_studio.studio.look import Fonts

    font = Fonts().chart_small
    plot = pygame.Rect(52, 30, 360, 150)
    # a schedule stage and a slider change a few pixels apart, and one at the plot's right edge
    placed = place_marker_labels(font, [(100, "time cost 20, velocity 0.3"), (104, "posture 0.4"),
                                        (411, "posture 0.5")], plot)
    rects = [rect for _, rect in placed]
    assert len(rects) == 3
    assert rects[1].top > rects[0].top  # moved down a row instead of covering the first
    assert rects[2].right <= 411  # flipped to the left of its line
    for i, rect in enumerate(rects):
        assert plot.contains(rect)
        assert not any(rect.colliderect(other) for other in rects[i + 1:])


def test_marker_labels_that_find_no_room_are_left_out():
    from qwop_studio.studio.charts import place_marker_labels
    from qwop_studio.studio.look import Fonts

    font = Fonts().chart_small
    plot = pygame.Rect(52, 30, 360, 150)
    placed = place_marker_labels(font, [(200, f"change {i}") for i in range(20)], plot)
    rects = [rect for _, rect in placed]
    assert 2 <= len(rects) < 20
    assert all(rect.bottom <= plot.centery for rect in rects)
    assert len({rect.top for rect in rects}) == len(rects)
