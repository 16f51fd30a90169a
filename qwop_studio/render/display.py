"""Opening our windows: pixels go to the screen through SDL's plain framebuffer, not through a GL renderer.

Why: SDL2's default, where a renderer is available, presents a window surface through it. On machines
without a GPU driver (VMs, CI, many Linux laptops under Xvfb or a remote desktop) that renderer is
Mesa's software GL: each ``pygame.display.flip`` of the studio's 1280x800 window then cost ~14 ms of CPU
(spread over GL's threads), whether the whole window or a 100x100 patch was updated, against ~0.3 ms
through X11's own framebuffer (13th session, Xvfb, ``saves/experiments/s13/prof``). The studio's
window runs beside the trainer on the same cores, so that was CPU taken from training (issue 20). Our
windows are drawn in software by pygame anyway; only the final copy changes. A user who sets
``SDL_FRAMEBUFFER_ACCELERATION`` themselves keeps their choice.
"""
from __future__ import annotations

import os

import pygame

#: SDL's hint (read when a window's surface is made): "0" = the video driver's own framebuffer.
FRAMEBUFFER_HINT = "SDL_FRAMEBUFFER_ACCELERATION"


def open_window(size: tuple[int, int], flags: int = pygame.RESIZABLE) -> pygame.Surface:
    """``pygame.display.set_mode`` with the plain framebuffer unless the user chose otherwise."""
    os.environ.setdefault(FRAMEBUFFER_HINT, "0")
    return pygame.display.set_mode(size, flags)


__all__ = ["FRAMEBUFFER_HINT", "open_window"]
