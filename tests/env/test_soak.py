"""Short soak: random actions across many resets, nothing non-finite, no crash, flat memory.

The full 1M-step soak is ``python -m benchmarks.env --soak``.
"""
from __future__ import annotations

import math
import os
import sys

import numpy as np
import pytest

from qwop_studio.env import QWOPEnv


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads RSS from /proc")
def test_twenty_thousand_random_steps_stay_finite_with_flat_memory():
    env = QWOPEnv(start_noop_max=10)
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    episodes = 0
    rss = []
    for _ in range(5):
        for action in rng.integers(0, 16, size=4000).tolist():
            obs, reward, terminated, truncated, info = env.step(action)
            assert not info["nonfinite"] and math.isfinite(reward)
            assert env.observation_space.contains(obs)
            if terminated:
                episodes += 1
                env.reset()
        rss.append(rss_mb())
    assert episodes > 100, "random actions should fall often: the soak exercised few resets"
    assert rss[-1] - rss[0] < 5.0, f"memory grew over {episodes} episodes: RSS per block {rss} MB"
