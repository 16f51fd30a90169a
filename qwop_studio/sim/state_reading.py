"""Reading Box2D bodies' states fast: pybox2d's C getters by name, and a numpy gather from Box2D's memory.

Why a module of its own: the world (``world.py``) and the rules (``game.py``) both read states on every
tick, and how they are read (the getters, or the float32 fields of ``b2Body`` gathered at offsets checked
against the getters when this module loads) is one concern, apart from building and stepping the world.
"""
from __future__ import annotations

import ctypes
from collections.abc import Sequence

import numpy as np
from Box2D import _Box2D, b2

# pybox2d's attributes (``body.position``, ``vec.x``) each go through a Python property and a method
# wrapper before they reach SWIG's C getter. These are the C getters themselves (public names of
# pybox2d's extension module, pinned at 2.3.10): the same float32 values, about a fifth faster. The
# game reads the torso through them every tick; whole state rows are gathered (BodyStateGather).
body_position = _Box2D.b2Body___GetPosition
body_angle = _Box2D.b2Body___GetAngle
body_linear_velocity = _Box2D.b2Body___GetLinearVelocity
body_angular_velocity = _Box2D.b2Body___GetAngularVelocity
vec_x = _Box2D.b2Vec2_x_get
body_apply_torque = _Box2D.b2Body_ApplyTorque
body_is_awake = _Box2D.b2Body___IsAwake
vec_y = _Box2D.b2Vec2_y_get

#: Byte offsets of the float32 fields a state row reads, in a ``b2Body`` of Box2D 2.3 (b2Body.h:
#: type, flags, island index, then ``m_xf.p`` (x, y), ``m_xf.q``, ``m_sweep`` (localCenter, c0, c,
#: a0, a, alpha0), ``m_linearVelocity``, ``m_angularVelocity``). Checked against the getters at
#: import (:func:`_body_layout_matches`); where they disagree, states are read through the getters.
BODY_FIELD_OFFSETS: tuple[int, ...] = (12, 16, 56, 64, 68, 72)


def _body_address(body: b2.body) -> int:
    """The C++ ``b2Body*`` behind a pybox2d body (SWIG's pointer object converts to it)."""
    return int(body.this)


class BodyStateGather:
    """Reads bodies' (x, y, angle, vx, vy, omega) straight out of Box2D's memory, in one numpy gather.

    Why: through pybox2d, a state row is six C getter calls and two vector objects, and reading the
    12 parts was ~12 µs of a ~115 µs env step; the same float32 values gathered by numpy from the
    bodies' own memory take ~1 µs (a world's bodies lie within a few kB of its block allocator).
    The addresses are taken once, when the world is complete: Box2D never moves a body, and the
    gather's view lives and dies with the :class:`QWOPWorld` that owns the bodies.
    """

    #: Largest address span gathered through one view; a world whose bodies lie further apart (not
    #: seen: they share one 16 kB allocator chunk) is read through the getters instead.
    MAX_SPAN_BYTES = 1 << 20

    def __init__(self, bodies: Sequence[b2.body]) -> None:
        addresses = [_body_address(body) for body in bodies]
        base = min(addresses)
        span = max(addresses) - base + max(BODY_FIELD_OFFSETS) + 4  # to the end of the last field read
        if span > self.MAX_SPAN_BYTES or any((a - base) % 4 for a in addresses):
            raise ValueError(f"bodies span {span} bytes; not gathered")
        self._memory = np.ctypeslib.as_array((ctypes.c_float * (span // 4)).from_address(base))
        self._index = np.array([[(a - base + offset) // 4 for offset in BODY_FIELD_OFFSETS] for a in addresses],
                               dtype=np.intp)

    def read_into(self, out: np.ndarray, rows: int) -> None:
        """Write the first ``rows`` bodies' states (float32 widened to float64) into ``out[:rows]``."""
        out[:rows] = self._memory[self._index[:rows]]

    def field_index(self, row: int, column: int) -> int:
        """Where body ``row``'s state field ``column`` (0 x, 1 y, ... as in a state row) lies in the gather."""
        return int(self._index[row, column])

    def read_fields(self, index: np.ndarray) -> np.ndarray:
        """The float32 fields at ``index`` (from :meth:`field_index`), in one gather."""
        return self._memory[index]


def read_states_by_getters(bodies: Sequence[b2.body], out: np.ndarray) -> None:
    """The states of ``bodies`` through pybox2d's C getters, into ``out`` (the reference reading)."""
    values: list[float] = []
    position, angle, velocity, omega, x, y = (
        body_position, body_angle, body_linear_velocity, body_angular_velocity, vec_x, vec_y)
    for body in bodies:
        p = position(body)
        v = velocity(body)
        values += (x(p), y(p), angle(body), x(v), y(v), omega(body))
    out.flat[:len(values)] = values


def _body_layout_matches() -> bool:
    """True when :data:`BODY_FIELD_OFFSETS` read what the getters read, on bodies moving and turning.

    Run once at import: a pybox2d built from another Box2D, or by a compiler laying ``b2Body`` out
    otherwise, then falls back to the getters instead of reading wrong numbers.
    """
    world = b2.world(gravity=(0.0, 9.8))
    bodies = [world.CreateDynamicBody(position=(1.25 + i, -2.5), angle=0.375 * (i + 1),
                                      linearVelocity=(3.5, -4.75 + i), angularVelocity=5.125 - i)
              for i in range(3)]
    for body in bodies:  # off-centre boxes: the centre of mass (m_sweep.c) is not the position (m_xf.p)
        body.CreatePolygonFixture(box=(0.5, 0.25, (0.2, -0.1), 0.3), density=1.0)
    for _ in range(3):
        world.Step(0.04, 5, 5)
    expected = np.empty((len(bodies), 6))
    read_states_by_getters(bodies, expected)
    try:
        gathered = np.full((len(bodies), 6), np.nan)
        BodyStateGather(bodies).read_into(gathered, len(bodies))
    except (ValueError, TypeError, AttributeError):  # spread out, or a SWIG without int(body.this)
        return False
    return bool(np.array_equal(gathered, expected))


#: Whether :class:`QWOPWorld` reads states by :class:`BodyStateGather` (else by the getters).
GATHER_STATES: bool = _body_layout_matches()
