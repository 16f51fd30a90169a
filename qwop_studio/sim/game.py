"""``QWOPGame``: the original game's rules around the Box2D world.

One :meth:`QWOPGame.step` is one frame of the original's ``update(1/30)``, in its order (spec §4.1):
advance the clock, move the track segments after the camera, add the head torque, set motors and
hip limits from the keys, one 0.04 s physics step (contacts fire the fall and landing rules), move
the camera, update the live score, and end the game on a fall or a landing.

Facts that most ports miss and this one keeps, each labelled with its section (§) of the physics notes
this port was written from: the head torque is never cleared and builds up (§1.1, §4.1); the
three track segments follow the camera whether or not anything is drawn (§1.4), so a headless runner
cannot run off the track; the hurdle at 50 m is two locked parts that start asleep (§1.5); Q beats
W and O beats P, and the hip limits stay where O or P last put them (§3.2); the knees and shoulders
go limp after the game ends (§3.3); only the head, upper arms and forearms touching the track are a
fall, and only the left foot past 100 m after the jump trigger is a landing (§4.2); a landing pauses
physics while a fall does not (§4.3).

Deterministic: no randomness at all, and :meth:`reset` builds a fresh Box2D world, so a reset game is
bitwise the fresh game.
"""
from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

import numpy as np

from qwop_studio.sim import spec
from qwop_studio.sim.keys import MOTOR_COMMANDS, key_mask, key_string
from qwop_studio.sim.state_reading import (
    body_angle,
    body_apply_torque,
    body_is_awake,
    body_position,
    vec_x,
    vec_y,
)
from qwop_studio.sim.world import N_PARTS, STATE_ORDER, QWOPWorld, WorldBuilder, js_round

_ARM_SPEEDS = {None: dict.fromkeys(spec.ARM_CHAIN_JOINTS, 0.0), "Q": spec.Q_SPEEDS, "W": spec.W_SPEEDS}
_LEG_SPEEDS = {None: dict.fromkeys(spec.LEG_CHAIN_JOINTS, 0.0), "O": spec.O_SPEEDS, "P": spec.P_SPEEDS}
_HIP_LIMITS = {"O": spec.O_HIP_LIMITS, "P": spec.P_HIP_LIMITS}
_NO_PARTS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class JointState:
    """What the rules change on a runner joint: limits, their switch, the motor's switch and speed."""

    lower: float
    upper: float
    limit_enabled: bool
    motor_enabled: bool
    motor_speed: float


@dataclass(frozen=True)
class GameSnapshot:
    """The whole state of a game as plain numbers (picklable, a few kB).

    ``bodies`` has one row per dynamic body in :data:`qwop_studio.sim.world.STATE_ORDER`:
    (x, y, angle, vx, vy, omega, awake). Box2D's contact cache, joint warm-start impulses and sleep
    timers cannot be set from pybox2d, so they are not part of it. A restored game always reads back
    the same state bit for bit; it then continues bit for bit when it was restored by replaying
    ``history``, and closely rather than exactly when the state was set directly (an edited
    snapshot, or a game that was itself restored that way): see ``tests/sim/test_snapshot.py``.
    """

    bodies: tuple[tuple[float, ...], ...]
    joints: tuple[JointState, ...]
    track_x: float
    camera_x_px: float
    head_torque: float
    arm_command: str | None
    leg_command: str | None
    hip_limit_command: str | None
    keys: int
    fallen: bool
    jumped: bool
    landed: bool
    game_ended: bool
    paused: bool
    score: float
    score_time: float
    frame: int
    touching_track: frozenset[str]
    #: The key mask of every frame since reset, when the game got here by playing from a reset:
    #: then :meth:`QWOPGame.restore` replays it and continues bit for bit. ``None`` otherwise.
    history: bytes | None = None


class QWOPGame:
    """The QWOP runner on its 100 m track, one original game frame per :meth:`step`.

    The contract the fidelity check against the original engine drives: ``reset()``, ``step(keys)``,
    ``body_states()``, ``fallen``, ``jumped``, ``landed``, ``score``; plus ``distance`` (torso x / 10, game metres),
    ``time`` (the original's ``scoreTime``: 1/30 s per frame), ``snapshot()`` and ``restore()``.
    A new game is already reset.
    """

    def __init__(self) -> None:
        self._world: QWOPWorld | None = None
        self._next_world: WorldBuilder | None = None
        self.reset()

    # ---------------------------------------------------------------------------- lifecycle
    def reset(self, seed: int | None = None) -> None:
        """Rebuild the runner and hurdle at the spawn pose, then run one frame with no keys (frame 0).

        ``seed`` is accepted for symmetry with other resets; the game itself has no randomness.
        """
        del seed
        self._new_world()
        self._history: bytearray | None = bytearray()
        self.keys = 0
        self.fallen = False
        self.jumped = False
        self.landed = False
        self.game_ended = False
        self.paused = False
        self.score = 0.0
        self.score_time = 0.0
        self.camera_x_px = spec.CAMERA_RESET_X_PX
        self.frame = -1
        self._update(0)

    def prepare_reset(self) -> bool:
        """Do a few microseconds of the next reset's work now; False when there is none left to do.

        For a caller with idle time (a vector env waiting for its other process): it builds the
        next reset's world one body or joint per call (:class:`~qwop_studio.sim.world.WorldBuilder`),
        and :meth:`reset` then takes that world instead of building one. Optional: a reset without
        it builds its world itself, and the game is bitwise the same either way.
        """
        if self._next_world is None:
            self._next_world = WorldBuilder()
        return self._next_world.advance()

    def _new_world(self) -> None:
        if self._world is not None:
            self._world.destroy()
        if self._next_world is not None:
            self._world, self._next_world = self._next_world.finish(), None
        else:
            self._world = QWOPWorld()
        w = self._world
        self._joints = w.joints
        self._head = w.head
        self._torso = w.torso
        self._track_x: float | None = None
        # Box2D accumulates the torque in float32: storing into a float32 array rounds the same way
        # (a float64 sum of two float32 values, rounded once to float32, is the float32 sum).
        self._head_torque = array("f", [0.0])
        self._torque_f32 = array("f", [0.0])
        self._arm_command: str | None = None
        self._leg_command: str | None = None
        self._hip_limit_command: str | None = None
        self._states_frame = -2
        self._suppressed_contacts: frozenset[str] = frozenset()

    # -------------------------------------------------------------------------------- frame
    def step(self, keys: str | int = "") -> None:
        """Hold ``keys`` for one frame: the original's ``update(1/30)``, one 0.04 s physics step.

        ``keys``: a string of letters from ``"QWOP"`` (``""`` = none) or a mask 0..15 (Q=1, W=2,
        O=4, P=8). Raises ``ValueError`` naming anything else.
        """
        self.step_mask(key_mask(keys))

    def step_mask(self, mask: int) -> None:
        """:meth:`step` for a mask already known to be 0..15 (an env's action table): no check, for speed."""
        if self._history is not None:
            self._history.append(mask)
        self._update(mask)

    def _update(self, mask: int) -> None:
        # Runs every frame: pybox2d's C entry points are called directly (its properties and bound
        # methods add a Python layer each), and the motors are left alone unless a command changed.
        self.keys = mask
        self.frame += 1
        if not self.paused and not self.game_ended:
            self.score_time += spec.FRAME_CLOCK_S
        self._move_track()
        head = self._head
        if not self.fallen:
            torque = spec.HEAD_TORQUE_GAIN * (body_angle(head) + spec.HEAD_TORQUE_BIAS)
            body_apply_torque(head, torque, True)
            self._torque_f32[0] = torque
            self._head_torque[0] += self._torque_f32[0]
        arm, leg = MOTOR_COMMANDS[mask]  # Q beats W, O beats P
        if (arm != self._arm_command or leg != self._leg_command
                or (leg is not None and leg != self._hip_limit_command)):
            self._apply_controls(arm, leg)
        if not self.paused:
            events = self._world.step(listen_always=self.jumped)  # once jumped, every left-foot contact counts
            if events:
                self._apply_contact_rules(events)
            if self._suppressed_contacts:
                self._suppressed_contacts = _NO_PARTS
            if not body_is_awake(head):  # Box2D zeroes a sleeping body's force and torque
                self._head_torque[0] = 0.0
        torso_pos = body_position(self._torso)
        torso_x, torso_y = vec_x(torso_pos), vec_y(torso_pos)
        if torso_y >= spec.CAMERA_HIGH_TORSO_Y and not self.fallen:
            cam = (torso_x + spec.CAMERA_OFFSET) * spec.PX_PER_UNIT
            self.camera_x_px = min(max(cam, spec.CAMERA_MIN_X_PX), spec.CAMERA_MAX_X_PX)
        if not self.landed:
            self.score = js_round(torso_x) / 10.0
        if self.landed and not self.game_ended:
            self.paused = True
            self._end_game()
        elif not self.landed and not self.game_ended and self.fallen:
            self._end_game()

    def _move_track(self) -> None:
        first_x = math.floor(self.camera_x_px / spec.TRACK_SEGMENT_W_PX) * 2.0 * spec.TRACK_HALF_W
        if first_x != self._track_x:
            self._world.move_track(first_x)
            self._track_x = first_x

    def _apply_controls(self, arm: str | None, leg: str | None) -> None:
        joints = self._joints
        # Setting a speed in pybox2d wakes the bodies, which the original's setter does not: set a
        # speed only when it changes, and not at all once the game has switched the motors off.
        if not self.game_ended:
            if arm != self._arm_command:
                for name, speed in _ARM_SPEEDS[arm].items():
                    joints[name].motorSpeed = speed
            if leg != self._leg_command:
                for name, speed in _LEG_SPEEDS[leg].items():
                    joints[name].motorSpeed = speed
        self._arm_command, self._leg_command = arm, leg
        if leg is not None and leg != self._hip_limit_command:
            for name, limits in _HIP_LIMITS[leg].items():
                joints[name].limits = limits
            self._hip_limit_command = leg

    def _apply_contact_rules(self, events) -> None:
        """The original's ``beginContact`` (spec §4.2), for contacts with the track, in Box2D's order."""
        for event in events:
            a, b = event.body_a, event.body_b
            if b in self._suppressed_contacts:
                continue
            if b == spec.LANDING_PART or a == "rightFoot":
                if a == "track" and not self.fallen:
                    px = event.max_x * spec.PX_PER_UNIT
                    if not self.jumped and px > spec.JUMP_TRIGGER_PX:
                        self.jumped = True
                    if self.jumped and not self.landed:
                        if px > spec.LANDING_TRIGGER_PX:
                            self.landed = True
                        self.score = js_round(event.max_x) / 10.0
            elif b in spec.FALL_PARTS and a == "track" and not self.fallen:
                self.fallen = True
                if self.jumped and not self.landed:
                    self.landed = True  # a fall after the jump trigger ends as a landing
                self.score = js_round(event.max_x) / 10.0

    def _end_game(self) -> None:
        """The original's ``endGame`` (spec §3.3): hip motors off, knees and shoulders limp."""
        j = self._joints
        for name in ("leftHip", "rightHip"):
            j[name].motorSpeed = 0.0
            j[name].motorEnabled = False
        for name in spec.LIMP_LIMIT_JOINTS:
            j[name].limitEnabled = False
            j[name].motorEnabled = False
        self.game_ended = True
        self._world.stop_recording()

    # ------------------------------------------------------------------------------ reading
    def body_states(self, copy: bool = True) -> np.ndarray:
        """A new (12, 6) float64 array: x, y, angle, vx, vy, omega of each part, in Box2D units.

        Rows in qwop-gym's order (``spec.OBSERVATION_ORDER``); y points down. Read from Box2D at most
        once per frame. ``copy=False`` returns a read-only view of the world's own array instead, valid
        until the next frame: for a caller that reads it at once (the env's step) and keeps nothing.
        """
        if self._states_frame != self.frame:
            self._world.read_states(with_hurdle=False)
            self._states_frame = self.frame
        states = self._world.states[:N_PARTS]
        if copy:
            return states.copy()
        view = states.view()
        view.flags.writeable = False
        return view

    def hurdle_states(self) -> np.ndarray:
        """A new (2, 6) array for the hurdle's base and top, columns as in :meth:`body_states`."""
        self._states_frame = self.frame
        return self._world.read_states(with_hurdle=True)[N_PARTS:].copy()

    def joint_angles(self) -> np.ndarray:
        """Each runner joint's angle (radians), in ``spec.JOINT_NAMES`` order."""
        return self._world.joint_angles()

    def joint_positions(self) -> np.ndarray:
        """Each runner joint's anchor in world units, shape (11, 2) (x, y; y points down), in
        ``spec.JOINT_NAMES`` order: where a knee or an elbow is, for measures of posture."""
        return np.array([tuple(j.anchorA) for j in self._joints.values()], dtype=np.float64)

    def joint_limits(self) -> np.ndarray:
        """Each runner joint's current (lower, upper) limits, shape (11, 2); hips change with O/P."""
        return np.array([j.limits for j in self._joints.values()], dtype=np.float64)

    @property
    def torso_x(self) -> float:
        """Torso centre x in Box2D units."""
        return vec_x(body_position(self._torso))

    @property
    def distance(self) -> float:
        """Torso x / 10: the distance in game metres, unrounded (qwop-gym's ``distance``)."""
        return self.torso_x / spec.UNITS_PER_METRE

    @property
    def time(self) -> float:
        """The original's clock ``scoreTime``: 1/30 s per frame, zeroed at reset, stopped at the end."""
        return self.score_time

    @property
    def end_screen_time(self) -> float:
        """The number the original's end screen shows: ``round(scoreTime) / 10``."""
        return js_round(self.score_time) / 10.0

    @property
    def key_string(self) -> str:
        """The keys held on the last frame, as letters in QWOP order."""
        return key_string(self.keys)

    def key_history(self) -> bytes | None:
        """The key mask of every frame stepped since the last reset (``None`` after a game was restored
        from state alone): with :meth:`reset`, the whole game, since the game is deterministic."""
        return None if self._history is None else bytes(self._history)

    @property
    def head_torque(self) -> float:
        """The head's accumulated (never cleared) torque, as Box2D holds it (float32)."""
        return self._head_torque[0]

    @property
    def track_x(self) -> float:
        """Centre x of the first of the three track segments (units); the others follow at +32, +64."""
        return float(self._track_x)

    # ------------------------------------------------------------------------- snapshots
    def snapshot(self) -> GameSnapshot:
        """The whole game state as a small picklable value; see :class:`GameSnapshot`."""
        w = self._world
        bodies = tuple(
            (b.position[0], b.position[1], b.angle, b.linearVelocity[0], b.linearVelocity[1],
             b.angularVelocity, float(b.awake))
            for b in w.bodies_in_state_order
        )
        joints = tuple(
            JointState(j.lowerLimit, j.upperLimit, j.limitEnabled, j.motorEnabled, j.motorSpeed)
            for j in self._joints.values()
        )
        if self._suppressed_contacts:
            # restored and not stepped since: Box2D rebuilds the contacts on the first step
            touching = self._suppressed_contacts
        else:
            touching = frozenset(
                (c.fixtureB.userData if c.fixtureA.userData == "track" else c.fixtureA.userData)
                for c in w.world.contacts
                if c.touching and "track" in (c.fixtureA.userData, c.fixtureB.userData)
            )
        return GameSnapshot(
            bodies=bodies, joints=joints, track_x=float(self._track_x), camera_x_px=self.camera_x_px,
            head_torque=self._head_torque[0], arm_command=self._arm_command,
            leg_command=self._leg_command, hip_limit_command=self._hip_limit_command, keys=self.keys,
            fallen=self.fallen, jumped=self.jumped, landed=self.landed, game_ended=self.game_ended,
            paused=self.paused, score=self.score, score_time=self.score_time, frame=self.frame,
            touching_track=touching,
            history=None if self._history is None else bytes(self._history),
        )

    def restore(self, snap: GameSnapshot) -> None:
        """Put the game in the state ``snap`` holds, in a fresh Box2D world.

        Contacts with the track that were touching when the snapshot was taken do not fire the
        rules again on the next frame.
        """
        if not isinstance(snap, GameSnapshot):
            raise ValueError(f"restore: expected a GameSnapshot, got {type(snap).__name__}")
        if snap.history is not None and self._replay(snap):
            return
        self._set_state(snap)

    def _replay(self, snap: GameSnapshot) -> bool:
        """Reset and replay ``snap.history``; True when that reproduces ``snap`` exactly."""
        self.reset()
        for mask in snap.history:
            if mask > 15:
                return False
            self._history.append(mask)
            self._update(mask)
        return self.snapshot() == snap

    def _set_state(self, snap: GameSnapshot) -> None:
        """Set every body, joint and flag directly in a fresh world (the solver then starts cold)."""
        self._new_world()
        self._history = None
        w = self._world
        self._world.move_track(snap.track_x)
        self._track_x = snap.track_x
        for joint, js in zip(self._joints.values(), snap.joints, strict=True):
            joint.limits = (js.lower, js.upper)
            joint.limitEnabled = js.limit_enabled
            joint.motorEnabled = js.motor_enabled
            joint.motorSpeed = js.motor_speed
        for body, row in zip(w.bodies_in_state_order, snap.bodies, strict=True):
            x, y, angle, vx, vy, omega, awake = row
            body.transform = ((x, y), angle)
            body.linearVelocity = (vx, vy)
            body.angularVelocity = omega
            body.awake = bool(awake)
        self._head_torque[0] = snap.head_torque
        if self._head.awake and snap.head_torque:
            self._head.ApplyTorque(snap.head_torque, False)
        self._arm_command = snap.arm_command
        self._leg_command = snap.leg_command
        self._hip_limit_command = snap.hip_limit_command
        self.keys = snap.keys
        self.fallen, self.jumped, self.landed = snap.fallen, snap.jumped, snap.landed
        self.game_ended, self.paused = snap.game_ended, snap.paused
        self.score, self.score_time, self.frame = snap.score, snap.score_time, snap.frame
        self.camera_x_px = snap.camera_x_px
        self._suppressed_contacts = snap.touching_track
        if self.game_ended:
            w.stop_recording()
        self._states_frame = -2


__all__ = ["QWOPGame", "GameSnapshot", "JointState", "STATE_ORDER"]
