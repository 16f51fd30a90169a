"""Spawn geometry and the first frames of the drop: spec §2 and sanity facts S1-S5."""
import math

import numpy as np
import pytest

from qwop_studio.sim import QWOPGame, spec
from qwop_studio.sim.world import QWOPWorld

# S4: qwop-gym's initial observation (2 no-key frames), raw values from the original engine.
S4_TABLE = {
    "torso": (2.5111, -1.8229, -1.2515, 0.0015, 0.8003),
    "head": (3.8876, -5.5741, 0.0639, -0.0098, 0.7973),
    "leftArm": (4.4178, -2.7588, 0.9041, 0.0018, 0.8008),
    "leftCalf": (3.1261, 5.5740, -1.5902, -0.0000, 0.8004),
    "leftFoot": (3.9268, 8.1372, 0.1200, -0.0004, 0.8003),
    "leftForearm": (5.8299, -2.8254, -1.2049, 0.0005, 0.8009),
    "leftThigh": (2.5652, 1.6964, -2.0178, 0.0007, 0.8002),
    "rightArm": (1.1816, -3.4524, -0.5224, 0.0019, 0.7999),
    "rightCalf": (-0.0728, 5.3955, -0.7590, -0.0002, 0.8000),
    "rightFoot": (-1.1252, 7.6151, 0.5900, -0.0004, 0.7997),
    "rightForearm": (0.4080, -1.0121, -1.7551, 0.0006, 0.7998),
    "rightThigh": (1.6117, 2.1093, 1.4849, 0.0005, 0.8000),
}


def lowest_corner_y(body) -> float:
    """The largest y (lowest point on screen) of a body's box corners."""
    return max((body.transform * v)[1] for v in body.fixtures[0].shape.vertices)


def test_track_top_and_feet_start_above_it():
    """S1: the track top is at y = 9.14275 and both feet start about 0.222 units above it."""
    assert spec.TRACK_TOP_Y == pytest.approx(9.14275, abs=1e-9)
    world = QWOPWorld(record_contacts=False)
    for foot in ("leftFoot", "rightFoot"):
        y = lowest_corner_y(world.parts[foot])
        assert 8.920 < y < 8.921
        assert spec.TRACK_TOP_Y - y == pytest.approx(0.222, abs=1e-3)
    track_top = world.track[0].position[1] - spec.TRACK_HALF_H
    assert track_top == pytest.approx(9.14275, abs=1e-5)


def test_spawn_heights_score_and_distance():
    """S2: torso 11.014 and head 14.765 units above the track; shown score 0.3; distance 0.2511."""
    assert spec.TRACK_TOP_Y - spec.PART_BY_NAME["torso"].y == pytest.approx(11.014, abs=1e-3)
    assert spec.TRACK_TOP_Y - spec.PART_BY_NAME["head"].y == pytest.approx(14.765, abs=1e-3)
    game = QWOPGame()
    assert game.score == pytest.approx(0.3)
    assert game.distance == pytest.approx(0.2511, abs=1e-4)


def test_free_fall_of_the_first_frames():
    """S3: until the feet land every body falls freely: vy = 0.4 k, torso y after k = 1 and k = 2."""
    game = QWOPGame()  # reset() ran one frame: k = 1
    torso = game.body_states()[0]
    assert torso[1] == pytest.approx(-1.8550, abs=1e-3)
    assert torso[4] == pytest.approx(0.4, abs=1e-3)
    game.step("")
    torso = game.body_states()[0]
    assert torso[1] == pytest.approx(-1.8229, abs=1e-4)
    assert torso[4] == pytest.approx(0.8003, abs=1e-3)


def test_initial_observation_matches_the_original():
    """S4: after two no-key frames every part's raw state matches the original engine's to 1e-3."""
    game = QWOPGame()
    game.step("")
    states = game.body_states()
    for row, name in enumerate(spec.OBSERVATION_ORDER):
        np.testing.assert_allclose(states[row, :5], S4_TABLE[name], atol=1.5e-3, err_msg=name)


def test_masses_and_spawn_joint_angles():
    """S5: total mass 103.0775 with the spec's per-part masses; every spawn joint angle within limits."""
    world = QWOPWorld(record_contacts=False)
    masses = {name: body.mass for name, body in world.parts.items()}
    assert sum(masses.values()) == pytest.approx(103.0775, abs=1e-3)
    assert masses["leftFoot"] == pytest.approx(10.935, abs=1e-3)
    assert masses["rightFoot"] == pytest.approx(11.745, abs=1e-3)
    assert masses["head"] == pytest.approx(5.6975, abs=1e-3)
    assert world.parts["torso"].inertia == pytest.approx(79.3758, abs=1e-2)
    for joint, js in zip(world.joints.values(), spec.JOINTS, strict=True):
        assert js.lower - 1e-6 <= joint.angle <= js.upper + 1e-6, js.name
    assert world.hurdle_base.mass == pytest.approx(2.01, abs=1e-3)
    assert world.hurdle_top.mass == pytest.approx(7.8475, abs=1e-3)


def test_engine_settings_are_the_originals():
    """§1.1: forces are never cleared, continuous collision is off, gravity (0, 10), sleep allowed."""
    world = QWOPWorld()
    assert world.world.autoClearForces is False
    assert world.world.continuousPhysics is False
    assert tuple(world.world.gravity) == (0.0, 10.0)
    assert spec.DT_GAME_S == 0.04 and spec.VELOCITY_ITERATIONS == 5 and spec.POSITION_ITERATIONS == 5


def test_collision_filters_parts_never_touch_each_other():
    """§2.3: parts (category 2, mask 0xFFFD) collide with the track and the hurdle, never each other."""
    world = QWOPWorld()
    def collide(a, b) -> bool:
        fa, fb = a.fixtures[0].filterData, b.fixtures[0].filterData
        return bool(fa.categoryBits & fb.maskBits) and bool(fb.categoryBits & fa.maskBits)
    parts = list(world.parts.values())
    assert not any(collide(a, b) for a in parts for b in parts)
    assert all(collide(p, world.track[0]) for p in parts)
    assert all(collide(p, world.hurdle_top) for p in parts)
    assert not any(collide(p, world.hurdle_base) for p in parts)
    assert collide(world.hurdle_base, world.track[0]) and collide(world.hurdle_top, world.track[0])
    assert math.isclose(world.block.position[0], -39.99625, abs_tol=1e-5)
