"""Our windows open on SDL's plain framebuffer unless the user chose otherwise (render/display.py)."""
from __future__ import annotations

import os

import pygame
import pytest

from qwop_studio.render.display import FRAMEBUFFER_HINT, open_window


@pytest.fixture
def display():
    pygame.display.init()
    yield
    pygame.display.quit()


def test_a_window_opens_without_the_gl_framebuffer_by_default(monkeypatch, display):
    """Through Mesa's software GL a flip of the studio's window cost ~14 ms of CPU; SDL's own, 0.3 ms."""
    monkeypatch.delenv(FRAMEBUFFER_HINT, raising=False)
    surface = open_window((320, 200))
    assert surface.get_size() == (320, 200)
    assert os.environ[FRAMEBUFFER_HINT] == "0"


def test_the_users_own_framebuffer_choice_is_kept(monkeypatch, display):
    monkeypatch.setenv(FRAMEBUFFER_HINT, "opengl")
    open_window((320, 200))
    assert os.environ[FRAMEBUFFER_HINT] == "opengl"
