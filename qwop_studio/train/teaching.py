"""Live teaching, the trainer's side of the wire: :class:`~messages.Demonstrations` packed, checked and routed.

The studio's runner packs a takeover's steps with :func:`pack` (plain bytes and ints: the message
pickles without numpy or torch); the trainer unpacks them with :func:`unpack`, which checks
everything a message from another process could get wrong (sizes, NaN, action range) and raises a
one-line ``ValueError``. :class:`DemonstrationInbox` stands in front of the trainer's command queue
and hands every ``Demonstrations`` to the behaviour-cloning term, so the command callback, which
knows nothing of demonstrations, sees only its own commands.
"""
from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Any

import numpy as np

from qwop_studio.env.observation import OBS_SIZE
from qwop_studio.train import messages as msg

#: Where a run keeps the recordings of its takeovers taught in the studio (``<run>/takeovers/``).
TAKEOVERS_DIR = "takeovers"
#: The wire format of ``Demonstrations.observations``.
OBS_DTYPE = np.dtype("<f4")


def pack(observations: np.ndarray, actions: list[int] | np.ndarray, recording: str = "") -> msg.Demonstrations:
    """A message from (N, obs size) observations and N action indices."""
    acts = tuple(int(a) for a in np.asarray(actions).reshape(-1))
    obs = np.asarray(observations, dtype=OBS_DTYPE)
    obs = np.ascontiguousarray(obs.reshape(len(acts), -1) if acts else obs.reshape(0, OBS_SIZE))
    if obs.shape[0] != len(acts):
        raise ValueError(f"demonstrations: {obs.shape[0]} observations but {len(acts)} actions")
    return msg.Demonstrations(obs.tobytes(), acts, str(recording))


def unpack(command: msg.Demonstrations, n_actions: int, obs_size: int = OBS_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """``(observations (N, obs_size) float32, actions (N,) int64)``; ValueError (one line) if malformed."""
    data = command.observations
    if not isinstance(data, (bytes, bytearray)) or len(data) % (obs_size * OBS_DTYPE.itemsize):
        raise ValueError(f"demonstrations: observations must be bytes of N x {obs_size} float32 values")
    obs = np.frombuffer(bytes(data), dtype=OBS_DTYPE).reshape(-1, obs_size).astype(np.float32)
    if not all(isinstance(a, int) and not isinstance(a, bool) for a in command.actions):
        raise ValueError("demonstrations: actions must be integers")
    actions = np.array(command.actions, dtype=np.int64).reshape(-1)
    if obs.shape[0] != actions.shape[0]:
        raise ValueError(f"demonstrations: {obs.shape[0]} observations but {actions.shape[0]} actions")
    if not np.isfinite(obs).all() or np.abs(obs).max(initial=0.0) > 1.0:
        raise ValueError("demonstrations: observations must be finite and within [-1, 1]")
    if actions.size and (actions.min() < 0 or actions.max() >= n_actions):
        raise ValueError(f"demonstrations: action indices must lie in 0..{n_actions - 1}")
    return obs, actions


class DemonstrationInbox:
    """A command queue that hands :class:`~messages.Demonstrations` to ``deliver`` and passes the rest on.

    It offers the two reads the command callback makes: ``get_nowait()`` and ``get(timeout=...)``.
    A demonstration taken during ``get`` ends that wait as ``queue.Empty`` (the caller polls again).
    """

    def __init__(self, commands: Any, deliver: Callable[[msg.Demonstrations], None]) -> None:
        self.commands = commands
        self.deliver = deliver

    def get_nowait(self) -> Any:
        while True:
            command = self.commands.get_nowait()
            if not isinstance(command, msg.Demonstrations):
                return command
            self.deliver(command)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        command = self.commands.get(block, timeout)
        if isinstance(command, msg.Demonstrations):
            self.deliver(command)
            raise queue.Empty
        return command

    def put(self, item: Any) -> None:
        self.commands.put(item)


__all__ = ["pack", "unpack", "DemonstrationInbox", "OBS_DTYPE", "TAKEOVERS_DIR"]
