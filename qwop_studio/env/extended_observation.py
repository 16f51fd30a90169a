"""An extended observation that lets an MLP see the body's shape: ``observation="extended"`` (76 values).

Why: qwop-gym's 60 values (``observation.py``) scale absolute x over [-10, 1050] units, so a foot one
unit (0.1 m) ahead of the torso differs from it by 0.002 in the input, while the stride is made of
such differences; angular velocities and the keys held are absent. Here every part is placed relative
to the torso, all on ranges measured on real runs (the shipped runner and random keys: 99 % of values
fall inside them), and the keys held are given. ``QWOP-v0`` keeps qwop-gym's observation exactly.

Layout, parts in ``spec.OBSERVATION_ORDER`` (torso first), 6 values each, then 4 keys:

====================  ==========================================  =============
value                 meaning                                     raw range
====================  ==========================================  =============
torso slot 0          progress: torso x / 1000 units (100 m)      [-0.1, 1.05]
torso slot 1          torso height: y / 10 units (y points down)  [-10, 10]
other parts 0, 1      x and y relative to the torso / 12 units    [-12, 12]
every part 2          angle / 6 rad (not wrapped, as qwop-gym)    [-6, 6]
every part 3, 4       vx / 40, vy / 30 units per physics second   [-40, 40], [-30, 30]
every part 5          angular velocity / 12 rad per second        [-12, 12]
72..75                Q, W, O, P held on the last frame (0 or 1)
====================  ==========================================  =============

Everything is clipped to [-1, 1].
"""
from __future__ import annotations

import numpy as np

from qwop_studio.sim import spec

#: Scale of each of a part's 6 values (x, y, angle, vx, vy, omega), for parts other than the torso.
PART_SCALE: tuple[float, ...] = (12.0, 12.0, 6.0, 40.0, 30.0, 12.0)
#: The torso's x and y slots: progress over the 100 m (1000 units) and absolute height.
TORSO_X_SCALE: float = 100.0 * spec.UNITS_PER_METRE
TORSO_Y_SCALE: float = 10.0
N_PARTS: int = len(spec.OBSERVATION_ORDER)
N_KEYS: int = 4
EXTENDED_OBS_SIZE: int = N_PARTS * len(PART_SCALE) + N_KEYS

_SCALE = np.tile(np.array(PART_SCALE), (N_PARTS, 1))
_SCALE[0, 0], _SCALE[0, 1] = TORSO_X_SCALE, TORSO_Y_SCALE
#: key mask -> the 4 key slots (Q, W, O, P held: 1.0, else 0.0), one table lookup per observation.
_KEY_SLOTS = np.array([[(mask >> bit) & 1 for bit in range(N_KEYS)] for mask in range(1 << N_KEYS)], dtype=np.float32)
_N_BODY_VALUES: int = EXTENDED_OBS_SIZE - N_KEYS


def extended(body_states: np.ndarray, keys_mask: int) -> np.ndarray:
    """The (76,) float32 observation of a (12, 6) ``QWOPGame.body_states()`` array and the keys held.

    Written as few numpy calls as it can be (it runs on every env step, where each call's ~1 us of
    overhead counts): the clip is ``maximum`` then ``minimum`` (``np.clip``'s Python wrapper costs more
    than both), the keys one table row. The values are the plain formula's bit for bit (tested).
    """
    values = body_states.copy()
    values[1:, :2] -= body_states[0, :2]
    np.divide(values, _SCALE, out=values)
    np.maximum(values, -1.0, out=values)
    np.minimum(values, 1.0, out=values)
    out = np.empty(EXTENDED_OBS_SIZE, dtype=np.float32)
    out[:_N_BODY_VALUES] = values.reshape(-1)
    out[_N_BODY_VALUES:] = _KEY_SLOTS[keys_mask]
    return out


__all__ = ["EXTENDED_OBS_SIZE", "PART_SCALE", "extended"]
