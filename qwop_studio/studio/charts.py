"""Training charts drawn with pygame: the data they hold, and how one chart is drawn into a rectangle.

:class:`ChartData` collects points from trainer events (``EpisodeEnd`` -> one raw point per episode
and a moving average; ``Metrics`` -> the per-second statistics; ``WeightsChanged`` -> a vertical
marker at the step where the change took effect; ``Evaluated`` -> a large dot on the success-rate
and 100 m time charts, one per periodic evaluation; ``Started`` of a resumed run -> the run's history
up to the resume step, read back from its ``progress.csv`` and ``reward_weights.csv``, so a resumed
run's charts continue instead of starting empty). :class:`ChartView` draws one of :data:`CHARTS`
onto a surface, cached and redrawn at most :data:`REDRAW_INTERVAL_S` apart, so that the window's frame
rate does not depend on how long training has run.

The x axis is always training env steps (SB3's ``num_timesteps``).
"""
from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygame

from qwop_studio.studio.look import COLOURS, Colour, Fonts
from qwop_studio.train import messages as msg
from qwop_studio.train.eval_log import EVALUATIONS, read_evaluations
from qwop_studio.train.progress_log import PROGRESS, read_progress
from qwop_studio.train.weight_log import read_weight_log

#: Episodes in the moving average (as SB3's ``ep_info_buffer``).
MOVING_AVERAGE_EPISODES = 100
#: Points kept per series; past this the older half is thinned to every other point.
MAX_POINTS = 6000
#: A cached chart is redrawn at most this often (s) while data arrives.
REDRAW_INTERVAL_S = 0.3

# ---------------------------------------------------------------------------------- look
# the colours are data (assets/studio_colours.json, read by look.py)
BACKGROUND, PLOT_BACKGROUND, GRID = COLOURS["chart_background"], COLOURS["plot_background"], COLOURS["grid"]
AXIS_TEXT, TITLE_TEXT, EMPTY_TEXT = COLOURS["axis_text"], COLOURS["title_text"], COLOURS["empty_text"]
MARKER, RAW_POINT, EVAL_POINT, LINE = COLOURS["marker"], COLOURS["raw_point"], COLOURS["eval_point"], COLOURS["line"]


@dataclass(frozen=True)
class ChartSpec:
    """One selectable chart: its title, the series it draws, and its y-axis format."""

    title: str
    points: str | None       # raw-point series name (one per episode), or None
    line: str                # line series name
    percent: bool = False
    unit: str = ""
    evals: str | None = None  # series of periodic evaluations, drawn as large dots, or None


#: Selectable charts, in menu order (key -> spec).
CHARTS: dict[str, ChartSpec] = {
    "reward": ChartSpec("Episode reward", "reward", "reward_avg"),
    "distance": ChartSpec("Distance", "distance", "distance_avg", unit=" m"),
    "success": ChartSpec("Success rate", None, "success_rate", percent=True, evals="eval_success"),
    "eval_time": ChartSpec("Eval: median 100 m time", None, "eval_time", unit=" s", evals="eval_time"),
    "length": ChartSpec("Episode length", "length", "length_avg", unit=" steps"),
    "exploration": ChartSpec("Exploration / entropy", None, "exploration"),
    "throughput": ChartSpec("Throughput", None, "throughput", unit=" steps/s"),
}


class Series:
    """(step, value) pairs, thinned evenly when long, the latest point always kept.

    Past :data:`MAX_POINTS` every other point goes and from then on only every ``stride``-th new
    point is kept (the newest one stands in until then), so a long run, or a resumed run's history
    loaded at once, keeps the same density from its first step to its last. (Thinning only the
    older half each time left the first half of a 20 M-step history with a handful of points.)
    """

    def __init__(self) -> None:
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.stride = 1
        self._count = 0
        self._last_is_stand_in = False

    def add(self, x: float, y: float) -> None:
        if y is None or not math.isfinite(y):
            return
        if self._last_is_stand_in:
            self.xs[-1], self.ys[-1] = float(x), float(y)
        else:
            self.xs.append(float(x))
            self.ys.append(float(y))
        self._count += 1
        self._last_is_stand_in = self._count % self.stride != 0
        if len(self.xs) > MAX_POINTS:
            self.xs[:-1] = self.xs[:-1:2]
            self.ys[:-1] = self.ys[:-1:2]
            self.stride *= 2

    def __len__(self) -> int:
        return len(self.xs)

    def clear(self) -> None:
        self.xs.clear()
        self.ys.clear()
        self.stride, self._count, self._last_is_stand_in = 1, 0, False


class _MovingAverage:
    def __init__(self, n: int) -> None:
        self.values: deque[float] = deque(maxlen=n)
        self.total = 0.0

    def add(self, v: float) -> float:
        if len(self.values) == self.values.maxlen:
            self.total -= self.values[0]
        self.values.append(v)
        self.total += v
        return self.total / len(self.values)


class ChartData:
    """Everything the charts show, fed with trainer events. ``version`` changes with every new point."""

    SERIES = ("reward", "reward_avg", "distance", "distance_avg", "length", "length_avg", "success_rate",
              "exploration", "throughput", "eval_success", "eval_time")

    def __init__(self) -> None:
        self.series: dict[str, Series] = {name: Series() for name in self.SERIES}
        self.markers: list[tuple[int, str]] = []   # (step, label) of reward-weight changes
        self.exploration_label = "Exploration / entropy"
        self.version = 0
        self._avg = {name: _MovingAverage(MOVING_AVERAGE_EPISODES) for name in ("reward", "distance", "length")}

    def clear(self) -> None:
        for s in self.series.values():
            s.clear()
        self.markers.clear()
        for name in self._avg:
            self._avg[name] = _MovingAverage(MOVING_AVERAGE_EPISODES)
        self.version += 1

    def points(self, name: str) -> int:
        return len(self.series[name])

    def add(self, event: object) -> None:
        """Take what the charts need from one trainer event (others are ignored)."""
        if isinstance(event, msg.EpisodeEnd):
            self._add_episode(event.step, event.reward, event.distance, event.length)
            self.version += 1
        elif isinstance(event, msg.Started):
            if event.start_step > 0:
                self.load_history(Path(event.run_dir), event.start_step)
        elif isinstance(event, msg.Metrics):
            if event.success_rate is not None:
                self.series["success_rate"].add(event.step, event.success_rate)
            stats = event.algo_stats
            if "exploration_rate" in stats:
                self.exploration_label = "Exploration rate"
                self.series["exploration"].add(event.step, stats["exploration_rate"])
            elif "entropy_loss" in stats:
                self.exploration_label = "Policy entropy"
                self.series["exploration"].add(event.step, -stats["entropy_loss"])
            if event.env_steps_per_s > 0:
                self.series["throughput"].add(event.step, event.env_steps_per_s)
            self.version += 1
        elif isinstance(event, msg.WeightsChanged):
            self.markers.append((event.step, _weights_label(event.changes)))
            self.version += 1
        elif isinstance(event, msg.Evaluated):
            self._add_evaluation(event)
            self.version += 1
        elif isinstance(event, msg.DemonstrationsAdded):  # a takeover taught with teaching on
            self.markers.append((event.step, f"taught {event.added} steps"))
            self.version += 1

    def _add_evaluation(self, event: msg.Evaluated) -> None:
        self.series["eval_success"].add(event.step, event.success_rate)
        if event.median_time_s is not None:
            self.series["eval_time"].add(event.step, event.median_time_s)

    def _add_episode(self, step: float, reward: float, distance: float, length: float) -> None:
        for name, value in (("reward", reward), ("distance", distance), ("length", length)):
            self.series[name].add(step, value)
            self.series[f"{name}_avg"].add(step, self._avg[name].add(float(value)))

    def load_history(self, run_dir: Path, up_to_step: int) -> int:
        """Add a run's logged episodes, evaluations and weight changes up to ``up_to_step``; the episodes added.

        The success rate is rebuilt as the trainer reports it (over the last 100 episodes). Missing or
        damaged files add nothing: history is a convenience, never a reason for the studio to fail.
        """
        added = 0
        successes: deque[int] = deque(maxlen=MOVING_AVERAGE_EPISODES)
        for episode in read_progress(run_dir / PROGRESS, up_to_step):
            self._add_episode(episode.step, episode.reward, episode.distance_m, float(episode.length))
            successes.append(episode.is_success)
            self.series["success_rate"].add(episode.step, sum(successes) / len(successes))
            added += 1
        for evaluation in read_evaluations(run_dir / EVALUATIONS, up_to_step):
            self._add_evaluation(evaluation)
        previous: dict[str, float] | None = None
        for row in read_weight_log(run_dir / "reward_weights.csv", up_to_step):
            if previous is not None and row.source != "resume":
                changes = {k: v for k, v in row.weights.items() if previous.get(k) != v}
                if changes:
                    self.markers.append((row.step, _weights_label(changes)))
            previous = row.weights
        self.version += 1
        return added


def place_marker_labels(font: pygame.font.Font, markers: list[tuple[int, str]],
                        plot: pygame.Rect) -> list[tuple[pygame.Surface, pygame.Rect]]:
    """Each marker's label rendered and placed at the top of ``plot`` beside its line (x, label).

    A label goes right of its line, or left where it would leave the plot; one that would overlap
    a label already placed moves down a row. Why: a slider change and a ``reward_schedule`` stage
    a few steps apart put two labels on one spot, and neither could be read. A label that finds no
    free row in the plot's top half is left out (its line is still drawn).
    """
    placed: list[tuple[pygame.Surface, pygame.Rect]] = []
    for x, label in markers:
        lab = font.render(label, True, MARKER)
        row_h = lab.get_height() + 1
        for top in range(plot.top + 2, plot.centery - row_h, row_h):
            pos = lab.get_rect(topleft=(x + 3, top))
            if pos.right > plot.right - 2:
                pos.topright = (x - 3, top)
            if not any(pos.colliderect(other) for _, other in placed):
                placed.append((lab, pos))
                break
    return placed


def _weights_label(changes: dict[str, float]) -> str:
    """A marker's label: ``velocity 0.3, time cost 20``."""
    return ", ".join(f"{k.replace('_weight', '').replace('_', ' ')} {v:g}" for k, v in changes.items())


# ------------------------------------------------------------------------------------ drawing
def _draw_dots(surf: pygame.Surface, left: np.ndarray, top: np.ndarray, colour: Colour) -> None:
    """2x2-pixel dots with top-left corners (``left``, ``top``), written straight into the pixels.

    ``surf`` must have 24 or 32 bits per pixel. Why not one ``fill`` per dot: a chart holds up to :data:`MAX_POINTS` episodes, and drawing them
    one call each cost ~10 ms per redraw, several times a second while training runs, on the same
    two cores as the trainer.
    """
    w, h = surf.get_size()
    pixels = pygame.surfarray.pixels3d(surf)
    try:
        for dx in (0, 1):
            for dy in (0, 1):
                x, y = left + dx, top + dy
                inside = (x >= 0) & (x < w) & (y >= 0) & (y < h)
                pixels[x[inside], y[inside]] = colour
    finally:
        del pixels  # unlocks the surface


def nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """About ``n`` round numbers covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    ticks, v = [], first
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 12))
        v += step
    return ticks


def short_number(v: float) -> str:
    """12000 -> "12k", 1500000 -> "1.5M", 0.25 -> "0.25"."""
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.3g}M"
    if a >= 1e4:
        return f"{v / 1e3:.3g}k"
    if a >= 100 or v == int(v):
        return f"{v:.0f}"
    return f"{v:.3g}"


class ChartView:
    """One chart slot: draws the chosen chart into a cached surface, redrawn when the data changes."""

    def __init__(self, key: str = "reward") -> None:
        self.key = key
        self.fonts: Fonts | None = None
        self._cache: pygame.Surface | None = None
        self._cache_key: tuple | None = None
        self._drawn_at = 0.0

    def select(self, key: str) -> None:
        if key not in CHARTS:
            raise ValueError(f"chart {key!r}: expected one of {', '.join(CHARTS)}")
        self.key = key
        self._cache_key = None

    def draw(self, target: pygame.Surface, rect: pygame.Rect, data: ChartData, now: float | None = None) -> None:
        """Blit the chart into ``rect`` of ``target``, redrawing the cache if it is stale."""
        now = time.monotonic() if now is None else now
        key = (self.key, rect.size)
        stale = self._cache is None or self._cache_key is None or self._cache_key[0] != key
        changed = self._cache_key is not None and self._cache_key[1] != data.version
        if stale or (changed and now - self._drawn_at >= REDRAW_INTERVAL_S):
            if self._cache is None or self._cache.get_size() != rect.size:
                self._cache = pygame.Surface(rect.size, depth=32)  # 32-bit: dots are written as pixels
            self.render(self._cache, data)
            self._cache_key = (key, data.version)
            self._drawn_at = now
        target.blit(self._cache, rect)

    def render(self, surf: pygame.Surface, data: ChartData) -> None:
        """Draw the chart onto the whole of ``surf``."""
        if self.fonts is None:
            self.fonts = Fonts()
        f = self.fonts
        spec = CHARTS[self.key]
        w, h = surf.get_size()
        surf.fill(BACKGROUND)
        title = data.exploration_label if self.key == "exploration" else spec.title
        line = data.series[spec.line]
        pts = data.series[spec.points] if spec.points else None
        evals = data.series[spec.evals] if spec.evals else None
        latest = f"  {self._fmt(line.ys[-1], spec)}" if len(line) else ""
        surf.blit(f.chart_title.render(title, True, TITLE_TEXT), (10, 6))
        if latest:
            label = f.chart_title.render(latest.strip(), True, LINE)
            surf.blit(label, (w - label.get_width() - 10, 6))
        plot = pygame.Rect(52, 30, max(10, w - 64), max(10, h - 52))
        surf.fill(PLOT_BACKGROUND, plot)
        # numpy arrays once: a series holds up to MAX_POINTS points and this runs several times a second
        pts_x, pts_y = (np.asarray(pts.xs), np.asarray(pts.ys)) if pts else (np.empty(0), np.empty(0))
        line_x, line_y = np.asarray(line.xs), np.asarray(line.ys)
        eval_x, eval_y = (np.asarray(evals.xs), np.asarray(evals.ys)) if evals else (np.empty(0), np.empty(0))
        xs_all = np.concatenate((pts_x, line_x, eval_x))
        ys_all = np.concatenate((pts_y, line_y, eval_y))
        if not len(xs_all):
            msg_s = f.chart_small.render("waiting for data", True, EMPTY_TEXT)
            surf.blit(msg_s, msg_s.get_rect(center=plot.center))
            return
        x0, x1 = 0.0, max(float(xs_all.max()), 1.0)
        if spec.percent:
            y0, y1 = 0.0, 1.0
        else:
            y0, y1 = float(ys_all.min()), float(ys_all.max())
            if len(pts_y) > 50:  # keep outliers from flattening the average
                k = len(pts_y) // 100
                ordered = np.partition(pts_y, (k, len(pts_y) - 1 - k))
                y0 = min(float(ordered[k]), float(line_y.min()) if len(line_y) else y0)
                y1 = max(float(ordered[-1 - k]), float(line_y.max()) if len(line_y) else y1)
            if y1 - y0 < 1e-9:
                y0, y1 = y0 - 1.0, y1 + 1.0
            pad = (y1 - y0) * 0.06
            y0, y1 = y0 - pad, y1 + pad

        def sx(x: float | np.ndarray) -> float | np.ndarray:  # whole point lists are transformed at once
            return plot.left + (x - x0) / (x1 - x0) * (plot.w - 1)

        def sy(y: float | np.ndarray) -> float | np.ndarray:
            return plot.bottom - 1 - (np.clip(y, y0, y1) - y0) / (y1 - y0) * (plot.h - 1)

        for t in nice_ticks(y0, y1, 4):
            y = round(sy(t))
            pygame.draw.line(surf, GRID, (plot.left, y), (plot.right - 1, y))
            lab = f.chart_small.render(f"{t:.0%}" if spec.percent else short_number(t), True, AXIS_TEXT)
            surf.blit(lab, lab.get_rect(midright=(plot.left - 5, y)))
        for t in nice_ticks(x0, x1, max(2, plot.w // 90)):
            x = round(sx(t))
            pygame.draw.line(surf, GRID, (x, plot.top), (x, plot.bottom - 1))
            lab = f.chart_small.render(short_number(t), True, AXIS_TEXT)
            surf.blit(lab, lab.get_rect(midtop=(min(max(x, plot.left + 10), plot.right - 10), plot.bottom + 3)))
        marker_xs = [round(sx(step)) for step, _ in data.markers]
        for x in marker_xs:
            for y in range(plot.top, plot.bottom, 6):
                pygame.draw.line(surf, MARKER, (x, y), (x, min(y + 3, plot.bottom - 1)))
        marker_labels = place_marker_labels(f.chart_small, [(x, label) for x, (_, label) in zip(marker_xs, data.markers,
                                                                                        strict=True)], plot)
        if len(pts_x):
            _draw_dots(surf, np.round(sx(pts_x)).astype(int) - 1, np.round(sy(pts_y)).astype(int) - 1, RAW_POINT)
        if len(line_x) >= 2:
            pygame.draw.aalines(surf, LINE, False, np.column_stack((sx(line_x), sy(line_y))))
        elif len(line_x) == 1:
            pygame.draw.circle(surf, LINE, (sx(line.xs[0]), float(sy(line.ys[0]))), 3)
        # an evaluation plays the greedy policy: its own colour, on top
        for x, y in zip(np.round(sx(eval_x)).astype(int).tolist(), np.round(sy(eval_y)).astype(int).tolist(),
                        strict=True):
            pygame.draw.circle(surf, EVAL_POINT, (x, y), 4)
        for lab, pos in marker_labels:  # over the data, on their own background, so they stay legible
            surf.fill(PLOT_BACKGROUND, pos.inflate(4, 0))
            surf.blit(lab, pos)
        pygame.draw.rect(surf, GRID, plot, 1)

    @staticmethod
    def _fmt(v: float, spec: ChartSpec) -> str:
        if spec.percent:
            return f"{v:.0%}"
        return f"{short_number(v) if abs(v) >= 100 else f'{v:.2f}'}{spec.unit}"
