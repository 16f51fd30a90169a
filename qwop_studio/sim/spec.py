"""The QWOP runner and its level, as data.

Every number here is a fact of the original HTML5 game (``QWOP.min.js``); each group is labelled (§) with
its section of the physics notes this port was written from, and says the fact itself. Nothing in this module knows about Box2D, numpy, RL or pygame:
``world.py`` builds a Box2D world from these tables and ``game.py`` applies the rules.

Units are Box2D units (1 unit = 20 px = 0.1 game metre), radians and seconds; +y points down.
"""
from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------------- engine (§1.1)
GRAVITY_Y: float = 10.0
#: Physics step of one game frame, in seconds of game time.
DT_GAME_S: float = 0.04
#: The original's frame clock: one ``update(1/30)`` per frame, and ``scoreTime`` grows by this.
FRAME_CLOCK_S: float = 1.0 / 30.0
VELOCITY_ITERATIONS: int = 5
POSITION_ITERATIONS: int = 5

# ---------------------------------------------------------------------------------- level (§1.2)
UNITS_PER_METRE: float = 10.0
PX_PER_UNIT: float = 20.0
LEVEL_SIZE: float = 1050.0
HURDLE_AT: float = 500.0
SAND_PIT_AT: float = 1000.0
#: A left-foot contact beyond this x (units) sets ``jumped`` (19780 px / 20).
JUMP_TRIGGER_PX: float = 19780.0
#: A left-foot contact beyond this x (units) after ``jumped`` sets ``landed`` (20000 px / 20).
LANDING_TRIGGER_PX: float = 20000.0
SCREEN_W_PX: float = 640.0
SCREEN_H_PX: float = 400.0

# ------------------------------------------------------------------------------- camera (§1.4)
CAMERA_OFFSET: float = -14.0
CAMERA_MIN_X_PX: float = -1200.0
CAMERA_MAX_X_PX: float = 20933.0
#: Camera x after a reset (px).
CAMERA_RESET_X_PX: float = -280.0
#: Torso y above which (smaller y) the camera stops following horizontally.
CAMERA_HIGH_TORSO_Y: float = -5.0

# ---------------------------------------------------------------------------------- rules (§4)
#: Head torque added every frame while not fallen: HEAD_TORQUE_GAIN * (head angle + HEAD_TORQUE_BIAS).
HEAD_TORQUE_GAIN: float = -4.0
HEAD_TORQUE_BIAS: float = 0.2


@dataclass(frozen=True)
class BoxSpec:
    """One rigid box: a body with a single centred box fixture (luxe ``Box`` component, §2.1)."""

    name: str | None
    half_w: float
    half_h: float
    x: float
    y: float
    angle: float = 0.0
    density: float = 1.0
    friction: float = 0.2
    restitution: float = 0.0
    category: int = 1
    mask: int = 0xFFFF
    dynamic: bool = True
    awake: bool = True
    #: Sprite depth in the original (larger is drawn in front); used by renderers only.
    depth: int = 0


@dataclass(frozen=True)
class JointSpec:
    """A revolute joint. ``body_a`` is the outer (child) part, ``body_b`` the inner one (§3.1).

    The anchors are world points at the spawn pose; the local anchors are derived from them exactly
    as the original does (``bodyA.getLocalPoint(worldA)``).
    """

    name: str
    body_a: str
    body_b: str
    world_a: tuple[float, float]
    world_b: tuple[float, float]
    lower: float
    upper: float
    motor: bool
    max_torque: float
    reference_angle: float


# ---------------------------------------------------------------------------------- track (§2.2)
TRACK_SEGMENTS: int = 3
TRACK_HALF_W: float = 16.0
TRACK_HALF_H: float = 1.6
TRACK_CENTRE_Y: float = 10.74275
TRACK_TOP_Y: float = TRACK_CENTRE_Y - TRACK_HALF_H
TRACK_SEGMENT_W_PX: float = 640.0
TRACK = tuple(
    BoxSpec("track", TRACK_HALF_W, TRACK_HALF_H, 32.0 * i, TRACK_CENTRE_Y, density=30.0, dynamic=False)
    for i in range(TRACK_SEGMENTS)
)
#: The wall behind the start (§1.6); it has no userData in the original.
BLOCK = BoxSpec(None, 6.275, 7.475, -39.99625, 2.10625, dynamic=False)

# --------------------------------------------------------------------------------- hurdle (§1.5)
HURDLE_BASE = BoxSpec("hurdleBase", 1.675, 0.3, 500.0, 8.775, category=4, mask=0xFFF9, awake=False)
HURDLE_TOP = BoxSpec("hurdleTop", 0.5375, 3.65, 500.865, 5.0575, category=4, mask=0xFFFB, awake=False)
#: Locked revolute joint (limit on, lower = upper = 0): local anchors as the original gives them.
HURDLE_JOINT_LOCAL_A: tuple[float, float] = (3.6 / 20.0, 74.6 / 20.0)
HURDLE_JOINT_LOCAL_B: tuple[float, float] = (20.9 / 20.0, 0.25 / 20.0)

# ------------------------------------------------------------------- runner parts (§2.3, in creation order)
_PART = dict(category=2, mask=0xFFFD)
PARTS: tuple[BoxSpec, ...] = (
    BoxSpec("torso", 3.275, 1.425, 2.5111726226000157, -1.8709517533957938, -1.2514497119301329, depth=6, **_PART),
    BoxSpec("head", 1.075, 1.325, 3.888130278719558, -5.621802929095265, 0.06448415835225099, depth=7, **_PART),
    BoxSpec("leftForearm", 1.75, 0.55, 5.830008603424893, -2.8733539631159584, -1.2049772618421237, depth=5, **_PART),
    BoxSpec("leftThigh", 2.525, 1.0, 2.5648987628203876, 1.648090668682522, -2.0177234426823394, depth=3, **_PART),
    BoxSpec("leftArm", 1.85, 0.625, 4.417861014480877, -2.806563606410589, 0.9040095895272826, depth=4, **_PART),
    BoxSpec("leftCalf", 2.5, 0.75, 3.12585731974087, 5.525511655361298, -1.5903971528225265, depth=1, **_PART),
    BoxSpec("leftFoot", 1.35, 0.675, 3.926921842806667, 8.08884032049622, 0.12027524643408766,
            density=3.0, friction=1.5, depth=2, **_PART),
    BoxSpec("rightForearm", 2.225, 0.675, 0.4078206420797428, -1.0599953233084172, -1.7553358283857299, depth=12, **_PART),
    BoxSpec("rightArm", 1.95, 0.75, 1.1812303663272852, -3.5000256518601014, -0.5222217404634386, depth=8, **_PART),
    BoxSpec("rightCalf", 2.5, 0.75, -0.07253905736790486, 5.347881871063159, -0.7588859967104447, depth=9, **_PART),
    BoxSpec("rightFoot", 1.35, 0.725, -1.1254742643908706, 7.567193169625567, 0.5897605418219602,
            density=3.0, friction=1.5, depth=11, **_PART),
    BoxSpec("rightThigh", 2.65, 1.0, 1.6120186135678773, 2.0615320561881516, 1.4849422964528027, depth=10, **_PART),
)
PART_BY_NAME: dict[str, BoxSpec] = {p.name: p for p in PARTS}  # type: ignore[misc]

#: Row order of ``QWOPGame.body_states()`` and of qwop-gym's observation (§5.3).
OBSERVATION_ORDER: tuple[str, ...] = (
    "torso", "head", "leftArm", "leftCalf", "leftFoot", "leftForearm", "leftThigh",
    "rightArm", "rightCalf", "rightFoot", "rightForearm", "rightThigh",
)

# --------------------------------------------------------------------------- joints (§3.1, creation order)
JOINTS: tuple[JointSpec, ...] = (
    JointSpec("neck", "head", "torso", (3.5885141908253755, -4.526224223627244),
              (3.588733341630704, -4.526434658500262), -0.5, 0.0, False, 0.0, -1.308996406363529),
    JointSpec("rightShoulder", "rightArm", "torso", (2.228476821818547, -4.086468732185028),
              (2.228929993886102, -4.08707555939957), -0.5, 1.5, True, 1000.0, -0.7853907065463961),
    JointSpec("leftShoulder", "leftArm", "torso", (3.6241979856895377, -3.5334881618011442),
              (3.6241778782207157, -3.533950434531982), -2.0, 0.0, True, 1000.0, -2.09438311816829),
    JointSpec("leftHip", "leftThigh", "torso", (2.0030339754142847, 0.23737160622781284),
              (2.003367181376716, 0.23802590387419476), -1.5, 0.5, True, 6000.0, 0.7258477508944043),
    JointSpec("rightHip", "rightThigh", "torso", (1.2475900729227194, -0.011046642863645761),
              (1.2470052823973599, -0.011635347168778898), -1.3, 0.7, True, 6000.0, -2.719359381718199),
    JointSpec("leftElbow", "leftForearm", "leftArm", (5.525375332758792, -1.63856204930891),
              (5.52537532948459, -1.6385620366077662), -0.1, 0.5, False, 0.0, 2.09438311816829),
    JointSpec("rightElbow", "rightForearm", "rightArm", (-0.006090859076100963, -2.8004758838752157),
              (-0.0060908611708438976, -2.8004758929205846), -0.1, 0.5, False, 0.0, 1.2968199012274688),
    JointSpec("leftKnee", "leftCalf", "leftThigh", (3.384323411985692, 3.5168931240916876),
              (3.3844684376952108, 3.5174122997898016), -1.6, 0.0, True, 3000.0, -0.3953113764119829),
    JointSpec("rightKnee", "rightCalf", "rightThigh", (1.4982369235492752, 4.175600306005656),
              (1.4982043532615996, 4.17493520671361), -1.3, 0.3, True, 3000.0, 2.2893406247158676),
    JointSpec("leftAnkle", "leftFoot", "leftCalf", (3.312322507818897, 7.947704853895541),
              (3.3123224825088817, 7.947704836256229), -0.5, 0.5, False, 2000.0, -1.7244327585010226),
    JointSpec("rightAnkle", "rightFoot", "rightCalf", (-1.6562855402197227, 6.961551452557676),
              (-1.655726670462596, 6.961493826969391), -0.5, 0.5, False, 2000.0, -1.5708045825942758),
)
JOINT_NAMES: tuple[str, ...] = tuple(j.name for j in JOINTS)

# ------------------------------------------------------------------- keys -> motors (§3.2)
#: Motor speeds set by the thigh/arm chain (Q has priority over W). Elbow motors are disabled in the
#: original, so their speeds are left out: they would do nothing.
Q_SPEEDS: dict[str, float] = {"rightHip": 2.5, "leftHip": -2.5, "rightShoulder": -2.0, "leftShoulder": 2.0}
W_SPEEDS: dict[str, float] = {"rightHip": -2.5, "leftHip": 2.5, "rightShoulder": 2.0, "leftShoulder": -2.0}
#: Motor speeds set by the calf chain (O has priority over P).
O_SPEEDS: dict[str, float] = {"rightKnee": 2.5, "leftKnee": -2.5}
P_SPEEDS: dict[str, float] = {"rightKnee": -2.5, "leftKnee": 2.5}
#: Hip limits (lower, upper) that O and P set; they stay when neither is held.
O_HIP_LIMITS: dict[str, tuple[float, float]] = {"leftHip": (-1.0, 1.0), "rightHip": (-1.3, 0.7)}
P_HIP_LIMITS: dict[str, tuple[float, float]] = {"leftHip": (-1.5, 0.5), "rightHip": (-0.8, 1.2)}
#: Joints whose motors the key chains drive (speed 0 = brake when no key of the chain is held).
ARM_CHAIN_JOINTS: tuple[str, ...] = ("rightHip", "leftHip", "rightShoulder", "leftShoulder")
LEG_CHAIN_JOINTS: tuple[str, ...] = ("rightKnee", "leftKnee")

# ------------------------------------------------------------------- contact rules (§2.4, §4.2)
FALL_PARTS: frozenset[str] = frozenset({"head", "leftArm", "rightArm", "leftForearm", "rightForearm"})
LANDING_PART: str = "leftFoot"

# ------------------------------------------------------------------- end of game (§3.3)
#: Joints whose motors the end of the game switches off.
LIMP_MOTOR_JOINTS: tuple[str, ...] = ("leftHip", "rightHip", "leftKnee", "rightKnee", "leftShoulder", "rightShoulder")
#: Joints whose limits the end of the game switches off.
LIMP_LIMIT_JOINTS: tuple[str, ...] = ("leftKnee", "rightKnee", "leftShoulder", "rightShoulder")
