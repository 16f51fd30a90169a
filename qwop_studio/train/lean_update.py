"""SB3's PPO update with less Python around the same arithmetic (issue 20: the learner's own overhead).

Why: on this project's default (a 64x64 MLP, 4,096 steps a rollout, 4 epochs of 512-sample minibatches)
a profile of ``PPO.train`` spends about as long outside the arithmetic as in it: a ``Categorical`` object
per minibatch (argument validation, broadcasting, lazy properties), ``nn.Module`` call hooks, numpy fancy
indexing and a fresh tensor copy per field per minibatch, and a parameter generator walked again for every
gradient clip. :class:`LeanPPO` keeps everything else of SB3's learner (its optimiser, schedules, losses,
logging, callbacks and saved format) and replaces only that:

* the rollout is turned into tensors once per update; each epoch draws SB3's permutation
  (``np.random.permutation``, so the random stream is the same) and each minibatch indexes those tensors;
* ``evaluate_actions`` runs as :class:`~qwop_studio.train.lean_policy.LeanActor` runs the forward pass:
  ``F.linear`` per layer, the log-softmax normalisation, ``gather`` for the log-probability and
  ``-(logits * probs).sum`` for the entropy, the same torch operations in the same order as SB3's
  ``Categorical``, so gradients are bit for bit SB3's (tested: parameters after an update are equal).

``grad_clip_per_net`` (the config's ``grad_clip: per_net``) clips the policy's and the value's nets each
to ``max_grad_norm`` instead of the whole gradient together. Why: SB3's nets share no layer, but its one
clip scales both by the joint norm; once returns grow, the value loss's gradient (norm ~400 on the record
runner) sets that norm and shrinks the policy's step by ~1,000x, most of it under Adam's eps: the policy
barely learns (issue 18, ``docs/results/record_s25/gradient_norms.py``). The pre-clip norms are logged
(``train/grad_norm`` or ``train/grad_norm_policy`` and ``train/grad_norm_value``).

Any configuration the lean path does not cover (policies :meth:`LeanActor.supported` rejects, SDE,
``clip_range_vf``, ``target_kl``) runs SB3's ``train`` unchanged.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch as th
import torch.nn.functional as F  # noqa: N812 - torch's own convention
from stable_baselines3 import PPO
from stable_baselines3.common.utils import explained_variance
from torch.autograd.graph import increment_version

from qwop_studio.train.algorithms import SB3_UPDATE_ONLY_ARGS, is_unset
from qwop_studio.train.lean_policy import LeanActor, run_layers

#: The rollout buffer's per-step fields SB3 flattens to (n_steps * n_envs, ...) before its minibatches.
BUFFER_FIELDS = ("observations", "actions", "values", "log_probs", "advantages", "returns")


def lean_supported(model: Any) -> bool:
    """Whether :class:`LeanPPO` can run ``model``'s update on the lean path (else SB3's ``train``)."""
    return LeanActor.supported(model.policy) and all(is_unset(getattr(model, key)) for key in SB3_UPDATE_ONLY_ARGS)


class LeanPPO(PPO):
    """SB3's PPO whose ``train`` is SB3's update with less Python (see the module docstring)."""

    #: Clip the policy's and the value's parameters each on their own (set per run, never saved).
    grad_clip_per_net: bool = False

    def train(self) -> None:
        if not lean_supported(self):
            if self.grad_clip_per_net:
                raise ValueError("grad_clip per_net: this PPO's update is SB3's own (SDE, clip_range_vf, "
                                 "target_kl or a non-MLP policy), which clips the whole gradient only")
            super().train()
            return
        self.policy.set_training_mode(True)
        self._update_learning_rate(self.policy.optimizer)
        clip_range = float(self.clip_range(self._current_progress_remaining))  # type: ignore[operator]
        data = _rollout_tensors(self.rollout_buffer)
        actor = LeanActor(self.policy)
        clip_groups = gradient_clip_groups(self.policy, actor, self.grad_clip_per_net)
        grad_norms: list[list[th.Tensor]] = [[] for _ in clip_groups]
        optimizer = self.policy.optimizer
        _use_fused_adam(optimizer, self.policy_kwargs.get("optimizer_kwargs") or {})
        behaviour_weights = self._decouple(data, actor)
        n = data["observations"].shape[0]
        entropy_losses, pg_losses, value_losses, clip_fractions = [], [], [], []
        approx_kl_divs: list[np.ndarray] = []
        loss = th.zeros(())
        for _ in range(self.n_epochs):
            approx_kl_divs = []
            indices = th.from_numpy(np.random.permutation(n))
            for start in range(0, n, self.batch_size):
                batch = indices[start:start + self.batch_size]
                values, log_prob, entropy = evaluate_actions(actor, data["observations"][batch],
                                                             data["actions"][batch])
                advantages = data["advantages"][batch]
                if self.normalize_advantage and len(advantages) > 1:
                    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
                ratio = th.exp(log_prob - data["log_probs"][batch])
                policy_loss_1 = advantages * ratio
                policy_loss_2 = advantages * th.clamp(ratio, 1 - clip_range, 1 + clip_range)
                surrogate = th.min(policy_loss_1, policy_loss_2)
                if behaviour_weights is not None:
                    surrogate = surrogate * behaviour_weights[batch]
                policy_loss = -surrogate.mean()
                pg_losses.append(policy_loss.item())
                clip_fractions.append(th.mean((th.abs(ratio - 1) > clip_range).float()).item())
                value_loss = F.mse_loss(data["returns"][batch], values)
                value_losses.append(value_loss.item())
                entropy_loss = -th.mean(entropy)
                entropy_losses.append(entropy_loss.item())
                loss = policy_loss + self.ent_coef * entropy_loss + self.vf_coef * value_loss
                with th.no_grad():
                    log_ratio = log_prob - data["log_probs"][batch]
                    approx_kl_divs.append(th.mean((th.exp(log_ratio) - 1) - log_ratio).cpu().numpy())
                optimizer.zero_grad()
                loss.backward()
                for group, norms in zip(clip_groups, grad_norms, strict=True):
                    norms.append(th.nn.utils.clip_grad_norm_(group, self.max_grad_norm))
                optimizer.step()
            self._n_updates += 1
        explained_var = explained_variance(self.rollout_buffer.values.flatten(), self.rollout_buffer.returns.flatten())
        self.logger.record("train/entropy_loss", np.mean(entropy_losses))
        self.logger.record("train/policy_gradient_loss", np.mean(pg_losses))
        self.logger.record("train/value_loss", np.mean(value_losses))
        self.logger.record("train/approx_kl", np.mean(approx_kl_divs))
        self.logger.record("train/clip_fraction", np.mean(clip_fractions))
        self.logger.record("train/loss", loss.item())
        self.logger.record("train/explained_variance", explained_var)
        self.logger.record("train/n_updates", self._n_updates, exclude="tensorboard")
        self.logger.record("train/clip_range", clip_range)
        names = ("grad_norm_policy", "grad_norm_value") if self.grad_clip_per_net else ("grad_norm",)
        for name, norms in zip(names, grad_norms, strict=True):
            self.logger.record(f"train/{name}", float(th.stack(norms).mean()))

    def _excluded_save_params(self) -> list[str]:
        # a run's setting, applied from its config on every start: a saved model stays SB3's format
        return [*super()._excluded_save_params(), "grad_clip_per_net"]

    def _decouple(self, data: dict[str, th.Tensor], actor: LeanActor) -> th.Tensor | None:
        """Plain PPO: None. A subclass whose rollouts come from an older policy may replace
        ``data["log_probs"]`` with the proximal policy's (the ratio and its clip are then taken around it)
        and return per-sample weights for the surrogate (``async_ppo.AsyncPPO``: decoupled PPO)."""
        return None


def gradient_clip_groups(policy: Any, actor: LeanActor, per_net: bool) -> list[list[th.nn.Parameter]]:
    """The parameter groups ``max_grad_norm`` clips one by one: all of them (SB3), or per net the policy's
    (its MLP and action head) and the value's (its MLP and value head). Raises if a parameter belongs to
    neither (a shared layer would be clipped twice or not at all)."""
    parameters = list(policy.parameters())
    if not per_net:
        return [parameters]
    groups = [[p for module in (*actor.policy_layers, actor.action_net) for p in module.parameters()],
              [p for module in (*actor.value_layers, actor.value_net) for p in module.parameters()]]
    grouped = {id(p) for group in groups for p in group}
    if len(grouped) != len(parameters) or any(id(p) not in grouped for p in parameters):
        raise ValueError("grad_clip per_net: the policy has parameters outside its policy and value nets")
    return groups


def _rollout_tensors(buffer: Any) -> dict[str, th.Tensor]:
    """The full rollout as flat tensors, flattened exactly as SB3's ``RolloutBuffer.get`` does."""
    if not buffer.full:
        raise ValueError("LeanPPO.train: the rollout buffer is not full")
    if not buffer.generator_ready:
        for name in BUFFER_FIELDS:
            buffer.__dict__[name] = buffer.swap_and_flatten(buffer.__dict__[name])
        buffer.generator_ready = True
    out = {name: th.as_tensor(buffer.__dict__[name]) for name in BUFFER_FIELDS}
    out["actions"] = out["actions"].long().flatten()
    for name in ("values", "log_probs", "advantages", "returns"):
        out[name] = out[name].flatten()
    return out


def evaluate_actions(actor: LeanActor, obs: th.Tensor, actions: th.Tensor) -> tuple[th.Tensor, th.Tensor, th.Tensor]:
    """SB3's ``ActorCriticPolicy.evaluate_actions`` for a categorical MLP policy, op for op."""
    features = obs.float().flatten(1)
    latent_pi = run_layers(actor.policy_layers, features)
    latent_vf = run_layers(actor.value_layers, features)
    logits = F.linear(latent_pi, actor.action_net.weight, actor.action_net.bias)
    logits = logits - logits.logsumexp(dim=-1, keepdim=True)  # Categorical(logits=...)
    log_prob = logits.gather(-1, actions.unsqueeze(-1)).squeeze(-1)
    values = F.linear(latent_vf, actor.value_net.weight, actor.value_net.bias).flatten()
    clamped = th.clamp(logits, min=th.finfo(logits.dtype).min)  # Categorical.entropy: clamp, then probs
    entropy = -(clamped * F.softmax(logits, dim=-1)).sum(-1)
    return values, log_prob, entropy


def _use_fused_adam(optimizer: th.optim.Optimizer, chosen: dict) -> None:
    """Let torch's Adam update all parameters in its one ``fused`` kernel instead of a Python loop per tensor.

    Why: torch picks neither ``foreach`` nor ``fused`` by itself for CPU tensors; its default is a
    per-parameter loop of ~10 element-wise ops each. The fused kernel does Adam's arithmetic, the same
    formula, in one call per step: one update of the default config costs ~8 % less CPU than with
    ``foreach`` (the choice until the 29th session) and more than that less than the loop
    (``python -m benchmarks.update_cost``). It rounds differently from the loop in the last bits
    (tests/train/test_lean_update.py bounds the difference). ``chosen`` is the policy's
    ``optimizer_kwargs``: a ``foreach``, ``fused`` or ``differentiable`` set there stands; otherwise
    this replaces what a saved optimiser state brought (a model saved before the 29th session carries
    ``foreach: True``).
    """
    if type(optimizer) is not th.optim.Adam or {"foreach", "fused", "differentiable"} & set(chosen):
        return
    for group in optimizer.param_groups:
        group["foreach"], group["fused"] = None, True
    if not optimizer.__dict__.get("_bumps_versions"):
        optimizer.register_step_post_hook(_bump_versions)
        optimizer.__dict__["_bumps_versions"] = True


def _bump_versions(optimizer: th.optim.Optimizer, _args: Any, _kwargs: Any) -> None:
    """Mark the parameters as changed in place, as every other optimiser step does: the fused kernel writes
    them without bumping torch's version counters, and the numpy sampling pass
    (:class:`~qwop_studio.train.numpy_actor.NumpyActor`) reads those counters to see new weights."""
    increment_version([p for group in optimizer.param_groups for p in group["params"]])


def install_lean_update(model: Any) -> bool:
    """Make a plain SB3 ``PPO`` a :class:`LeanPPO` (same object state; nothing saved changes). Returns
    whether it did: other algorithms, and PPO subclasses that already are one, are left as they are."""
    if type(model) is not PPO:
        return False
    model.__class__ = LeanPPO
    return True


__all__ = ["LeanPPO", "install_lean_update", "lean_supported", "evaluate_actions", "gradient_clip_groups",
           "BUFFER_FIELDS"]
