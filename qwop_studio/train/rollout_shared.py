"""What the learner and its rollout workers share: the layout of a rollout slot, and how a worker builds its policy.

Plain data, imported by both sides (:mod:`rollout_workers` in the main process, :mod:`rollout_collector`
in each worker), so neither imports the other's process code.
"""
from __future__ import annotations

from dataclasses import dataclass
from multiprocessing import shared_memory
from typing import Any

import gymnasium as gym
import numpy as np


def close_block(block: shared_memory.SharedMemory) -> None:
    """Close ``block``'s mapping in this process; while numpy views of it are still referenced (a rollout's
    arrays held by a frame that Ctrl+C interrupted), leave the mapping to go with the last of them.

    Why: ``SharedMemory.close`` refuses while views exist, and its ``__del__`` tries again and prints
    "Exception ignored ... BufferError" on every interrupted run. The memory is not lost either way: the
    views keep the mapping alive and it is unmapped with the last one (``unlink`` is separate).
    """
    try:
        block.close()
    except BufferError:
        block.close = _leave_to_the_views  # type: ignore[method-assign]


def _leave_to_the_views() -> None:
    """``close`` of a block whose views are still referenced: nothing to do (see :func:`close_block`)."""


@dataclass(frozen=True)
class RolloutLayout:
    """The arrays of one rollout slot, in ``RolloutBuffer``'s shapes and dtypes (``(n_steps, n_envs, ...)``)."""

    n_steps: int
    n_envs: int
    obs_shape: tuple[int, ...]
    action_dim: int

    def specs(self) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        s, n, f32 = self.n_steps, self.n_envs, np.dtype(np.float32)
        return {"observations": ((s, n, *self.obs_shape), f32), "actions": ((s, n, self.action_dim), f32),
                "rewards": ((s, n), f32), "episode_starts": ((s, n), f32), "values": ((s, n), f32),
                "log_probs": ((s, n), f32), "dones": ((s, n), np.dtype(bool)),
                "last_values": ((n,), f32), "last_dones": ((n,), np.dtype(bool))}

    def nbytes(self) -> int:
        return sum(_aligned(int(np.prod(shape)) * dtype.itemsize) for shape, dtype in self.specs().values())

    def views(self, buffer: memoryview) -> dict[str, np.ndarray]:
        """numpy arrays over ``buffer`` (a slot's shared memory), one per field."""
        out, offset = {}, 0
        for name, (shape, dtype) in self.specs().items():
            count = int(np.prod(shape))
            out[name] = np.frombuffer(buffer, dtype=dtype, count=count, offset=offset).reshape(shape)
            offset += _aligned(count * dtype.itemsize)
        return out


def _aligned(nbytes: int) -> int:
    return (nbytes + 63) // 64 * 64


class WeightBoard:
    """The policy's weights in shared memory, as the learner publishes them: a version and two buffers.

    Why two: with ``async_weights: latest`` the learner publishes new weights while the workers collect,
    and a worker that copies the current weights must never see a half-written vector. Version ``v`` is
    written into buffer ``v % 2`` and only then announced, so the next publish never touches the buffer a
    worker may be copying (the one announced). The header also says which version is being written
    (set before the write begins): a worker that finds, after its copy, that a write into the buffer it
    copied has begun (two publishes in the meantime: updates are >= 0.1 s apart, so in theory only)
    copies again. Version -1: nothing published yet.
    """

    HEADER_BYTES = 64

    def __init__(self, buffer: memoryview, n_params: int) -> None:
        header = np.frombuffer(buffer, dtype=np.int64, count=2)
        self.version, self.writing = header[0:1], header[1:2]
        self.buffers = [np.frombuffer(buffer, dtype=np.float32, count=n_params,
                                      offset=self.HEADER_BYTES + i * _aligned(n_params * 4)) for i in (0, 1)]

    @classmethod
    def nbytes(cls, n_params: int) -> int:
        return cls.HEADER_BYTES + 2 * _aligned(max(1, n_params) * 4)

    def clear(self) -> None:
        """Mark the board as holding no weights yet (the creator calls it once)."""
        self.version[0] = self.writing[0] = -1

    def publish(self, weights: np.ndarray, version: int) -> None:
        """Write ``weights`` as ``version`` (>= 0), then announce it."""
        self.writing[0] = version
        self.buffers[version % 2][...] = weights
        self.version[0] = version

    def latest(self) -> int:
        """The version announced last (-1: none)."""
        return int(self.version[0])

    def copy_latest(self) -> tuple[int, np.ndarray]:
        """The version announced last and a private copy of its weights, never torn."""
        while True:
            version = self.latest()
            if version < 0:
                raise RuntimeError("no weights published yet")
            weights = self.buffers[version % 2].copy()
            if int(self.writing[0]) - version < 2:  # no write into the buffer copied has begun
                return version, weights

    def release(self) -> None:
        """Drop the views (so that the shared block can close)."""
        self.version = self.writing = np.full(1, -1, dtype=np.int64)
        self.buffers = []


@dataclass(frozen=True)
class PolicyRecipe:
    """How a worker builds its copy of the policy (plain classes and spaces: it pickles by reference)."""

    policy_class: type
    observation_space: gym.Space
    action_space: gym.Space
    policy_kwargs: dict[str, Any]
    n_params: int
    gamma: float


@dataclass(frozen=True)
class Attachment:
    """What the workers need to collect: the recipe, the shared blocks' names and the torch RNG state.

    ``rng_state``: worker 0 samples actions from the main process's torch RNG state at attach time, so
    one worker reproduces lock-step collection exactly (same samples in the same order); worker ``w > 0``
    seeds its own from ``seed + w``. ``latest_weights`` (config ``async_weights: latest``): a worker takes
    newly published weights between two env steps of a rollout instead of at the next rollout's start.
    """

    recipe: PolicyRecipe
    layout: RolloutLayout
    slot_names: tuple[str, ...]
    weights_name: str
    rng_state: bytes
    seed: int
    latest_weights: bool = False
