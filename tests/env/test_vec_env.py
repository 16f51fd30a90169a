"""make_vec_env: workers, wrappers from config, seeds, Monitor stats, live weights in every worker."""
from __future__ import annotations

import math
import os

import numpy as np
import pytest

from qwop_studio.env import QWOPEnv
from qwop_studio.env.vec import make_vec_env, set_reward_weights

SHAPING = [{"name": "RewardShapingWrapper", "kwargs": {"posture_weight": 0.1, "energy_weight": 0.01}},
           {"name": "VelocityIncentiveWrapper", "kwargs": {"velocity_weight": 0.2}}]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("vec_env", "n_envs"), [("subproc", 2), ("sharded", 4)])
def test_weight_changes_reach_every_worker_on_the_next_step(vec_env, n_envs, monkeypatch):
    """SB3's SubprocVecEnv, and our sharded one (2 envs stepped in this process, 2 in a worker: the
    vector env of every shipped config): every env takes the new weights for its very next step."""
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    venv = make_vec_env(n_envs, vec_env, seed=0, wrappers=SHAPING)
    assert "MKL_NUM_THREADS" not in os.environ  # set for the children only, then restored
    try:
        assert [w["energy_weight"] for w in venv.env_method("get_reward_weights")] == [0.01] * n_envs
        venv.reset()
        _, _, _, infos = venv.step(np.ones(n_envs, dtype=int))  # Q from no keys: one key changes
        assert [i["reward_terms"]["energy"] for i in infos] == [-0.01] * n_envs
        results = set_reward_weights(venv, energy_weight=0.5, velocity_weight=0.3, speed_weight=0.02)
        assert [r["energy_weight"] for r in results] == [0.5] * n_envs
        assert [w["velocity_weight"] for w in venv.env_method("get_reward_weights")] == [0.3] * n_envs
        previous = infos
        _, rewards, _, infos = venv.step(np.full(n_envs, 2))  # Q -> W: two keys change
        for before, info, reward in zip(previous, infos, rewards, strict=True):
            terms = info["reward_terms"]
            ds = info["distance"] - before["distance"]
            dt = info["time"] - before["time"]
            assert terms["energy"] == -1.0
            assert terms["speed"] == pytest.approx(0.02 * ds / (dt / 10), rel=1e-6)
            assert terms["velocity"] == pytest.approx(0.3 * max(ds / dt, 0.0) ** 2, rel=1e-6, abs=1e-12)
            assert reward == pytest.approx(sum(terms.values()), rel=1e-6)
        with pytest.raises(ValueError, match="posture_weight"):
            set_reward_weights(venv, posture_weight=math.nan)
        assert [w["posture_weight"] for w in venv.env_method("get_reward_weights")] == [0.1] * n_envs  # alive
    finally:
        venv.close()


def test_worker_i_is_seeded_seed_plus_i():
    venv = make_vec_env(3, "dummy", seed=5, env_kwargs={"start_noop_max": 40})
    obs = venv.reset()
    for i in range(3):
        expected, _ = QWOPEnv(start_noop_max=40).reset(seed=5 + i)
        np.testing.assert_array_equal(obs[i], expected)
    assert len({o.tobytes() for o in obs}) > 1
    venv.close()


def test_monitor_records_episode_stats_and_timelimit_truncates():
    venv = make_vec_env(1, "dummy", max_episode_steps=5)
    venv.reset()
    for _ in range(5):
        _, _, dones, infos = venv.step(np.array([0]))
    assert dones[0] and infos[0]["TimeLimit.truncated"]
    episode = infos[0]["episode"]
    assert episode["l"] == 5
    for key in ("distance", "time", "is_success", "avg_speed"):
        assert key in episode
    venv.close()


def test_monitor_dir_gets_a_log_per_worker(tmp_path):
    venv = make_vec_env(2, "dummy", monitor_dir=str(tmp_path / "mon"))
    venv.close()
    assert sorted(p.name for p in (tmp_path / "mon").iterdir()) == ["0.monitor.csv", "1.monitor.csv"]


@pytest.mark.parametrize("kwargs, field", [
    ({"wrappers": [{"name": "Nope"}]}, "Nope"),
    ({"wrappers": [{"name": "RewardShapingWrapper", "kwargs": {"postur_weight": 1}}]}, "postur_weight"),
    ({"wrappers": [{"name": "RewardShapingWrapper", "kwargs": {"posture_weight": math.inf}}]}, "posture_weight"),
    ({"vec_env": "threads"}, "vec_env"),
    ({"vec_env": "sharded", "transport": "sockets"}, "transport"),
    ({"n_envs": 0}, "n_envs"),
    ({"max_episode_steps": 0}, "max_episode_steps"),
    ({"env_kwargs": {"frames_per_step": 0}}, "frames_per_step"),
    ({"env_kwargs": {"frame_per_step": 4}}, "frame_per_step"),
])
def test_bad_arguments_raise_naming_them_in_the_caller(kwargs, field):
    args = {"n_envs": 1, "vec_env": "subproc"} | kwargs
    with pytest.raises(ValueError, match=field):
        make_vec_env(**args)
