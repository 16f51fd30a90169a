"""Recordings of games: the keys of every frame, the outcome, and a digest to prove a replay exact.

The game is deterministic (``QWOPGame`` has no randomness and a reset game is bitwise a fresh one),
so the keys held on each frame are the whole game: a replay is ``QWOPGame()`` then ``step(mask)``
for each recorded mask. ``final_state_sha256`` is the SHA-256 of the final ``body_states()`` and
``hurdle_states()`` (float64, little-endian, C order); a replay that ends with the same digest
ended in bitwise the same state.

File format (JSON, UTF-8), version 1::

    {
      "format": "qwop-studio-recording",
      "version": 1,
      "created": "2025-01-31T12:00:00+00:00",   # UTC, ISO 8601
      "frames": 812,                             # game frames stepped after the reset
      "keys": "0019 ... ",                       # one hex digit per frame: the key mask (Q=1 W=2 O=4 P=8)
      "outcome": {"result": "fallen" | "finished" | "reset" | "quit" | "timeout",
                  "fallen": true, "jumped": false, "landed": false,
                  "distance_m": 12.3, "score_m": 12.3, "time_s": 27.1, "frames": 812},
      "final_state_sha256": "9f2c..."
    }

Files are written atomically (:mod:`qwop_studio.fileio`). :func:`load_recording` raises
:class:`RecordingError` with one line naming the file and what is wrong with it.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from qwop_studio.fileio import atomic_write_text
from qwop_studio.saves import recordings_dir
from qwop_studio.sim.game import QWOPGame

FORMAT_NAME = "qwop-studio-recording"
FORMAT_VERSION = 1
#: How a recorded game ended: by the game (fallen, finished) or stopped (reset, quit, the episode timeout)
RESULTS = ("fallen", "finished", "reset", "quit", "timeout")
#: The longest game a recording may hold: two hours of the original's clock at 30 frames per second
#: (the human world record is 45.5 s; an untrusted file claiming millions of frames is refused).
MAX_RECORDING_FRAMES = 2 * 60 * 60 * 30
#: The largest recording file read (a two-hour game is ~216 kB of hex digits).
MAX_RECORDING_BYTES = 1024 * 1024
#: Key masks as written: one ASCII hex digit per frame (``int(ch, 16)`` alone would also take other
#: scripts' digits, such as Arabic-Indic ones).
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


class RecordingError(ValueError):
    """A recording that cannot be read; the message is one line naming the file and the problem."""


def state_digest(game: QWOPGame) -> str:
    """SHA-256 (hex) of the game's body and hurdle states, bit for bit."""
    data = np.concatenate([game.body_states(), game.hurdle_states()]).astype("<f8", copy=False)
    return hashlib.sha256(np.ascontiguousarray(data).tobytes()).hexdigest()


@dataclass
class Outcome:
    """How a recorded game ended. ``result``: fallen, finished, or stopped by reset/quit."""

    result: str
    fallen: bool
    jumped: bool
    landed: bool
    distance_m: float
    score_m: float
    time_s: float
    frames: int

    @classmethod
    def of(cls, game: QWOPGame, stopped_by: str) -> Outcome:
        """The outcome of ``game`` now; ``stopped_by`` ("reset"/"quit") counts if the game has not ended."""
        if game.landed:
            result = "finished"
        elif game.fallen:
            result = "fallen"
        else:
            result = stopped_by
        return cls(result, bool(game.fallen), bool(game.jumped), bool(game.landed), float(game.distance),
                   float(game.score), float(game.time), int(game.frame))


@dataclass
class Recording:
    """One game: the key mask of every frame after the reset, its outcome and final-state digest."""

    keys: list[int]
    outcome: Outcome
    final_state_sha256: str
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    version: int = FORMAT_VERSION

    @property
    def frames(self) -> int:
        return len(self.keys)

    @classmethod
    def of_game(cls, keys: list[int], game: QWOPGame, stopped_by: str = "quit") -> Recording:
        """A recording of ``game`` after stepping ``keys`` from a reset."""
        return cls(list(keys), Outcome.of(game, stopped_by), state_digest(game))

    def to_json(self) -> str:
        doc = {
            "format": FORMAT_NAME,
            "version": self.version,
            "created": self.created,
            "frames": self.frames,
            "keys": "".join(f"{m:x}" for m in self.keys),
            "outcome": vars(self.outcome),
            "final_state_sha256": self.final_state_sha256,
        }
        return json.dumps(doc, indent=2) + "\n"


def save_recording(recording: Recording, path: str | os.PathLike) -> Path:
    """Write ``recording`` to ``path`` atomically; returns the path."""
    path = Path(path)
    atomic_write_text(path, recording.to_json())
    return path


def new_recording_path(directory: str | os.PathLike | None = None, result: str = "game") -> Path:
    """A fresh file name in ``directory``: ``qwop_<UTC time>_<result>.json`` (never an existing file).

    ``directory`` defaults to the saves root's ``recordings/`` (``qwop_studio/saves.py``).
    """
    directory = recordings_dir() if directory is None else Path(directory)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    path = directory / f"qwop_{stamp}_{result}.json"
    n = 1
    while path.exists():
        n += 1
        path = directory / f"qwop_{stamp}_{result}_{n}.json"
    return path


def load_recording(path: str | os.PathLike) -> Recording:
    """Read a recording; raises :class:`RecordingError` (one line) if it is missing, corrupt or too new."""
    path = Path(path)
    where = f"recording {path}"
    try:
        size = path.stat().st_size
        if size > MAX_RECORDING_BYTES:
            raise RecordingError(f"{where}: {size:,} bytes is larger than any recording ({MAX_RECORDING_BYTES:,})")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordingError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise RecordingError(f"{where}: cannot be read ({e.__class__.__name__}: {e})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise RecordingError(f"{where}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg}); "
                             "the file is corrupt, record the game again") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise RecordingError(f"{where}: not a QWOP Studio recording (\"format\" is not {FORMAT_NAME!r})")
    version = doc.get("version")
    if version != FORMAT_VERSION:
        raise RecordingError(f"{where}: format version {version!r} is not supported (this build reads "
                             f"version {FORMAT_VERSION}); use the qwop-studio that recorded it")
    try:
        keys_text = doc["keys"]
        if not isinstance(keys_text, str):
            raise RecordingError(f"{where}: \"keys\" must be a string of hex digits, got {type(keys_text).__name__}")
        bad = next((ch for ch in keys_text if ch not in HEX_DIGITS), None)
        if bad is not None:
            raise RecordingError(f"{where}: \"keys\" holds {bad!r}, which is not a key mask 0-f")
        if len(keys_text) > MAX_RECORDING_FRAMES:
            raise RecordingError(f"{where}: {len(keys_text):,} frames is more than a recording may hold "
                                 f"({MAX_RECORDING_FRAMES:,}, two hours of game)")
        keys = [int(ch, 16) for ch in keys_text]
        frames = doc["frames"]
        if isinstance(frames, bool) or frames != len(keys):
            raise RecordingError(f"{where}: \"frames\" is {frames!r} but \"keys\" has {len(keys)} entries; "
                                 "the file is truncated or edited")
        outcome = _outcome(doc["outcome"], where)
        digest = doc["final_state_sha256"]
        if not (isinstance(digest, str) and len(digest) == 64):
            raise RecordingError(f"{where}: \"final_state_sha256\" is not a SHA-256 hex digest")
        return Recording(keys, outcome, digest, created=str(doc.get("created", "")), version=version)
    except KeyError as e:
        raise RecordingError(f"{where}: missing field {e.args[0]!r}") from None
    except (TypeError, ValueError) as e:
        if isinstance(e, RecordingError):
            raise
        raise RecordingError(f"{where}: a field has the wrong type ({e})") from None


def _finite(value: int | float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer beyond any float
        return False


def _outcome(o: object, where: str) -> Outcome:
    """The ``outcome`` object of a recording, every field of its own JSON type; else RecordingError."""
    if not isinstance(o, dict):
        raise RecordingError(f"{where}: \"outcome\" must be an object")
    if o["result"] not in RESULTS:
        raise RecordingError(f"{where}: outcome.result {str(o['result'])[:40]!r} is not one of {', '.join(RESULTS)}")
    for name in ("fallen", "jumped", "landed"):
        if not isinstance(o[name], bool):
            raise RecordingError(f"{where}: outcome.{name} must be true or false")
    for name in ("distance_m", "score_m", "time_s", "frames"):
        value = o[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not _finite(value):
            raise RecordingError(f"{where}: outcome.{name} must be a finite number")
    return Outcome(o["result"], o["fallen"], o["jumped"], o["landed"], float(o["distance_m"]),
                   float(o["score_m"]), float(o["time_s"]), int(o["frames"]))


@dataclass
class ReplayResult:
    """What a replay ended with, and whether it is bitwise the recorded game."""

    frames: int
    digest: str
    expected: str

    @property
    def matches(self) -> bool:
        return self.digest == self.expected


def replay_game(recording: Recording, game: QWOPGame | None = None, on_frame=None) -> ReplayResult:
    """Replay ``recording`` into ``game`` (a new one by default) from a reset.

    ``on_frame(game)`` is called after the reset and after every frame (for drawing or video).
    """
    game = game if game is not None else QWOPGame()
    game.reset()
    if on_frame is not None:
        on_frame(game)
    for mask in recording.keys:
        game.step(mask)
        if on_frame is not None:
            on_frame(game)
    return ReplayResult(len(recording.keys), state_digest(game), recording.final_state_sha256)
