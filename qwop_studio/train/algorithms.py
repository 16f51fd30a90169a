"""The algorithm registry: name -> SB3 / sb3-contrib class, policy kind, and how to read hyperparameters.

Hyperparameters are named exactly as the SB3 constructors name them, so a block of an RL Zoo
``hyperparams/*.yml`` file can be pasted into a config's ``hyperparams``. As in the Zoo, a schedule
is a short string: ``lin_3e-4`` decays linearly from 3e-4 to 0 over training; a plain number is a
constant. Ours adds a step schedule, a list of ``[env_step, value]`` points joined by straight lines
(``[[0, 3.0e-4], [11000000, 3.0e-4], [17000000, 3.0e-5]]``): a late decay that does not depend on
``total_timesteps`` or on when a time budget stops the run. ``policy_kwargs`` is a YAML mapping
(not the Zoo's ``"dict(...)"`` string) and ``activation_fn`` a name such as ``ReLU`` or ``nn.Tanh``.

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

#: PPO hyperparameters only SB3's own update implements: with any of them set (not None / false) PPO
#: trains with SB3's ``train`` instead of the lean update (``lean_update.lean_supported``), and so without
#: the lean update's options (``grad_clip: per_net``, checked in ``config.py``).
SB3_UPDATE_ONLY_ARGS: tuple[str, ...] = ("target_kl", "clip_range_vf", "use_sde")


def is_unset(value: Any) -> bool:
    """None or false: how SB3 leaves the :data:`SB3_UPDATE_ONLY_ARGS` off (identity, so 0 counts as set)."""
    return value is None or value is False


#: hyperparameters that accept a schedule ("lin_<start>" or [[step, value], ...]) as well as a number.
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


@dataclass(frozen=True)
class StepSchedule:
    """A value that follows straight lines between ``(env_step, value)`` points, constant outside them.

    Why steps and not SB3's progress fraction: a run stopped by ``max_minutes`` never reaches
    ``total_timesteps``, so "decay over the last 30 %" would mean a different step on every machine.
    SB3 calls a schedule with ``progress_remaining`` (1 -> 0 over ``total_timesteps``); the step is
    recovered from it. Picklable, so it travels inside the saved model and survives a resume.
    """

    points: tuple[tuple[float, float], ...]
    total_timesteps: int

    def __call__(self, progress_remaining: float) -> float:
        step = (1.0 - progress_remaining) * self.total_timesteps
        if step <= self.points[0][0]:
            return self.points[0][1]
        for (s0, v0), (s1, v1) in zip(self.points, self.points[1:], strict=False):
            if step <= s1:
                return v0 + (v1 - v0) * (step - s0) / (s1 - s0) if s1 > s0 else v1
        return self.points[-1][1]


def step_schedule_points(value: Any) -> tuple[tuple[float, float], ...]:
    """Validate ``[[step, value], ...]``; ValueError saying what is wrong with it."""
    import math

    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError("a step schedule is a non-empty list of [env_step, value] pairs")
    points = []
    for i, pair in enumerate(value):
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in pair)):
            raise ValueError(f"point {i} is not an [env_step, value] pair of numbers")
        step, number = float(pair[0]), float(pair[1])
        if not (math.isfinite(step) and math.isfinite(number)) or step < 0:
            raise ValueError(f"point {i} needs a finite env_step >= 0 and a finite value")
        if number <= 0:
            raise ValueError(f"point {i}: the value must be above 0")
        if points and step < points[-1][0]:
            raise ValueError(f"point {i}: env steps must not decrease")
        points.append((step, number))
    return tuple(points)


def parse_schedule(value: Any, total_timesteps: int = 1) -> Any:
    """``"lin_3e-4"`` -> a linear schedule from 3e-4 to 0; ``[[step, value], ...]`` -> a
    :class:`StepSchedule` (needs the run's ``total_timesteps``); a number -> itself.

    Raises ValueError for any other string or a malformed list.
    """
    if isinstance(value, (list, tuple)):
        return StepSchedule(step_schedule_points(value), int(total_timesteps))
    if isinstance(value, str):
        head, _, number = value.partition("_")
        if head != "lin" or not number:
            raise ValueError(f"schedule {value!r} is not 'lin_<number>' (e.g. 'lin_3e-4') or [[env_step, value], ...]")
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


def build_kwargs(name: str, hyperparams: dict[str, Any], total_timesteps: int = 1) -> dict[str, Any]:
    """Constructor keyword arguments from a validated ``hyperparams`` mapping (schedules parsed;
    a step schedule needs the run's ``total_timesteps`` to turn SB3's progress into steps)."""
    kwargs = {**get_spec(name).defaults, **hyperparams}
    for key in SCHEDULE_ARGS & kwargs.keys():
        kwargs[key] = parse_schedule(kwargs[key], total_timesteps)
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
