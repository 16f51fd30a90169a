"""A gait-rhythm bonus: pay the runner for swinging its thighs at a chosen cadence while it moves forward.

Why: every runner this project trained settles into one rhythm and then only polishes it. The shipped
runner holds Q, then W, for ~0.9 s each (13-14 steps at 2 frames a step), a ~1.8 s stride cycle of long
steps, and continuations under other speed weights, gamma, learning rates, entropy and network sizes all
stayed on that gait at ~50 s (docs/training-results.md). qwop-python's prior for the world-record gait alternates
Q+P and W+O every 0.5 s, twice as often, and its authors report that their agents stayed slower without it. The
velocity term alone never makes a converged policy try a different rhythm; this term does, and leaves
distance and speed as the main reward.

The rule, per env step, on the thigh command of the keys held (Q beats W: ``sim.keys.MOTOR_COMMANDS``):
when the command switches from Q to W or back, the half-cycle that just ended (from the previous switch)
earns ``cadence_weight * score``, where ``score`` is 1 for a half-cycle of ``ideal_half_s`` seconds of the
original's clock, falling linearly to 0 at ``ideal_half_s +- tolerance_s``. A half-cycle in which the torso
moved forward less than ``min_advance_m`` earns nothing, so swinging on the spot or while lying down is not
paid. Steps with neither Q nor W held keep the half-cycle running. The bonus is listed as
``info["reward_terms"]["cadence"]``, so the terms still sum to the reward.

Config use (training only: evaluation drops it, the race is judged on time)::

    wrappers:
      - {name: CadenceWrapper, kwargs: {cadence_weight: 5.0, ideal_half_s: 0.5, tolerance_s: 0.5}}
"""
from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from qwop_studio.sim.keys import MOTOR_COMMANDS

#: The reward term's name in ``info["reward_terms"]``.
CADENCE_TERM: str = "cadence"


def half_cycle_score(half_s: float, ideal_half_s: float, tolerance_s: float) -> float:
    """1 for a half-cycle of exactly ``ideal_half_s``, falling linearly to 0 at ``+- tolerance_s`` and beyond."""
    return max(0.0, 1.0 - abs(half_s - ideal_half_s) / tolerance_s)


class ThighRhythm:
    """The rhythm rule, defined once: the thigh command (Q or W) of each key mask, and each half-cycle's length.

    Fed a key mask and the game clock after every step (the wrapper) or frame (``train/upright.py``'s
    replay), :meth:`update` says when a new half-cycle begins: the thigh command switched from Q to W or
    back, or the first thigh key of an episode was pressed. ``last_half_s`` is then the length of the
    half-cycle that ended (``None`` after the first key). Masks with neither Q nor W keep the half running.
    """

    def __init__(self) -> None:
        self.thigh: str | None = None
        self.since_s = 0.0
        self.last_half_s: float | None = None

    def restart(self, time_s: float) -> None:
        """Forget the rhythm: a new episode begins at ``time_s``."""
        self.thigh, self.since_s, self.last_half_s = None, float(time_s), None

    def update(self, mask: int, time_s: float) -> bool:
        """True when ``mask`` (held up to ``time_s``) begins a new half-cycle; see the class docstring."""
        thigh = MOTOR_COMMANDS[mask][0]
        if thigh is None or thigh == self.thigh:
            return False
        self.last_half_s = float(time_s) - self.since_s if self.thigh is not None else None
        self.thigh, self.since_s = thigh, float(time_s)
        return True


def _checked_number(name: str, value: Any, bound: str = "") -> float:
    """``value`` as a float if it is a finite number within ``bound`` ("", ">= 0" or "> 0"); else a one-line
    ``ValueError`` naming the argument."""
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and bool(np.isfinite(value))
    if ok and bound:
        ok = value >= 0 if bound == ">= 0" else value > 0
    if not ok:
        raise ValueError(f"CadenceWrapper {name}={value!r}: expected a finite number{' ' + bound if bound else ''}")
    return float(value)


class CadenceWrapper(gym.Wrapper):
    """Adds the gait-rhythm bonus (module docstring) to a :class:`~qwop_studio.env.qwop_env.QWOPEnv`'s reward.

    ``cadence_weight``: the bonus for one half-cycle of ideal length (may be negative, to punish a rhythm);
    ``ideal_half_s`` and ``tolerance_s``: the rewarded half-cycle length and how far from it still earns
    something, in seconds of the original's clock; ``min_advance_m``: game metres the torso must gain
    during the half-cycle. Raises a one-line ``ValueError`` naming a bad argument.
    """

    def __init__(self, env: gym.Env, cadence_weight: float = 5.0, ideal_half_s: float = 0.5,
                 tolerance_s: float = 0.5, min_advance_m: float = 0.5) -> None:
        super().__init__(env)
        if not hasattr(env.unwrapped, "game"):
            raise ValueError("CadenceWrapper: the wrapped env is not a QWOPEnv (no game)")
        self.cadence_weight = _checked_number("cadence_weight", cadence_weight)
        self.ideal_half_s = _checked_number("ideal_half_s", ideal_half_s, "> 0")
        self.tolerance_s = _checked_number("tolerance_s", tolerance_s, "> 0")
        self.min_advance_m = _checked_number("min_advance_m", min_advance_m, ">= 0")
        self._rhythm = ThighRhythm()
        self._since_distance = 0.0

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        self._rhythm.restart(info["time"])
        self._since_distance = float(info["distance"])
        if "reward_terms" in info:
            info["reward_terms"][CADENCE_TERM] = 0.0
        return obs, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        bonus = 0.0
        if self._rhythm.update(self.env.unwrapped.game.keys, info["time"]):
            half_s = self._rhythm.last_half_s
            if half_s is not None and float(info["distance"]) - self._since_distance >= self.min_advance_m:
                bonus = self.cadence_weight * half_cycle_score(half_s, self.ideal_half_s, self.tolerance_s)
            self._since_distance = float(info["distance"])
        if "reward_terms" in info:
            info["reward_terms"][CADENCE_TERM] = bonus
        return obs, float(reward) + bonus, terminated, truncated, info


__all__ = ["CADENCE_TERM", "CadenceWrapper", "ThighRhythm", "half_cycle_score"]
