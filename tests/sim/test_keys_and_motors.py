"""Key rules (spec §3.2, S6): Q over W, O over P, persistent hip limits, elbows never driven."""
import numpy as np
import pytest
from helpers import joint_states
from hypothesis import given
from hypothesis import strategies as st

from qwop_studio.sim import Keys, QWOPGame, key_mask, key_string, spec


def trajectory(keys: str, frames: int = 60) -> np.ndarray:
    game = QWOPGame()
    out = []
    for _ in range(frames):
        game.step(keys)
        out.append(game.body_states())
    return np.array(out)


@pytest.mark.parametrize(("combo", "same_as"), [("QW", "Q"), ("OP", "O"), ("QWOP", "QO"), ("WOP", "WO")])
def test_q_beats_w_and_o_beats_p(combo, same_as):
    """S6: Q+W gives exactly Q's motor commands and O+P exactly O's: identical trajectories."""
    assert np.array_equal(trajectory(combo), trajectory(same_as))


def test_motor_speeds_follow_the_key_chains():
    game = QWOPGame()
    game.step("QP")
    joints = joint_states(game)
    assert {n: joints[n].motor_speed for n in spec.Q_SPEEDS} == spec.Q_SPEEDS
    assert {n: joints[n].motor_speed for n in spec.P_SPEEDS} == spec.P_SPEEDS
    game.step("W")
    joints = joint_states(game)
    assert {n: joints[n].motor_speed for n in spec.W_SPEEDS} == spec.W_SPEEDS
    assert joints["leftKnee"].motor_speed == 0 and joints["rightKnee"].motor_speed == 0
    game.step("")
    joints = joint_states(game)
    assert all(joints[n].motor_speed == 0 for n in spec.ARM_CHAIN_JOINTS + spec.LEG_CHAIN_JOINTS)
    assert all(joints[n].motor_enabled for n in spec.ARM_CHAIN_JOINTS + spec.LEG_CHAIN_JOINTS)


def test_hip_limits_stay_where_o_or_p_last_put_them():
    """§3.2: releasing O or P leaves the hip limits as they were (many ports restore the spawn limits)."""
    game = QWOPGame()
    names = [j.name for j in spec.JOINTS]
    left, right = names.index("leftHip"), names.index("rightHip")
    assert tuple(game.joint_limits()[left]) == (-1.5, 0.5)      # spawn
    assert tuple(game.joint_limits()[right]) == pytest.approx((-1.3, 0.7))
    game.step("O")
    game.step("")
    game.step("QW")
    assert tuple(game.joint_limits()[left]) == (-1.0, 1.0)
    assert tuple(game.joint_limits()[right]) == pytest.approx((-1.3, 0.7))
    game.step("P")
    for _ in range(5):
        game.step("")
    assert tuple(game.joint_limits()[left]) == (-1.5, 0.5)
    assert tuple(game.joint_limits()[right]) == pytest.approx((-0.8, 1.2))


def test_elbows_neck_and_ankles_are_never_driven():
    """S6: the elbow motors are off whatever is pressed; neck and ankles are free within limits."""
    game = QWOPGame()
    for keys in ("Q", "W", "QO", "WP", ""):
        game.step(keys)
        joints = joint_states(game)
        for name in ("leftElbow", "rightElbow", "neck", "leftAnkle", "rightAnkle"):
            assert not joints[name].motor_enabled, name
            assert joints[name].limit_enabled, name


def test_key_values_accepted():
    assert key_mask("qp") == key_mask("QP") == Keys.Q | Keys.P == 9
    assert key_mask("") == 0 and key_mask(15) == 15 and key_mask(Keys.W) == 2
    assert key_string(9) == "QP" and key_string(0) == ""


@pytest.mark.parametrize("bad", ["X", "QX", "Q P", 16, -1, 1.5, None, True, b"Q", ["Q"]])
def test_bad_keys_raise_a_value_error_naming_the_input(bad):
    game = QWOPGame()
    with pytest.raises(ValueError, match="keys"):
        game.step(bad)
    assert game.frame == 0  # nothing happened


@given(st.text(min_size=1, max_size=6).filter(lambda s: set(s.upper()) - set("QWOP")))
def test_any_string_with_another_letter_is_rejected(text):
    with pytest.raises(ValueError, match=r"is not one of Q, W, O, P"):
        key_mask(text)
