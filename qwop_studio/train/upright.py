"""How upright a runner ran, and where it spent its time, measured by replaying an episode's keys frame by frame.

Why replay: the env acts every ``frames_per_step`` frames and reports only distance and time; a replay of
the exact key history on a fresh game (recordings replay bit for bit) sees every frame, so the measure is
the same whatever env, observation or frame skip the runner was trained with.

Two numbers per episode (issue 18 asks for both):
* ``torso_height``: the torso centre's mean height above the track over the frames, as a fraction of its
  standing height (the spawn pose), each frame clipped to [0, 1] exactly as the posture reward term does;
* ``knee_on_track``: the share of frames with a knee on the track: a knee joint's anchor within
  :data:`KNEE_ON_TRACK_HEIGHT` of the track top.

And the race's splits, for finding where a runner loses time (the start, the hurdle at 50 m):
* ``splits``: the game clock when the torso first passed each :data:`SPLIT_EVERY_M` mark (10, 20, ... m),
  as far as the episode got.

And the gait's rhythm, for comparing strides (the cadence lever of issue 18):
* ``thigh_half_cycle_s``: the median time between two switches of the thigh command, Q to W or back
  (``env.cadence.ThighRhythm``: the same rule the cadence bonus pays on); ``None`` without a full half-cycle.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qwop_studio.env.cadence import ThighRhythm
from qwop_studio.env.reward import posture_deficit
from qwop_studio.sim import QWOPGame, spec

#: A knee whose joint anchor is this close to the track top (units; 0.5 = 5 cm) is on the track: the
#: calf's half thickness is 0.375, and kneeling knees measured 0.37-0.42 above the track in random play.
KNEE_ON_TRACK_HEIGHT: float = 0.5
KNEE_INDEX: np.ndarray = np.array([spec.JOINT_NAMES.index("leftKnee"), spec.JOINT_NAMES.index("rightKnee")])
TORSO_ROW: int = 0  # the torso is the first row of QWOPGame.body_states()
#: Split marks every this many game metres, up to :data:`SPLIT_TO_M`.
SPLIT_EVERY_M: int = 10
SPLIT_TO_M: int = 100
SPLIT_MARKS_M: tuple[int, ...] = tuple(range(SPLIT_EVERY_M, SPLIT_TO_M + 1, SPLIT_EVERY_M))


@dataclass(frozen=True)
class Posture:
    """One episode's posture: see the module docstring."""

    torso_height: float
    knee_on_track: float
    splits: tuple[float, ...] = ()  # game seconds at the marks of SPLIT_MARKS_M the episode reached
    thigh_half_cycle_s: float | None = None


def replay_with_posture(keys: bytes | list[int]) -> tuple[QWOPGame, Posture]:
    """Replay ``keys`` on a fresh game; the game at its end and the episode's :class:`Posture`."""
    game = QWOPGame()
    heights, kneeling, splits, halves = [], 0, [], []
    rhythm = ThighRhythm()
    for mask in keys:
        game.step(mask)
        if not game.game_ended and rhythm.update(mask, game.time) and rhythm.last_half_s is not None:
            halves.append(rhythm.last_half_s)
        heights.append(1.0 - posture_deficit(float(game.body_states()[TORSO_ROW, 1])))
        knees_y = game.joint_positions()[KNEE_INDEX, 1]
        kneeling += bool(np.any(spec.TRACK_TOP_Y - knees_y < KNEE_ON_TRACK_HEIGHT))
        while len(splits) < len(SPLIT_MARKS_M) and game.distance >= SPLIT_MARKS_M[len(splits)]:
            splits.append(game.time)
    frames = max(len(heights), 1)
    return game, Posture(torso_height=float(np.mean(heights)) if heights else 1.0, knee_on_track=kneeling / frames,
                         splits=tuple(splits), thigh_half_cycle_s=float(np.median(halves)) if halves else None)
