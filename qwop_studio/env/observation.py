"""The 60-value observation: qwop-gym's normalised body states (spec §5.3).

12 parts in qwop-gym's order (``spec.OBSERVATION_ORDER``) x (x, y, angle, vx, vy), each mapped
linearly so that its range below becomes [-1, 1], then clipped. Flat index of part p, value k is
``5 * p + k`` (head x is ``obs[5]``). Raw units are Box2D's: units (0.1 game m), radians, units per
physics second; y points down. The angle is not wrapped (it builds up over turns), as in qwop-gym.
"""
from __future__ import annotations

import numpy as np

from qwop_studio.sim import spec

#: (value, raw minimum, raw maximum): qwop-gym's normalisation ranges, per part.
OBS_RANGES: tuple[tuple[str, float, float], ...] = (
    ("x", -10.0, 1050.0),
    ("y", -10.0, 10.0),
    ("angle", -6.0, 6.0),
    ("vx", -20.0, 60.0),
    ("vy", -25.0, 60.0),
)
N_PARTS: int = len(spec.OBSERVATION_ORDER)
VALUES_PER_PART: int = len(OBS_RANGES)
OBS_SIZE: int = N_PARTS * VALUES_PER_PART

_lo = np.array([r[1] for r in OBS_RANGES], dtype=np.float64)
_hi = np.array([r[2] for r in OBS_RANGES], dtype=np.float64)
#: Per-value centre c = (min + max) / 2 and half-range d = max - c, tiled to the 60 values.
OBS_CENTRE: np.ndarray = np.tile((_lo + _hi) / 2.0, N_PARTS)
OBS_HALF_RANGE: np.ndarray = np.tile((_hi - _lo) / 2.0, N_PARTS)
# The same centre and half-range laid over a (12, 6) state array (omega column: 0 and 1), so that
# the arithmetic runs on the states as they come, without first copying out the 60 values.
_CENTRE_12X6 = np.zeros((N_PARTS, 6))
_CENTRE_12X6[:, :VALUES_PER_PART] = OBS_CENTRE.reshape(N_PARTS, VALUES_PER_PART)
_HALF_RANGE_12X6 = np.ones((N_PARTS, 6))
_HALF_RANGE_12X6[:, :VALUES_PER_PART] = OBS_HALF_RANGE.reshape(N_PARTS, VALUES_PER_PART)

#: Name of each of the 60 values, e.g. ``"head.x"``; for plots and tests.
OBS_NAMES: tuple[str, ...] = tuple(f"{part}.{r[0]}" for part in spec.OBSERVATION_ORDER for r in OBS_RANGES)


def normalise(body_states: np.ndarray) -> np.ndarray:
    """The observation of a (12, 6) ``QWOPGame.body_states()`` array: (60,) float32 in [-1, 1].

    The omega column is dropped, as in qwop-gym. Non-finite inputs give non-finite outputs (the env
    checks the raw states, not this).
    """
    # Written as in-place ufuncs, not ``np.clip``: it runs every env step, and this is ~1.5 us of
    # ~4 faster with the same values (minimum/maximum pass NaN through, as clip does).
    scaled = np.subtract(body_states, _CENTRE_12X6)
    np.divide(scaled, _HALF_RANGE_12X6, out=scaled)
    np.minimum(scaled, 1.0, out=scaled)
    np.maximum(scaled, -1.0, out=scaled)
    return scaled[:, :VALUES_PER_PART].astype(np.float32).reshape(OBS_SIZE)


def denormalise(obs: np.ndarray) -> np.ndarray:
    """Raw (12, 5) values from an observation; exact only for values that were not clipped."""
    return (np.asarray(obs, dtype=np.float64) * OBS_HALF_RANGE + OBS_CENTRE).reshape(N_PARTS, VALUES_PER_PART)


__all__ = ["OBS_RANGES", "OBS_SIZE", "OBS_CENTRE", "OBS_HALF_RANGE", "OBS_NAMES", "normalise", "denormalise"]
