"""The policy forward pass that collects rollouts: numpy where the policy allows, torch where it does not.

Two users: lock-step collection calls ``policy(obs)`` (SB3's ``collect_rollouts``), so the trainer makes
the policy a :class:`LeanMlpPolicy`; an async rollout worker calls :func:`rollout_actor`'s function.
Both pick the same pass for the same policy, so the two collection modes store the same rollout for the
same weights and seeds (tests/train/test_async_collection.py). Why numpy: see
:mod:`~qwop_studio.train.numpy_actor`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch as th
from stable_baselines3.common.policies import ActorCriticPolicy
from stable_baselines3.common.utils import obs_as_tensor

from qwop_studio.train.lean_policy import LeanActor
from qwop_studio.train.numpy_actor import NumpyActor

#: numpy observations in; numpy actions, values (n, 1) and log-probabilities out.
Sampler = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


def rollout_actor(policy: Any) -> Sampler:
    """The sampling forward pass for ``policy``: :class:`NumpyActor` when it can run the policy, else
    :class:`LeanActor` (torch, SB3's numbers bit for bit), else the policy's own ``forward``."""
    if NumpyActor.supported(policy):
        return NumpyActor(policy)
    forward = LeanActor(policy) if LeanActor.supported(policy) else policy

    def act(obs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with th.no_grad():
            actions, values, log_probs = forward(obs_as_tensor(obs, policy.device))
        return actions.cpu().numpy(), values.cpu().numpy(), log_probs.cpu().numpy()

    return act


def install_lean_forward(policy: Any) -> bool:
    """Make ``policy(obs)`` (SB3's lock-step rollout collection) sample through :func:`rollout_actor`.

    Only for SB3's own ``ActorCriticPolicy`` that :meth:`LeanActor.supported` accepts; returns whether it
    did. The policy becomes a :class:`LeanMlpPolicy` (same modules, parameters, optimiser and state dict;
    ``deterministic=True`` and every other method stay SB3's), so the saved file (which names the model's
    ``policy_class``) does not change.
    """
    if type(policy) is not ActorCriticPolicy or not LeanActor.supported(policy):
        return False
    policy.__class__ = LeanMlpPolicy
    return True


class LeanMlpPolicy(ActorCriticPolicy):
    """SB3's ``ActorCriticPolicy`` whose sampling forward pass is :func:`rollout_actor`'s."""

    def forward(self, obs: th.Tensor, deterministic: bool = False) -> tuple[th.Tensor, th.Tensor, th.Tensor]:
        if deterministic:
            return super().forward(obs, deterministic)
        sampler = self.__dict__.get("_sampler")
        if sampler is None:  # built on first use; a deep copy of the policy copies it with its modules
            sampler = rollout_actor(self)
            self.__dict__["_sampler"] = sampler
        actions, values, log_probs = sampler(obs.cpu().numpy())
        return th.from_numpy(actions), th.from_numpy(values), th.from_numpy(log_probs)


__all__ = ["LeanMlpPolicy", "Sampler", "install_lean_forward", "rollout_actor"]
