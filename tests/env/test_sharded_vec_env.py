"""ShardedSubprocVecEnv: several envs per worker process, same results as SB3's DummyVecEnv."""
import numpy as np
import pytest

from qwop_studio.env.vec import make_vec_env, set_reward_weights

ENV_KWARGS = {"reduced_action_set": True, "start_noop_max": 10}


def rollout(venv, steps: int = 120, seed: int = 3):
    actions = np.random.default_rng(seed).integers(0, 9, size=(steps, venv.num_envs))
    obs = [venv.reset()]
    rewards, dones, terminal, reset_infos = [], [], [], []
    for a in actions:
        o, r, d, infos = venv.step(a)
        obs.append(o)
        rewards.append(r)
        dones.append(d)
        terminal += [info["terminal_observation"] for info in infos if "terminal_observation" in info]
        reset_infos.append(repr(venv.reset_infos))  # a snapshot: the infos of each env's latest reset
    return np.array(obs), np.array(rewards), np.array(dones), terminal, reset_infos


@pytest.mark.timeout(120)
def test_sharded_workers_give_exactly_the_dummy_vec_env_results():
    """Same seeds, same actions: bitwise the same observations, rewards, dones and terminal observations,
    with 5 envs split unevenly over 2 worker processes (auto-reset and per-env seeds included)."""
    dummy = make_vec_env(5, "dummy", seed=11, env_kwargs=ENV_KWARGS, max_episode_steps=40)
    sharded = make_vec_env(5, "sharded", seed=11, env_kwargs=ENV_KWARGS, max_episode_steps=40, n_workers=2)
    try:
        assert [len(s) for s in sharded.shards] == [2, 3] or [len(s) for s in sharded.shards] == [3, 2]
        a, b = rollout(dummy), rollout(sharded)
        for x, y in zip(a[:3], b[:3], strict=True):
            assert np.array_equal(x, y)
        assert len(a[3]) == len(b[3]) > 0
        assert all(np.array_equal(x, y) for x, y in zip(a[3], b[3], strict=True))
        assert a[4] == b[4] and len(set(a[4])) > 1, "reset infos as DummyVecEnv keeps them, after auto-resets too"
    finally:
        dummy.close()
        sharded.close()


@pytest.mark.timeout(120)
def test_env_method_and_attributes_reach_the_right_envs():
    venv = make_vec_env(4, "sharded", seed=0, env_kwargs=ENV_KWARGS, n_workers=2)
    try:
        weights = set_reward_weights(venv, posture_weight=0.25)
        assert [w["posture_weight"] for w in weights] == [0.25] * 4
        venv.env_method("set_reward_weights", indices=[3], energy_weight=0.5)
        assert [w["energy_weight"] for w in venv.env_method("get_reward_weights")] == [0.0, 0.0, 0.0, 0.5]
        assert venv.get_attr("frames_per_step", indices=[2, 0]) == [4, 4]
        assert venv.env_method("get_reward_weights", indices=[3, 1])[0]["energy_weight"] == 0.5
    finally:
        venv.close()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("local_shard, transport", [(True, "shared_memory"), (False, "shared_memory"),
                                                    (False, "pipe")])
def test_with_or_without_a_shard_in_the_main_process_the_results_are_the_dummy_ones(local_shard, transport):
    """make_vec_env steps the first shard in the main process (one worker process fewer); the class
    can also put every shard in a worker, and talk to workers through pipes instead of shared memory.
    All give bitwise DummyVecEnv's results."""
    from functools import partial

    from qwop_studio.env.sharded import ShardedSubprocVecEnv
    from qwop_studio.env.vec import make_worker

    factories = [partial(make_worker, rank, 11, ENV_KWARGS, [], 40, None) for rank in range(3)]
    dummy = make_vec_env(3, "dummy", seed=11, env_kwargs=ENV_KWARGS, max_episode_steps=40)
    sharded = ShardedSubprocVecEnv(factories, n_workers=2, local_shard=local_shard, transport=transport)
    sharded.seed(11)
    try:
        assert len(sharded.processes) == (1 if local_shard else 2)
        a, b = rollout(dummy, steps=80), rollout(sharded, steps=80)
        for x, y in zip(a[:3], b[:3], strict=True):
            assert np.array_equal(x, y)
        assert sharded.get_attr("frames_per_step", indices=[0, 2]) == [4, 4]
    finally:
        dummy.close()
        sharded.close()
    assert all(not p.is_alive() for p in sharded.processes)
