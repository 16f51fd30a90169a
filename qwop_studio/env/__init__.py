"""The QWOP runner as a Gymnasium environment: actions, observation, reward, wrappers, vector envs.

Importing this package loads nothing heavy: each name below is imported from its module on first
access, so that ``qwop_studio/__init__.py`` can read the env's episode limit (``env/limits.py``) to
register ``QWOP-v0`` without loading Box2D, and ``make_vec_env`` (``env/vec.py``, which needs SB3)
costs nothing until it is used. Neither pygame nor SB3/torch is imported by the env itself.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qwop_studio.env.actions import FULL_ACTIONS, REDUCED_ACTIONS, action_to_keys, keys_to_action
    from qwop_studio.env.qwop_env import QWOPEnv
    from qwop_studio.env.reward import RewardWeights
    from qwop_studio.env.vec import make_vec_env
    from qwop_studio.env.wrappers import WRAPPERS, RewardShapingWrapper, VelocityIncentiveWrapper

#: Each public name -> the module (in this package) that defines it.
_HOMES: dict[str, str] = {
    "FULL_ACTIONS": "actions", "REDUCED_ACTIONS": "actions", "action_to_keys": "actions",
    "keys_to_action": "actions", "QWOPEnv": "qwop_env", "RewardWeights": "reward", "make_vec_env": "vec",
    "WRAPPERS": "wrappers", "RewardShapingWrapper": "wrappers", "VelocityIncentiveWrapper": "wrappers",
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'qwop_studio.env' has no attribute {name!r}")
    value = getattr(import_module(f"qwop_studio.env.{home}"), name)
    globals()[name] = value
    return value


__all__ = ["QWOPEnv", "make_vec_env", "RewardWeights", "RewardShapingWrapper", "VelocityIncentiveWrapper", "WRAPPERS",
           "FULL_ACTIONS", "REDUCED_ACTIONS", "action_to_keys", "keys_to_action"]
