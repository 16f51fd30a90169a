"""Demonstrations: recordings (keys per game frame) -> (observation, action index) pairs for one env setting.

A recording (:mod:`qwop_studio.recording`) holds the key mask of every game frame; the env acts once
every ``frames_per_step`` frames with one action of its set. This module replays each recording
frame by frame on a real :class:`~qwop_studio.env.qwop_env.QWOPEnv`'s game and cuts it into env
steps, so every observation is exactly what the env shows at the start of that step (the env's own
``observe``, in the config's observation kind), and checks at the end that the replay reached the
recording's final-state digest.

The rules (one place; :data:`FALL_MARGIN_STEPS` is the only tuning constant):

* **Start.** Leading frames with no key held are the start (what ``start_noop_max`` adds in the
  env, or a player not yet pressing anything): they are stepped but give no samples, and the step
  grid begins at the first frame with a key held. Why: an episode recorded by ``evaluate`` then
  cuts into exactly the env steps its policy took (its grid starts after its no-key start frames).
  A studio takeover's recording (``takeover_..._human-from-<N>.json``, :data:`HUMAN_FROM`) holds
  the agent's frames first: its grid begins at frame N, the human's first, as the studio cut it.
* **A step's action** is the key state held for the most frames of the step (ties: the one held
  first), through ``env.actions.keys_to_action``. A step where the keys changed counts as *mixed*.
  The last step may be shorter when the game ended inside it (the env skips those ticks too).
* **What the action set cannot express.** ``keys_to_action`` maps a key state to the nearest
  action. If that action gives the same motor command (reduced set: QWP -> QP, WOP -> WO: Q beats W
  and O beats P, so the game moves the same), the step is kept and counted as *mapped*. If the set
  has no action with that command (reduced set: QO, QWO, QOP, QWOP, WP), the step is *dropped* and
  counted: no action of the set is what the player did. The full set expresses everything.
* **Falls.** In a game that ended in a fall (not a landing), the last :data:`FALL_MARGIN_STEPS`
  steps are dropped: they are the moves that lost balance, not ones to copy.
* **Hands off.** A recording that stops before its game's end (a player's quit, a takeover handed
  back to the agent after seconds without a key) loses its trailing no-key steps and a last step cut
  short: the player had let go, or had not finished it.
* Frames after the env's episode is over (``episode_over``: the game ended, or the torso left the
  world; a player's recording may go on) give no samples.

Errors a user can cause (a missing directory, no recordings, a corrupt file, a recording that does
not replay to its digest, nothing usable) raise :class:`DemoError` with one line naming the file.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from qwop_studio.env.actions import action_table, keys_to_action, motor_command
from qwop_studio.env.observation import OBS_SIZE
from qwop_studio.env.qwop_env import QWOPEnv, episode_over
from qwop_studio.recording import Recording, RecordingError, load_recording, state_digest
from qwop_studio.sim.keys import key_mask

#: Steps dropped before a fall: 10 env steps are 40 game frames (1.6 s of physics) at the default
#: frames_per_step of 4, about how long a QWOP fall takes from the move that loses balance to the
#: head touching the track.
FALL_MARGIN_STEPS: int = 10


#: A takeover recording's file name says from which frame the human played (``studio/teaching.py``).
HUMAN_FROM = re.compile(r"human-from-(\d+)")


class DemoError(ValueError):
    """Demonstrations that cannot be used; the message is one line naming the file or directory."""


@dataclass
class DemoStats:
    """What the conversion kept and dropped, in env steps (``frames`` in game frames)."""

    recordings: int = 0
    frames: int = 0
    steps: int = 0  # kept: the samples of the set
    mixed_steps: int = 0  # kept steps whose frames held more than one key state
    mapped_steps: int = 0  # kept steps whose key state the set holds only as another key state, same command
    dropped_inexpressible: int = 0  # steps whose motor command the action set has no action for
    dropped_before_fall: int = 0  # the last FALL_MARGIN_STEPS steps of games that ended in a fall
    dropped_hands_off: int = 0  # trailing no-key steps (and an unfinished last one) of games stopped early

    def add(self, other: DemoStats) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def summary(self) -> str:
        """One line for the terminal."""
        return (f"{self.steps:,} demonstration steps from {self.recordings} recordings ({self.frames:,} frames); "
                f"{self.mixed_steps:,} mixed, {self.mapped_steps:,} mapped, dropped {self.dropped_inexpressible:,} "
                f"the action set cannot express, {self.dropped_before_fall:,} before falls and "
                f"{self.dropped_hands_off:,} hands-off")


@dataclass
class DemoSet:
    """Observations (N, obs size) float32 and action indices (N,) int64 for one action set."""

    observations: np.ndarray
    actions: np.ndarray
    reduced_action_set: bool
    stats: DemoStats = field(default_factory=DemoStats)

    def __len__(self) -> int:
        return int(self.actions.shape[0])

    @classmethod
    def empty(cls, reduced_action_set: bool, obs_size: int = OBS_SIZE) -> DemoSet:
        return cls(np.zeros((0, obs_size), np.float32), np.zeros(0, np.int64), reduced_action_set)

    def extend(self, observations: np.ndarray, actions: np.ndarray) -> None:
        """Append samples (e.g. a human's live takeover); raises ValueError for wrong shapes or actions."""
        obs = np.asarray(observations, dtype=np.float32).reshape(-1, self.observations.shape[1])
        acts = np.asarray(actions, dtype=np.int64).reshape(-1)
        if obs.shape[0] != acts.shape[0]:
            raise ValueError(f"demonstrations: {obs.shape[0]} observations but {acts.shape[0]} actions")
        n_actions = len(action_table(self.reduced_action_set))
        if acts.size and (acts.min() < 0 or acts.max() >= n_actions):
            raise ValueError(f"demonstrations: action indices must lie in 0..{n_actions - 1}")
        if not np.isfinite(obs).all():
            raise ValueError("demonstrations: observations must be finite")
        self.observations = np.concatenate([self.observations, obs])
        self.actions = np.concatenate([self.actions, acts])
        self.stats.steps += int(acts.size)


def step_key_state(frame_masks: list[int] | bytes) -> int:
    """The key mask held for the most frames of one step (ties: the one held first)."""
    counts = Counter(frame_masks)
    best = max(counts.values())
    return next(m for m in frame_masks if counts[m] == best)


def expressible_action(mask: int, reduced: bool) -> tuple[int, bool] | None:
    """``(action index, exact)`` for a key mask, or None if the set has no action with its motor command.

    ``exact`` is False when the action holds other keys that give the same command (a *mapped* step).
    """
    index = keys_to_action(mask, reduced)
    action_mask = key_mask(action_table(reduced)[index])
    if motor_command(action_mask) != motor_command(mask):
        return None
    return index, action_mask == mask


def recording_steps(recording: Recording, frames_per_step: int, reduced_action_set: bool,
                    source: str = "recording", observation: str = "qwop-gym",
                    first_frame: int | None = None) -> DemoSet:
    """Replay one recording on a real env's game and cut it into demonstration steps (module docstring).

    ``observation``: the env's observation kind (``QWOPEnv(observation=...)``, the config's
    ``env.observation``). ``first_frame``: where the step grid begins (default: the first frame with
    a key held). Raises :class:`DemoError` naming ``source`` if the replay does not end in the
    recorded state.
    """
    env = QWOPEnv(frames_per_step=frames_per_step, reduced_action_set=reduced_action_set, start_noop_max=0,
                  observation=observation)
    env.reset()
    game = env.game
    keys = recording.keys
    start = next((i for i, m in enumerate(keys) if m), len(keys)) if first_frame is None else first_frame
    if not 0 <= start <= len(keys):
        raise DemoError(f"{source}: its first demonstrated frame {start} lies outside its {len(keys)} frames")
    for mask in keys[:start]:
        game.step(mask)
    observations: list[np.ndarray] = []
    key_states: list[int] = []
    mixed: list[bool] = []
    short = False  # the last step has fewer than frames_per_step frames
    i = start
    while i < len(keys) and not episode_over(game):
        observations.append(env.observe())
        held: list[int] = []
        for mask in keys[i:i + frames_per_step]:
            held.append(mask)
            if env.tick(mask):
                break
        i += len(held)
        key_states.append(step_key_state(held))
        mixed.append(len(set(held)) > 1)
        short = len(held) < frames_per_step
    ended = episode_over(game)
    for mask in keys[i:]:  # after the end: no samples, but the digest needs every frame
        game.step(mask)
    if state_digest(game) != recording.final_state_sha256:
        raise DemoError(f"{source}: does not replay to its recorded final state (a different version of the "
                        "game recorded it); record it again")
    stats = DemoStats(recordings=1, frames=len(keys))
    n = len(key_states)
    if not ended:  # stopped before the game's end: the unfinished last step and the hands-off ones go
        n -= int(short and n > 0)
        while n and key_states[n - 1] == 0:
            n -= 1
        stats.dropped_hands_off = len(key_states) - n
    if game.fallen and not game.landed:
        stats.dropped_before_fall = min(n, FALL_MARGIN_STEPS)
        n -= stats.dropped_before_fall
    kept_obs, kept_actions = [], []
    for obs, mask, was_mixed in zip(observations[:n], key_states[:n], mixed[:n], strict=True):
        found = expressible_action(mask, reduced_action_set)
        if found is None:
            stats.dropped_inexpressible += 1
            continue
        kept_obs.append(obs)
        kept_actions.append(found[0])
        stats.mapped_steps += not found[1]
        stats.mixed_steps += was_mixed
    stats.steps = len(kept_actions)
    obs_array = np.array(kept_obs, dtype=np.float32).reshape(-1, env.observation_space.shape[0])
    return DemoSet(obs_array, np.array(kept_actions, dtype=np.int64), reduced_action_set, stats)


def recording_files(path: str | os.PathLike) -> list[Path]:
    """The recordings a ``--demos`` path names: the file itself, or a directory's ``*.json`` (sorted).

    Raises :class:`DemoError` if the path does not exist or the directory holds no ``.json`` file.
    """
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DemoError(f"demonstrations {path}: no such file or directory")
    files = sorted(p for p in path.glob("*.json") if p.is_file())
    if not files:
        raise DemoError(f"demonstrations {path}: no recordings (*.json) in this directory; make some with "
                        "`qwop-studio play --record` or `qwop-studio evaluate --record DIR`")
    return files


def check_demos(path: str | os.PathLike) -> list[Path]:
    """The recordings under ``path``, each read and validated (cheap: no replay); :class:`DemoError` if not.

    For checking a ``--demos`` argument before a run starts; the replay (and its digest check) comes
    with :func:`load_demos`.
    """
    files = recording_files(path)
    for file in files:
        try:
            load_recording(file)
        except RecordingError as e:
            raise DemoError(str(e)) from None
    return files


def load_demos(path: str | os.PathLike, frames_per_step: int, reduced_action_set: bool,
               observation: str = "qwop-gym") -> DemoSet:
    """Every recording under ``path`` as one demonstration set for this env setting (and observation kind).

    Raises :class:`DemoError` (one line, naming the file) for any unreadable recording or an empty set.
    """
    result = DemoSet.empty(reduced_action_set)
    parts_obs, parts_act = [], []
    for file in recording_files(path):
        try:
            recording = load_recording(file)
        except RecordingError as e:
            raise DemoError(str(e)) from None
        human_from = HUMAN_FROM.search(file.stem)
        part = recording_steps(recording, frames_per_step, reduced_action_set, source=f"recording {file}",
                               observation=observation, first_frame=int(human_from.group(1)) if human_from else None)
        parts_obs.append(part.observations)
        parts_act.append(part.actions)
        result.stats.add(part.stats)
    result.observations = np.concatenate(parts_obs)
    result.actions = np.concatenate(parts_act)
    if len(result) == 0:
        raise DemoError(f"demonstrations {path}: no usable steps ({result.stats.summary()})")
    return result


__all__ = ["FALL_MARGIN_STEPS", "HUMAN_FROM", "DemoError", "DemoSet", "DemoStats", "load_demos", "check_demos", "recording_files",
           "recording_steps", "step_key_state", "expressible_action"]
