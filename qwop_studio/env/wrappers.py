"""The design summary's reward-shaping wrappers, as thin switches on the base env's weights.

Every term is computed by the base :class:`~qwop_studio.env.qwop_env.QWOPEnv` from its one
:class:`~qwop_studio.env.reward.RewardWeights`. A wrapper's constructor only sets its weights there.
Why: one ``env_method("set_reward_weights", ...)`` then reaches every term of every worker through
any stack of wrappers, and ``info["reward_terms"]`` always lists all terms, summing to the reward.
A later ``set_reward_weights`` overrides what a wrapper set; wrapping with all weights 0 is a no-op.

``WRAPPERS`` maps the names a training config may use to the classes (see ``vec.make_vec_env``).
"""
from __future__ import annotations

import inspect

import gymnasium as gym

from qwop_studio.env.cadence import CadenceWrapper
from qwop_studio.env.reference_starts import ReferenceStartWrapper
from qwop_studio.env.reward import RewardWeights


def _base_weights(env: gym.Env) -> RewardWeights:
    weights = getattr(env.unwrapped, "reward_weights", None)
    if not isinstance(weights, RewardWeights):
        raise ValueError(f"reward wrapper: the wrapped env {env.unwrapped!r} is not a QWOPEnv (no reward_weights)")
    return weights


class RewardShapingWrapper(gym.Wrapper):
    """Posture, energy and joint-limit penalties (``qwop_studio.env.reward`` has the formulas).

    ``posture_weight``: per step, times how far the torso is below standing height (fraction, 0..1);
    discourages scooting. ``energy_weight``: per key pressed or released since the previous step
    (0..4); discourages jitter. ``joint_weight``: per step, times how deep the driven joints are in
    the last 10 % of their ranges (mean, 0..1); discourages splits. Raises ``ValueError`` naming a
    bad weight.
    """

    def __init__(self, env: gym.Env, posture_weight: float = 0.1, energy_weight: float = 0.01,
                 joint_weight: float = 0.05) -> None:
        super().__init__(env)
        _base_weights(env).update(posture_weight=posture_weight, energy_weight=energy_weight,
                                  joint_weight=joint_weight)


class VelocityIncentiveWrapper(gym.Wrapper):
    """A bonus of ``velocity_weight * max(v, 0) ** exponent`` per step, growing fast with speed.

    ``v`` is the torso's forward velocity over the step in game metres per second of the original's
    clock (1/30 s per frame); backward motion earns nothing (the base speed term already punishes
    it). ``exponent`` is stored as the ``velocity_exponent`` weight and must be in (0, 10].
    """

    def __init__(self, env: gym.Env, velocity_weight: float = 0.1, exponent: float = 2.0) -> None:
        super().__init__(env)
        _base_weights(env).update(velocity_weight=velocity_weight, velocity_exponent=exponent)


#: Wrapper names a config may use, to classes; ``make_vec_env`` rejects any other name.
WRAPPERS: dict[str, type[gym.Wrapper]] = {
    "RewardShapingWrapper": RewardShapingWrapper,
    "VelocityIncentiveWrapper": VelocityIncentiveWrapper,
    "ReferenceStartWrapper": ReferenceStartWrapper,
    "CadenceWrapper": CadenceWrapper,
}


#: Wrappers for training only. An evaluation (in-training, ``evaluate``, a sweep's reports) races from the start
#: line, as the original does, and replays each episode's keys from there to measure its posture; a race begun
#: mid-run (``ReferenceStartWrapper``) has no such keys. ``CadenceWrapper`` is a teaching aid in the reward:
#: the race is judged on time and the evaluation's return stays comparable with runs trained without it.
TRAINING_ONLY_WRAPPERS: frozenset[str] = frozenset({"ReferenceStartWrapper", "CadenceWrapper"})


def evaluation_wrappers(wrappers: list[dict]) -> list[dict]:
    """``wrappers`` without the :data:`TRAINING_ONLY_WRAPPERS`: the stack an evaluation env gets."""
    return [entry for entry in wrappers if entry.get("name") not in TRAINING_ONLY_WRAPPERS]


def apply_wrappers(env: gym.Env, wrappers: list[dict] | None) -> gym.Env:
    """Wrap ``env`` in order with ``[{"name": ..., "kwargs": {...}}, ...]``; ``ValueError`` names a bad entry."""
    for entry in check_wrapper_specs(wrappers):
        env = WRAPPERS[entry["name"]](env, **entry.get("kwargs", {}))
    return env


def check_wrapper_specs(wrappers: list[dict] | None) -> list[dict]:
    """The wrapper list if every entry names a known wrapper with a dict of kwargs; else ``ValueError``."""
    if wrappers is None:
        return []
    if not isinstance(wrappers, (list, tuple)):
        raise ValueError(f"wrappers: expected a list of {{'name': ..., 'kwargs': {{...}}}}, got {type(wrappers).__name__}")
    for i, entry in enumerate(wrappers):
        if not isinstance(entry, dict) or "name" not in entry:
            raise ValueError(f"wrappers[{i}]: expected {{'name': ..., 'kwargs': {{...}}}}, got {entry!r}")
        if entry["name"] not in WRAPPERS:
            raise ValueError(f"wrappers[{i}].name {entry['name']!r}: unknown wrapper; expected one of {', '.join(WRAPPERS)}")
        extra = set(entry) - {"name", "kwargs"}
        if extra:
            raise ValueError(f"wrappers[{i}]: unexpected key(s) {', '.join(sorted(extra))}; only 'name' and 'kwargs'")
        kwargs = entry.get("kwargs", {})
        if not isinstance(kwargs, dict):
            raise ValueError(f"wrappers[{i}].kwargs: expected a dict, got {type(kwargs).__name__}")
        allowed = [p for p in inspect.signature(WRAPPERS[entry["name"]]).parameters if p != "env"]
        for key in kwargs:
            if key not in allowed:
                raise ValueError(f"wrappers[{i}].kwargs.{key}: unknown argument of {entry['name']}; "
                                 f"expected one of {', '.join(allowed)}")
    return list(wrappers)


__all__ = ["CadenceWrapper", "RewardShapingWrapper", "VelocityIncentiveWrapper", "WRAPPERS", "TRAINING_ONLY_WRAPPERS", "apply_wrappers",
           "check_wrapper_specs", "evaluation_wrappers"]
