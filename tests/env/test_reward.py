"""Reward arithmetic, term by term, on known key sequences; expected values come from game state.

Each test reads the game before and after a step (torso x and y, the clock, frames run, joint
angles and limits) and computes the term with the formulas of spec §5.5 and the design summary,
written out here rather than imported from ``env/reward.py``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from qwop_studio.env import QWOPEnv, RewardWeights
from qwop_studio.env.actions import keys_to_action
from qwop_studio.sim import spec

ALL_TERMS = {"speed", "time", "success", "failure", "posture", "energy", "joint", "velocity"}
SEQUENCE = ["", "Q", "QO", "W", "W", "OP", "P", "QP", "WO", "Q", "", "QWOP"]


def run(env: QWOPEnv, keys_sequence: list[str]):
    """Step through the keys; yield (before, after, reward, info) with before/after plain game facts."""
    for keys in keys_sequence:
        g = env.game
        before = dict(x=g.body_states()[0, 0], clock=g.time, frame=g.frame)
        _, reward, terminated, _, info = env.step(keys_to_action(keys))
        s = g.body_states()
        after = dict(x=s[0, 0], y=s[0, 1], clock=g.time, frame=g.frame, angles=g.joint_angles(),
                     limits=g.joint_limits(), keys=keys)
        yield before, after, reward, terminated, info
        if terminated:
            return


def test_terms_are_listed_and_sum_to_the_reward(env):
    env.set_reward_weights(posture_weight=0.3, energy_weight=0.2, joint_weight=0.1, velocity_weight=0.05)
    for *_, reward, _, info in run(env, SEQUENCE):
        assert set(info["reward_terms"]) == ALL_TERMS
        assert reward == sum(info["reward_terms"].values())


def test_speed_term_is_a_hundredth_of_metres_per_qwop_gym_time(env):
    for before, after, _, _, info in run(env, SEQUENCE):
        ds_m = (after["x"] - before["x"]) / 10.0
        dt_gym = (after["frame"] - before["frame"]) / 300.0
        assert info["reward_terms"]["speed"] == pytest.approx(0.01 * ds_m / dt_gym, rel=1e-9, abs=1e-12)
        # spec §5.5, derived form: 0.3 * dx_units / frames_per_step
        assert info["reward_terms"]["speed"] == pytest.approx(0.3 * (after["x"] - before["x"]) / 4, rel=1e-9, abs=1e-12)


def test_time_cost_is_one_thirtieth_per_full_step():
    for fps in (1, 4, 7):
        env = QWOPEnv(frames_per_step=fps)
        env.reset()
        for _, _, _, _, info in run(env, ["Q", "W", ""]):
            assert info["reward_terms"]["time"] == pytest.approx(-1 / 30, rel=1e-9)


def test_time_cost_weight_scales_it(env):
    env.set_reward_weights(time_cost=4.0)
    _, _, _, _, info = next(run(env, ["Q"]))
    assert info["reward_terms"]["time"] == pytest.approx(-4.0 * (4 / 300) / 4, rel=1e-9)


def test_fall_costs_failure_once_at_the_end(env):
    steps = list(run(env, ["O"] * 50))
    *middle, (before, after, reward, terminated, info) = steps
    assert terminated and info["fallen"] and not info["is_success"]
    assert all(s[-1]["reward_terms"]["failure"] == 0.0 for s in middle)
    assert info["reward_terms"]["failure"] == -10.0
    assert info["reward_terms"]["success"] == 0.0
    # the last step stopped ticking when the game ended: its clock covers only the frames it ran
    ran = after["frame"] - before["frame"]
    assert 1 <= ran <= 4
    assert info["reward_terms"]["time"] == pytest.approx(-10.0 * (ran / 300) / 4, rel=1e-9)


def test_ending_past_100_m_earns_the_success_reward(env, edit_snapshot):
    env.game.restore(edit_snapshot(env.game, dx=1045.0, dvx=60.0))
    env.set_reward_weights(success_reward=7.5)
    _, reward, terminated, _, info = env.step(0)
    assert terminated and info["is_success"] and info["distance"] > 100
    assert info["reward_terms"]["success"] == 7.5 and info["reward_terms"]["failure"] == 0.0


def test_posture_term_is_the_torso_height_deficit(env):
    env.set_reward_weights(posture_weight=0.5)
    standing = (spec.TRACK_CENTRE_Y - spec.TRACK_HALF_H) - spec.PART_BY_NAME["torso"].y
    seen_low = False
    for _, after, _, _, info in run(env, ["O"] * 50):
        height = (spec.TRACK_CENTRE_Y - spec.TRACK_HALF_H) - after["y"]
        deficit = min(max((standing - height) / standing, 0.0), 1.0)
        seen_low |= deficit > 0.05
        assert info["reward_terms"]["posture"] == pytest.approx(-0.5 * deficit, rel=1e-9, abs=1e-15)
    assert seen_low, "the sequence never lowered the torso: the test checks nothing"


def test_energy_term_counts_keys_pressed_or_released(env):
    env.set_reward_weights(energy_weight=0.25)
    changes = []
    previous = ""
    for _, after, _, _, info in run(env, SEQUENCE):
        toggled = len(set(previous) ^ set(after["keys"]))
        changes.append(toggled)
        assert info["reward_terms"]["energy"] == -0.25 * toggled
        previous = after["keys"]
    assert changes[:6] == [0, 1, 1, 3, 0, 3]


def test_joint_term_is_the_mean_closeness_of_driven_joints_to_their_limits(env):
    env.set_reward_weights(joint_weight=2.0)
    driven = [spec.JOINT_NAMES.index(n) for n in
              ("rightHip", "leftHip", "rightShoulder", "leftShoulder", "rightKnee", "leftKnee")]
    nonzero = 0
    for _, after, _, _, info in run(env, SEQUENCE * 2):
        closeness = []
        for j in driven:
            lo, hi = after["limits"][j]
            a = after["angles"][j]
            margin = 0.1 * (hi - lo)
            closeness.append(min(max(1.0 - min(a - lo, hi - a) / margin, 0.0), 1.0))
        expected = -2.0 * sum(closeness) / len(closeness)
        nonzero += expected != 0.0
        assert info["reward_terms"]["joint"] == pytest.approx(expected, rel=1e-9, abs=1e-15)
    assert nonzero > 0, "no joint came near a limit: the test checks nothing"


def test_velocity_incentive_is_weight_times_forward_speed_to_the_exponent(env):
    env.set_reward_weights(velocity_weight=0.7, velocity_exponent=1.5)
    signs = set()
    for before, after, _, _, info in run(env, SEQUENCE):
        v = (after["x"] - before["x"]) / 10.0 / ((after["frame"] - before["frame"]) / 30.0)
        signs.add(v > 0)
        assert info["reward_terms"]["velocity"] == pytest.approx(0.7 * max(v, 0.0) ** 1.5, rel=1e-9, abs=1e-15)
    assert signs == {True, False}, "the sequence should move both ways"


def test_first_step_measures_from_the_reset_state(env):
    x0, clock0 = env.game.body_states()[0, 0], env.game.time
    _, _, _, _, info = env.step(0)
    ds = (env.game.body_states()[0, 0] - x0) / 10
    assert info["reward_terms"]["speed"] == pytest.approx(0.01 * ds / ((env.game.time - clock0) / 10), rel=1e-9)


def test_shaping_terms_are_zero_by_default(env):
    for *_, info in run(env, SEQUENCE):
        assert all(info["reward_terms"][t] == 0.0 for t in ("posture", "energy", "joint", "velocity"))


def test_default_weights_are_qwop_gyms():
    w = RewardWeights()
    assert (w.speed_weight, w.time_cost, w.success_reward, w.failure_cost) == (0.01, 10.0, 50.0, 10.0)
    assert math.isclose(w.velocity_exponent, 2.0)
    assert np.isfinite(list(w.as_dict().values())).all()
