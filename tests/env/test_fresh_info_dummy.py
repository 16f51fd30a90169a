"""FreshInfoDummyVecEnv: SB3's DummyVecEnv results, step for step, without deep-copying infos."""
from functools import partial

import numpy as np
from stable_baselines3.common.vec_env import DummyVecEnv

from qwop_studio.env.dummy import FreshInfoDummyVecEnv
from qwop_studio.env.vec import make_vec_env, make_worker

ENV_KWARGS = {"reduced_action_set": True, "start_noop_max": 10}


def _infos_equal(a: dict, b: dict) -> bool:
    """Equal, except Monitor's wall-clock "t" in an episode's summary."""
    if a.keys() != b.keys():
        return False
    if "episode" in a:
        a, b = dict(a), dict(b)
        a["episode"] = {k: v for k, v in a["episode"].items() if k != "t"}
        b["episode"] = {k: v for k, v in b["episode"].items() if k != "t"}
    return all(np.array_equal(a[k], b[k]) if isinstance(a[k], np.ndarray) else a[k] == b[k] for k in a)


def test_same_observations_rewards_dones_and_infos_as_sb3s_dummy_vec_env():
    """Auto-reset, terminal observations, TimeLimit truncation and Monitor's episode info included."""
    factories = [partial(make_worker, rank, 5, ENV_KWARGS, [], 30, None) for rank in range(3)]
    ours, theirs = FreshInfoDummyVecEnv(factories), DummyVecEnv(factories)
    ours.seed(5)
    theirs.seed(5)
    assert np.array_equal(ours.reset(), theirs.reset())
    ends = 0
    for action in np.random.default_rng(0).integers(0, 9, size=(150, 3)):
        a, b = ours.step(action), theirs.step(action)
        for x, y in zip(a[:3], b[:3], strict=True):
            assert np.array_equal(x, y)
        assert all(_infos_equal(x, y) for x, y in zip(a[3], b[3], strict=True))
        ends += int(a[2].sum())
    assert ends > 3  # the 30-step limit and falls both ended episodes


def test_returned_infos_and_observations_are_never_reused_by_later_steps():
    venv = make_vec_env(2, "dummy", seed=0, env_kwargs=ENV_KWARGS)
    assert isinstance(venv, FreshInfoDummyVecEnv)
    obs0 = venv.reset()
    kept = obs0.copy()
    _, _, _, first = venv.step(np.array([1, 2]))
    first[0]["mine"] = True
    first[0]["reward_terms"]["velocity"] = 123.0
    obs, _, _, second = venv.step(np.array([3, 4]))
    assert np.array_equal(obs0, kept)               # a later step did not write into an earlier observation
    assert all(a is not b for a, b in zip(first, second, strict=True))
    assert "mine" not in second[0] and second[0]["reward_terms"]["velocity"] != 123.0
    venv.close()
