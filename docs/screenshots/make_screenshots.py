"""Regenerate the README screenshots: ``python docs/screenshots/make_screenshots.py`` (headless).

standing_start.png: the game as it opens. mid_run.png: 600 frames of a simple alternating gait
(QP and WO, 6 frames each). fall.png: holding Q and O until the runner falls, plus a second of
the limp body. hurdle.png and finish.png are staged: the spawn pose is moved along the track with
``snapshot()``/``restore()`` (the only way to get there without a good runner), then played.
"""
from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import pygame  # noqa: E402

from qwop_studio.render.scene import Overlay, draw_game  # noqa: E402
from qwop_studio.sim.game import QWOPGame  # noqa: E402

OUT = Path(__file__).resolve().parent
SIZE = (960, 600)


def moved(game: QWOPGame, dx_units: float) -> None:
    """Shift the whole game state (runner, camera, track) ``dx_units`` along x."""
    snap = game.snapshot()
    bodies = tuple((b[0] + dx_units,) + tuple(b[1:]) if i < 12 else b for i, b in enumerate(snap.bodies))
    game.restore(dataclasses.replace(snap, bodies=bodies, camera_x_px=snap.camera_x_px + dx_units * 20,
                                     track_x=snap.track_x + round(dx_units / 32) * 32))


def save(game: QWOPGame, name: str, overlay: Overlay | None = None) -> None:
    surface = pygame.Surface(SIZE)
    draw_game(surface, game, overlay)
    pygame.image.save(surface, str(OUT / name))
    print(OUT / name, f"frame {game.frame}, {game.score:.1f} m, fallen={game.fallen}, landed={game.landed}")


def main() -> int:
    game = QWOPGame()
    save(game, "standing_start.png", Overlay(controller="HUMAN", show_help=True,
                                             message="Press Q, W, O or P to start"))

    game.reset()
    for i in range(600):
        game.step("QP" if (i // 6) % 2 == 0 else "WO")
    save(game, "mid_run.png", Overlay(controller="SCRIPT", lines=("scripted gait: QP and WO, 6 frames each",)))

    game.reset()
    while not game.fallen and game.frame < 2000:
        game.step("QO")
    for _ in range(30):
        game.step("")
    save(game, "fall.png")

    game.reset()
    moved(game, 482.0)
    for i in range(60):
        game.step("QP" if (i // 6) % 2 == 0 else "WO")
    save(game, "hurdle.png")

    game.reset()
    moved(game, 1001.0 - game.body_states()[4, 0])  # left foot just past the sand-pit edge
    for _ in range(12):
        game.step("")
    save(game, "finish.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
