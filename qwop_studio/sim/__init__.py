"""The QWOP runner on Box2D: keys in, state out. Knows nothing of RL or pygame."""
from qwop_studio.sim.game import GameSnapshot, QWOPGame
from qwop_studio.sim.keys import Keys, key_mask, key_string

__all__ = ["QWOPGame", "GameSnapshot", "Keys", "key_mask", "key_string"]
