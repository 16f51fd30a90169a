"""The renderer draws a game state: not blank, the runner where the physics says, any surface size."""
from __future__ import annotations

import numpy as np
import pygame
import pytest

from qwop_studio.render import hud
from qwop_studio.render.athlete import BODY_COLOURS
from qwop_studio.render.scene import HumanWindow, Overlay, draw_game, render_rgb_array, view_for
from qwop_studio.sim.game import QWOPGame


def gait_game(frames: int) -> QWOPGame:
    game = QWOPGame()
    for i in range(frames):
        game.step("QP" if (i // 6) % 2 == 0 else "WO")
    return game


def fallen_game() -> QWOPGame:
    game = QWOPGame()
    while not game.fallen:
        game.step("QO")
    return game


def torso_pixel(surface: pygame.Surface, game: QWOPGame) -> tuple[int, int, int]:
    x_u, y_u = game.body_states()[0, :2]
    x, y = view_for(game, surface.get_size()).to_screen(x_u, y_u)
    return tuple(surface.get_at((int(x), int(y))))[:3]


def test_rendered_frame_is_an_rgb_array_and_not_blank():
    frame = render_rgb_array(QWOPGame())
    assert frame.shape == (400, 640, 3) and frame.dtype == np.uint8
    colours = np.unique(frame.reshape(-1, 3), axis=0)
    assert len(colours) > 50
    assert frame.std() > 20


@pytest.mark.parametrize("size", [(640, 400), (960, 600), (800, 800), (1280, 500), (321, 203)])
@pytest.mark.parametrize("make", [QWOPGame, lambda: gait_game(300), fallen_game], ids=["start", "run", "fall"])
def test_torso_centre_pixel_is_a_runner_colour(size, make):
    game = make()
    surface = pygame.Surface(size)
    draw_game(surface, game)
    assert torso_pixel(surface, game) in BODY_COLOURS


def test_runner_is_drawn_where_the_torso_is_after_it_moves():
    game = gait_game(400)
    assert game.distance > 3.0  # the camera has moved on from the start
    surface = pygame.Surface((960, 600))
    draw_game(surface, game)
    assert torso_pixel(surface, game) in BODY_COLOURS


def test_draws_onto_a_subsurface_like_the_studio_does():
    game = QWOPGame()
    screen = pygame.Surface((1280, 800))
    screen.fill((1, 2, 3))
    area = pygame.Rect(400, 100, 640, 400)
    draw_game(screen.subsurface(area), game)
    assert screen.get_at((10, 10))[:3] == (1, 2, 3)  # nothing outside the sub-surface
    x_u, y_u = game.body_states()[0, :2]
    x, y = view_for(game, area.size).to_screen(x_u, y_u)
    assert tuple(screen.get_at((area.x + int(x), area.y + int(y))))[:3] in BODY_COLOURS


@pytest.mark.parametrize("size", [(1, 1), (2, 2), (64, 40), (1920, 1080)])
def test_any_surface_size_draws_without_error(size):
    draw_game(pygame.Surface(size), gait_game(50), Overlay(controller="AGENT", lines=("a",), show_help=True))


def test_held_keys_light_their_indicator():
    game = QWOPGame()
    game.step("Q")
    lit = render_rgb_array(game, 640, 400)
    game.step("")
    unlit = render_rgb_array(game, 640, 400)
    # the Q key cap: the leftmost of four in the top right corner
    size, gap, margin = hud.KEY_SIZE, hud.KEY_GAP, hud.KEY_MARGIN
    x = 640 - margin - 4 * size - 3 * gap + 4
    y = margin + 4
    assert tuple(lit[y, x]) == hud.KEY_LIT
    assert tuple(unlit[y, x]) == hud.KEY_OFF


def test_fall_shows_a_banner():
    game = fallen_game()
    with_banner = render_rgb_array(game)
    assert game.game_ended
    # the translucent banner panel darkens the bright sky in the middle of the upper screen
    assert with_banner[110:140, 250:390].mean() < 100
    assert render_rgb_array(gait_game(30))[110:140, 250:390].mean() > 150


def test_human_window_shows_and_closes_headless():
    window = HumanWindow((320, 200))
    game = QWOPGame()
    for _ in range(3):
        window.show(game, Overlay(controller="HUMAN"))
        game.step("QP")
    assert not window.closed
    window.close()
    assert window.closed


RL_MODULES = ("gymnasium", "torch", "stable_baselines3", "sb3_contrib", "qwop_studio.env", "qwop_studio.train")


@pytest.mark.parametrize("module", ["qwop_studio.render.scene", "qwop_studio.render.athlete", "qwop_studio.render.hud",
                                    "qwop_studio.render.geometry", "qwop_studio.play", "qwop_studio.replay",
                                    "qwop_studio.recording"])
def test_renderer_and_play_import_nothing_from_rl(module):
    """Checked on the source: the package's own __init__ may register the env, these modules do not."""
    import ast
    import importlib.util

    tree = ast.parse(open(importlib.util.find_spec(module).origin, encoding="utf-8").read())
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [n for n in names if n.startswith(RL_MODULES)]
