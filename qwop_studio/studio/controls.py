"""Training controls: the toolbar (config, Start, Pause/Resume, Save checkpoint, Stop), the status card,
and one slider per reward weight.

Widgets are pygame-gui elements styled by the package's ``assets/studio_theme.json``; the cards behind
them and the status text are drawn with pygame. Each part has ``layout(rect)`` (rebuilds its widgets for a new
window size, keeping its state), ``process_event(event)`` (returns an :data:`Intent` for the app, or
None) and ``draw(surface)``. None of them talks to the trainer: the app turns intents into
``TrainerLink`` calls, so this module can be tested without one.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu, UIHorizontalSlider, UILabel

from qwop_studio.env.reward import RewardWeights
from qwop_studio.studio.trainer_link import LinkState, TrainerLink
from qwop_studio.train import messages as msg

Colour = tuple[int, int, int]

#: What a control asks the app to do.
START, PAUSE, RESUME, CHECKPOINT, STOP, RESUME_DEAD, OPEN_RUN = (
    "start", "pause", "resume", "checkpoint", "stop", "resume_dead", "open_run")
Intent = str

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

CARD: Colour = (30, 34, 46)
CARD_BORDER: Colour = (48, 54, 72)
TEXT: Colour = (222, 228, 240)
MUTED: Colour = (138, 148, 170)
GOOD: Colour = (96, 200, 130)
WARN: Colour = (236, 178, 64)
BAD: Colour = (240, 96, 86)
ACCENT: Colour = (98, 196, 255)
BAR_BACK: Colour = (46, 52, 68)
STATE_COLOURS: dict[LinkState, Colour] = {
    LinkState.IDLE: MUTED, LinkState.STARTING: WARN, LinkState.RUNNING: GOOD, LinkState.PAUSED: WARN,
    LinkState.STOPPING: WARN, LinkState.FINISHED: ACCENT, LinkState.FAILED: BAD, LinkState.DEAD: BAD,
}
STATE_WORDS: dict[LinkState, str] = {
    LinkState.IDLE: "NOT STARTED", LinkState.STARTING: "STARTING", LinkState.RUNNING: "TRAINING",
    LinkState.PAUSED: "PAUSED", LinkState.STOPPING: "SAVING", LinkState.FINISHED: "FINISHED",
    LinkState.FAILED: "FAILED", LinkState.DEAD: "TRAINER DIED",
}


def draw_card(surface: pygame.Surface, rect: pygame.Rect, title: str | None, font: pygame.font.Font) -> None:
    """A rounded card with an optional title in its top-left corner."""
    pygame.draw.rect(surface, CARD, rect, border_radius=8)
    pygame.draw.rect(surface, CARD_BORDER, rect, 1, border_radius=8)
    if title:
        surface.blit(font.render(title, True, TEXT), (rect.left + 12, rect.top + 8))


def fit_text(font: pygame.font.Font, candidates: list[str], width: int) -> str:
    """The first of ``candidates`` (longest first) that ``font`` draws within ``width`` pixels, else the last."""
    for text in candidates:
        if font.size(text)[0] <= width:
            return text
    return candidates[-1]


def format_duration(seconds: float) -> str:
    s = int(max(seconds, 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class Fonts:
    def __init__(self) -> None:
        from importlib import resources

        if not pygame.font.get_init():
            pygame.font.init()
        base = resources.files("pygame_gui.data")
        self.title = pygame.font.Font(str(base / "NotoSans-Bold.ttf"), 15)
        self.text = pygame.font.Font(str(base / "NotoSans-Regular.ttf"), 13)
        self.small = pygame.font.Font(str(base / "NotoSans-Regular.ttf"), 12)
        self.badge = pygame.font.Font(str(base / "NotoSans-Bold.ttf"), 11)
        self._cache: dict[tuple, pygame.Surface] = {}

    def render(self, font: pygame.font.Font, text: str, colour: Colour) -> pygame.Surface:
        key = (id(font), text, colour)
        surf = self._cache.get(key)
        if surf is None:
            if len(self._cache) > 400:
                self._cache.clear()
            surf = self._cache[key] = font.render(text, True, colour)
        return surf


# ------------------------------------------------------------------------------------ toolbar
class Toolbar:
    """Config picker, Open run, Start, Pause/Resume, Save checkpoint, Stop."""

    def __init__(self, manager: pygame_gui.UIManager, configs: list[str], selected: str | None,
                 runs_root: Path) -> None:
        self.manager = manager
        self.configs = list(configs)
        if selected and selected not in self.configs:
            self.configs.insert(0, selected)
        self.selected = selected or (self.configs[0] if self.configs else "")
        self.resume_run: Path | None = None
        self.runs_root = runs_root
        self.elements: list = []
        self.dropdown: UIDropDownMenu | None = None
        self.open_run = self.start = self.pause = self.checkpoint = self.stop = None
        self.rect = pygame.Rect(0, 0, 0, 0)

    # -- the choice of what to start ----------------------------------------------------------
    def options(self) -> list[str]:
        opts = list(self.configs)
        if self.resume_run is not None:
            opts.insert(0, self.resume_label)
        return opts

    @property
    def resume_label(self) -> str:
        return f"resume {self.resume_run.name}" if self.resume_run else ""

    def set_resume_run(self, path: Path) -> None:
        self.resume_run = Path(path)
        self.selected = self.resume_label
        self.layout(self.rect)

    def choice(self) -> tuple[str | None, str | None]:
        """(config, resume) for the Start button."""
        if self.resume_run is not None and self.selected == self.resume_label:
            return None, str(self.resume_run)
        return self.selected, None

    # -- widgets --------------------------------------------------------------------------------
    def layout(self, rect: pygame.Rect) -> None:
        self.rect = pygame.Rect(rect)
        for e in self.elements:
            e.kill()
        m = self.manager
        h = 34
        y = rect.top + (rect.h - h) // 2
        x = rect.left + 168
        label = UILabel(pygame.Rect(rect.left + 12, y, 150, h), "QWOP Studio", m, object_id="#app_title")
        dd_w = 250
        opts = self.options() or ["(no configs)"]
        current = self.selected if self.selected in opts else opts[0]
        self.selected = current
        self.dropdown = UIDropDownMenu(opts, current, pygame.Rect(x, y, dd_w, h), m, object_id="#config_menu")
        x += dd_w + 8
        self.open_run = UIButton(pygame.Rect(x, y, 104, h), "Open run…", m,
                                 tool_tip_text="Pick a run directory under saves/runs to resume")
        x += 104 + 20
        self.start = UIButton(pygame.Rect(x, y, 90, h), "Start", m, object_id="#start_button",
                              tool_tip_text="Start training with the chosen config")
        x += 90 + 8
        self.pause = UIButton(pygame.Rect(x, y, 96, h), "Pause", m, tool_tip_text="Pause / resume (Space)")
        x += 96 + 8
        self.checkpoint = UIButton(pygame.Rect(x, y, 140, h), "Save checkpoint", m,
                                   tool_tip_text="Save a checkpoint now (Ctrl+S)")
        x += 140 + 8
        self.stop = UIButton(pygame.Rect(x, y, 80, h), "Stop", m, object_id="#stop_button",
                             tool_tip_text="Save a checkpoint and the final model, then stop")
        self.elements = [label, self.dropdown, self.open_run, self.start, self.pause, self.checkpoint, self.stop]

    @property
    def right_edge(self) -> int:
        return self.stop.rect.right if self.stop is not None else self.rect.left

    def sync(self, link: TrainerLink) -> None:
        """Enable what makes sense in the link's state; Pause reads Resume while paused."""
        state = link.state
        _enable(self.start, not link.active)
        _enable(self.dropdown, not link.active)
        _enable(self.open_run, not link.active)
        _enable(self.pause, state in (LinkState.RUNNING, LinkState.PAUSED))
        _enable(self.checkpoint, state in (LinkState.RUNNING, LinkState.PAUSED))
        _enable(self.stop, state in (LinkState.RUNNING, LinkState.PAUSED, LinkState.STARTING))
        want = "Resume" if state == LinkState.PAUSED else "Pause"
        if self.pause is not None and self.pause.text != want:
            self.pause.set_text(want)
        want_start = "Resume run" if self.choice()[1] else "Start"
        if self.start is not None and self.start.text != want_start:
            self.start.set_text(want_start)

    def process_event(self, event: pygame.event.Event, link: TrainerLink) -> Intent | None:
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED and event.ui_element is self.dropdown:
            self.selected = event.text
            return None
        if event.type != pygame_gui.UI_BUTTON_PRESSED:
            return None
        el = event.ui_element
        if el is self.start:
            return START
        if el is self.pause:
            return RESUME if link.state == LinkState.PAUSED else PAUSE
        if el is self.checkpoint:
            return CHECKPOINT
        if el is self.stop:
            return STOP
        if el is self.open_run:
            return OPEN_RUN
        return None


def _enable(element, on: bool) -> None:
    if element is None:
        return
    if on and not element.is_enabled:
        element.enable()
    elif not on and element.is_enabled:
        element.disable()


# ------------------------------------------------------------------------------------ status card
@dataclass
class Progress:
    """The latest training figures, from events."""

    algo: str = ""
    config_name: str = ""
    step: int = 0
    total: int = 0
    steps_per_s: float = 0.0
    elapsed_s: float = 0.0
    episodes: int = 0
    notice: str = ""          # the last non-fatal message (e.g. a rejected weight)
    notice_colour: Colour = MUTED
    taught_steps: int = 0     # demonstration steps the trainer took from the human's takeovers (teach on)

    def add(self, event: object) -> None:
        if isinstance(event, msg.Started):
            self.algo, self.config_name, self.total = event.algo, event.config_name, event.total_timesteps
            self.step = event.start_step
            self.steps_per_s, self.taught_steps = 0.0, 0
            self.notice, self.notice_colour = "", MUTED
        elif isinstance(event, msg.Metrics):
            self.step, self.total = event.step, event.total_timesteps or self.total
            self.steps_per_s, self.elapsed_s, self.episodes = event.env_steps_per_s, event.elapsed_s, event.episodes
        elif isinstance(event, msg.Paused):
            self.steps_per_s = 0.0
        elif isinstance(event, msg.Finished):
            self.step = event.step
            self.notice = f"Final model saved: {Path(event.final_model_path).name}"
            self.notice_colour = GOOD
        elif isinstance(event, msg.CheckpointSaved):
            self.notice, self.notice_colour = f"Checkpoint saved at step {event.step:,}", GOOD
        elif isinstance(event, msg.Evaluated):
            median = "-" if event.median_time_s is None else f"{event.median_time_s:.1f} s"
            self.notice = (f"Evaluation at step {event.step:,}: {event.success_rate:.0%} finished, median {median}"
                           + ("; kept as best_model.zip" if event.improved else ""))
            self.notice_colour = GOOD if event.improved else MUTED
        elif isinstance(event, msg.Error) and not event.fatal:
            self.notice, self.notice_colour = event.message, WARN
        elif isinstance(event, msg.DemonstrationsAdded):
            self.taught_steps = event.taught_steps


class StatusCard:
    """Algorithm, steps done / total, env steps per second, elapsed time, last checkpoint; and trouble.

    When the trainer died or failed, the card says what happened and shows a button to resume from
    the run's latest checkpoint (or to start again when there is none).
    """

    def __init__(self, manager: pygame_gui.UIManager, fonts: Fonts) -> None:
        self.manager = manager
        self.fonts = fonts
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.progress = Progress()
        self.resume_button: UIButton | None = None
        self.resume_target: Path | None = None

    def layout(self, rect: pygame.Rect) -> None:
        self.rect = pygame.Rect(rect)
        if self.resume_button is not None:
            self.resume_button.kill()
        self.resume_button = UIButton(pygame.Rect(rect.right - 12 - 196, rect.bottom - 10 - 30, 196, 30),
                                      "Resume from checkpoint", self.manager, object_id="#resume_button")
        self.resume_button.hide()

    def sync(self, link: TrainerLink) -> None:
        show = link.state in (LinkState.DEAD, LinkState.FAILED) and link.run_dir is not None
        self.resume_target = link.resume_target() if show else None
        if self.resume_button is None:
            return
        want = "Resume from checkpoint" if self.resume_target is not None else "Start again"
        if show and not self.resume_button.visible:
            self.resume_button.show()
        elif not show and self.resume_button.visible:
            self.resume_button.hide()
        if show and self.resume_button.text != want:
            self.resume_button.set_text(want)

    def draw_background(self, surface: pygame.Surface) -> None:
        draw_card(surface, self.rect, "Training", self.fonts.title)

    def process_event(self, event: pygame.event.Event) -> Intent | None:
        if event.type == pygame_gui.UI_BUTTON_PRESSED and event.ui_element is self.resume_button:
            return RESUME_DEAD
        return None

    def draw(self, surface: pygame.Surface, link: TrainerLink, with_card: bool = True) -> None:
        """The card's content (and the card itself unless the caller drew it into a cached background)."""
        f, r, p = self.fonts, self.rect, self.progress
        if with_card:
            self.draw_background(surface)
        word = STATE_WORDS[link.state]
        colour = STATE_COLOURS[link.state]
        badge = f.render(f.badge, word, (20, 22, 30))
        b = badge.get_rect().inflate(16, 6)
        b.topright = (r.right - 12, r.top + 9)
        pygame.draw.rect(surface, colour, b, border_radius=b.h // 2)
        surface.blit(badge, badge.get_rect(center=b.center))
        x, y, w = r.left + 12, r.top + 36, r.w - 24
        if link.state == LinkState.IDLE:
            lines = [("Pick a config and press Start.", MUTED),
                     ("The runner shows the policy as it learns; Q W O P take over.", MUTED),
                     ("Space pause/resume   Ctrl+S checkpoint   Esc quit", MUTED)]
            for text, c in lines:
                surface.blit(f.render(f.text, text, c), (x, y))
                y += 22
            return
        if link.problem and link.state in (LinkState.DEAD, LinkState.FAILED):
            self._draw_trouble(surface, link, x, y, w)
            return
        head = f"{p.algo}  ·  {p.config_name}" if p.algo else "building the model and workers…"
        surface.blit(f.render(f.text, head, TEXT), (x, y))
        y += 24
        frac = p.step / p.total if p.total else 0.0
        bar = pygame.Rect(x, y + 4, w, 8)
        pygame.draw.rect(surface, BAR_BACK, bar, border_radius=4)
        if frac > 0:
            pygame.draw.rect(surface, ACCENT, (bar.left, bar.top, max(8, round(bar.w * min(frac, 1.0))), bar.h),
                             border_radius=4)
        y += 16
        steps = f"{p.step:,} / {p.total:,} steps ({frac:.1%})" if p.total else f"{p.step:,} steps"
        surface.blit(f.render(f.text, steps, TEXT), (x, y))
        y += 20
        rate = "paused" if link.state == LinkState.PAUSED else f"{p.steps_per_s:,.0f} env steps/s"
        surface.blit(f.render(f.text, f"{rate}   ·   {format_duration(p.elapsed_s)} elapsed   ·   "
                                      f"{p.episodes:,} episodes", MUTED), (x, y))
        y += 20
        ckpt = Path(link.last_checkpoint).name if link.last_checkpoint else "none yet"
        surface.blit(f.render(f.text, f"Last checkpoint: {ckpt}", MUTED), (x, y))
        y += 20
        if link.run_dir is not None:
            surface.blit(f.render(f.small, f"Run: {link.run_dir}", MUTED), (x, y))
            y += 20
        if p.taught_steps:
            surface.blit(f.render(f.text, f"Learned from you: {p.taught_steps:,} steps", GOOD), (x, y))
            y += 20
        if p.notice:
            for line in wrap(p.notice, f.text, w)[:2]:
                surface.blit(f.render(f.text, line, p.notice_colour), (x, y))
                y += 18

    def _draw_trouble(self, surface: pygame.Surface, link: TrainerLink, x: int, y: int, w: int) -> None:
        """What went wrong, where training got to, and what the button below will do."""
        f, p = self.fonts, self.progress
        for line in wrap(link.problem or "", f.text, w)[:3]:
            surface.blit(f.render(f.text, line, BAD), (x, y))
            y += 19
        y += 4
        steps = f"{p.algo} · {p.config_name} · {p.step:,} / {p.total:,} steps" if p.total else f"{p.step:,} steps"
        surface.blit(f.render(f.text, steps, MUTED), (x, y))
        y += 20
        ckpt = Path(link.last_checkpoint).name if link.last_checkpoint else "none"
        surface.blit(f.render(f.text, f"Last checkpoint: {ckpt}", MUTED), (x, y))
        y += 20
        if self.resume_target is not None:
            hint = "Resume continues this run from its latest checkpoint."
        else:
            hint = "No checkpoint was saved: start again to train anew."
        surface.blit(f.render(f.small, hint, MUTED), (x, y))


def wrap(text: str, font: pygame.font.Font, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if font.size(trial)[0] <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


# ------------------------------------------------------------------------------------ sliders
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
