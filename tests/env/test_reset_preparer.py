"""A sharded env prepares its envs' next resets while it waits; the episodes stay bitwise the same."""
import numpy as np

from qwop_studio.env.dummy import FreshInfoDummyVecEnv
from qwop_studio.env.sharded import _ResetPreparer
from qwop_studio.env.vec import make_vec_env


def test_prepared_resets_give_the_same_episodes_and_are_used():
    plain = make_vec_env(3, "dummy", seed=5, max_episode_steps=30)
    prepared = make_vec_env(3, "dummy", seed=5, max_episode_steps=30)
    assert isinstance(prepared, FreshInfoDummyVecEnv)
    preparer = _ResetPreparer(prepared)
    actions = np.random.default_rng(0).integers(0, 16, size=(200, 3))
    plain.reset()
    prepared.reset()
    preparer.after("reset", np.zeros(3, dtype=bool))
    pieces = prepared_resets = 0
    for a in actions:
        while preparer():  # idle time: as much as it takes
            pieces += 1
        assert not preparer()
        games = [env.unwrapped.game for env in prepared.envs]
        ready = [g._next_world is not None and g._next_world.done for g in games]
        o1, r1, d1, _ = plain.step(a)
        o2, r2, d2, _ = prepared.step(a)
        assert all(g._next_world is None for g, done in zip(games, d2, strict=True) if done), "used by the reset"
        preparer.after("step", d2)
        prepared_resets += sum(ok for ok, done in zip(ready, d2, strict=True) if done)
        assert np.array_equal(o1, o2) and np.array_equal(r1, r2) and np.array_equal(d1, d2)
    assert prepared_resets >= 6, "episodes ended (30 steps at most) and each reset took its prepared world"
    assert pieces > 0


def test_the_preparer_returns_to_the_envs_that_were_reset_only():
    venv = make_vec_env(3, "dummy", seed=0, max_episode_steps=5)
    preparer = _ResetPreparer(venv)
    venv.reset()
    while preparer():
        pass
    venv.step(np.zeros(3, dtype=int))
    preparer.after("step", np.array([False, False, False]))
    assert not preparer(), "no env was reset: nothing to prepare"
    venv.env_method("reset", indices=[1])  # env 1 takes its prepared world, as an auto-reset would
    assert venv.envs[1].unwrapped.game._next_world is None
    preparer.after("step", np.array([False, True, False]))
    assert preparer() and venv.envs[1].unwrapped.game._next_world is not None
    assert venv.envs[0].unwrapped.game._next_world.done and venv.envs[2].unwrapped.game._next_world.done
