"""The algorithm registry: name -> SB3 / sb3-contrib class, policy kind, and how to read hyperparameters.

Hyperparameters are named exactly as the SB3 constructors name them, so a block of an RL Zoo
``hyperparams/*.yml`` file can be pasted into a config's ``hyperparams``. As in the Zoo, a schedule
is a short string: ``lin_3e-4`` decays linearly from 3e-4 to 0 over training; a plain number is a
constant. ``policy_kwargs`` is a YAML mapping (not the Zoo's ``"dict(...)"`` string) and
``activation_fn`` a name such as ``ReLU`` or ``nn.Tanh``.

Importing this module imports Stable-Baselines3 (and so torch) only when a class is asked for.
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AlgorithmSpec:
    """One registry entry. ``defaults`` are our defaults on top of SB3's (documented in the guide)."""

    name: str
    module: str
    class_name: str
    off_policy: bool
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def cls(self) -> type:
        return getattr(importlib.import_module(self.module), self.class_name)


ALGORITHMS: dict[str, AlgorithmSpec] = {
    "QRDQN": AlgorithmSpec("QRDQN", "sb3_contrib", "QRDQN", off_policy=True),
    "DQN": AlgorithmSpec("DQN", "stable_baselines3", "DQN", off_policy=True),
    "PPO": AlgorithmSpec("PPO", "stable_baselines3", "PPO", off_policy=False),
    "A2C": AlgorithmSpec("A2C", "stable_baselines3", "A2C", off_policy=False),
}

#: constructor arguments that the trainer sets itself and a config may not.
RESERVED_ARGS = frozenset(
    {"self", "policy", "env", "tensorboard_log", "verbose", "seed", "device", "_init_setup_model"}
)

#: hyperparameters that accept a schedule string ("lin_<start>") as well as a number.
SCHEDULE_ARGS = frozenset({"learning_rate", "clip_range", "clip_range_vf"})

#: (kind, low, high, low_inclusive) for the hyperparameters we check; kind is "int", "float" or "bool".
#: Anything else the constructor accepts is passed through as written.
HYPERPARAM_RULES: dict[str, tuple[str, float | None, float | None, bool]] = {
    "learning_rate": ("float", 0.0, None, False),
    "buffer_size": ("int", 1, None, True),
    "learning_starts": ("int", 0, None, True),
    "batch_size": ("int", 1, None, True),
    "tau": ("float", 0.0, 1.0, False),
    "gamma": ("float", 0.0, 1.0, False),
    "gradient_steps": ("int", -1, None, True),
    "target_update_interval": ("int", 1, None, True),
    "exploration_fraction": ("float", 0.0, 1.0, True),
    "exploration_initial_eps": ("float", 0.0, 1.0, True),
    "exploration_final_eps": ("float", 0.0, 1.0, True),
    "max_grad_norm": ("float", 0.0, None, False),
    "n_steps": ("int", 1, None, True),
    "n_epochs": ("int", 1, None, True),
    "gae_lambda": ("float", 0.0, 1.0, True),
    "clip_range": ("float", 0.0, None, False),
    "ent_coef": ("float", 0.0, None, True),
    "vf_coef": ("float", 0.0, None, True),
    "target_kl": ("float", 0.0, None, False),
    "rms_prop_eps": ("float", 0.0, None, False),
    "stats_window_size": ("int", 1, None, True),
    "optimize_memory_usage": ("bool", None, None, True),
    "normalize_advantage": ("bool", None, None, True),
    "use_rms_prop": ("bool", None, None, True),
    "use_sde": ("bool", None, None, True),
}

#: policy_kwargs keys we accept (a typo here would otherwise fail deep inside SB3).
POLICY_KWARGS = frozenset(
    {"net_arch", "activation_fn", "n_quantiles", "ortho_init", "log_std_init", "optimizer_kwargs",
     "share_features_extractor", "normalize_images", "squash_output", "full_std"}
)


def get_spec(name: str) -> AlgorithmSpec:
    """The registry entry for ``name`` (case-insensitive); KeyError with the known names otherwise."""
    spec = ALGORITHMS.get(str(name).upper())
    if spec is None:
        raise KeyError(f"unknown algorithm {name!r} (known: {', '.join(ALGORITHMS)})")
    return spec


def constructor_args(name: str) -> set[str]:
    """Hyperparameter names the algorithm's constructor accepts (without the reserved ones)."""
    params = inspect.signature(get_spec(name).cls.__init__).parameters
    return {p for p in params if p not in RESERVED_ARGS}


def parse_schedule(value: Any) -> Any:
    """``"lin_3e-4"`` -> a linear schedule from 3e-4 to 0; a number -> itself.

    Raises ValueError for any other string.
    """
    if isinstance(value, str):
        head, _, number = value.partition("_")
        if head != "lin" or not number:
            raise ValueError(f"schedule {value!r} is not 'lin_<number>' (e.g. 'lin_3e-4')")
        start = float(number)
        if not start > 0:
            raise ValueError(f"schedule {value!r} must start above 0")
        from stable_baselines3.common.utils import LinearSchedule

        return LinearSchedule(start=start, end=0.0, end_fraction=1.0)
    return value


def parse_activation(name: str) -> type:
    """``"ReLU"`` or ``"nn.ReLU"`` -> ``torch.nn.ReLU``; ValueError if torch.nn has no such module."""
    import torch.nn as nn

    cls = getattr(nn, name.removeprefix("nn.").removeprefix("torch.nn."), None)
    if not (inspect.isclass(cls) and issubclass(cls, nn.Module)):
        raise ValueError(f"activation_fn {name!r} is not a torch.nn module (e.g. 'ReLU', 'Tanh')")
    return cls


def build_kwargs(name: str, hyperparams: dict[str, Any]) -> dict[str, Any]:
    """Constructor keyword arguments from a validated ``hyperparams`` mapping (schedules parsed)."""
    kwargs = {**get_spec(name).defaults, **hyperparams}
    for key in SCHEDULE_ARGS & kwargs.keys():
        kwargs[key] = parse_schedule(kwargs[key])
    if isinstance(kwargs.get("train_freq"), list):
        kwargs["train_freq"] = tuple(kwargs["train_freq"])
    policy_kwargs = dict(kwargs.get("policy_kwargs") or {})
    if isinstance(policy_kwargs.get("activation_fn"), str):
        policy_kwargs["activation_fn"] = parse_activation(policy_kwargs["activation_fn"])
    if policy_kwargs:
        kwargs["policy_kwargs"] = policy_kwargs
    else:
        kwargs.pop("policy_kwargs", None)
    return kwargs
