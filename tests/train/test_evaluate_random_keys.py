"""`evaluate --model random-keys`: the random baseline, and the source of a bad teacher's recordings."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qwop_studio.cli import main
from qwop_studio.recording import load_recording
from qwop_studio.train.evaluate import RANDOM_KEYS, EvaluationError, evaluate_model


def test_random_keys_play_seeded_varied_keys_and_record_every_game(tmp_path):
    report = evaluate_model(RANDOM_KEYS, episodes=3, seed=4, record_dir=tmp_path / "a")
    again = evaluate_model(RANDOM_KEYS, episodes=3, seed=4, record_dir=tmp_path / "b")
    other = evaluate_model(RANDOM_KEYS, episodes=3, seed=5)
    assert report["algorithm"] == RANDOM_KEYS and report["success_rate"] == 0.0
    files = sorted((tmp_path / "a").glob("*.json"))
    assert len(files) == 3
    keys = [load_recording(f).keys for f in files]
    assert keys == [load_recording(f).keys for f in sorted((tmp_path / "b").glob("*.json"))]
    assert len({k for game in keys for k in game}) > 4  # many key states pressed, not one
    lengths = [e["length"] for e in report["episode_records"]]
    assert lengths == [e["length"] for e in again["episode_records"]]
    assert lengths != [e["length"] for e in other["episode_records"]]


def test_config_is_only_for_random_keys_and_must_exist(capsys):
    with pytest.raises(EvaluationError, match="only for --model random-keys"):
        evaluate_model("qwop_runner.zip", episodes=1, config_name="train_ppo")
    assert main(["evaluate", "--model", RANDOM_KEYS, "--config", "no_such_config", "--episodes", "1"]) == 2
    assert "no_such_config" in capsys.readouterr().err


def test_endings_tell_falls_from_time_ups_and_count_who_stood_still(tmp_path, capsys):
    # Random keys fall within the default limit; cut to 3 steps, every game runs out of time near the
    # start line: "stood still", the sign of a frozen policy that an evaluation must show at once.
    falls = evaluate_model(RANDOM_KEYS, episodes=4, seed=1)
    assert falls["endings"] == {"finished": 0, "fell": 4, "time_up": 0} and falls["stood_still"] == 0
    assert {e["ending"] for e in falls["episode_records"]} == {"fell"}
    short = tmp_path / "short.yml"
    short.write_text((Path(__file__).parent / "tiny_ppo.yml").read_text().replace("max_episode_steps: 200", "max_episode_steps: 3"))
    assert main(["evaluate", "--model", RANDOM_KEYS, "--config", str(short), "--episodes", "3", "--seed", "1",
                 "--json", str(tmp_path / "r.json")]) == 0
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["endings"] == {"finished": 0, "fell": 0, "time_up": 3} and report["stood_still"] == 3
    assert "3 ran out of time (3 of them stood still: under 1 m)" in " ".join(capsys.readouterr().out.split())
