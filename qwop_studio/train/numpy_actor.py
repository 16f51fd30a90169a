"""The rollout's per-step policy forward pass in numpy: SB3's MLP policy over discrete actions, sampled.

Why: collecting a rollout runs the policy once per env step on a handful of observations (4 or 8 rows
of 60 values). At that size torch's cost is its per-operation dispatch, not arithmetic, and it is paid
with caches the physics step has just evicted: in a rollout worker of the default config (4 envs, 64x64
tanh MLP) torch's forward pass, even as lean as :class:`~qwop_studio.train.lean_policy.LeanActor` makes
it, cost ~170 us of CPU per env step against ~220 us for the env step itself; the same network in numpy
costs a few us (2-core AMD EPYC VM, ``nice``-d profile beside a training; issue 20). The learner keeps
torch for everything with gradients.

The same network and the same categorical distribution; what differs from SB3's forward pass:

* float32 rounding: numpy's matrix products and ``tanh`` round differently from torch's in the last bits
  (values and log-probabilities agree to ~1e-6; tested). PPO's ratio compares the learner's own torch
  recomputation with these stored log-probabilities, so its first epoch sees ratios of 1 +- ~1e-6.
* the random draws: inverse-CDF sampling from a numpy generator instead of ``torch.multinomial``. The
  generator is seeded from torch's global generator when the actor is built, so a run with a given seed
  draws the same actions every time (and async collection's first worker, handed the learner's torch
  state, the same actions as lock-step).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch as th
from torch import nn

from qwop_studio.train.lean_policy import LeanActor


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


_Op = Callable[[np.ndarray], np.ndarray]

#: Activation modules the numpy pass can run, and how (parameters read off the module).
NUMPY_ACTIVATIONS: dict[type, Callable[[nn.Module], _Op]] = {
    nn.Tanh: lambda m: np.tanh,
    nn.ReLU: lambda m: lambda x: np.maximum(x, 0.0, dtype=x.dtype),
    nn.Sigmoid: lambda m: _sigmoid,
    nn.SiLU: lambda m: lambda x: x * _sigmoid(x),
    nn.LeakyReLU: lambda m: lambda x: np.where(x >= 0, x, x * np.float32(m.negative_slope)),
    nn.ELU: lambda m: lambda x: np.where(x > 0, x, np.float32(m.alpha) * np.expm1(np.minimum(x, 0))),
}


class NumpyActor:
    """``actions, values, log_probs = NumpyActor(policy)(obs)`` on numpy arrays, for sampling only.

    Reads the policy's parameters in place (numpy views of its tensors, rebuilt when the tensors are
    replaced, as ``vector_to_parameters`` and a deep copy do): new weights are used at once. ``values``
    has shape (n, 1) as SB3's; ``actions`` are int64.
    """

    def __init__(self, policy: Any, seed: int | None = None) -> None:
        if not self.supported(policy):
            raise ValueError("NumpyActor: this policy is not an MLP of numpy-able layers with discrete actions")
        lean = LeanActor(policy)
        self._modules = (list(lean.policy_layers), list(lean.value_layers), lean.action_net, lean.value_net)
        linears = self._linears()
        # the first and the last parameter: both are replaced when new weights are written in whole
        self._watched = (linears[0].weight, linears[-1].bias)
        self._pointers = (-1, -1)
        self._pi: list[_Op] = []
        self._vf: list[_Op] = []
        self._action: _Op = _identity
        self._value: _Op = _identity
        if seed is None:  # from torch's global generator: a seeded run stays reproducible
            seed = int(th.randint(0, 2**62, (1,)).item())
        self.rng = np.random.default_rng(seed)

    @staticmethod
    def supported(policy: Any) -> bool:
        """What :meth:`LeanActor.supported` accepts, with activations this module can run in numpy."""
        if not LeanActor.supported(policy):
            return False
        extractor = policy.mlp_extractor
        return all(type(m) is nn.Linear or type(m) in NUMPY_ACTIVATIONS
                   for m in (*extractor.policy_net, *extractor.value_net))

    def __call__(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._check_weights()
        features = np.asarray(obs, dtype=np.float32).reshape(len(obs), -1)
        latent_pi = latent_vf = features
        for op in self._pi:
            latent_pi = op(latent_pi)
        for op in self._vf:
            latent_vf = op(latent_vf)
        logits = self._action(latent_pi)
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_probs_all = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        cumulative = np.exp(log_probs_all, dtype=np.float64).cumsum(axis=-1)
        draws = self.rng.random((len(features), 1)) * cumulative[:, -1:]
        actions = np.minimum((cumulative <= draws).sum(axis=-1), logits.shape[-1] - 1)
        # plain fancy indexing: np.take_along_axis builds its index arrays in Python (~20 us a call here)
        log_probs = log_probs_all[np.arange(len(actions)), actions]
        return actions, self._value(latent_vf), log_probs

    def _linears(self) -> list[nn.Linear]:
        pi, vf, action_net, value_net = self._modules
        return [m for m in (*pi, *vf) if type(m) is nn.Linear] + [action_net, value_net]

    def _check_weights(self) -> None:
        """Rebuild the numpy ops when the parameters' storage changed (new tensors written in whole)."""
        pointers = (self._watched[0].data_ptr(), self._watched[1].data_ptr())
        if pointers == self._pointers:
            return
        pi, vf, action_net, value_net = self._modules
        self._pi, self._vf = [_op(m) for m in pi], [_op(m) for m in vf]
        self._action, self._value = _op(action_net), _op(value_net)
        self._pointers = pointers


def _identity(x: np.ndarray) -> np.ndarray:
    return x


def _op(module: nn.Module) -> _Op:
    """A module as a numpy function; a Linear's reads numpy views of its (current) weight and bias."""
    if type(module) is not nn.Linear:
        return NUMPY_ACTIVATIONS[type(module)](module)
    weight_t, bias = module.weight.detach().numpy().T, module.bias.detach().numpy()

    def linear(x: np.ndarray) -> np.ndarray:
        return x @ weight_t + bias

    return linear


__all__ = ["NumpyActor", "NUMPY_ACTIVATIONS"]
