"""Live teaching, the trainer's side: Demonstrations messages reach a real trainer process and its BC term."""
from __future__ import annotations

import csv
import time

import numpy as np
import pytest

from qwop_studio.recording import Recording
from qwop_studio.sim import QWOPGame
from qwop_studio.train import messages as msg
from qwop_studio.train.bc_callback import DEMOS_CSV
from qwop_studio.train.child import start_trainer_process
from qwop_studio.train.demos import recording_steps
from qwop_studio.train.teaching import pack, unpack

from .conftest import TINY_PPO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def _demonstration_steps() -> tuple[np.ndarray, np.ndarray]:
    """Steps of a real game (random keys, 40 steps' worth of frames) cut by the recordings' rules."""
    rng = np.random.default_rng(0)
    game = QWOPGame()
    keys = []
    for mask in rng.integers(1, 16, size=10):
        for _ in range(4):
            game.step(int(mask))
            keys.append(int(mask))
    demos = recording_steps(Recording.of_game(keys, game), 4, reduced_action_set=True)
    return demos.observations, demos.actions


def test_pack_and_unpack_round_trip_and_refuse_what_is_malformed():
    obs, actions = _demonstration_steps()
    got_obs, got_actions = unpack(pack(obs, actions), n_actions=9)
    np.testing.assert_array_equal(got_obs, obs)
    np.testing.assert_array_equal(got_actions, actions)
    bad = [msg.Demonstrations(b"\0" * 7, (1,)),
           msg.Demonstrations(pack(obs[:1], [1]).observations, (9,)),
           msg.Demonstrations(pack(obs[:2], [1, 2]).observations, (1,)),
           msg.Demonstrations(np.full(60, np.nan, "<f4").tobytes(), (1,)),
           msg.Demonstrations(pack(obs[:1], [1]).observations, (True,))]
    for command in bad:
        with pytest.raises(ValueError, match="^demonstrations: "):
            unpack(command, n_actions=9)


def _wait(handle, until, timeout_s: float) -> list:
    """Events until ``until(events)`` holds (or the timeout)."""
    got: list = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not until(got):
        got.extend(handle.poll_events())
        time.sleep(0.05)
    return got


def _rows(path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_trainer_process_adds_live_demonstrations_and_learns_from_them(tmp_path):
    obs, actions = _demonstration_steps()
    run_dir = tmp_path / "run"
    handle = start_trainer_process(TINY_PPO, run_dir, overrides={"total_timesteps": 2_000_000, "vec_env": "dummy",
                                                                  "checkpoint_freq": 0})
    try:
        events = _wait(handle, lambda got: any(isinstance(e, msg.PolicySnapshot) for e in got), 60)
        assert any(isinstance(e, msg.Started) for e in events), events
        assert not (run_dir / DEMOS_CSV).exists()  # untaught: the BC term does nothing and logs nothing
        handle.send(msg.Demonstrations(b"broken", (1,)))
        handle.send(pack(obs, actions))
        events = _wait(handle, lambda got: any(isinstance(e, msg.DemonstrationsAdded) for e in got), 30)
        errors = [e for e in events if isinstance(e, msg.Error)]
        assert len(errors) == 1 and not errors[0].fatal and "demonstrations not taken" in errors[0].message
        added = next(e for e in events if isinstance(e, msg.DemonstrationsAdded))
        assert added.added == added.taught_steps == added.demo_steps == len(actions)
        assert added.bc_weight == pytest.approx(1.0)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_rows(run_dir / DEMOS_CSV)) < 2:
            handle.poll_events()
            time.sleep(0.1)
        rows = _rows(run_dir / DEMOS_CSV)
        assert len(rows) >= 2, rows
        samples = [int(r["bc_samples"]) for r in rows]
        assert samples[0] > 0 and samples[1] > samples[0]  # the BC term learns from them, update after update
        assert {int(r["taught_steps"]) for r in rows} == {len(actions)}
        assert int(rows[0]["step"]) >= added.step
    finally:
        handle.stop(timeout=30)
