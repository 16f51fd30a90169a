"""What the learner and its rollout workers share: the layout of a rollout slot, and how a worker builds its policy.

Plain data, imported by both sides (:mod:`rollout_workers` in the main process, :mod:`rollout_collector`
in each worker), so neither imports the other's process code.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np


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
    seeds its own from ``seed + w``.
    """

    recipe: PolicyRecipe
    layout: RolloutLayout
    slot_names: tuple[str, ...]
    weights_name: str
    rng_state: bytes
    seed: int
