"""SB3's VecEnv internals our vector envs rely on: this fails if a new SB3 changes them."""
from __future__ import annotations

from stable_baselines3.common.vec_env import DummyVecEnv

from qwop_studio.env import QWOPEnv
from qwop_studio.env.sb3_internals import pending_resets, set_pending_resets


def test_seed_and_options_wait_for_the_next_reset_and_are_used_by_it():
    venv = DummyVecEnv([lambda: QWOPEnv(start_noop_max=30)] * 3)
    venv.seed(7)
    venv.set_options({"a": 1})
    seeds, options = pending_resets(venv, [0, 2])
    assert seeds == [7, 9] and options == [{"a": 1}, {"a": 1}]
    first = venv.reset()
    assert pending_resets(venv, range(3))[0] == [None, None, None], "a reset uses them up"

    other = DummyVecEnv([lambda: QWOPEnv(start_noop_max=30)] * 3)
    set_pending_resets(other, [7, 8, 9], [{}, {}, {}])
    assert (other.reset() == first).all(), "given to another DummyVecEnv, they seed its reset the same way"
