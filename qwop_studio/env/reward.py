"""The reward model: one set of weights that can change while training runs, and its terms.

Base terms are qwop-gym's (spec §5.5); shaping terms are the design summary's wrappers'. With
``ds_m`` the torso's forward movement during the step (game metres), ``dt`` the time the step took
in qwop-gym's unit (the original's clock / 10, i.e. 1/300 per frame), and ``v`` the forward
velocity in game metres per second of the original's clock (``ds_m / (frames / 30)``):

============  ================================================================  ==================
term          value per env step                                                default weight
============  ================================================================  ==================
speed         ``speed_weight * ds_m / dt``  (= 0.3 * dx_units / frames)         0.01
time          ``-time_cost * dt / frames_per_step``  (= -1/30 for a full step)  10.0
success       ``+success_reward`` if the episode ends with torso distance > 100  50.0
failure       ``-failure_cost`` if it ends otherwise                            10.0
posture       ``-posture_weight * deficit``: how far the torso is below         0.0
              standing height, as a fraction of it, in [0, 1]
energy        ``-energy_weight * changed_keys``: keys pressed or released        0.0
              since the previous step, 0..4
joint         ``-joint_weight * proximity``: mean over the 6 driven joints of    0.0
              how deep each is in the last 10 % of its range, in [0, 1]
velocity      ``+velocity_weight * max(v, 0) ** velocity_exponent``              0.0 (exp. 2.0)
============  ================================================================  ==================

The reward is the sum of the terms, in this order. One difference from qwop-gym: its first step
after a reset measures ds and dt from (0, 0) instead of from the reset state, which adds the spawn
distance (0.25 m) to the first reward; here every step measures from the previous observation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np

from qwop_studio.sim import spec

#: qwop-gym's time unit per frame: its ``time`` is the original's ``scoreTime`` / 10.
GYM_TIME_PER_CLOCK_S: float = 0.1
#: Height of the torso centre above the track top at the spawn pose (units): "standing".
STANDING_TORSO_HEIGHT: float = spec.TRACK_TOP_Y - spec.PART_BY_NAME["torso"].y
#: A joint is "near its limit" within this fraction of its range from either limit.
JOINT_LIMIT_MARGIN_FRACTION: float = 0.1
#: The joints the joint-limit term watches: the ones the keys drive (spec §3.2). The neck, elbows and
#: ankles are passive (the head torque holds the neck at its limit whatever the policy does).
JOINT_PENALTY_JOINTS: tuple[str, ...] = spec.ARM_CHAIN_JOINTS + spec.LEG_CHAIN_JOINTS
JOINT_PENALTY_INDEX: np.ndarray = np.array([spec.JOINT_NAMES.index(n) for n in JOINT_PENALTY_JOINTS])
#: Largest allowed ``velocity_exponent``: beyond it plausible speeds overflow a float.
MAX_VELOCITY_EXPONENT: float = 10.0
#: Largest magnitude of any weight. The defaults are 0.01-50 and the studio's sliders stay within
#: hundreds; a weight of 1e308 is finite but makes every reward overflow into nonsense.
MAX_WEIGHT_MAGNITUDE: float = 1e6
#: Term names, in the order they are summed and listed in ``info["reward_terms"]``.
TERM_NAMES: tuple[str, ...] = ("speed", "time", "success", "failure", "posture", "energy", "joint", "velocity")


@dataclass
class RewardWeights:
    """Every reward weight, base and shaping; the defaults are qwop-gym's model with no shaping.

    Validated on creation and on every assignment: each value must be a finite real number (not a
    bool), and ``velocity_exponent`` must be in (0, 10]. Errors are one-line ``ValueError``s that
    name the field. Weights are magnitudes with the sign fixed by the term (see the module table);
    a negative weight flips its term and is allowed.
    """

    speed_weight: float = 0.01
    time_cost: float = 10.0
    success_reward: float = 50.0
    failure_cost: float = 10.0
    posture_weight: float = 0.0
    energy_weight: float = 0.0
    joint_weight: float = 0.0
    velocity_weight: float = 0.0
    velocity_exponent: float = 2.0

    def __setattr__(self, name: str, value) -> None:
        super().__setattr__(name, self.checked(name, value))

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The weight names, in declaration order."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def bounds(cls, name: str) -> tuple[float, float]:
        """The closed range a weight may take (``velocity_exponent``: its low end itself is excluded).

        Every weight: +-``MAX_WEIGHT_MAGNITUDE``; ``velocity_exponent``: (0, ``MAX_VELOCITY_EXPONENT``].
        The env, the configs and the studio's sliders all read them here.
        """
        if name == "velocity_exponent":
            return 0.0, MAX_VELOCITY_EXPONENT
        return -MAX_WEIGHT_MAGNITUDE, MAX_WEIGHT_MAGNITUDE

    @classmethod
    def checked(cls, name: str, value) -> float:
        """``value`` as a float if it is valid for field ``name``; else a one-line ``ValueError``."""
        if name not in cls.field_names():
            raise ValueError(f"reward weight {name!r}: unknown; expected one of {', '.join(cls.field_names())}")
        shown = _short_repr(value)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(f"reward weight {name}={shown}: expected a finite number, got {type(value).__name__}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise ValueError(f"reward weight {name}={shown}: must be finite (not NaN, infinite or beyond a float)")
        low, high = cls.bounds(name)
        if name == "velocity_exponent" and not low < number <= high:
            raise ValueError(f"reward weight velocity_exponent={shown}: must be in (0, {high:g}]")
        if not low <= number <= high:
            raise ValueError(f"reward weight {name}={shown}: must be within +-{high:g}")
        return number

    @classmethod
    def from_any(cls, value: RewardWeights | dict | None) -> RewardWeights:
        """A new, validated ``RewardWeights`` from another one, a dict of field names, or ``None``."""
        if value is None:
            return cls()
        if isinstance(value, RewardWeights):
            return cls(**value.as_dict())
        if isinstance(value, dict):
            unknown = [k for k in value if k not in cls.field_names()]
            if unknown:
                cls.checked(str(unknown[0]), 0.0)  # raises, naming it
            return cls(**value)
        raise ValueError(f"reward_weights: expected a RewardWeights, a dict or None, got {type(value).__name__}")

    def update(self, **changes) -> dict[str, float]:
        """Set several weights at once, all or none: every change is checked before any is applied.

        Returns all the weights after the change, as a plain dict.
        """
        checked = {name: self.checked(name, value) for name, value in changes.items()}
        for name, number in checked.items():
            super().__setattr__(name, number)
        return self.as_dict()

    def as_dict(self) -> dict[str, float]:
        """All weights as a plain dict (picklable, JSON-ready)."""
        return {name: getattr(self, name) for name in self.field_names()}


def _short_repr(value, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters and kept on one line, for error messages."""
    text = repr(value).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


class StepOutcome(NamedTuple):
    """What one env step did, as the reward needs it; independent of Box2D and the game object.

    A ``NamedTuple`` (immutable, built on every env step: a tenth of a frozen dataclass's cost).

    ``ds_m``: torso forward movement (game m); ``dt_clock_s``: the original's clock elapsed (1/30 per
    frame); ``frames_per_step``: the env's setting (not the frames actually run); ``torso_y``: torso
    centre y after the step (units, down); ``changed_keys``: keys toggled since the previous step;
    ``joint_proximity``: :func:`joint_limit_proximity` after the step (0 when its weight is 0).
    """

    ds_m: float
    dt_clock_s: float
    frames_per_step: int
    terminated: bool
    success: bool
    torso_y: float
    changed_keys: int
    joint_proximity: float


def forward_velocity(ds_m: float, dt_clock_s: float) -> float:
    """Game metres per second of the original's clock; 0 when no time passed."""
    return ds_m / dt_clock_s if dt_clock_s > 0.0 else 0.0


def posture_deficit(torso_y: float) -> float:
    """How far the torso centre is below standing height, as a fraction of that height, in [0, 1]."""
    height = spec.TRACK_TOP_Y - torso_y
    return min(max(1.0 - height / STANDING_TORSO_HEIGHT, 0.0), 1.0)


def joint_limit_proximity(angles: np.ndarray, limits: np.ndarray) -> float:
    """Mean over :data:`JOINT_PENALTY_JOINTS` of how deep each joint is into the margin of its limits.

    ``angles``: (11,) radians and ``limits``: (11, 2) current (lower, upper), in ``spec.JOINT_NAMES``
    order. Per joint: 0 while more than 10 % of its range from both limits, rising linearly to 1 at
    (or past) a limit.
    """
    idx = JOINT_PENALTY_INDEX
    a = angles[idx]
    lower, upper = limits[idx, 0], limits[idx, 1]
    margin = JOINT_LIMIT_MARGIN_FRACTION * (upper - lower)
    distance = np.minimum(a - lower, upper - a)
    return float(np.clip(1.0 - distance / margin, 0.0, 1.0).mean())


def reward_terms(w: RewardWeights, o: StepOutcome) -> dict[str, float]:
    """Each term of one step's reward, by name in :data:`TERM_NAMES` order; the reward is their sum."""
    dt_gym = o.dt_clock_s * GYM_TIME_PER_CLOCK_S
    velocity = forward_velocity(o.ds_m, o.dt_clock_s)
    ended_well = o.terminated and o.success
    return {
        "speed": w.speed_weight * o.ds_m / dt_gym if dt_gym > 0.0 else 0.0,
        "time": -w.time_cost * dt_gym / o.frames_per_step,
        "success": w.success_reward if ended_well else 0.0,
        "failure": -w.failure_cost if o.terminated and not o.success else 0.0,
        "posture": -w.posture_weight * posture_deficit(o.torso_y) if w.posture_weight else 0.0,
        "energy": -w.energy_weight * o.changed_keys,
        "joint": -w.joint_weight * o.joint_proximity,
        "velocity": w.velocity_weight * _power(max(velocity, 0.0), w.velocity_exponent) if w.velocity_weight else 0.0,
    }


def _power(base: float, exponent: float) -> float:
    """``base ** exponent``, ``inf`` instead of ``OverflowError`` (the env ends such a step as non-finite)."""
    try:
        return base**exponent
    except OverflowError:
        return math.inf


__all__ = ["RewardWeights", "StepOutcome", "TERM_NAMES", "reward_terms", "forward_velocity", "posture_deficit",
           "joint_limit_proximity", "STANDING_TORSO_HEIGHT", "JOINT_PENALTY_JOINTS", "GYM_TIME_PER_CLOCK_S"]
