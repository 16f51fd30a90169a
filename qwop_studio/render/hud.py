"""The heads-up display: distance, time, the Q/W/O/P keys, the overlay and the end banners.

Drawn in screen space over the scene. Sizes are in the original's 640x400 px and multiplied by the
scene's scale, so the HUD keeps its proportions at any window size. Rendered text is cached (the
distance changes every frame, but each string is rendered once), which keeps a frame cheap.
"""
from __future__ import annotations

from dataclasses import dataclass

import pygame

Colour = tuple[int, int, int]

# ----------------------------------------------------------------------------- look (640x400 px)
TEXT: Colour = (255, 255, 255)
TEXT_SHADOW: Colour = (20, 24, 36)
SCORE_PX, TIME_PX, SMALL_PX = 34, 20, 15
BANNER_TITLE_PX, BANNER_TEXT_PX = 44, 22
KEY_SIZE, KEY_GAP, KEY_MARGIN = 26, 5, 10
KEY_LIT: Colour = (255, 210, 60)
KEY_LIT_TEXT: Colour = (40, 30, 10)
KEY_OFF: Colour = (34, 40, 56)
KEY_OFF_TEXT: Colour = (150, 160, 180)
KEY_BORDER: Colour = (250, 250, 250)
PANEL: tuple[int, int, int, int] = (16, 20, 32, 190)
CONTROLLER_COLOURS: dict[str, Colour] = {"AGENT": (52, 120, 220), "HUMAN": (226, 120, 40), "REPLAY": (130, 80, 190)}
CONTROLLER_DEFAULT: Colour = (110, 110, 130)
FALL_TITLE: Colour = (255, 110, 90)
FINISH_TITLE: Colour = (255, 214, 70)
#: Key help, shown under the key caps (the runner stands left of centre, as in the original).
HELP_LINES: tuple[tuple[str, str], ...] = (
    ("Q  W", "thighs"), ("O  P", "calves"), ("R", "restart"), ("Space", "again, after the end"), ("Esc", "quit"),
)
#: Where the overlay's message goes, as fractions of the surface (clear of the runner).
MESSAGE_POS = (0.74, 0.47)
TEXT_CACHE_MAX = 512


@dataclass(frozen=True)
class Overlay:
    """Extra information drawn over the scene.

    ``controller``: who is running (e.g. ``"AGENT"`` or ``"HUMAN"``), shown as a badge top left.
    ``lines``: short lines under it (e.g. ``"policy @ step 12,000"``).
    ``show_help``: the key help panel.
    ``message``: one line in the middle of the screen (e.g. "Press Q, W, O or P to start").
    """

    controller: str | None = None
    lines: tuple[str, ...] = ()
    show_help: bool = False
    message: str | None = None


class TextCache:
    """Rendered strings by (text, pixel size, colour); fonts are pygame's default, loaded lazily."""

    def __init__(self) -> None:
        self._fonts: dict[int, pygame.font.Font] = {}
        self._text: dict[tuple[str, int, Colour], pygame.Surface] = {}

    def font(self, px: int) -> pygame.font.Font:
        px = max(6, int(px))
        f = self._fonts.get(px)
        if f is None:
            if not pygame.font.get_init():
                pygame.font.init()
            f = self._fonts[px] = pygame.font.Font(None, px)
        return f

    def render(self, text: str, px: float, colour: Colour) -> pygame.Surface:
        key = (text, max(6, int(px)), colour)
        surf = self._text.get(key)
        if surf is None:
            if len(self._text) >= TEXT_CACHE_MAX:
                self._text.clear()
            surf = self._text[key] = self.font(key[1]).render(text, True, colour)
        return surf

    def blit_shadowed(self, target: pygame.Surface, text: str, px: float, colour: Colour,
                      pos: tuple[float, float], anchor: str = "center") -> pygame.Rect:
        """Blit ``text`` with a dark drop shadow; ``pos`` is where the ``anchor`` of its rect goes."""
        fg = self.render(text, px, colour)
        bg = self.render(text, px, TEXT_SHADOW)
        rect = fg.get_rect(**{anchor: (round(pos[0]), round(pos[1]))})
        off = max(1, round(px / 16))
        target.blit(bg, rect.move(off, off))
        target.blit(fg, rect)
        return rect


class Hud:
    """Draws the HUD for one game state; keeps the text cache and translucent panels."""

    def __init__(self) -> None:
        self.text = TextCache()
        self._panels: dict[tuple[int, int], pygame.Surface] = {}

    def _panel(self, target: pygame.Surface, rect: pygame.Rect) -> None:
        key = (rect.w, rect.h)
        surf = self._panels.get(key)
        if surf is None:
            if len(self._panels) > 32:
                self._panels.clear()
            surf = pygame.Surface(key, pygame.SRCALPHA)
            pygame.draw.rect(surf, PANEL, surf.get_rect(), border_radius=max(2, rect.h // 8))
            self._panels[key] = surf
        target.blit(surf, rect)

    def draw(self, target: pygame.Surface, game, scale: float, overlay: Overlay | None) -> None:
        """Draw the HUD of ``game`` (a ``QWOPGame``) onto ``target``; ``scale`` = px per original px."""
        w, h = target.get_size()
        s = scale
        t = self.text
        # distance and time, top centre (the original shows the distance there)
        r = t.blit_shadowed(target, f"{game.score:.1f} metres", SCORE_PX * s, TEXT, (w / 2, 8 * s), "midtop")
        t.blit_shadowed(target, f"{game.time:.1f} s", TIME_PX * s, TEXT, (w / 2, r.bottom + 2 * s), "midtop")
        self._keys(target, game.keys, s)
        if overlay is not None:
            self._overlay(target, overlay, s)
        if game.game_ended:
            self._banner(target, game, s)
        elif overlay is not None and overlay.message:
            t.blit_shadowed(target, overlay.message, BANNER_TEXT_PX * s, TEXT,
                            (w * MESSAGE_POS[0], h * MESSAGE_POS[1]))

    def _keys(self, target: pygame.Surface, mask: int, s: float) -> None:
        w = target.get_width()
        size, gap = round(KEY_SIZE * s), max(1, round(KEY_GAP * s))
        x = w - round(KEY_MARGIN * s) - 4 * size - 3 * gap
        y = round(KEY_MARGIN * s)
        radius = max(2, size // 5)
        for i, letter in enumerate("QWOP"):
            held = bool(mask >> i & 1)
            rect = pygame.Rect(x + i * (size + gap), y, size, size)
            pygame.draw.rect(target, KEY_LIT if held else KEY_OFF, rect, border_radius=radius)
            pygame.draw.rect(target, KEY_BORDER if held else KEY_OFF_TEXT, rect,
                             width=max(1, round(1.5 * s)), border_radius=radius)
            glyph = self.text.render(letter, size * 0.8, KEY_LIT_TEXT if held else KEY_OFF_TEXT)
            target.blit(glyph, glyph.get_rect(center=rect.center))

    def _overlay(self, target: pygame.Surface, overlay: Overlay, s: float) -> None:
        t = self.text
        x, y = round(KEY_MARGIN * s), round(KEY_MARGIN * s)
        if overlay.controller:
            label = t.render(overlay.controller, SMALL_PX * s, TEXT)
            pad = round(5 * s)
            rect = label.get_rect(topleft=(x + pad, y + pad // 2)).inflate(2 * pad, pad)
            rect.topleft = (x, y)
            colour = CONTROLLER_COLOURS.get(overlay.controller.upper(), CONTROLLER_DEFAULT)
            pygame.draw.rect(target, colour, rect, border_radius=rect.h // 2)
            target.blit(label, label.get_rect(center=rect.center))
            y = rect.bottom + round(4 * s)
        for line in overlay.lines:
            r = t.blit_shadowed(target, line, SMALL_PX * s, TEXT, (x, y), "topleft")
            y = r.bottom + round(2 * s)
        if overlay.show_help:
            self._help(target, s)

    def _help(self, target: pygame.Surface, s: float) -> None:
        """A panel of key help under the key caps, right-aligned with them."""
        t = self.text
        px = SMALL_PX * s
        keys = [t.render(k, px, KEY_LIT) for k, _ in HELP_LINES]
        texts = [t.render(v, px, TEXT) for _, v in HELP_LINES]
        col = max(k.get_width() for k in keys) + round(8 * s)
        pad = round(8 * s)
        line_h = max(k.get_height() for k in keys) + round(2 * s)
        rect = pygame.Rect(0, 0, 2 * pad + col + max(v.get_width() for v in texts), 2 * pad + line_h * len(keys))
        rect.topright = (target.get_width() - round(KEY_MARGIN * s), round((KEY_MARGIN + KEY_SIZE + 6) * s))
        self._panel(target, rect)
        y = rect.top + pad
        for k, v in zip(keys, texts, strict=True):
            target.blit(k, (rect.left + pad, y))
            target.blit(v, (rect.left + pad + col, y))
            y += line_h

    def _banner(self, target: pygame.Surface, game, s: float) -> None:
        w, h = target.get_size()
        t = self.text
        finished = game.landed
        title = "FINISHED!" if finished else "FALLEN"
        lines = (f"{game.score:.1f} metres in {game.time:.1f} seconds", "Press R to restart")
        title_s = t.render(title, BANNER_TITLE_PX * s, FINISH_TITLE if finished else FALL_TITLE)
        line_s = [t.render(line, BANNER_TEXT_PX * s, TEXT) for line in lines]
        pw = max([title_s.get_width()] + [sf.get_width() for sf in line_s]) + round(40 * s)
        ph = title_s.get_height() + sum(sf.get_height() for sf in line_s) + round(30 * s)
        rect = pygame.Rect(0, 0, pw, ph)
        rect.center = (w // 2, round(h * 0.31))
        self._panel(target, rect)
        y = rect.top + round(10 * s)
        target.blit(title_s, title_s.get_rect(midtop=(rect.centerx, y)))
        y += title_s.get_height() + round(6 * s)
        for sf in line_s:
            target.blit(sf, sf.get_rect(midtop=(rect.centerx, y)))
            y += sf.get_height() + round(2 * s)
