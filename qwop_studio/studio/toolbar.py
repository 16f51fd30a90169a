"""The toolbar: config picker, Open run, Start, Pause/Resume, Save checkpoint, Stop.

pygame-gui widgets styled by the package's ``assets/studio_theme.json``; ``layout(rect)`` rebuilds them
for a new window size, ``process_event`` returns an :data:`~qwop_studio.studio.intents.Intent`.
"""
from __future__ import annotations

from pathlib import Path

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UIDropDownMenu, UILabel

from qwop_studio.studio.intents import (
    CHECKPOINT,
    OPEN_RUN,
    PAUSE,
    RESUME,
    START,
    STOP,
    Intent,
)
from qwop_studio.studio.trainer_link import LinkState, TrainerLink


class Toolbar:
    """Config picker, Open run, Start, Pause/Resume, Save checkpoint, Stop."""

    def __init__(self, manager: pygame_gui.UIManager, configs: list[str], selected: str | None,
                 runs_root: Path, sources: dict[str, str] | None = None) -> None:
        self.manager = manager
        # what the picker shows; ``sources`` maps a label to the config it starts where they differ
        # (a sweep's best config is shown by its study, started from its file)
        self.sources = dict(sources or {})
        self.configs = list(configs) + [label for label in self.sources if label not in configs]
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
        return self.sources.get(self.selected, self.selected), None

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
