"""The Box2D world of QWOP, built from :mod:`qwop_studio.sim.spec`.

This module knows bodies, joints and contacts, not rules: it builds the world in the original's
creation order (creation order sets Box2D's solver order, so it shows in the trajectories), steps it
with the original's settings, reads body states into a preallocated array (``state_reading.py``), and
records the begin-contacts between the track and the parts a rule reads so that ``game.py`` can apply
the rules, listening only on ticks where such a contact can begin (:class:`RuleContactWatch`).

Engine settings that differ from pybox2d's defaults are set here (spec §1.1): forces are never
cleared (the head torque builds up) and continuous collision is off. pybox2d's compile-time
constants (Baumgarte 0.2, polygon skin 0.01, float32) cannot be changed from Python.
"""
from __future__ import annotations

import functools
import math
import operator
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from Box2D import b2

from qwop_studio.sim import spec
from qwop_studio.sim.state_reading import (
    GATHER_STATES,
    BodyStateGather,
    read_states_by_getters,
)

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

#: How near (Box2D units) a rule part's bounding circle must come to the track's top, or the left foot's to
#: the jump trigger line, before the contact recorder listens during a step. Box2D counts two polygons as
#: touching only within 2 x b2_polygonRadius (0.02 units), at the positions a step starts from (continuous
#: collision is off: begin-contacts happen only in the step's Collide), so any margin above that is exact.
LISTEN_MARGIN: float = 1.0


class RuleContactWatch:
    """Whether a rule part could begin touching the track in the coming step, from its centre: one gather.

    Why: while the recorder is attached, pybox2d's SWIG director calls PreSolve and PostSolve in Python for
    every touching contact on every tick (the feet's, all race long), a fifth of a tick. No rule reads
    a tick in which every fall part is far above the track and the left foot far short of the jump
    trigger, so the recorder listens only when one is near (:meth:`QWOPWorld.step`). The physics is the
    same either way: Box2D updates every contact whether or not a listener is attached.
    """

    def __init__(self, gather: BodyStateGather) -> None:
        fall = sorted(spec.FALL_PARTS)
        foot = spec.LANDING_PART

        def reach(name: str) -> float:  # a box's farthest point from its centre
            part = spec.PART_BY_NAME[name]
            return math.hypot(part.half_w, part.half_h)

        self._gather = gather
        self._index = np.array([gather.field_index(STATE_ORDER.index(name), 1) for name in fall]
                               + [gather.field_index(STATE_ORDER.index(foot), 0)], dtype=np.intp)
        # y points down: a part can touch once its centre is within its reach (and the margin) of the top
        self._limits = tuple(float(np.float32(limit)) for limit in (
            [spec.TRACK_TOP_Y - LISTEN_MARGIN - reach(name) for name in fall]
            + [spec.JUMP_TRIGGER_PX / spec.PX_PER_UNIT - LISTEN_MARGIN - reach(foot)]))

    def contact_possible(self) -> bool:
        """True when a fall part is near the track or the left foot near the jump trigger line.

        Compared in Python on the six gathered values: numpy's ``any`` alone costs more than the gather.
        """
        return any(map(operator.ge, self._gather.read_fields(self._index).tolist(), self._limits))


class _TrackContactRecorder(b2.contactListener):
    """Collects the begin-contacts between the track and a part that a rule reads.

    Contacts no rule reads (the right foot, torso, legs, hurdle, wall) are dropped before their
    manifold is read: this callback runs inside Box2D's step and its cost shows in every tick.
    """

    def __init__(self) -> None:
        super().__init__()
        self.events: list[BeginContact] = []

    # pybox2d's SWIG director calls PreSolve and PostSolve in Python for every touching contact on
    # every tick, whether or not a subclass overrides them; inherited, each call wraps its two
    # arguments and goes back into C++ to reach Box2D's empty base methods (~8,000 instructions a
    # call, measured with callgrind: ~9 % of an env step). Any cheap C function of two arguments
    # does the same nothing: ``operator.is_`` is called instead (result ignored, as Box2D's is).
    PreSolve = staticmethod(operator.is_)  # noqa: N815 (Box2D's name)
    PostSolve = staticmethod(operator.is_)  # noqa: N815

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


def _fixture_def(box: spec.BoxSpec) -> b2.fixtureDef:
    return b2.fixtureDef(shape=b2.polygonShape(box=(box.half_w, box.half_h)), density=box.density,
                         friction=box.friction, restitution=box.restitution, categoryBits=box.category,
                         maskBits=box.mask, userData=box.name)


def _body_def(box: spec.BoxSpec) -> b2.bodyDef:
    return b2.bodyDef(type=b2.dynamicBody if box.dynamic else b2.staticBody, position=(box.x, box.y),
                      angle=box.angle, awake=box.awake, userData=box.name)


_BoxDefs = tuple[b2.bodyDef, b2.fixtureDef]


@dataclass(frozen=True)
class _Definitions:
    """Every Box2D definition a world is built from, made once per process and reused by every reset.

    Why: a reset builds a new world, and pybox2d turns each keyword argument of ``CreateBody`` or
    ``CreateRevoluteJoint`` into a Python-level attribute set on a temporary definition; making those
    on every reset was about half of a reset's ~330 µs (measured), and resets fall unevenly, every
    few dozen steps of a learner, so in a vector env they hold up the whole step. pybox2d also leaks
    a little memory for every fixture definition it builds. Joint definitions get their bodies set
    just before each use, so worlds are built by one thread at a time (as everywhere in this
    project: envs step in processes, not threads).
    """

    track: list[_BoxDefs]
    block: _BoxDefs
    hurdle_base: _BoxDefs
    hurdle_top: _BoxDefs
    hurdle_joint: b2.revoluteJointDef
    parts: list[tuple[str, b2.bodyDef, b2.fixtureDef]]
    #: (joint name, body A's name, body B's name, definition), in creation order.
    joints: list[tuple[str, str, str, b2.revoluteJointDef]]

    @staticmethod
    def build() -> _Definitions:
        # Local anchors come from the spawn pose exactly as Box2D computes them (float32 rotation).
        scratch = b2.world()
        spawn = {p.name: scratch.CreateBody(_body_def(p)) for p in spec.PARTS}
        joints = [(j.name, j.body_a, j.body_b, b2.revoluteJointDef(
            localAnchorA=spawn[j.body_a].GetLocalPoint(j.world_a),
            localAnchorB=spawn[j.body_b].GetLocalPoint(j.world_b),
            referenceAngle=j.reference_angle, enableLimit=True, lowerAngle=j.lower, upperAngle=j.upper,
            enableMotor=j.motor, maxMotorTorque=j.max_torque, motorSpeed=0.0,
        )) for j in spec.JOINTS]
        return _Definitions(
            track=[(_body_def(seg), _fixture_def(seg)) for seg in spec.TRACK],
            block=(_body_def(spec.BLOCK), _fixture_def(spec.BLOCK)),
            hurdle_base=(_body_def(spec.HURDLE_BASE), _fixture_def(spec.HURDLE_BASE)),
            hurdle_top=(_body_def(spec.HURDLE_TOP), _fixture_def(spec.HURDLE_TOP)),
            hurdle_joint=b2.revoluteJointDef(
                localAnchorA=spec.HURDLE_JOINT_LOCAL_A, localAnchorB=spec.HURDLE_JOINT_LOCAL_B,
                referenceAngle=0.0, enableLimit=True, lowerAngle=0.0, upperAngle=0.0),
            parts=[(p.name, _body_def(p), _fixture_def(p)) for p in spec.PARTS],  # type: ignore[misc]
            joints=joints,
        )


@functools.cache
def _definitions() -> _Definitions:
    return _Definitions.build()


def _make_box(world: b2.world, body_def: b2.bodyDef, fixture_def: b2.fixtureDef) -> b2.body:
    body = world.CreateBody(body_def)
    body.CreateFixture(fixture_def)
    return body


def _make_joint(world: b2.world, defn: b2.revoluteJointDef, body_a: b2.body, body_b: b2.body) -> b2.revoluteJoint:
    defn.bodyA, defn.bodyB = body_a, body_b
    return world.CreateJoint(defn)


class QWOPWorld:
    """One Box2D world holding the track, the wall, the hurdle and the runner at its spawn pose.

    Build a new one to reset: Box2D keeps contact, proxy and solver state that moving bodies back
    would leave behind, and a fresh world is what makes a reset bitwise the fresh game.
    """

    def __init__(self, record_contacts: bool = True) -> None:
        for _ in self._build(record_contacts):
            pass

    def _build(self, record_contacts: bool) -> Iterator[None]:
        """Build the world, pausing (``yield``) after each body and joint: see :class:`WorldBuilder`."""
        world = b2.world(gravity=(0.0, spec.GRAVITY_Y), doSleep=True)
        world.autoClearForces = False
        world.continuousPhysics = False
        world.warmStarting = True
        self._recorder = _TrackContactRecorder() if record_contacts else None
        if self._recorder is not None:
            world.contactListener = self._recorder
        self._listening = self._recorder is not None  # whether the recorder is the world's listener now
        self.world = world
        # Creation order is the original's (spec §2.1): track, block, hurdle, parts, joints.
        defs = _definitions()
        self.track = []
        for seg in defs.track:
            yield
            self.track.append(_make_box(world, *seg))
        yield
        self.block = _make_box(world, *defs.block)
        yield
        self.hurdle_base = _make_box(world, *defs.hurdle_base)
        self.hurdle_top = _make_box(world, *defs.hurdle_top)
        self.hurdle_joint = _make_joint(world, defs.hurdle_joint, self.hurdle_top, self.hurdle_base)
        self.parts: dict[str, b2.body] = {}
        for name, body, fixture in defs.parts:
            yield
            self.parts[name] = _make_box(world, body, fixture)
        self.joints: dict[str, b2.revoluteJoint] = {}
        for name, a, b, defn in defs.joints:
            yield
            self.joints[name] = _make_joint(world, defn, self.parts[a], self.parts[b])
        self.bodies_in_state_order: list[b2.body] = [self.parts[n] for n in spec.OBSERVATION_ORDER] + [
            self.hurdle_base, self.hurdle_top]
        self.torso = self.parts["torso"]
        self.head = self.parts["head"]
        self._states = np.zeros((len(STATE_ORDER), 6), dtype=np.float64)
        self._gather: BodyStateGather | None = None
        if GATHER_STATES:
            try:
                self._gather = BodyStateGather(self.bodies_in_state_order)
            except ValueError:
                pass  # read through the getters
        # without the gather the recorder always listens (the reference behaviour)
        self._watch = RuleContactWatch(self._gather) if self._gather is not None else None

    # ------------------------------------------------------------------------------ stepping
    def step(self, listen_always: bool = False) -> list[BeginContact]:
        """One physics tick (``DT_GAME_S`` of game time); returns the track begin-contacts the rules read.

        The recorder listens during the tick when ``listen_always`` (the game's landing phase, when every
        left-foot contact counts) or when :class:`RuleContactWatch` finds a rule part near enough to
        begin touching; otherwise no rule could read the tick's contacts, and none are recorded.
        """
        recorder = self._recorder
        if recorder is None:
            self.world.Step(spec.DT_GAME_S, spec.VELOCITY_ITERATIONS, spec.POSITION_ITERATIONS)
            return []
        listen = listen_always or self._watch is None or self._watch.contact_possible()
        if listen != self._listening:
            self.world.contactListener = recorder if listen else None
            self._listening = listen
        recorder.events = []
        self.world.Step(spec.DT_GAME_S, spec.VELOCITY_ITERATIONS, spec.POSITION_ITERATIONS)
        return recorder.events

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
        rows = len(STATE_ORDER) if with_hurdle else N_PARTS
        if self._gather is not None:
            self._gather.read_into(self._states, rows)
        else:
            read_states_by_getters(self.bodies_in_state_order[:rows], self._states)
        return self._states

    @property
    def states(self) -> np.ndarray:
        """The array the last :meth:`read_states` wrote into (owned by the world: copy it to keep it)."""
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


class WorldBuilder:
    """A :class:`QWOPWorld` built a few microseconds at a time, in time that would otherwise be idle.

    Why: a reset builds a new world (~60 µs of a ~130 µs reset), and in a vector env every reset
    holds up the whole step, while the same processes spend tens of microseconds per step waiting
    for each other. :meth:`advance` creates one body or joint (a few µs) and returns, so a waiting
    process can build the next reset's world between polls for its message without answering it
    late. The calls, their order and their arguments are those of ``QWOPWorld()``, so the finished
    world is the same world: a game reset onto it is bitwise a fresh game (tested).
    """

    def __init__(self) -> None:
        self._world = QWOPWorld.__new__(QWOPWorld)
        self._steps: Iterator[None] | None = self._world._build(record_contacts=True)

    @property
    def done(self) -> bool:
        """True once every body and joint exists (a reset takes the world without building more)."""
        return self._steps is None

    def advance(self) -> bool:
        """Create the next body or joint; False once the world is complete (nothing was done)."""
        if self._steps is None:
            return False
        if next(self._steps, _BUILT) is _BUILT:
            self._steps = None
        return True

    def finish(self) -> QWOPWorld:
        """The complete world (building what is left now)."""
        while self.advance():
            pass
        return self._world


_BUILT = object()


def js_round(x: float) -> float:
    """JavaScript's ``Math.round``: halves go up (``round(-2.5) == -2``); NaN and infinities pass through."""
    return math.floor(x + 0.5) if math.isfinite(x) else x
