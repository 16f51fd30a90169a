"""Reward weights: validated, changeable by name through any wrapper stack, used from the next step."""
from __future__ import annotations

import math

import gymnasium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qwop_studio.env import QWOPEnv, RewardShapingWrapper, RewardWeights, VelocityIncentiveWrapper
from qwop_studio.env.reward import MAX_WEIGHT_MAGNITUDE

FIELDS = RewardWeights.field_names()
WEIGHTS_ENV = QWOPEnv()  # one env for the property tests (hypothesis reruns the function, not fixtures)
BAD_VALUES = st.one_of(
    st.floats(min_value=MAX_WEIGHT_MAGNITUDE, exclude_min=True), st.floats(max_value=-MAX_WEIGHT_MAGNITUDE, exclude_max=True),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.text(max_size=5), st.none(), st.booleans(), st.lists(st.floats(), max_size=2),
    st.complex_numbers(), st.just(float("-nan")), st.integers(min_value=10**400, max_value=10**401),
)


@settings(max_examples=60, deadline=None)
@given(field=st.sampled_from(FIELDS), value=BAD_VALUES)
def test_bad_weight_values_raise_naming_the_field(field, value):
    env = WEIGHTS_ENV
    before = env.get_reward_weights()
    with pytest.raises(ValueError, match=field) as err:
        env.set_reward_weights(**{field: value})
    assert "\n" not in str(err.value) and len(str(err.value)) < 200
    assert env.get_reward_weights() == before


@settings(max_examples=40, deadline=None)
@given(name=st.text(min_size=1, max_size=12).filter(lambda s: s not in FIELDS))
def test_unknown_weight_names_raise_naming_them(name):
    with pytest.raises(ValueError, match="unknown"):
        RewardWeights().update(**{name: 1.0})
    with pytest.raises(ValueError, match="unknown"):
        RewardWeights.from_any({name: 1.0})


@settings(max_examples=40, deadline=None)
@given(exponent=st.one_of(st.floats(max_value=0.0), st.floats(min_value=10.0001, allow_infinity=False)))
def test_velocity_exponent_must_be_in_zero_to_ten(exponent):
    with pytest.raises(ValueError, match="velocity_exponent"):
        RewardWeights(velocity_exponent=exponent)


@settings(max_examples=40, deadline=None)
@given(changes=st.dictionaries(st.sampled_from([f for f in FIELDS if f != "velocity_exponent"]),
                               st.floats(min_value=-MAX_WEIGHT_MAGNITUDE, max_value=MAX_WEIGHT_MAGNITUDE, width=32),
                               min_size=1))
def test_good_weights_are_stored_and_returned(changes):
    w = RewardWeights()
    result = w.update(**changes)
    assert {k: result[k] for k in changes} == {k: float(v) for k, v in changes.items()}


def test_a_bad_change_applies_nothing():
    w = RewardWeights()
    with pytest.raises(ValueError, match="failure_cost"):
        w.update(posture_weight=1.0, failure_cost=math.nan)
    assert w.posture_weight == 0.0


def test_direct_assignment_is_validated_too():
    w = RewardWeights()
    with pytest.raises(ValueError, match="energy_weight"):
        w.energy_weight = math.inf


def test_constructor_accepts_a_dict_a_weights_object_or_none():
    assert QWOPEnv(reward_weights={"time_cost": 3}).reward_weights.time_cost == 3.0
    shared = RewardWeights(failure_cost=2.0)
    env = QWOPEnv(reward_weights=shared)
    assert env.reward_weights.failure_cost == 2.0 and env.reward_weights is not shared
    assert QWOPEnv(reward_weights=None).get_reward_weights() == RewardWeights().as_dict()
    with pytest.raises(ValueError, match="reward_weights"):
        QWOPEnv(reward_weights=[1, 2])


def test_set_reward_weights_takes_effect_on_the_next_step(env):
    _, _, _, _, info = env.step(1)
    assert info["reward_terms"]["energy"] == 0.0
    result = env.set_reward_weights(energy_weight=0.5)
    assert result == env.get_reward_weights() and result["energy_weight"] == 0.5
    _, _, _, _, info = env.step(2)  # Q -> W: two keys change
    assert info["reward_terms"]["energy"] == -1.0


def test_wrappers_set_their_weights_on_the_base_env():
    env = VelocityIncentiveWrapper(RewardShapingWrapper(QWOPEnv(), posture_weight=0.2, energy_weight=0.3,
                                                        joint_weight=0.4), velocity_weight=0.5, exponent=3.0)
    w = env.unwrapped.reward_weights
    assert (w.posture_weight, w.energy_weight, w.joint_weight, w.velocity_weight, w.velocity_exponent) == (
        0.2, 0.3, 0.4, 0.5, 3.0)


def test_wrapper_weights_can_be_changed_later_through_the_stack():
    env = gymnasium.wrappers.TimeLimit(RewardShapingWrapper(QWOPEnv(), energy_weight=0.3), 100)
    env.reset(seed=0)
    env.get_wrapper_attr("set_reward_weights")(energy_weight=2.0)
    env.step(1)
    _, _, _, _, info = env.step(2)
    assert info["reward_terms"]["energy"] == -4.0


def test_wrapper_rejects_bad_weights_naming_them():
    with pytest.raises(ValueError, match="joint_weight"):
        RewardShapingWrapper(QWOPEnv(), joint_weight=math.nan)
    with pytest.raises(ValueError, match="velocity_exponent"):
        VelocityIncentiveWrapper(QWOPEnv(), exponent=-1.0)
