"""Reference-state initialisation: start a share of episodes from states along recorded good runs.

Why (DeepMimic's idea, for QWOP): every episode of a plain env starts on the start line, so a policy
practises the first metres in every episode and the late race and the hurdle at 50 m only when it
gets there. Starting some episodes mid-run from states of successful runs (recordings made with
``qwop-studio evaluate --record`` or ``play --record``) lets it practise all parts of the race as
often. Evaluation always starts on the line; this wrapper is for training only.

Config use::

    wrappers:
      - {name: ReferenceStartWrapper, kwargs: {recordings: saves/recordings/runner, fraction: 0.3}}

An episode started mid-run keeps that run's clock and distance: its ``time`` in ``info`` and in the
episode log is the recorded prefix plus the agent's part.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import gymnasium as gym

#: Frames cut from the end of each recording: states just before a landing teach nothing.
TAIL_FRAMES_SKIPPED: int = 60
#: Most start states kept per wrapper (memory: a snapshot is a few kB).
MAX_START_STATES: int = 5000
#: The default window of torso distances (game metres) start states are taken from: the whole race.
WHOLE_RACE_M: tuple[float, float] = (0.0, 100.0)


class ReferenceStartWrapper(gym.Wrapper):
    """With probability ``fraction``, a reset continues from a random state of a recorded run.

    ``recordings``: a folder of recordings (``*.json``) or one file; only finished runs are used
    unless ``successful_only`` is false. A state is taken every ``every_frames`` frames, where the
    torso is between ``from_metres`` and ``to_metres`` (e.g. 40-75 to practise the hurdle at 50 m
    more than the rest). Raises a one-line ``ValueError`` for bad arguments or a folder without
    usable recordings.
    """

    def __init__(self, env: gym.Env, recordings: str, fraction: float = 0.3, every_frames: int = 30,
                 successful_only: bool = True, from_metres: float = WHOLE_RACE_M[0],
                 to_metres: float = WHOLE_RACE_M[1]) -> None:
        super().__init__(env)
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0.0 <= fraction <= 1.0:
            raise ValueError(f"ReferenceStartWrapper fraction={fraction!r}: expected a number from 0 to 1")
        if isinstance(every_frames, bool) or not isinstance(every_frames, int) or every_frames < 1:
            raise ValueError(f"ReferenceStartWrapper every_frames={every_frames!r}: expected an integer >= 1")
        for name, value in (("from_metres", from_metres), ("to_metres", to_metres)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"ReferenceStartWrapper {name}={value!r}: expected a number of metres")
        if not from_metres < to_metres:
            raise ValueError(f"ReferenceStartWrapper from_metres={from_metres!r}, to_metres={to_metres!r}: "
                             "expected from_metres < to_metres")
        if not hasattr(env.unwrapped, "start_from"):
            raise ValueError("ReferenceStartWrapper: the wrapped env is not a QWOPEnv (no start_from)")
        self.fraction = float(fraction)
        self.starts = start_states(Path(recordings), every_frames, successful_only, (from_metres, to_metres))

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[Any, dict]:
        obs, info = self.env.reset(seed=seed, options=options)
        rng = self.env.unwrapped.np_random
        if self.fraction > 0.0 and rng.random() < self.fraction:
            snapshot = self.starts[int(rng.integers(len(self.starts)))]
            obs, info = self.env.unwrapped.start_from(snapshot)
            info["reference_start_frame"] = snapshot.frame
        return obs, info


def start_states(source: Path, every_frames: int, successful_only: bool = True,
                 metres: tuple[float, float] = WHOLE_RACE_M) -> list[Any]:
    """Game snapshots every ``every_frames`` frames along the recordings at ``source`` where the torso is
    within ``metres`` (without their key history, so that restoring one sets the state directly instead of
    replaying the run)."""
    from qwop_studio.recording import RecordingError, load_recording
    from qwop_studio.sim import QWOPGame

    files = sorted(source.glob("*.json")) if source.is_dir() else [source]
    if not source.exists():
        raise ValueError(f"ReferenceStartWrapper recordings={str(source)!r}: no such file or folder")
    game, starts = QWOPGame(), []
    for path in files:
        try:
            recording = load_recording(path)
        except RecordingError as e:
            raise ValueError(f"ReferenceStartWrapper: {e}") from None
        if successful_only and recording.outcome.result != "finished":
            continue
        game.reset()
        last = recording.frames - TAIL_FRAMES_SKIPPED
        for frame, mask in enumerate(recording.keys[:max(last, 0)], start=1):
            game.step(mask)
            if frame % every_frames == 0 and not game.game_ended and metres[0] <= game.distance <= metres[1]:
                starts.append(dataclasses.replace(game.snapshot(), history=None))
        if len(starts) >= MAX_START_STATES:
            break
    if not starts:
        what = "finished " if successful_only else ""
        where = "" if metres == WHOLE_RACE_M else f" between {metres[0]:g} and {metres[1]:g} m"
        raise ValueError(f"ReferenceStartWrapper recordings={str(source)!r}: no {what}recording long enough "
                         f"to start from{where}")
    return starts[:MAX_START_STATES]


__all__ = ["ReferenceStartWrapper", "start_states", "TAIL_FRAMES_SKIPPED", "WHOLE_RACE_M"]
