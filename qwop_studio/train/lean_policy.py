"""SB3's ``ActorCriticPolicy.forward`` for an MLP policy over discrete actions, in torch without its overhead.

Why: PPO's update (:mod:`~qwop_studio.train.lean_update`) evaluates the policy on every minibatch, and
SB3's forward spends about as long in Python (module ``__call__`` hooks, a ``Categorical`` object and
its lazy properties, argument broadcasting) as in the arithmetic for a 64x64 network. :class:`LeanActor`
holds the policy's layers and runs the same torch operations in the same order on the same tensors
(``F.linear`` for each ``nn.Linear``, the activation modules' own ``forward``, the logits normalised by
``logsumexp``, ``softmax``, one ``multinomial`` draw, a ``gather`` for the log-probability), so its
numbers are SB3's bit for bit and it draws the same random numbers (tested). Rollout collection samples
in numpy where it can (:mod:`~qwop_studio.train.sampling_policy`); this torch pass is its fallback for
activations numpy does not run. Any other policy shape (a custom features extractor, continuous
actions, non-sequential nets) is not :meth:`LeanActor.supported` and keeps SB3's forward.
"""
from __future__ import annotations

from typing import Any

import torch as th
import torch.nn.functional as F  # noqa: N812 - torch's own convention
from gymnasium import spaces
from stable_baselines3.common.torch_layers import FlattenExtractor, MlpExtractor
from torch import nn

#: Modules a lean layer list may hold besides ``nn.Linear``: element-wise activations without state.
ACTIVATIONS = (nn.Tanh, nn.ReLU, nn.ELU, nn.LeakyReLU, nn.SiLU, nn.GELU, nn.Sigmoid)


def _layers(net: nn.Module) -> list[nn.Module] | None:
    """The modules of a plain ``nn.Sequential`` of Linear and activation layers, or None."""
    if not isinstance(net, nn.Sequential):
        return None
    modules = list(net)
    if not all(isinstance(m, (nn.Linear, *ACTIVATIONS)) and not m._forward_hooks and not m._forward_pre_hooks
               for m in modules):
        return None
    return modules


class LeanActor:
    """``actions, values, log_probs = LeanActor(policy)(obs)``: ``policy(obs)`` without the overhead.

    Holds the policy's modules (not copies): new weights written into its parameters are used at once.
    Call it under ``torch.no_grad()``, as SB3's collection does.
    """

    def __init__(self, policy: Any) -> None:
        if not self.supported(policy):
            raise ValueError("LeanActor: this policy is not an MLP over a Box observation with discrete actions")
        self.policy_layers = _layers(policy.mlp_extractor.policy_net)
        self.value_layers = _layers(policy.mlp_extractor.value_net)
        self.action_net: nn.Linear = policy.action_net
        self.value_net: nn.Linear = policy.value_net
        self.n_actions = int(policy.action_space.n)

    @staticmethod
    def supported(policy: Any) -> bool:
        """True for SB3's ``MlpPolicy`` on a flat Box observation with a ``Discrete`` action space."""
        extractors = [getattr(policy, "features_extractor", None)]
        if not getattr(policy, "share_features_extractor", True):
            extractors = [getattr(policy, "pi_features_extractor", None), getattr(policy, "vf_features_extractor", None)]
        return (isinstance(getattr(policy, "action_space", None), spaces.Discrete)
                and isinstance(getattr(policy, "observation_space", None), spaces.Box)
                and len(policy.observation_space.shape) == 1
                and all(type(e) is FlattenExtractor for e in extractors)
                and type(getattr(policy, "mlp_extractor", None)) is MlpExtractor
                and _layers(policy.mlp_extractor.policy_net) is not None
                and _layers(policy.mlp_extractor.value_net) is not None
                and type(getattr(policy, "action_net", None)) is nn.Linear
                and type(getattr(policy, "value_net", None)) is nn.Linear)

    def __call__(self, obs: th.Tensor) -> tuple[th.Tensor, th.Tensor, th.Tensor]:
        features = obs.float().flatten(1)  # preprocess_obs (Box) and FlattenExtractor
        latent_pi = run_layers(self.policy_layers, features)
        latent_vf = run_layers(self.value_layers, features)
        values = F.linear(latent_vf, self.value_net.weight, self.value_net.bias)
        logits = F.linear(latent_pi, self.action_net.weight, self.action_net.bias)
        logits = logits - logits.logsumexp(dim=-1, keepdim=True)  # Categorical(logits=...)
        probs = F.softmax(logits, dim=-1)
        actions = th.multinomial(probs.reshape(-1, self.n_actions), 1, True).T.reshape(logits.shape[:-1])
        log_probs = logits.gather(-1, actions.long().unsqueeze(-1)).squeeze(-1)
        return actions.reshape(-1), values, log_probs


def run_layers(layers: list[nn.Module], x: th.Tensor) -> th.Tensor:
    """A plain Sequential of Linear and activation layers, without the module call overhead."""
    for layer in layers:
        x = F.linear(x, layer.weight, layer.bias) if type(layer) is nn.Linear else layer.forward(x)
    return x
