"""QWOP Studio: train, watch and play reinforcement-learning agents on a faithful QWOP."""
__version__ = "0.1.0"

# Register the env so that ``gymnasium.make("qwop_studio:QWOP-v0")`` works with no other import. The
# entry point is a string: the env module (and Box2D) load only when an env is made; ``env.limits``
# is plain numbers.
import gymnasium as _gymnasium

from qwop_studio.env.limits import MAX_EPISODE_STEPS as _MAX_EPISODE_STEPS

if "QWOP-v0" not in _gymnasium.registry:
    _gymnasium.register(id="QWOP-v0", entry_point="qwop_studio.env.qwop_env:QWOPEnv",
                        max_episode_steps=_MAX_EPISODE_STEPS)
if "QWOPExtended-v0" not in _gymnasium.registry:
    _gymnasium.register(id="QWOPExtended-v0", entry_point="qwop_studio.env.qwop_env:QWOPEnv",
                        max_episode_steps=_MAX_EPISODE_STEPS,
                        kwargs={"observation": "extended"})
