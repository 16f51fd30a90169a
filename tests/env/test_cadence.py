"""The gait-rhythm bonus pays thigh half-cycles near the chosen length, only while the runner moves forward."""
from __future__ import annotations

import math

import pytest

from qwop_studio.env import QWOPEnv
from qwop_studio.env.actions import FULL_ACTIONS
from qwop_studio.env.cadence import CADENCE_TERM, CadenceWrapper, half_cycle_score
from qwop_studio.env.wrappers import apply_wrappers, check_wrapper_specs, evaluation_wrappers

Q, W, NONE, KNEE_O = (FULL_ACTIONS.index(k) for k in ("Q", "W", "", "O"))
#: Steps per half-cycle in the open-loop tests: 8 steps of 2 frames = 16/30 s of the original's clock.
HALF_STEPS = 8


def alternate_thighs(env, halves: int, hold: int = HALF_STEPS) -> list[tuple[float, dict]]:
    """Hold Q, then W, then Q ... for ``hold`` steps each; (reward, info) per step until the episode ends."""
    env.reset(seed=0)
    out = []
    for i in range(halves * hold):
        _, reward, terminated, truncated, info = env.step(Q if (i // hold) % 2 == 0 else W)
        out.append((reward, info))
        if terminated or truncated:
            break
    return out


def test_the_score_peaks_at_the_ideal_half_cycle_and_vanishes_beyond_the_tolerance():
    assert half_cycle_score(0.5, 0.5, 0.5) == 1.0
    assert half_cycle_score(0.25, 0.5, 0.5) == pytest.approx(0.5)
    assert half_cycle_score(0.75, 0.5, 0.5) == pytest.approx(0.5)
    assert half_cycle_score(1.0, 0.5, 0.5) == 0.0
    assert half_cycle_score(1.8, 0.5, 0.5) == 0.0


def test_a_switch_pays_the_half_cycle_it_ends_and_the_terms_still_sum_to_the_reward():
    env = CadenceWrapper(QWOPEnv(frames_per_step=2), cadence_weight=5.0, ideal_half_s=0.5, tolerance_s=0.25,
                         min_advance_m=0.0)
    steps = alternate_thighs(env, halves=4)
    paid = [(i, info["reward_terms"][CADENCE_TERM]) for i, (_, info) in enumerate(steps)
            if info["reward_terms"][CADENCE_TERM]]
    expected = 5.0 * half_cycle_score(HALF_STEPS * 2 / 30, 0.5, 0.25)
    assert paid, "no switch was paid"
    for i, bonus in paid:
        assert i % HALF_STEPS == 0 and i > 0  # only on the step that switches the thigh command
        assert bonus == pytest.approx(expected)
    for reward, info in steps:
        assert reward == pytest.approx(math.fsum(info["reward_terms"].values()))


def test_a_half_cycle_without_forward_progress_earns_nothing():
    env = CadenceWrapper(QWOPEnv(frames_per_step=2), min_advance_m=50.0)
    assert all(info["reward_terms"][CADENCE_TERM] == 0.0 for _, info in alternate_thighs(env, halves=4))


def test_half_cycles_far_from_the_ideal_earn_nothing():
    env = CadenceWrapper(QWOPEnv(frames_per_step=2), ideal_half_s=2.0, tolerance_s=0.5, min_advance_m=0.0)
    assert all(info["reward_terms"][CADENCE_TERM] == 0.0 for _, info in alternate_thighs(env, halves=4))


def test_steps_without_a_thigh_key_keep_the_half_cycle_running():
    """Q, a pause with no thigh key, then W: the half-cycle is Q's start to W's, pause included."""
    env = CadenceWrapper(QWOPEnv(frames_per_step=2), ideal_half_s=1.0, tolerance_s=0.5, min_advance_m=0.0)
    env.reset(seed=0)
    times = []
    for action in [Q] * 4 + [NONE, KNEE_O] * 2 + [W]:
        _, _, _, _, info = env.step(action)
        times.append(info["time"])
    bonus = info["reward_terms"][CADENCE_TERM]
    assert bonus == pytest.approx(5.0 * half_cycle_score(times[-1] - times[0], 1.0, 0.5))
    assert bonus > 0.0


def test_a_reset_forgets_the_last_episodes_rhythm():
    env = CadenceWrapper(QWOPEnv(frames_per_step=2), min_advance_m=0.0)
    alternate_thighs(env, halves=1)  # ends holding Q
    env.reset(seed=1)
    _, _, _, _, info = env.step(W)  # the first thigh command of an episode starts a half-cycle, pays nothing
    assert info["reward_terms"][CADENCE_TERM] == 0.0


def test_configs_name_it_evaluations_drop_it_and_bad_arguments_are_named():
    spec = [{"name": "CadenceWrapper", "kwargs": {"cadence_weight": 10.0, "ideal_half_s": 0.4}}]
    assert check_wrapper_specs(spec) == spec
    assert evaluation_wrappers(spec) == []
    wrapped = apply_wrappers(QWOPEnv(), spec)
    assert isinstance(wrapped, CadenceWrapper) and wrapped.cadence_weight == 10.0 and wrapped.ideal_half_s == 0.4
    for kwargs, field in (({"ideal_half_s": 0}, "ideal_half_s"), ({"tolerance_s": -1}, "tolerance_s"),
                          ({"min_advance_m": float("nan")}, "min_advance_m"), ({"cadence_weight": "5"}, "cadence_weight")):
        with pytest.raises(ValueError, match=field):
            CadenceWrapper(QWOPEnv(), **kwargs)
    with pytest.raises(ValueError, match="cadence_hz"):
        check_wrapper_specs([{"name": "CadenceWrapper", "kwargs": {"cadence_hz": 2}}])
