"""Helpers for the env tests: states the game reaches only by long play, made by editing snapshots."""
from __future__ import annotations

import dataclasses

import pytest

from qwop_studio.env import QWOPEnv
from qwop_studio.sim import QWOPGame
from qwop_studio.sim.game import GameSnapshot


def edited_snapshot(game: QWOPGame, dx: float = 0.0, dvx: float = 0.0, row: int | None = None,
                    column: int | None = None, value: float | None = None) -> GameSnapshot:
    """The game's snapshot with every runner part moved by ``dx`` units and sped up by ``dvx`` units/s,
    and optionally one body value (``row`` in qwop-gym part order, ``column`` 0..5) replaced."""
    snap = game.snapshot()
    bodies = []
    for i, body in enumerate(snap.bodies):
        b = list(body)
        if i < 12:
            b[0] += dx
            b[3] += dvx
        if i == row:
            b[column] = value
        bodies.append(tuple(b))
    return dataclasses.replace(snap, bodies=tuple(bodies), camera_x_px=snap.camera_x_px + dx * 20.0)


@pytest.fixture
def edit_snapshot():
    """:func:`edited_snapshot`, as a fixture (test modules do not import conftest)."""
    return edited_snapshot


@pytest.fixture
def env() -> QWOPEnv:
    e = QWOPEnv()
    e.reset(seed=0)
    yield e
    e.close()
