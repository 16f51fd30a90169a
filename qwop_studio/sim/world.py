"""The Box2D world of QWOP, built from :mod:`qwop_studio.sim.spec`.

This module knows bodies, joints and contacts, not rules: it builds the world in the original's
creation order (creation order sets Box2D's solver order, so it shows in the trajectories), steps it
with the original's settings, reads body states into a preallocated array, and records the
begin-contacts between the track and anything else so that ``game.py`` can apply the rules.

Engine settings that differ from pybox2d's defaults are set here (spec §1.1): forces are never
cleared (the head torque builds up) and continuous collision is off. pybox2d's compile-time
constants (Baumgarte 0.2, polygon skin 0.01, float32) cannot be changed from Python.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from Box2D import b2

from qwop_studio.sim import spec

#: Dynamic bodies in the order their states are read: the 12 parts (observation order), then the hurdle.
STATE_ORDER: tuple[str, ...] = spec.OBSERVATION_ORDER + ("hurdleBase", "hurdleTop")
N_PARTS: int = len(spec.OBSERVATION_ORDER)


@dataclass(frozen=True)
class BeginContact:
    """A contact between the track and another fixture that began during a step.

    ``body_a`` is the track side as the original's rules expect it (spec §4.2, S14); ``max_x`` is the
    largest x of the contact's world manifold points, with the original's unused (0, 0) entry
    counted when the manifold has a single point.
    """

    body_a: str | None
    body_b: str | None
    max_x: float


#: Parts whose begin-contact with the track a rule reads (spec §4.2): the fall parts and the left foot.
RULE_PARTS: frozenset[str] = spec.FALL_PARTS | {spec.LANDING_PART}


class _TrackContactRecorder(b2.contactListener):
    """Collects the begin-contacts between the track and a part that a rule reads.

    Contacts no rule reads (the right foot, torso, legs, hurdle, wall) are dropped before their
    manifold is read: this callback runs inside Box2D's step and its cost shows in every tick.
    """

    def __init__(self) -> None:
        super().__init__()
        self.events: list[BeginContact] = []

    def BeginContact(self, contact) -> None:  # noqa: N802 (Box2D's name)
        name_a = contact.fixtureA.userData
        name_b = contact.fixtureB.userData
        if name_a == "track":
            if name_b not in RULE_PARTS:
                return
        elif name_b == "track" and name_a in RULE_PARTS:
            name_a, name_b = name_b, name_a
        else:
            return
        count = contact.manifold.pointCount
        points = contact.worldManifold.points
        xs = [points[i][0] for i in range(count)]
        if count < 2:
            xs.append(0.0)  # the original's b2WorldManifold always has two entries; unused ones are (0, 0)
        self.events.append(BeginContact(name_a, name_b, max(xs)))


_FIXTURE_DEFS: dict[spec.BoxSpec, b2.fixtureDef] = {}


def _fixture_def(box: spec.BoxSpec) -> b2.fixtureDef:
    """The box's fixture definition, built once: pybox2d leaks a little memory for every fixture
    definition it builds, so a new world per reset would otherwise grow the process without end."""
    fixture = _FIXTURE_DEFS.get(box)
    if fixture is None:
        fixture = b2.fixtureDef(
            shape=b2.polygonShape(box=(box.half_w, box.half_h)),
            density=box.density,
            friction=box.friction,
            restitution=box.restitution,
            categoryBits=box.category,
            maskBits=box.mask,
            userData=box.name,
        )
        _FIXTURE_DEFS[box] = fixture
    return fixture


def _make_box(world: b2.world, box: spec.BoxSpec) -> b2.body:
    body = world.CreateBody(type=b2.dynamicBody if box.dynamic else b2.staticBody,
                            position=(box.x, box.y), angle=box.angle, awake=box.awake, userData=box.name)
    body.CreateFixture(_fixture_def(box))
    return body


class QWOPWorld:
    """One Box2D world holding the track, the wall, the hurdle and the runner at its spawn pose.

    Build a new one to reset: Box2D keeps contact, proxy and solver state that moving bodies back
    would leave behind, and a fresh world is what makes a reset bitwise the fresh game.
    """

    def __init__(self, record_contacts: bool = True) -> None:
        world = b2.world(gravity=(0.0, spec.GRAVITY_Y), doSleep=True)
        world.autoClearForces = False
        world.continuousPhysics = False
        world.warmStarting = True
        self._recorder = _TrackContactRecorder() if record_contacts else None
        if self._recorder is not None:
            world.contactListener = self._recorder
        self.world = world
        # Creation order is the original's (spec §2.1): track, block, hurdle, parts, joints.
        self.track = [_make_box(world, seg) for seg in spec.TRACK]
        self.block = _make_box(world, spec.BLOCK)
        self.hurdle_base = _make_box(world, spec.HURDLE_BASE)
        self.hurdle_top = _make_box(world, spec.HURDLE_TOP)
        self.hurdle_joint = world.CreateRevoluteJoint(
            bodyA=self.hurdle_top, bodyB=self.hurdle_base,
            localAnchorA=spec.HURDLE_JOINT_LOCAL_A, localAnchorB=spec.HURDLE_JOINT_LOCAL_B,
            referenceAngle=0.0, enableLimit=True, lowerAngle=0.0, upperAngle=0.0,
        )
        self.parts: dict[str, b2.body] = {p.name: _make_box(world, p) for p in spec.PARTS}  # type: ignore[misc]
        self.joints: dict[str, b2.revoluteJoint] = {}
        for j in spec.JOINTS:
            a, b = self.parts[j.body_a], self.parts[j.body_b]
            self.joints[j.name] = world.CreateRevoluteJoint(
                bodyA=a, bodyB=b,
                localAnchorA=a.GetLocalPoint(j.world_a), localAnchorB=b.GetLocalPoint(j.world_b),
                referenceAngle=j.reference_angle, enableLimit=True,
                lowerAngle=j.lower, upperAngle=j.upper,
                enableMotor=j.motor, maxMotorTorque=j.max_torque, motorSpeed=0.0,
            )
        self.bodies_in_state_order: list[b2.body] = [self.parts[n] for n in spec.OBSERVATION_ORDER] + [
            self.hurdle_base, self.hurdle_top]
        self.torso = self.parts["torso"]
        self.head = self.parts["head"]
        self._states = np.zeros((len(STATE_ORDER), 6), dtype=np.float64)

    # ------------------------------------------------------------------------------ stepping
    def step(self) -> list[BeginContact]:
        """One physics tick (``DT_GAME_S`` of game time); returns the track begin-contacts it made."""
        recorder = self._recorder
        if recorder is not None:
            recorder.events = []
        self.world.Step(spec.DT_GAME_S, spec.VELOCITY_ITERATIONS, spec.POSITION_ITERATIONS)
        return recorder.events if recorder is not None else []

    def move_track(self, first_segment_x: float) -> None:
        """Place the three track segments side by side, the first centred at ``first_segment_x``."""
        for i, seg in enumerate(self.track):
            seg.position = (first_segment_x + 2.0 * spec.TRACK_HALF_W * i, spec.TRACK_CENTRE_Y)

    # ------------------------------------------------------------------------------- reading
    def read_states(self, with_hurdle: bool = True) -> np.ndarray:
        """Every dynamic body's (x, y, angle, vx, vy, omega), rows in :data:`STATE_ORDER`.

        Writes into one array owned by the world and returns it: copy it to keep it. With
        ``with_hurdle=False`` only the 12 runner rows are refreshed (the hot path of an env step).
        """
        bodies = self.bodies_in_state_order if with_hurdle else self.bodies_in_state_order[:N_PARTS]
        values: list[float] = []
        for body in bodies:
            p = body.position
            v = body.linearVelocity
            values += (p.x, p.y, body.angle, v.x, v.y, body.angularVelocity)
        self._states.flat[:len(values)] = values
        return self._states

    def joint_angles(self) -> np.ndarray:
        """Angle of each runner joint (radians, spec §3.1 sign convention), in ``spec.JOINTS`` order."""
        return np.array([j.angle for j in self.joints.values()], dtype=np.float64)

    def stop_recording(self) -> None:
        """Stop recording contacts (no rule reads them once the game has ended), saving their cost."""
        if self._recorder is not None:
            self.world.contactListener = None
            self._recorder = None

    def destroy(self) -> None:
        """Break the listener's reference to this world so that the C++ world is freed promptly."""
        self.stop_recording()


def js_round(x: float) -> float:
    """JavaScript's ``Math.round``: halves go up (``round(-2.5) == -2``); NaN and infinities pass through."""
    return math.floor(x + 0.5) if math.isfinite(x) else x
