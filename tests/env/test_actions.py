"""The 16- and 9-action tables, the nearest-action mapping, and clear errors for bad actions."""
from __future__ import annotations

import numpy as np
import pytest

from qwop_studio.env import QWOPEnv
from qwop_studio.env.actions import (
    FULL_ACTIONS,
    REDUCED_ACTIONS,
    action_to_keys,
    keys_to_action,
    motor_command,
)
from qwop_studio.sim.keys import key_mask, key_string

# spec §5.4, written out by hand rather than derived
SPEC_FULL = ["", "Q", "W", "O", "P", "QW", "QO", "QP", "WO", "WP", "OP", "QWO", "QWP", "QOP", "WOP", "QWOP"]
SPEC_REDUCED = ["", "Q", "W", "O", "P", "QW", "QP", "WO", "OP"]


def test_full_set_is_qwop_gym_order():
    assert list(FULL_ACTIONS) == SPEC_FULL
    assert [action_to_keys(i) for i in range(16)] == SPEC_FULL


def test_reduced_set_is_qwop_gym_order():
    assert list(REDUCED_ACTIONS) == SPEC_REDUCED
    assert [action_to_keys(i, reduced=True) for i in range(9)] == SPEC_REDUCED


def test_every_key_state_maps_to_itself_in_the_full_set():
    for mask in range(16):
        assert action_to_keys(keys_to_action(mask)) == key_string(mask)
        assert keys_to_action(key_string(mask).lower()) == keys_to_action(mask)


def test_reduced_actions_map_back_to_themselves():
    for i, keys in enumerate(SPEC_REDUCED):
        assert keys_to_action(keys, reduced=True) == i


def test_reduced_mapping_keeps_the_motor_command_when_the_set_has_it():
    commands = {motor_command(key_mask(k)) for k in SPEC_REDUCED}
    for mask in range(16):
        got = SPEC_REDUCED[keys_to_action(mask, reduced=True)]
        if motor_command(mask) in commands:
            assert motor_command(key_mask(got)) == motor_command(mask), key_string(mask)


def test_reduced_mapping_of_keys_the_set_lacks():
    # documented in env/actions.py: Q+O and W+P commands keep one chain; the rest keep the command
    expected = {"QO": "Q", "QWO": "QW", "QOP": "OP", "QWOP": "QW", "WP": "W", "QWP": "QP", "WOP": "WO"}
    for keys, nearest in expected.items():
        assert action_to_keys(keys_to_action(keys, reduced=True), reduced=True) == nearest


def test_reduced_env_holds_the_keys_of_its_action():
    env = QWOPEnv(reduced_action_set=True)
    env.reset()
    for i, keys in enumerate(SPEC_REDUCED):
        env.step(i)
        assert env.game.key_string == keys


@pytest.mark.parametrize("bad", [-1, 16, np.int64(16), np.int32(-1), 1.5, 3.0, "Q", None, True, np.bool_(True),
                                 np.array([1, 2]), np.float32(2)])
def test_bad_actions_raise_a_clear_error(env, bad):
    with pytest.raises(ValueError, match="action"):
        env.step(bad)


def test_action_nine_is_out_of_range_for_the_reduced_set():
    env = QWOPEnv(reduced_action_set=True)
    env.reset()
    with pytest.raises(ValueError, match=r"reduced \(9\).*0\.\.8"):
        env.step(9)


def test_numpy_integers_are_actions(env):
    """What vector envs pass (numpy integers, 0-d and one-element arrays) holds the same keys as an int."""
    for action in (np.int64(3), np.int32(3), np.uint8(3), np.array(3), np.array([3]), 3):
        env.step(action)
        assert env.game.keys == env.action_mask(3)


@pytest.mark.parametrize("bad", ["X", 16, -1, 2.0])
def test_bad_key_states_raise_a_clear_error(bad):
    with pytest.raises(ValueError, match="keys"):
        keys_to_action(bad)
