"""The studio's look: its colours (data, ``assets/studio_colours.json``), its fonts, cards and text helpers.

Why one module: the toolbar, the status card, the sliders, the charts and the app all draw with the same
colours and fonts; a colour lives in the JSON beside the widgets' theme (``studio_theme.json``), not
in code, and each font size is defined once here.
"""
from __future__ import annotations

import json
from importlib import resources as importlib_resources

import pygame

from qwop_studio import resources

Colour = tuple[int, int, int]
COLOURS_FILE = "studio_colours.json"


def _load_colours() -> dict[str, Colour]:
    data = json.loads((resources.assets_dir() / COLOURS_FILE).read_text(encoding="utf-8"))
    return {name: (int(v[1:3], 16), int(v[3:5], 16), int(v[5:7], 16))
            for name, v in data.items() if not name.startswith("_")}


COLOURS: dict[str, Colour] = _load_colours()
CARD, CARD_BORDER, TEXT, MUTED = COLOURS["card"], COLOURS["card_border"], COLOURS["text"], COLOURS["muted"]
GOOD, WARN, BAD, ACCENT, BAR_BACK = (COLOURS["good"], COLOURS["warn"], COLOURS["bad"], COLOURS["accent"],
                                     COLOURS["bar_back"])

#: Every font the studio draws with: attribute -> (pygame-gui's Noto Sans file, size in px). The charts
#: use slightly smaller ones than the cards, to leave room for the plot.
FONT_SIZES: dict[str, tuple[str, int]] = {
    "title": ("NotoSans-Bold.ttf", 15),
    "text": ("NotoSans-Regular.ttf", 13),
    "small": ("NotoSans-Regular.ttf", 12),
    "badge": ("NotoSans-Bold.ttf", 11),
    "chart_title": ("NotoSans-Bold.ttf", 14),
    "chart_small": ("NotoSans-Regular.ttf", 11),
}


class Fonts:
    """The fonts of :data:`FONT_SIZES` as attributes (``fonts.title``...), and a cache of rendered text."""

    title: pygame.font.Font
    text: pygame.font.Font
    small: pygame.font.Font
    badge: pygame.font.Font
    chart_title: pygame.font.Font
    chart_small: pygame.font.Font

    def __init__(self) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        base = importlib_resources.files("pygame_gui.data")
        for name, (file, size) in FONT_SIZES.items():
            try:
                font = pygame.font.Font(str(base / file), size)
            except (OSError, FileNotFoundError):  # pygame-gui without its fonts: pygame's own
                font = pygame.font.Font(None, size + 4)
            setattr(self, name, font)
        self._cache: dict[tuple, pygame.Surface] = {}

    def render(self, font: pygame.font.Font, text: str, colour: Colour) -> pygame.Surface:
        """``font.render`` with a cache (status lines are redrawn every frame, rarely changed)."""
        key = (id(font), text, colour)
        surf = self._cache.get(key)
        if surf is None:
            if len(self._cache) > 400:
                self._cache.clear()
            surf = self._cache[key] = font.render(text, True, colour)
        return surf


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


def wrap(text: str, font: pygame.font.Font, width: int) -> list[str]:
    """``text`` broken into lines that ``font`` draws within ``width`` pixels (a long word keeps its line)."""
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


def format_duration(seconds: float) -> str:
    """``h:mm:ss`` of a non-negative duration."""
    s = int(max(seconds, 0))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


__all__ = ["COLOURS", "Colour", "Fonts", "FONT_SIZES", "draw_card", "fit_text", "wrap", "format_duration",
           "CARD", "CARD_BORDER", "TEXT", "MUTED", "GOOD", "WARN", "BAD", "ACCENT", "BAR_BACK"]
