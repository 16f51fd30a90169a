"""The QWOP runner as a Gymnasium environment: actions, observation, reward, wrappers, vector envs.

Importing this package imports neither pygame nor SB3/torch: ``make_vec_env`` (from ``env/vec.py``,
which needs SB3) is loaded on first access of ``qwop_studio.env.make_vec_env``.
"""
from qwop_studio.env.actions import FULL_ACTIONS, REDUCED_ACTIONS, action_to_keys, keys_to_action
from qwop_studio.env.qwop_env import QWOPEnv
from qwop_studio.env.reward import RewardWeights
from qwop_studio.env.wrappers import WRAPPERS, RewardShapingWrapper, VelocityIncentiveWrapper


def __getattr__(name: str):
    if name == "make_vec_env":
        from qwop_studio.env.vec import make_vec_env

        return make_vec_env
    raise AttributeError(f"module 'qwop_studio.env' has no attribute {name!r}")


__all__ = ["QWOPEnv", "make_vec_env", "RewardWeights", "RewardShapingWrapper", "VelocityIncentiveWrapper", "WRAPPERS",
           "FULL_ACTIONS", "REDUCED_ACTIONS", "action_to_keys", "keys_to_action"]
