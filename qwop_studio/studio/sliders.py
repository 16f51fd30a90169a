"""One slider per reward weight: a change is sent (debounced) to the trainer and the workers' read-back
is shown. Ranges widen to show a value outside them, never past what the env accepts
(``RewardWeights.bounds``)."""
from __future__ import annotations

import math
import time
from collections.abc import Callable

import pygame
import pygame_gui
from pygame_gui.elements import UIHorizontalSlider

from qwop_studio.env.reward import RewardWeights
from qwop_studio.studio.look import (
    BAD,
    GOOD,
    MUTED,
    TEXT,
    WARN,
    Colour,
    Fonts,
    draw_card,
    fit_text,
)
from qwop_studio.train import messages as msg

#: Slider range per reward weight (low, high), widened when a value falls outside; and its label.
WEIGHT_SLIDERS: dict[str, tuple[float, float, str]] = {
    "speed_weight": (0.0, 0.05, "Speed"),
    "time_cost": (0.0, 20.0, "Time cost"),
    "success_reward": (0.0, 200.0, "Success reward"),
    "failure_cost": (0.0, 50.0, "Failure cost"),
    "posture_weight": (0.0, 2.0, "Posture (shaping)"),
    "energy_weight": (0.0, 0.5, "Energy (shaping)"),
    "joint_weight": (0.0, 2.0, "Joint limits (shaping)"),
    "velocity_weight": (0.0, 0.2, "Velocity incentive"),
    "velocity_exponent": (0.5, 4.0, "Velocity exponent"),
}
#: Steps across a slider's range.
SLIDER_STEPS = 200
#: A slider's value is sent this long (s) after it last moved.
SLIDER_DEBOUNCE_S = 0.25


class RewardSliders:
    """One slider per reward weight; a change is sent (debounced) and the workers' read-back shown.

    ``wanted`` is what the user set, ``confirmed`` what the trainer read back from its workers
    (``WeightsChanged``), ``workers_agree`` whether every worker reported the same values.
    """

    def __init__(self, manager: pygame_gui.UIManager, fonts: Fonts,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.manager = manager
        self.fonts = fonts
        self.clock = clock
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.wanted: dict[str, float] = RewardWeights().as_dict()
        self.confirmed: dict[str, float] | None = None
        self.workers = 0
        self.workers_agree = True
        self.confirmed_step: int | None = None
        self.sliders: dict[str, UIHorizontalSlider] = {}
        self.ranges: dict[str, tuple[float, float]] = {k: (lo, hi) for k, (lo, hi, _) in WEIGHT_SLIDERS.items()}
        self.enabled = False
        self._pending: dict[str, float] = {}
        self._moved_at = 0.0
        self._rows: dict[str, pygame.Rect] = {}
        #: the note last drawn beside the title, and where
        self.note = ""
        self.note_rect = pygame.Rect(0, 0, 0, 0)

    def layout(self, rect: pygame.Rect) -> None:
        self.rect = pygame.Rect(rect)
        for s in self.sliders.values():
            s.kill()
        self.sliders.clear()
        self._rows.clear()
        names = list(WEIGHT_SLIDERS)
        top = rect.top + 52
        row_h = max(28, min(56, (rect.bottom - 8 - top) // len(names)))
        for i, name in enumerate(names):
            row = pygame.Rect(rect.left + 12, top + i * row_h, rect.w - 24, row_h)
            self._rows[name] = row
            lo, hi = self._range_for(name, self.wanted[name])
            slider_h = max(10, min(20, row_h - 18))
            s = UIHorizontalSlider(pygame.Rect(row.left, row.top + 17, row.w, slider_h), self.wanted[name], (lo, hi),
                                   self.manager, object_id="#weight_slider", click_increment=(hi - lo) / SLIDER_STEPS)
            self.sliders[name] = s
            if not self.enabled:
                s.disable()

    def _range_for(self, name: str, value: float) -> tuple[float, float]:
        lo, hi = self.ranges[name]
        if value < lo:
            lo = value
        if value > hi:  # widened, but never past what the env accepts
            hi = min(value * 1.5, RewardWeights.bounds(name)[1]) if value > 0 else value
        self.ranges[name] = (lo, hi)
        return lo, hi

    def set_enabled(self, on: bool) -> None:
        if on == self.enabled:
            return
        self.enabled = on
        for s in self.sliders.values():
            s.enable() if on else s.disable()

    def set_weights(self, weights: dict[str, float], confirmed: bool = True) -> None:
        """Show ``weights`` (e.g. from ``Started``) as both wanted and read back."""
        changed_range = False
        for name, value in weights.items():
            if name not in self.wanted:
                continue
            before = self.ranges[name]
            self._range_for(name, value)
            changed_range |= before != self.ranges[name]
            self.wanted[name] = float(value)
            slider = self.sliders.get(name)
            if slider is not None and not changed_range:
                slider.set_current_value(float(value), warn=False)
        if changed_range:
            self.layout(self.rect)
        if confirmed:
            self.confirmed = dict(weights)

    def add(self, event: object) -> None:
        if isinstance(event, msg.Started):
            self.set_weights(event.reward_weights)
            self.workers = event.n_envs
            self.workers_agree = True
        elif isinstance(event, msg.WeightsChanged):
            # A change the user is not making right now (the config's reward_schedule) moves the
            # sliders too, so that they never show weights the trainer no longer uses.
            moved_elsewhere = {k: v for k, v in event.changes.items()
                               if k not in self._pending and abs(self.wanted.get(k, v) - v) > 1e-9}
            if moved_elsewhere:
                self.set_weights(moved_elsewhere, confirmed=False)
            self.confirmed = dict(event.weights)
            self.confirmed_step = event.step
            if event.worker_weights:
                self.workers = len(event.worker_weights)
                self.workers_agree = all(w == event.worker_weights[0] for w in event.worker_weights)

    def process_event(self, event: pygame.event.Event) -> None:
        if event.type != pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            return
        for name, slider in self.sliders.items():
            if event.ui_element is slider:
                value = _round_sig(float(event.value), 3)
                self.wanted[name] = value
                self._pending[name] = value
                self._moved_at = self.clock()
                return

    def set_value(self, name: str, value: float) -> None:
        """Move a slider from code (as a user would): the change is sent after the debounce."""
        slider = self.sliders[name]
        slider.set_current_value(value, warn=False)
        self.wanted[name] = _round_sig(float(slider.get_current_value()), 3)
        self._pending[name] = self.wanted[name]
        self._moved_at = self.clock()

    def due_changes(self) -> dict[str, float]:
        """The changes to send now (the sliders have been still for the debounce time), or {}."""
        if not self._pending or self.clock() - self._moved_at < SLIDER_DEBOUNCE_S:
            return {}
        out, self._pending = self._pending, {}
        return out

    def draw_background(self, surface: pygame.Surface) -> None:
        draw_card(surface, self.rect, "Reward weights", self.fonts.title)

    def status_notes(self) -> tuple[list[str], Colour]:
        """The note beside the card's title, longest form first, and its colour.

        Shorter forms exist because a long run's step count ("at step 21,570,688") made the full
        note run into the title on a narrow card; the drawing takes the longest form that fits.
        """
        if self.confirmed is None:
            return ["start training to tune"], MUTED
        if self._pending or any(abs(self.wanted[k] - self.confirmed.get(k, math.nan)) > 1e-9 for k in self.wanted):
            return ["sending…"], WARN
        if not self.workers_agree:
            return ["workers disagree!"], BAD
        workers = f"{self.workers} worker{'s' * (self.workers != 1)}"
        if self.confirmed_step is None:
            return [f"read back from {workers}", f"{workers} agree"], GOOD
        return [f"read back from {workers} at step {self.confirmed_step:,}",
                f"{workers} · step {self.confirmed_step:,}", f"{workers} agree"], GOOD

    def draw(self, surface: pygame.Surface, with_card: bool = True) -> None:
        """The sliders' labels and values (and the card unless the caller drew it into a cached background)."""
        f, r = self.fonts, self.rect
        if with_card:
            self.draw_background(surface)
        notes, colour = self.status_notes()
        room = r.w - 12 - f.title.size("Reward weights")[0] - 12 - 12
        self.note = fit_text(f.small, notes, room)
        label = f.render(f.small, self.note, colour)
        self.note_rect = surface.blit(label, label.get_rect(topright=(r.right - 12, r.top + 11)))
        surface.blit(f.render(f.small, "set", MUTED), (r.right - 12 - 118, r.top + 32))
        surface.blit(f.render(f.small, "workers", MUTED), (r.right - 12 - 52, r.top + 32))
        for name, row in self._rows.items():
            title = WEIGHT_SLIDERS[name][2]
            surface.blit(f.render(f.text, title, TEXT), (row.left, row.top - 2))
            value = f.render(f.text, _fmt(self.wanted[name]), TEXT)
            surface.blit(value, value.get_rect(topright=(row.right - 70, row.top - 2)))
            back = self.confirmed.get(name) if self.confirmed else None
            same = back is not None and abs(back - self.wanted[name]) <= 1e-9
            txt = f.render(f.text, "–" if back is None else _fmt(back), GOOD if same else WARN)
            surface.blit(txt, txt.get_rect(topright=(row.right, row.top - 2)))


def _round_sig(v: float, digits: int) -> float:
    if v == 0 or not math.isfinite(v):
        return 0.0 if not math.isfinite(v) else v
    return round(v, digits - 1 - int(math.floor(math.log10(abs(v)))))


def _fmt(v: float) -> str:
    return f"{v:.4g}"
