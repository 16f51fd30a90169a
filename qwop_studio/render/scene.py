"""The one renderer: draws a :class:`~qwop_studio.sim.game.QWOPGame` state onto any pygame surface.

Used by manual play, the env's ``render()``, the studio's live runner and video export, so every
view of a game looks the same. Public API:

- :func:`draw_game` (surface, game, overlay=None): sky, stands, track with a mark every 10 m, start
  line, hurdle at 50 m, sand pit and finish at 100 m, the runner in depth order, and the HUD.
- :func:`render_rgb_array` (game, width, height): the same as an (H, W, 3) uint8 array, headless.
- :class:`HumanWindow`: a resizable window that shows a game at 30 frames/s.
- :class:`Overlay`: optional HUD extras (controller badge, info lines, key help, a message).

View (spec §1.2, §1.4): the original shows 640x400 px (32x20 Box2D units, 1 unit = 20 px) with its
left edge at the game's ``camera_x_px`` (which follows the torso and stops at a fall) and its top at
-200 px, unless the torso is very high (y < -5), when the top is ``torso_y * 20 - 210``. That view
is scaled to fit the surface with its aspect kept and centred; a wider or taller surface shows more
of the world around it rather than black bars.

Cost: the sky, the stands and the track are cached per surface size as tiles and blitted with an
offset (the stands scroll at half speed for depth); per frame only the runner, the few visible
markers and the HUD are drawn.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
import pygame

from qwop_studio.render import athlete
from qwop_studio.render import palette as pal
from qwop_studio.render.display import open_window
from qwop_studio.render.geometry import mix_colour, scale_colour
from qwop_studio.render.hud import Hud, Overlay
from qwop_studio.render.pacing import FramePacer
from qwop_studio.render.palette import Colour
from qwop_studio.sim import spec

# ---------------------------------------------------------------------------------- view (§1.4)
VIEW_W_PX, VIEW_H_PX = spec.SCREEN_W_PX, spec.SCREEN_H_PX
CAMERA_Y_PX = -200.0
CAMERA_HIGH_Y_OFFSET_PX = -210.0
PX = spec.PX_PER_UNIT

# ------------------------------------------------------------------- scenery (Box2D units, +y down)
CROWD_TOP_Y = 0.4          # top of the stands
WALL_TOP_Y = 7.0           # the advertising wall in front of the stands
TRACK_TOP_Y = spec.TRACK_TOP_Y  # where the feet touch (physics, §2.2)
SURFACE_FAR_Y = 8.3        # the track's running surface, seen from slightly above: far edge ...
SURFACE_NEAR_Y = 9.6       # ... and near edge; the physical top (9.14) lies between, like a lane
TRACK_FACE_U = 1.3         # depth of the track's front face below its near edge
STANDS_PARALLAX = 0.5      # the stands move at half the camera's speed
TRACK_TILE_U = 40.0        # the track tile repeats every 4 m (a multiple of the 1 m ticks)
LANE_LINES_Y = (8.65, 9.4)  # white lane lines on the running surface
TICK_EVERY_U = 10.0        # small tick every game metre
MARK_EVERY_U = 100.0       # labelled mark every 10 game metres
MARKS_U = tuple(MARK_EVERY_U * k for k in range(1, 10))
START_LINE_X = 4.5         # the original's start-line sprite (§1.2)
JUMP_BOARD_X = (spec.JUMP_TRIGGER_PX / PX, spec.SAND_PIT_AT)
SAND_PIT_X = (spec.SAND_PIT_AT, spec.SAND_PIT_AT + 90.0)
FINISH_X = spec.SAND_PIT_AT
SIGN_W_U, SIGN_H_U, SIGN_POST_U = 4.2, 1.5, 1.0
BOARD_TEXTS = ("QWOP STUDIO", "Q  W  O  P", "100 METRES", "RUN!")

@dataclass(frozen=True)
class View:
    """Where the world lands on a surface: screen = (world_px - left_px, world_px - top_px) * scale."""

    scale: float      # screen px per original px
    left_px: float    # world px at the surface's left edge
    top_px: float     # world px at the surface's top edge

    def to_screen(self, x_u: float, y_u: float) -> tuple[float, float]:
        """Screen position (px, float) of the world point (x_u, y_u) in Box2D units."""
        return ((x_u * PX - self.left_px) * self.scale, (y_u * PX - self.top_px) * self.scale)


def camera_top_px(game) -> float:
    """The original's camera y (px): fixed, unless the torso is above y = -5 (spec §1.4)."""
    torso_y = float(game.body_states()[0, 1])
    if torso_y < spec.CAMERA_HIGH_TORSO_Y:
        return torso_y * PX + CAMERA_HIGH_Y_OFFSET_PX
    return CAMERA_Y_PX


def view_for(game, size: tuple[int, int]) -> View:
    """The view of ``game`` on a surface of ``size`` (w, h): the 640x400 view fitted and centred."""
    w, h = size
    scale = min(w / VIEW_W_PX, h / VIEW_H_PX)
    left = game.camera_x_px - (w / scale - VIEW_W_PX) / 2.0
    top = camera_top_px(game) - (h / scale - VIEW_H_PX) / 2.0
    return View(scale, left, top)


# ------------------------------------------------------------------------------ cached layers
class _Layers:
    """Static pictures for one surface size and scale: sky, stands tile, track tile."""

    def __init__(self, size: tuple[int, int], scale: float, text) -> None:
        self.size, self.scale = size, scale
        self.sky = self._sky(size, scale)
        self.stands = self._stands(scale)
        self.track = self._track(size, scale, text)

    @staticmethod
    def _finish(surf: pygame.Surface) -> pygame.Surface:
        return surf.convert() if pygame.display.get_init() and pygame.display.get_surface() else surf

    def _sky(self, size: tuple[int, int], s: float) -> pygame.Surface:
        w, h = size
        surf = pygame.Surface(size)
        for y in range(h):
            t = min(1.0, y / max(1.0, h * 0.75))
            pygame.draw.line(surf, mix_colour(pal.SKY_TOP, pal.SKY_HORIZON, t), (0, y), (w, y))
        rng = random.Random(3)
        for _ in range(max(3, int(w / (160 * s)))):
            cx, cy = rng.uniform(0, w), rng.uniform(0.05, 0.35) * h
            for k in range(4):
                rx, ry = (34 + 10 * k) * s * rng.uniform(0.6, 1.0), 12 * s * rng.uniform(0.7, 1.1)
                pygame.draw.ellipse(surf, pal.CLOUD, pygame.Rect(cx + (k - 1.5) * 22 * s - rx / 2, cy - ry / 2
                                                             - (k % 2) * 6 * s, rx, ry))
        return self._finish(surf)

    def _stands(self, s: float) -> pygame.Surface:
        """One tile of the grandstand (640 original px wide), from its roof down to the wall."""
        k = PX * s
        w = max(1, round(VIEW_W_PX * s))
        h = max(1, round((WALL_TOP_Y - CROWD_TOP_Y + 0.4) * k))
        surf = pygame.Surface((w, h))
        surf.fill(mix_colour(pal.STAND, pal.HAZE, 0.35))
        roof = max(2, round(0.35 * k))
        surf.fill(mix_colour(pal.STAND_ROOF, pal.HAZE, 0.3), pygame.Rect(0, 0, w, roof))
        rng = random.Random(11)
        row_h = 0.85 * k
        y = roof + 0.55 * k
        while y < h:
            pygame.draw.line(surf, mix_colour(pal.STAND_ROOF, pal.HAZE, 0.45), (0, round(y + 0.25 * k)),
                             (w, round(y + 0.25 * k)), max(1, round(0.08 * k)))
            x = rng.uniform(0, 0.5) * k
            while x < w:
                if rng.random() < 0.82:
                    shirt = mix_colour(rng.choice(pal.CROWD_SHIRTS), pal.HAZE, pal.CROWD_HAZE)
                    skin = mix_colour(rng.choice(pal.CROWD_SKIN), pal.HAZE, pal.CROWD_HAZE)
                    bw = 0.5 * k
                    pygame.draw.rect(surf, shirt, pygame.Rect(x - bw / 2, y - 0.05 * k, bw, 0.35 * k),
                                     border_top_left_radius=max(1, round(0.15 * k)),
                                     border_top_right_radius=max(1, round(0.15 * k)))
                    pygame.draw.circle(surf, skin, (x, y - 0.22 * k), max(1.0, 0.2 * k))
                x += rng.uniform(0.55, 0.8) * k
            y += row_h
        return self._finish(surf)

    def _track(self, size: tuple[int, int], s: float, text) -> pygame.Surface:
        """One tile (4 m) of the wall, the running surface, the track's face and the soil."""
        k = PX * s
        w = max(1, round(TRACK_TILE_U * k))
        h = max(1, size[1])
        surf = pygame.Surface((w, h))
        surf.fill(pal.SOIL)
        y_far = round((SURFACE_FAR_Y - WALL_TOP_Y) * k)
        y_near = round((SURFACE_NEAR_Y - WALL_TOP_Y) * k)
        y_face = round((SURFACE_NEAR_Y + TRACK_FACE_U - WALL_TOP_Y) * k)
        # the wall with its boards
        surf.fill(pal.WALL, pygame.Rect(0, 0, w, y_far))
        surf.fill(pal.WALL_CAP, pygame.Rect(0, 0, w, max(1, round(0.12 * k))))
        board_w = TRACK_TILE_U / 2 * k
        for i in range(2):
            x0 = i * board_w
            pygame.draw.line(surf, scale_colour(pal.WALL, 0.7), (x0, 0), (x0, y_far), max(1, round(0.1 * k)))
            label = text.render(BOARD_TEXTS[i], 0.8 * k, pal.BOARD_TEXT)
            surf.blit(label, label.get_rect(center=(x0 + board_w / 2, y_far / 2 + 0.06 * k)))
        # running surface (lighter) and front face (darker), with grain
        surf.fill(pal.TRACK, pygame.Rect(0, y_far, w, y_near - y_far))
        surf.fill(pal.TRACK_FACE, pygame.Rect(0, y_near, w, y_face - y_near))
        rng = random.Random(5)
        for _ in range(int(w * (y_face - y_far) / max(1.0, 20 * s * s))):
            px, py = int(rng.uniform(0, w)), int(rng.uniform(y_far, y_face))
            base = pal.TRACK if py < y_near else pal.TRACK_FACE
            surf.set_at((px, py), scale_colour(base, rng.uniform(0.86, 1.12)))
        surf.fill(scale_colour(pal.WALL, 0.6), pygame.Rect(0, y_far, w, max(1, round(0.1 * k))))
        for y_u in LANE_LINES_Y:
            yy = round((y_u - WALL_TOP_Y) * k)
            pygame.draw.line(surf, pal.TRACK_LINE, (0, yy), (w, yy), max(1, round(0.07 * k)))
        surf.fill(pal.TRACK_EDGE, pygame.Rect(0, y_near, w, max(1, round(0.16 * k))))
        # a tick every game metre on the near lane line
        tick_y = round((LANE_LINES_Y[-1] - WALL_TOP_Y) * k)
        for i in range(int(TRACK_TILE_U / TICK_EVERY_U)):
            x = i * TICK_EVERY_U * k
            pygame.draw.line(surf, pal.TRACK_LINE, (x, tick_y - 0.2 * k), (x, tick_y + 0.2 * k), max(1, round(0.1 * k)))
        # soil below with a few stones
        for _ in range(int(w / max(1.0, 14 * s))):
            px, py = rng.uniform(0, w), rng.uniform(y_face + 0.2 * k, h)
            pygame.draw.circle(surf, scale_colour(pal.SOIL, rng.uniform(0.75, 1.25)), (px, py), max(1.0, 0.12 * k))
        return self._finish(surf)


# ----------------------------------------------------------------------------------- renderer
class SceneRenderer:
    """Draws game states; holds the caches (layers per surface size, rendered text).

    One module-level instance serves :func:`draw_game`; make your own to keep caches apart.
    """

    def __init__(self) -> None:
        self.hud = Hud()
        self._layers: dict[tuple[int, int], _Layers] = {}
        self._rgb_surfaces: dict[tuple[int, int], pygame.Surface] = {}

    def layers(self, size: tuple[int, int], scale: float) -> _Layers:
        layers = self._layers.get(size)
        if layers is None:
            if len(self._layers) >= 4:
                self._layers.pop(next(iter(self._layers)))
            layers = self._layers[size] = _Layers(size, scale, self.hud.text)
        return layers

    def draw(self, surface: pygame.Surface, game, overlay: Overlay | None = None) -> None:
        """Draw ``game`` onto ``surface`` (any size); see :func:`draw_game`."""
        size = surface.get_size()
        if size[0] < 2 or size[1] < 2:
            return
        view = view_for(game, size)
        layers = self.layers(size, view.scale)
        surface.blit(layers.sky, (0, 0))
        self._scenery(surface, view, layers)
        self._hurdle(surface, view, game.hurdle_states())
        athlete.draw_runner(surface, game.body_states(), view.scale, view.left_px, view.top_px)
        self.hud.draw(surface, game, view.scale, overlay)

    # -- world layers -----------------------------------------------------------------------
    @staticmethod
    def _tile_row(surface: pygame.Surface, tile: pygame.Surface, offset_px: float, y: float) -> None:
        tw = tile.get_width()
        x = -(offset_px % tw)
        while x < surface.get_width():
            surface.blit(tile, (round(x), round(y)))
            x += tw

    def _scenery(self, surface: pygame.Surface, view: View, layers: _Layers) -> None:
        s = view.scale
        k = PX * s
        w, h = surface.get_size()
        # stands (parallax), anchored so that they sit on the wall whatever the parallax
        _, y_stands = view.to_screen(0.0, CROWD_TOP_Y)
        self._tile_row(surface, layers.stands, view.left_px * STANDS_PARALLAX * s, y_stands)
        # wall + track + soil tile, world-anchored
        _, y_wall = view.to_screen(0.0, WALL_TOP_Y)
        self._tile_row(surface, layers.track, view.left_px * s, y_wall)
        x_min_u = view.left_px / PX
        x_max_u = x_min_u + w / k
        _, y_far = view.to_screen(0.0, SURFACE_FAR_Y)
        _, y_near = view.to_screen(0.0, SURFACE_NEAR_Y)
        y_bottom = y_near + TRACK_FACE_U * k
        line_w = max(1, round(0.3 * k))

        def across(x_u: float, colour: Colour, width: int) -> None:
            x, _ = view.to_screen(x_u, 0.0)
            surface.fill(colour, pygame.Rect(round(x - width / 2), round(y_far), width, round(y_near - y_far)))

        # start line
        if x_min_u - SIGN_W_U <= START_LINE_X <= x_max_u + SIGN_W_U:
            across(START_LINE_X, pal.START_LINE, line_w)
            self._sign(surface, view, START_LINE_X, "START")
        # marks every 10 m
        for mark in MARKS_U:
            if x_min_u - SIGN_W_U <= mark <= x_max_u + SIGN_W_U:
                across(mark, pal.MARK_LINE, line_w)
                self._sign(surface, view, mark, f"{round(mark / spec.UNITS_PER_METRE)} m")
        # jump board, sand pit and the finish at 100 m
        if x_min_u - SIGN_W_U <= SAND_PIT_X[1] and x_max_u + SIGN_W_U >= JUMP_BOARD_X[0]:
            x0, _ = view.to_screen(JUMP_BOARD_X[0], 0.0)
            x1, _ = view.to_screen(JUMP_BOARD_X[1], 0.0)
            surface.fill(pal.JUMP_BOARD, pygame.Rect(round(x0), round(y_far), round(x1 - x0), round(y_near - y_far)))
            xs0, _ = view.to_screen(SAND_PIT_X[0], 0.0)
            xs1, _ = view.to_screen(SAND_PIT_X[1], 0.0)
            pit = pygame.Rect(round(xs0), round(y_far), round(xs1 - xs0), round(y_bottom - y_far))
            surface.fill(pal.SAND, pit)
            surface.fill(pal.SAND_DARK, pygame.Rect(pit.left, round(y_near), pit.w, round(y_bottom - y_near)))
            self._finish_line(surface, view, y_far, y_near)
            self._sign(surface, view, FINISH_X, "FINISH", pal.FINISH_SIGN, pal.FINISH_TEXT)
        # the wall behind the start (§1.6)
        b = spec.BLOCK
        if x_min_u <= b.x + b.half_w and x_max_u >= b.x - b.half_w:
            x0, y0 = view.to_screen(b.x - b.half_w, b.y - b.half_h)
            x1, y1 = view.to_screen(b.x + b.half_w, b.y + b.half_h)
            rect = pygame.Rect(round(x0), round(y0), round(x1 - x0), round(y1 - y0))
            surface.fill(pal.BLOCK, rect)
            pygame.draw.rect(surface, pal.BLOCK_EDGE, rect, max(1, round(0.2 * k)))

    def _sign(self, surface: pygame.Surface, view: View, x_u: float, label: str,
              fill: Colour = pal.SIGN, ink: Colour = pal.SIGN_TEXT) -> None:
        """A distance board on a post, standing on the wall above the track."""
        k = PX * view.scale
        x, y_wall = view.to_screen(x_u, WALL_TOP_Y)
        post_w = max(1, round(0.22 * k))
        pygame.draw.rect(surface, pal.SIGN_POST, pygame.Rect(round(x - post_w / 2), round(y_wall - SIGN_POST_U * k),
                                                         post_w, math.ceil(SIGN_POST_U * k)))
        glyphs = self.hud.text.render(label, 1.15 * k, ink)
        rect = pygame.Rect(0, 0, max(round(SIGN_W_U * k), glyphs.get_width() + round(0.8 * k)), round(SIGN_H_U * k))
        rect.midbottom = (round(x), round(y_wall - SIGN_POST_U * k) + 1)
        pygame.draw.rect(surface, fill, rect, border_radius=max(1, round(0.25 * k)))
        pygame.draw.rect(surface, pal.SIGN_POST, rect, max(1, round(0.1 * k)), border_radius=max(1, round(0.25 * k)))
        surface.blit(glyphs, glyphs.get_rect(center=rect.center))

    @staticmethod
    def _finish_line(surface: pygame.Surface, view: View, y_far: float, y_near: float) -> None:
        """A two-cell-wide chequered line across the running surface at 100 m."""
        k = PX * view.scale
        x, _ = view.to_screen(FINISH_X, 0.0)
        cell = max(2, round(0.3 * k))
        rows = math.ceil((y_near - y_far) / cell)
        for r in range(rows):
            for c in range(2):
                colour = pal.FINISH_DARK if (r + c) % 2 else pal.FINISH_LIGHT
                h = min(cell, round(y_near) - (round(y_far) + r * cell))
                surface.fill(colour, pygame.Rect(round(x) - cell + c * cell, round(y_far) + r * cell, cell, h))

    @staticmethod
    def _hurdle(surface: pygame.Surface, view: View, states: np.ndarray) -> None:
        """The hurdle's base and top (spec §1.5) as rotated boxes; the top gets red stripes."""
        k = PX * view.scale
        if abs(states[1, 0] * PX - view.left_px - VIEW_W_PX / 2) * view.scale > surface.get_width() + 8 * k:
            return
        for row, box, fill in ((0, spec.HURDLE_BASE, pal.HURDLE_BASE), (1, spec.HURDLE_TOP, pal.HURDLE_BAR)):
            x, y, a = states[row, 0], states[row, 1], states[row, 2]
            c, s = math.cos(a), math.sin(a)

            def corner(lx: float, ly: float, x=x, y=y, c=c, s=s) -> tuple[float, float]:
                return view.to_screen(x + c * lx - s * ly, y + s * lx + c * ly)

            hw, hh = box.half_w, box.half_h
            pts = [corner(-hw, -hh), corner(hw, -hh), corner(hw, hh), corner(-hw, hh)]
            pygame.draw.polygon(surface, fill, pts)
            if row == 1:
                for f0 in (-1.0, -0.6, -0.2):  # stripes near the top (local -y is up)
                    f1 = f0 + 0.2
                    pygame.draw.polygon(surface, pal.HURDLE_STRIPE, [corner(-hw, f0 * hh), corner(hw, f0 * hh),
                                                                 corner(hw, f1 * hh), corner(-hw, f1 * hh)])
            pygame.draw.polygon(surface, pal.HURDLE_OUTLINE, pts, max(1, round(0.1 * k)))

    # -- arrays ------------------------------------------------------------------------------
    def rgb_array(self, game, width: int = 640, height: int = 400) -> np.ndarray:
        """Render to a new (height, width, 3) uint8 array on an offscreen surface."""
        key = (int(width), int(height))
        surf = self._rgb_surfaces.get(key)
        if surf is None:
            if len(self._rgb_surfaces) >= 4:
                self._rgb_surfaces.pop(next(iter(self._rgb_surfaces)))
            surf = self._rgb_surfaces[key] = pygame.Surface(key, depth=32)
        self.draw(surf, game)
        return np.ascontiguousarray(pygame.surfarray.array3d(surf).transpose(1, 0, 2))


_RENDERER: SceneRenderer | None = None


def _renderer() -> SceneRenderer:
    global _RENDERER
    if _RENDERER is None:
        _RENDERER = SceneRenderer()
    return _RENDERER


def draw_game(surface: pygame.Surface, game, overlay: Overlay | None = None) -> None:
    """Draw everything of ``game`` (a ``QWOPGame``) onto ``surface``, whatever its size.

    The original's 640x400 view is scaled to fit with its aspect kept (see the module docstring);
    ``overlay`` adds a controller badge, info lines, key help or a message to the HUD.
    """
    _renderer().draw(surface, game, overlay)


def render_rgb_array(game, width: int = 640, height: int = 400) -> np.ndarray:
    """The frame of ``game`` as a new (height, width, 3) uint8 array; needs no window or display."""
    return _renderer().rgb_array(game, width, height)


class HumanWindow:
    """A resizable window that shows a game, paced at 30 frames/s (the original's frame rate).

    ``show(game, overlay)`` handles the window's own events (close, resize), draws, flips and waits
    for the next 1/30 s; ``closed`` turns true when the user closes the window. For a loop that
    reads its own events (manual play), use ``handle_event`` and ``present`` instead of ``show``.
    """

    FPS = 30

    def __init__(self, size: tuple[int, int] = (960, 600), title: str = "QWOP Studio", fps: float = FPS) -> None:
        pygame.display.init()
        pygame.display.set_caption(title)
        self._screen = open_window(size)
        self.fps = fps
        self._pacer = FramePacer(fps)
        self.closed = False

    @property
    def surface(self) -> pygame.Surface:
        """The window's surface (it changes when the window is resized)."""
        return pygame.display.get_surface() or self._screen

    def handle_event(self, event: pygame.event.Event) -> None:
        """React to window events: close and resize."""
        if event.type == pygame.QUIT:
            self.closed = True
        elif event.type in (pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED):
            self._screen = pygame.display.get_surface() or self._screen

    def present(self, game, overlay: Overlay | None = None) -> None:
        """Draw ``game`` and flip, without reading events or waiting."""
        if self.closed:
            return
        draw_game(self.surface, game, overlay)
        pygame.display.flip()

    def tick(self) -> float:
        """Wait for the next frame at ``fps`` (:class:`FramePacer`); returns the milliseconds since the last call."""
        return self._pacer.tick() * 1000.0

    def show(self, game, overlay: Overlay | None = None) -> None:
        """Handle window events, draw ``game``, flip and keep 30 frames/s."""
        for event in pygame.event.get((pygame.QUIT, pygame.VIDEORESIZE, pygame.WINDOWSIZECHANGED)):
            self.handle_event(event)
        self.present(game, overlay)
        self.tick()

    def close(self) -> None:
        """Close the window (safe to call twice)."""
        if not self.closed:
            self.closed = True
        pygame.display.quit()


__all__ = ["Overlay", "View", "SceneRenderer", "HumanWindow", "draw_game", "render_rgb_array", "view_for",
           "camera_top_px"]
