"""Live teaching, the trainer's side: Demonstrations messages reach the trainer's BC term through its commands."""
from __future__ import annotations

import csv
import queue

import numpy as np
import pytest

from qwop_studio.recording import Recording, save_recording
from qwop_studio.sim import QWOPGame
from qwop_studio.train import messages as msg
from qwop_studio.train.bc_callback import DEMOS_CSV
from qwop_studio.train.config import load_config
from qwop_studio.train.demos import recording_steps
from qwop_studio.train.teaching import TAKEOVERS_DIR, pack, unpack
from qwop_studio.train.trainer import run_training

from .conftest import TINY_PPO

pytestmark = pytest.mark.timeout(120)


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


def _drain(events: queue.Queue) -> list:
    got = []
    while not events.empty():
        got.append(events.get_nowait())
    return got


def _rows(path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_trainer_takes_demonstrations_from_its_commands_and_learns_from_them(tmp_path):
    """run_training as the studio's child runs it (commands and events queues), here in-process."""
    obs, actions = _demonstration_steps()
    commands, events = queue.Queue(), queue.Queue()
    commands.put(msg.Demonstrations(b"broken", (1,)))
    commands.put(pack(obs, actions))
    run_dir = tmp_path / "run"
    config = load_config(TINY_PPO, {"vec_env": "dummy", "total_timesteps": 2048, "checkpoint_freq": 0})
    run_training(config, run_dir, commands=commands, events=events, progress=False)
    got = _drain(events)
    errors = [e for e in got if isinstance(e, msg.Error)]
    assert len(errors) == 1 and not errors[0].fatal and "demonstrations not taken" in errors[0].message
    added = [e for e in got if isinstance(e, msg.DemonstrationsAdded)]
    assert len(added) == 1
    assert added[0].added == added[0].taught_steps == added[0].demo_steps == len(actions)
    assert added[0].bc_weight == pytest.approx(1.0, abs=1e-5)  # the decay starts again at the step it came
    rows = _rows(run_dir / DEMOS_CSV)
    assert [int(r["step"]) for r in rows] == [512, 1024, 1536]  # after each update but the last
    samples = [int(r["bc_samples"]) for r in rows]
    assert samples == [4 * len(actions) * k for k in (1, 2, 3)]  # 4 minibatches of the whole (small) set
    assert {int(r["taught_steps"]) for r in rows} == {len(actions)}
    assert any(isinstance(e, msg.Finished) for e in got)


def test_a_resumed_run_keeps_learning_from_the_takeovers_saved_in_its_folder(tmp_path):
    """The studio saves every takeover in <run>/takeovers/; a run started there again takes them back."""
    game, keys = QWOPGame(), []
    for mask in [2] * 8 + [4] * 8 + [1] * 8 + [8] * 8:  # W, O, Q, P from a standing start: 8 steps
        game.step(mask)
        keys.append(mask)
    run_dir = tmp_path / "run"
    save_recording(Recording.of_game(keys, game, stopped_by="quit"),
                   run_dir / TAKEOVERS_DIR / "takeover_20250101-000000_human-from-0.json")
    events = queue.Queue()
    config = load_config(TINY_PPO, {"vec_env": "dummy", "total_timesteps": 1024, "checkpoint_freq": 0})
    run_training(config, run_dir, commands=queue.Queue(), events=events, progress=False)
    got = _drain(events)
    added = [e for e in got if isinstance(e, msg.DemonstrationsAdded)]
    assert len(added) == 1 and added[0].step == 0 and added[0].taught_steps == added[0].demo_steps == 8
    started = next(i for i, e in enumerate(got) if isinstance(e, msg.Started))
    assert got.index(added[0]) > started  # after Started, which resets the studio's count
    rows = _rows(run_dir / DEMOS_CSV)
    assert rows and int(rows[0]["bc_samples"]) > 0 and int(rows[0]["taught_steps"]) == 8
