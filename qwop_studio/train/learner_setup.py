"""The one place a config's collection and learner settings are applied to a freshly built SB3 model.

The trainer and the throughput benchmark build their models the same way, so that what the benchmark
measures is what a training runs: the workers' collection (``collection: sync | async``, decoupled PPO
for async's lag, ``learner_threads`` for the update), then the lean forward pass and the lean update
(with ``grad_clip: per_net``, its clip per net).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qwop_studio.train.config import TrainConfig


def prepare_learner(model: Any, config: TrainConfig) -> Any:
    """The model to call ``learn`` on: for a config that collects in rollout workers, the same PPO turned
    into :class:`~qwop_studio.train.async_ppo.AsyncPPO`; then (PPO/A2C) rollouts sampled in numpy and
    (PPO) SB3's update with less Python, both bit for bit SB3's maths."""
    from qwop_studio.train.lean_update import install_lean_update
    from qwop_studio.train.sampling_policy import install_lean_forward

    if config.collects_in_workers:
        from qwop_studio.train.async_ppo import as_async

        model = as_async(model, overlap=config.collection_overlaps_learning,
                         decoupled=config.decouples_lagged_rollouts, update_threads=config.learner_threads,
                         latest_weights=config.switches_to_latest_weights)
    install_lean_forward(model.policy)
    install_lean_update(model)
    if config.grad_clip == "per_net":  # the config check admits it for PPO only: a LeanPPO by now
        model.grad_clip_per_net = True
    return model
