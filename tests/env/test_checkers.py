"""Gymnasium's and SB3's env checkers, registration, and headless imports."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import warnings

import gymnasium
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from qwop_studio.env import QWOPEnv

HAS_SCENE = importlib.util.find_spec("qwop_studio.render") is not None and \
    importlib.util.find_spec("qwop_studio.render.scene") is not None


@pytest.mark.parametrize("reduced", [False, True])
def test_gymnasium_check_env_passes(reduced):
    env = gymnasium.make("qwop_studio:QWOP-v0", reduced_action_set=reduced, start_noop_max=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a checker warning is a failure
        gym_check_env(env.unwrapped, skip_render_check=True)


@pytest.mark.skipif(not HAS_SCENE, reason="qwop_studio/render/scene.py (another engineer's) does not exist yet")
def test_gymnasium_check_env_passes_with_every_render_mode():
    gym_check_env(gymnasium.make("qwop_studio:QWOP-v0").unwrapped)


@pytest.mark.parametrize("reduced", [False, True])
def test_sb3_check_env_passes(reduced):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sb3_check_env(QWOPEnv(reduced_action_set=reduced), warn=True)


def test_make_works_in_a_fresh_process_without_other_imports_and_stays_headless():
    code = (
        "import sys, gymnasium\n"
        "env = gymnasium.make('qwop_studio:QWOP-v0')\n"
        "obs, info = env.reset(seed=0)\n"
        "obs, r, term, trunc, info = env.step(env.action_space.sample())\n"
        "assert obs.shape == (60,) and env.spec.max_episode_steps == 1000\n"
        "assert type(env.unwrapped).__name__ == 'QWOPEnv'\n"
        "assert 'pygame' not in sys.modules, 'pygame imported by a headless env'\n"
        "assert 'torch' not in sys.modules, 'torch imported by the env'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_time_limit_truncates_after_max_episode_steps():
    env = gymnasium.make("qwop_studio:QWOP-v0", max_episode_steps=3)
    env.reset(seed=0)
    results = [env.step(0) for _ in range(3)]
    assert [r[3] for r in results] == [False, False, True] and not any(r[2] for r in results)


@pytest.mark.skipif(not HAS_SCENE, reason="qwop_studio/render/scene.py (another engineer's) does not exist yet")
def test_rgb_array_render_is_a_frame_of_the_game():
    env = QWOPEnv(render_mode="rgb_array")
    env.reset()
    frame = env.render()
    assert frame.shape == (400, 640, 3) and frame.dtype.name == "uint8"


def test_render_without_a_mode_returns_none_and_imports_nothing():
    env = QWOPEnv()
    env.reset()
    with pytest.warns(UserWarning, match="render_mode"):
        assert env.render() is None


@pytest.mark.skipif(not HAS_SCENE, reason="qwop_studio/render/scene.py (another engineer's) does not exist yet")
def test_human_render_shows_each_step_in_a_window_and_closes():
    env = QWOPEnv(render_mode="human")  # SDL's dummy video driver in tests (tests/conftest.py)
    env.reset()
    assert env.render() is None
    env.step(1)
    env.close()
    env.close()
