"""Behaviour cloning on an SB3 policy: cross-entropy of the policy's action distribution on demonstrated actions.

Why our own and not the ``imitation`` library: its latest release (1.0.1) requires
``gymnasium~=0.29`` and ``stable-baselines3~=2.2.1``, which would downgrade both (we run gymnasium
1.x and SB3 2.9); the loss itself is a few lines on the policy SB3 already built.

The logits are the policy's own: an actor-critic policy's (PPO, A2C) categorical distribution, or a
Q-network's action values read as logits (DQN; QR-DQN: the mean over quantiles), so the clone's
greedy action is the demonstrated one. One gradient step is ``weight * cross_entropy`` on one
minibatch with the optimizer given, its gradient norm clipped like the algorithm's own updates.

Used by ``imitate`` (a clone from scratch: epochs over the set with a fresh Adam) and by the
behaviour-cloning term during RL (a few minibatches after each update with the policy's optimizer).
"""
from __future__ import annotations

from typing import Any

import numpy as np

#: Adam's learning rate for cloning from scratch (``imitate`` and the pretraining of ``train --demos``).
BC_LEARNING_RATE: float = 1e-3
#: Minibatch size for cloning from scratch.
BC_BATCH_SIZE: int = 64
#: Gradient-norm clip for a BC step when the algorithm sets none of its own.
BC_MAX_GRAD_NORM: float = 10.0


def action_logits(policy: Any, obs: Any) -> Any:
    """(B, n_actions) logits of ``policy`` for a float tensor of observations (B, 60).

    Raises TypeError for a policy whose actions are not one categorical choice.
    """
    from stable_baselines3.common.policies import ActorCriticPolicy

    if isinstance(policy, ActorCriticPolicy):
        distribution = policy.get_distribution(obs).distribution
        logits = getattr(distribution, "logits", None)
        if logits is None:
            raise TypeError(f"{type(policy).__name__}: behaviour cloning needs a discrete action distribution")
        return logits
    if hasattr(policy, "quantile_net"):  # QR-DQN: (B, n_quantiles, n_actions)
        return policy.quantile_net(obs).mean(dim=1)
    if hasattr(policy, "q_net"):  # DQN
        return policy.q_net(obs)
    raise TypeError(f"{type(policy).__name__}: no action distribution or Q-network to clone into")


def sync_targets(policy: Any) -> None:
    """Copy a Q-network into its target after cloning, so RL starts from the clone's values (DQN, QR-DQN)."""
    for online, target in (("q_net", "q_net_target"), ("quantile_net", "quantile_net_target")):
        if hasattr(policy, online) and hasattr(policy, target):
            getattr(policy, target).load_state_dict(getattr(policy, online).state_dict())


def bc_step(policy: Any, optimizer: Any, obs: Any, actions: Any, weight: float = 1.0,
            max_grad_norm: float | None = None) -> float:
    """One gradient step of ``weight * cross_entropy`` on a minibatch; returns the unweighted loss."""
    import torch
    from torch.nn.functional import cross_entropy

    policy.set_training_mode(True)
    loss = cross_entropy(action_logits(policy, obs), actions)
    optimizer.zero_grad()
    (weight * loss).backward()
    torch.nn.utils.clip_grad_norm_(policy.parameters(), max_grad_norm or BC_MAX_GRAD_NORM)
    optimizer.step()
    return float(loss.detach())


def as_tensors(policy: Any, observations: np.ndarray, actions: np.ndarray) -> tuple[Any, Any]:
    """The set as tensors on the policy's device (float32 observations, int64 actions)."""
    import torch

    return (torch.as_tensor(observations, dtype=torch.float32, device=policy.device),
            torch.as_tensor(actions, dtype=torch.int64, device=policy.device))


def clone_epochs(policy: Any, observations: np.ndarray, actions: np.ndarray, epochs: int, seed: int = 0,
                 batch_size: int = BC_BATCH_SIZE, learning_rate: float = BC_LEARNING_RATE,
                 on_epoch: Any = None) -> list[float]:
    """Train ``policy`` for ``epochs`` passes over the set (shuffled minibatches, a fresh Adam).

    Returns the mean loss of each epoch. ``on_epoch(epoch, loss)`` is called after each (for progress).
    Deterministic for a given ``seed`` and set.
    """
    import torch

    if len(actions) == 0 or epochs <= 0:
        return []
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    obs_t, act_t = as_tensors(policy, observations, actions)
    optimizer = torch.optim.Adam(policy.parameters(), lr=learning_rate)
    losses: list[float] = []
    n = len(actions)
    for epoch in range(epochs):
        order = torch.as_tensor(rng.permutation(n), device=policy.device)
        total = 0.0
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            total += bc_step(policy, optimizer, obs_t[batch], act_t[batch]) * len(batch)
        losses.append(total / n)
        if on_epoch is not None:
            on_epoch(epoch + 1, losses[-1])
    policy.set_training_mode(False)
    sync_targets(policy)
    return losses


def accuracy(policy: Any, observations: np.ndarray, actions: np.ndarray) -> float:
    """Fraction of the set where the policy's greedy action is the demonstrated one."""
    import torch

    if len(actions) == 0:
        return 0.0
    obs_t, act_t = as_tensors(policy, observations, actions)
    with torch.no_grad():
        greedy = action_logits(policy, obs_t).argmax(dim=1)
    return float((greedy == act_t).float().mean())


__all__ = ["BC_LEARNING_RATE", "BC_BATCH_SIZE", "action_logits", "bc_step", "clone_epochs", "accuracy",
           "sync_targets", "as_tensors"]
