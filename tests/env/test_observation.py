"""The 60-value observation: qwop-gym's order, ranges and clipping (spec §5.3)."""
from __future__ import annotations

import numpy as np

from qwop_studio.env.observation import OBS_NAMES, normalise
from qwop_studio.sim import spec

# spec §5.3 ranges, by hand
RANGES = [(-10, 1050), (-10, 10), (-6, 6), (-20, 60), (-25, 60)]


def expected_obs(states: np.ndarray) -> np.ndarray:
    out = []
    for part in range(12):
        for k, (lo, hi) in enumerate(RANGES):
            c = (lo + hi) / 2
            d = hi - c
            out.append(min(max((states[part, k] - c) / d, -1.0), 1.0))
    return np.array(out, dtype=np.float32)


def test_reset_observation_is_the_normalised_body_states(env):
    obs, _ = env.reset()
    assert obs.shape == (60,) and obs.dtype == np.float32
    np.testing.assert_allclose(obs, expected_obs(env.game.body_states()), rtol=0, atol=1e-7)


def test_observation_after_steps_matches_game_state(env):
    for action in [1, 6, 6, 9, 0, 3]:
        obs, *_ = env.step(action)
        np.testing.assert_allclose(obs, expected_obs(env.game.body_states()), rtol=0, atol=1e-7)
        assert env.observation_space.contains(obs)


def test_values_outside_the_ranges_are_clipped():
    states = np.zeros((12, 6))
    states[0, 0] = 5000.0
    states[1, 3] = -500.0
    obs = normalise(states)
    assert obs[0] == 1.0 and obs[8] == -1.0


def test_head_x_is_index_five():
    assert OBS_NAMES[5] == "head.x" and OBS_NAMES[6] == "head.y"
    assert [n.split(".")[0] for n in OBS_NAMES[::5]] == list(spec.OBSERVATION_ORDER)
