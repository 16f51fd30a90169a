"""Test helpers: put the runner where a rule acts, through snapshot/restore."""
from __future__ import annotations

import dataclasses
import math

from qwop_studio.sim import GameSnapshot, QWOPGame, spec
from qwop_studio.sim.game import JointState
from qwop_studio.sim.world import STATE_ORDER


def shifted(snap: GameSnapshot, dx: float, *, velocity: tuple[float, float] | None = None) -> GameSnapshot:
    """The same state with every runner part moved ``dx`` units along the track.

    The camera and the track segments move with the runner, as they would have had it run there.
    ``velocity`` optionally sets every part's linear velocity (units/s).
    """
    bodies = []
    for i, row in enumerate(snap.bodies):
        row = list(row)
        if i < 12:
            row[0] += dx
            if velocity is not None:
                row[3], row[4] = velocity
        bodies.append(tuple(row))
    torso_x = bodies[0][0]
    cam = min(max((torso_x + spec.CAMERA_OFFSET) * spec.PX_PER_UNIT, spec.CAMERA_MIN_X_PX), spec.CAMERA_MAX_X_PX)
    track_x = math.floor(cam / spec.TRACK_SEGMENT_W_PX) * 2 * spec.TRACK_HALF_W
    return dataclasses.replace(snap, bodies=tuple(bodies), camera_x_px=cam, track_x=track_x, history=None)


def game_at(dx: float, **kwargs) -> QWOPGame:
    """A game whose runner is at frame 0 (still dropping) but ``dx`` units further along the track."""
    game = QWOPGame()
    game.restore(shifted(game.snapshot(), dx, **kwargs))
    return game


def run(game: QWOPGame, keys: str, frames: int) -> int | None:
    """Hold ``keys`` for ``frames`` frames; the frame (1-based) on which the game ended by a fall, if any."""
    for k in range(1, frames + 1):
        was_fallen = game.fallen
        game.step(keys)
        if game.fallen and not was_fallen:
            return k
    return None


def joint_states(game: QWOPGame) -> dict[str, JointState]:
    """Each runner joint's limits and motor (switches and speed) by name, read from the game's snapshot."""
    return dict(zip(spec.JOINT_NAMES, game.snapshot().joints, strict=True))


def awake(game: QWOPGame, body: str) -> bool:
    """Whether ``body`` (a name of ``STATE_ORDER``: a runner part, ``hurdleBase``, ``hurdleTop``) is awake."""
    return bool(game.snapshot().bodies[STATE_ORDER.index(body)][6])
