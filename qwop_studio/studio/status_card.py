"""The status card: algorithm, steps done / total, env steps per second, elapsed time, the last notice,
what the human taught; and, when the trainer failed or died, what happened and a button to resume."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pygame
import pygame_gui
from pygame_gui.elements import UIButton

from qwop_studio.studio.intents import (
    RESUME_DEAD,
    Intent,
)
from qwop_studio.studio.look import (
    ACCENT,
    BAD,
    BAR_BACK,
    GOOD,
    MUTED,
    TEXT,
    WARN,
    Colour,
    Fonts,
    draw_card,
    format_duration,
    wrap,
)
from qwop_studio.studio.trainer_link import LinkState, TrainerLink
from qwop_studio.train import messages as msg

STATE_COLOURS: dict[LinkState, Colour] = {
    LinkState.IDLE: MUTED, LinkState.STARTING: WARN, LinkState.RUNNING: GOOD, LinkState.PAUSED: WARN,
    LinkState.STOPPING: WARN, LinkState.FINISHED: ACCENT, LinkState.FAILED: BAD, LinkState.DEAD: BAD,
}
STATE_WORDS: dict[LinkState, str] = {
    LinkState.IDLE: "NOT STARTED", LinkState.STARTING: "STARTING", LinkState.RUNNING: "TRAINING",
    LinkState.PAUSED: "PAUSED", LinkState.STOPPING: "SAVING", LinkState.FINISHED: "FINISHED",
    LinkState.FAILED: "FAILED", LinkState.DEAD: "TRAINER DIED",
}


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
