"""The scene's colours (and the crowd's haze), as data: the one place to change how the track looks.

Read by ``scene.py``; ``Colour`` is an (r, g, b) tuple of 0-255 ints.
"""
from __future__ import annotations

Colour = tuple[int, int, int]

SKY_TOP: Colour = (92, 156, 222)
SKY_HORIZON: Colour = (196, 226, 248)
CLOUD: Colour = (248, 251, 255)
HAZE: Colour = (188, 206, 226)
STAND: Colour = (120, 130, 150)
STAND_ROOF: Colour = (70, 78, 96)
CROWD_SHIRTS: tuple[Colour, ...] = (
    (214, 70, 64), (60, 110, 200), (240, 200, 60), (90, 170, 90), (240, 240, 240), (40, 40, 50),
    (230, 130, 50), (150, 90, 180),
)
CROWD_SKIN: tuple[Colour, ...] = ((236, 190, 150), (200, 150, 110), (140, 96, 66), (250, 214, 180))
CROWD_HAZE = 0.55          # how far the crowd is blended towards the haze colour
WALL: Colour = (30, 96, 78)
WALL_CAP: Colour = (220, 230, 225)
BOARD_TEXT: Colour = (236, 244, 238)
TRACK: Colour = (204, 88, 60)
TRACK_FACE: Colour = (160, 62, 44)
TRACK_EDGE: Colour = (226, 122, 92)
TRACK_LINE: Colour = (250, 246, 240)
SOIL: Colour = (96, 64, 46)
MARK_LINE: Colour = (255, 255, 255)
SIGN: Colour = (250, 250, 246)
SIGN_TEXT: Colour = (30, 34, 44)
SIGN_POST: Colour = (90, 96, 110)
START_LINE: Colour = (255, 255, 255)
FINISH_SIGN: Colour = (214, 48, 49)
FINISH_TEXT: Colour = (255, 255, 255)
SAND: Colour = (232, 206, 146)
SAND_DARK: Colour = (206, 176, 116)
JUMP_BOARD: Colour = (250, 250, 250)
FINISH_DARK: Colour = (24, 24, 28)
FINISH_LIGHT: Colour = (250, 250, 250)
HURDLE_BAR: Colour = (250, 250, 250)
HURDLE_STRIPE: Colour = (214, 48, 49)
HURDLE_BASE: Colour = (70, 74, 88)
HURDLE_OUTLINE: Colour = (40, 40, 48)
BLOCK: Colour = (150, 150, 158)
BLOCK_EDGE: Colour = (100, 100, 110)
