"""Helpers for the studio tests: a fake clock, running frames until something holds, posting widget events."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pygame
import pygame_gui

TINY_CONFIG = str(Path(__file__).with_name("tiny_studio.yml"))


class FakeClock:
    """A monotonic clock that tests move by hand (the runner's takeover, the sliders' debounce)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def run_frames_until(app, condition: Callable[[], bool], timeout_s: float, clock: FakeClock | None = None,
                     dt_s: float = 1 / 30) -> bool:
    """Run real frames (events, update, draw) until ``condition()`` or ``timeout_s`` of wall time."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if clock is not None:
            clock.advance(dt_s)
        app.frame(dt_s)
        if condition():
            return True
        time.sleep(0.01)
    return False


def press_button(button) -> None:
    """Post the pygame-gui event a click on ``button`` produces."""
    pygame.event.post(pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, {"ui_element": button}))


def click_at(rect: pygame.Rect) -> None:
    """Post a real left click (down and up) at the centre of ``rect``."""
    pos = rect.center
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, {"pos": pos, "button": 1}))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, {"pos": pos, "button": 1}))


def key(kind: int, k: int, mod: int = 0) -> None:
    pygame.event.post(pygame.event.Event(kind, {"key": k, "mod": mod, "unicode": "", "scancode": 0}))


