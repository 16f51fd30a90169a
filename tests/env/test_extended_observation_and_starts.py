"""The extended observation shows the body's shape; reference starts begin episodes along recorded runs."""
from __future__ import annotations

import gymnasium
import numpy as np
import pytest

from qwop_studio.env import QWOPEnv
from qwop_studio.env.extended_observation import EXTENDED_OBS_SIZE, extended
from qwop_studio.env.observation import OBS_SIZE, normalise
from qwop_studio.env.reference_starts import ReferenceStartWrapper
from qwop_studio.env.wrappers import apply_wrappers
from qwop_studio.sim import QWOPGame, spec


def test_qwop_v0_keeps_qwop_gyms_60_values_and_the_extended_env_has_76():
    assert gymnasium.make("qwop_studio:QWOP-v0").observation_space.shape == (OBS_SIZE,)
    env = gymnasium.make("qwop_studio:QWOPExtended-v0")
    obs, _ = env.reset(seed=0)
    assert obs.shape == (EXTENDED_OBS_SIZE,) == env.observation_space.shape and obs.dtype == np.float32
    assert env.observation_space.contains(obs)


def test_a_foot_ahead_of_the_torso_is_visible_in_the_extended_observation_not_in_qwop_gyms():
    """The motivating case: a tenth of a metre between foot and torso."""
    env = QWOPEnv()
    env.reset(seed=0)
    states = env.game.body_states()
    moved = states.copy()
    foot = spec.OBSERVATION_ORDER.index("leftFoot")
    moved[foot, 0] += 1.0  # one unit = 0.1 m ahead
    assert np.abs(extended(moved, 0) - extended(states, 0)).max() > 0.08
    assert np.abs(normalise(moved) - normalise(states)).max() < 0.002


def _extended_by_the_formula(states: np.ndarray, keys_mask: int) -> np.ndarray:
    """The module docstring's table, written plainly: each value divided by its scale, clipped to [-1, 1]."""
    from qwop_studio.env.extended_observation import PART_SCALE, TORSO_X_SCALE, TORSO_Y_SCALE

    values = []
    for part, row in enumerate(states):
        for slot, value in enumerate(row):
            if part == 0 and slot < 2:
                scaled = value / (TORSO_X_SCALE, TORSO_Y_SCALE)[slot]
            elif slot < 2:
                scaled = (value - states[0, slot]) / PART_SCALE[slot]
            else:
                scaled = value / PART_SCALE[slot]
            values.append(np.clip(scaled, -1.0, 1.0))
    return np.array(values + [float(keys_mask >> bit & 1) for bit in range(4)], dtype=np.float32)


def test_the_extended_observation_is_the_documented_formula_bit_for_bit():
    """``extended`` is written for speed (few numpy calls); it must still be the table's formula exactly,
    signed zeros and clipped extremes included, on real race states and on wild ones."""
    env = QWOPEnv(observation="extended", reduced_action_set=False)
    env.reset(seed=0)
    rng = np.random.default_rng(3)
    cases = []
    for _ in range(60):
        env.step(int(rng.integers(16)))
        cases.append(env.game.body_states())
    for scale in (1.0, 30.0, 1e4):
        wild = cases[-1] + rng.normal(0.0, scale, cases[-1].shape)
        wild[rng.integers(12), rng.integers(6)] = -0.0
        cases.append(wild)
    for i, states in enumerate(cases):
        mask = i % 16
        assert extended(states, mask).tobytes() == _extended_by_the_formula(states, mask).tobytes(), i


def test_the_keys_held_are_the_last_four_values():
    env = QWOPEnv(observation="extended", reduced_action_set=False)
    env.reset(seed=0)
    for action in range(16):
        obs, *_ = env.step(action)
        assert list(obs[-4:]) == [float(bool(env.game.keys & bit)) for bit in (1, 2, 4, 8)]


def test_an_unknown_observation_is_refused_by_name():
    with pytest.raises(ValueError, match="^observation='pixels': expected one of qwop-gym, extended$"):
        QWOPEnv(observation="pixels")


def test_reference_starts_begin_a_share_of_episodes_mid_run(finished_run):
    env = apply_wrappers(QWOPEnv(), [{"name": "ReferenceStartWrapper",
                                      "kwargs": {"recordings": str(finished_run), "fraction": 0.5,
                                                 "every_frames": 20}}])
    starts = [env.reset(seed=seed)[1].get("reference_start_frame") for seed in range(40)]
    mid = [f for f in starts if f is not None]
    assert 8 <= len(mid) <= 32 and all(f % 20 == 0 and f > 0 for f in mid)
    assert len(set(mid)) > 3, "states from along the run, not one"
    obs, reward, terminated, truncated, info = env.step(0)  # an episode goes on from there
    assert np.isfinite(obs).all() and np.isfinite(reward)


def test_reference_starts_are_reproducible_and_off_at_fraction_zero(finished_run):
    def frames(fraction):
        env = ReferenceStartWrapper(QWOPEnv(), str(finished_run), fraction=fraction)
        return [env.reset(seed=s)[1].get("reference_start_frame") for s in range(10)]

    assert frames(0.6) == frames(0.6)
    assert frames(0.0) == [None] * 10


def test_reference_starts_keep_to_the_distance_window(finished_run):
    everywhere = ReferenceStartWrapper(QWOPEnv(), str(finished_run), every_frames=10)
    window = ReferenceStartWrapper(QWOPEnv(), str(finished_run), every_frames=10, from_metres=1.0, to_metres=3.0)
    game = QWOPGame()
    distances = []
    for snapshot in window.starts:
        game.restore(snapshot)
        distances.append(game.distance)
    assert distances and all(1.0 <= d <= 3.0 for d in distances)
    assert len(window.starts) < len(everywhere.starts)
    with pytest.raises(ValueError, match="from_metres=5, to_metres=2"):
        ReferenceStartWrapper(QWOPEnv(), str(finished_run), from_metres=5, to_metres=2)
    with pytest.raises(ValueError, match="no finished recording long enough to start from between 500 and 600 m"):
        ReferenceStartWrapper(QWOPEnv(), str(finished_run), from_metres=500, to_metres=600)


def test_reference_starts_refuse_a_folder_without_finished_runs(tmp_path, finished_run):
    with pytest.raises(ValueError, match="no such file or folder"):
        ReferenceStartWrapper(QWOPEnv(), str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no finished recording long enough"):
        ReferenceStartWrapper(QWOPEnv(), str(tmp_path / "empty"))
    with pytest.raises(ValueError, match="fraction=2"):
        ReferenceStartWrapper(QWOPEnv(), str(finished_run), fraction=2)
