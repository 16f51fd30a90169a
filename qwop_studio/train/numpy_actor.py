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
* the arithmetic's layout: the two nets and their heads run as one chain of wider layers
  (:func:`fused_layers`: half the numpy calls of running them one after the other).
* the random draws: the Gumbel-max draw from a numpy generator instead of ``torch.multinomial``. The
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

#: One fused layer: ``x @ weight_t + bias``, then the activation (None: none).
_Layer = tuple[np.ndarray, np.ndarray, "_Op | None"]
#: A net as stages: a Linear (None: the identity) and the activations after it.
_Stage = tuple["nn.Linear | None", list[nn.Module]]


class NumpyActor:
    """``actions, values, log_probs = NumpyActor(policy)(obs)`` on numpy arrays, for sampling only.

    Reads the policy's parameters (copied into its fused layers whenever they change: new tensors written
    in whole, as ``vector_to_parameters`` and a deep copy do, or an in-place update such as the optimiser's
    step, which bumps torch's version counters): new weights are used at once. ``values`` has shape (n, 1)
    as SB3's; ``actions`` are int64.
    """

    def __init__(self, policy: Any, seed: int | None = None) -> None:
        if not self.supported(policy):
            raise ValueError("NumpyActor: this policy is not an MLP of numpy-able layers with discrete actions")
        lean = LeanActor(policy)
        self._pi_modules, self._vf_modules = list(lean.policy_layers), list(lean.value_layers)
        self._heads = (lean.action_net, lean.value_net)
        self._n_actions = lean.n_actions
        self._n_features = int(policy.features_dim)
        self._parameters = [p for m in self._linears() for p in (m.weight, m.bias) if p is not None]
        self._fingerprint: tuple[int, int, int] = (-1, -1, -1)
        self._layers: list[_Layer] = []
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
        x = np.asarray(obs, dtype=np.float32).reshape(len(obs), -1)
        for weight_t, bias, activation in self._layers:
            x = x @ weight_t
            x += bias
            if activation is not None:
                x = activation(x)
        logits, values = x[:, :self._n_actions], x[:, self._n_actions:]
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_normaliser = np.log(np.exp(shifted).sum(axis=-1))
        # the Gumbel-max draw: argmax(logits + Gumbel noise) is distributed as softmax(logits), in two calls
        actions = (shifted + self.rng.gumbel(size=shifted.shape)).argmax(axis=-1)
        log_probs = shifted[np.arange(len(actions)), actions] - log_normaliser
        return actions, values, log_probs

    def _linears(self) -> list[nn.Linear]:
        return [m for m in (*self._pi_modules, *self._vf_modules) if type(m) is nn.Linear] + list(self._heads)

    def _check_weights(self) -> None:
        """Rebuild the fused layers when a parameter changed: new storage (the first or the last
        parameter, both replaced when weights are written in whole) or an in-place write (the version
        counters only grow, so their sum changes with any of them; the lean update's fused Adam bumps
        them through a step hook, ``lean_update._bump_versions``)."""
        parameters = self._parameters
        fingerprint = (parameters[0].data_ptr(), parameters[-1].data_ptr(), sum(p._version for p in parameters))
        if fingerprint != self._fingerprint:
            self._layers = fused_layers(self._pi_modules, self._vf_modules, *self._heads, self._n_features)
            self._fingerprint = fingerprint


def fused_layers(pi: list[nn.Module], vf: list[nn.Module], action_net: nn.Linear, value_net: nn.Linear,
                 n_features: int) -> list[_Layer]:
    """The policy's two nets and their heads as one chain of layers over ``[latent_pi | latent_vf]``.

    Why: at 4-8 rows a call, each numpy operation costs its ~1-5 us of dispatch whatever its size, and the
    two nets ran every layer twice. Here the first layer concatenates both nets' weights (both read the
    features), every later one is block-diagonal, and the last holds both heads: the output's first
    columns are the logits, its last the value. A net shallower than the other passes its latent on
    through identity layers; activations that differ between the nets run on their own columns.
    """
    pi_stages, vf_stages = _stages(pi), _stages(vf)
    depth = max(len(pi_stages), len(vf_stages))
    pi_stages += [(None, [])] * (depth - len(pi_stages))
    vf_stages += [(None, [])] * (depth - len(vf_stages))
    pi_stages.append((action_net, []))
    vf_stages.append((value_net, []))
    layers: list[_Layer] = []
    pi_width = vf_width = n_features
    for (pi_linear, pi_acts), (vf_linear, vf_acts) in zip(pi_stages, vf_stages, strict=True):
        w_pi, b_pi = _transposed(pi_linear, pi_width)
        w_vf, b_vf = _transposed(vf_linear, vf_width)
        if not layers:  # both read the features
            weight = np.concatenate([w_pi, w_vf], axis=1)
        else:
            weight = np.zeros((pi_width + vf_width, w_pi.shape[1] + w_vf.shape[1]), np.float32)
            weight[:pi_width, :w_pi.shape[1]] = w_pi
            weight[pi_width:, w_pi.shape[1]:] = w_vf
        pi_width, vf_width = w_pi.shape[1], w_vf.shape[1]
        layers.append((weight, np.concatenate([b_pi, b_vf]), _activation(pi_acts, vf_acts, pi_width)))
    return layers


def _stages(modules: list[nn.Module]) -> list[_Stage]:
    stages: list[_Stage] = []
    for module in modules:
        if type(module) is nn.Linear:
            stages.append((module, []))
        elif stages:
            stages[-1][1].append(module)
        else:  # an activation on the features themselves
            stages.append((None, [module]))
    return stages


def _transposed(linear: nn.Linear | None, width: int) -> tuple[np.ndarray, np.ndarray]:
    """A Linear's weight transposed (a copy) and bias as float32 numpy; the identity for None."""
    if linear is None:
        return np.eye(width, dtype=np.float32), np.zeros(width, np.float32)
    weight_t = linear.weight.detach().numpy().T.astype(np.float32)
    bias = (np.zeros(weight_t.shape[1], np.float32) if linear.bias is None
            else linear.bias.detach().numpy().astype(np.float32))
    return weight_t, bias


def _activation(pi_acts: list[nn.Module], vf_acts: list[nn.Module], pi_width: int) -> _Op | None:
    """One op over the whole layer when both nets apply the same activations, else one per net's columns."""
    if not pi_acts and not vf_acts:
        return None
    if [repr(m) for m in pi_acts] == [repr(m) for m in vf_acts] and all(
            type(a) is type(b) for a, b in zip(pi_acts, vf_acts, strict=True)):
        return _chain(pi_acts)
    pi_op, vf_op = _chain(pi_acts), _chain(vf_acts)

    def per_net(x: np.ndarray) -> np.ndarray:
        x[:, :pi_width] = pi_op(x[:, :pi_width])
        x[:, pi_width:] = vf_op(x[:, pi_width:])
        return x

    return per_net


def _chain(modules: list[nn.Module]) -> _Op:
    ops = [NUMPY_ACTIVATIONS[type(m)](m) for m in modules]
    if len(ops) == 1:
        return ops[0]

    def chained(x: np.ndarray) -> np.ndarray:
        for op in ops:
            x = op(x)
        return x

    return chained


__all__ = ["NumpyActor", "NUMPY_ACTIVATIONS", "fused_layers"]
