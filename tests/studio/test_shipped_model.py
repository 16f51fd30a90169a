"""The runner that ships in qwop_studio/assets/models/: the studio shows it before any training, and it runs."""
import json

import pytest
from studio_helpers import FakeClock

from qwop_studio.studio.live_runner import AGENT, MODELS_DIR, LiveRunner, find_shipped_model

MODEL = MODELS_DIR / "qwop_runner.zip"


def test_a_trained_runner_ships_small_with_its_config_and_evaluation():
    assert find_shipped_model(MODELS_DIR) == MODEL
    assert MODEL.stat().st_size < 10 * 2**20
    report = json.loads((MODELS_DIR / "qwop_runner_eval.json").read_text())
    assert report["episodes"] == 100 and report["start_noop_max"] == 30
    assert report["success_rate"] >= 0.9
    # upright: torso at >= 90 % of standing height, and no episode kneels on more than 1 % of its frames
    # (a scoot has a knee down most of the time; this runner touched down in 2 races of 100, for 2 frames each)
    assert report["torso_height"]["mean"] >= 0.9 and report["knee_on_track"]["max"] < 0.01


@pytest.mark.timeout(120)
def test_the_studio_runner_plays_the_shipped_model_before_any_training():
    runner = LiveRunner(clock=FakeClock(), models_dir=MODELS_DIR, load_in_background=False)
    assert runner.has_policy and runner.controller == AGENT
    start = runner.game.distance
    for _ in range(300):                 # 10 s of wall time, 300 game frames
        runner.update(1 / 30)
    assert runner.game.distance > start + 2.0   # it runs forward, not just stands


def test_the_shipped_runner_beats_the_human_record_upright_and_its_evaluation_reproduces():
    """The report's median 100 m time is under the human record, 45.53 s (the original's clock), at >= 90 %
    success and with the torso >= 90 % of its standing height (issue 18), and it is true: playing
    the model again gives the report's first episodes exactly (same seed, deterministic)."""
    from qwop_studio.train.evaluate import evaluate_model

    report = json.loads((MODELS_DIR / "qwop_runner_eval.json").read_text())
    assert report["success_time"]["median"] < 45.53
    assert report["success_rate"] >= 0.9 and report["torso_height"]["mean"] >= 0.9
    again = evaluate_model(MODEL, episodes=3, start_noop_max=30, seed=report["seed"])
    for fresh, recorded in zip(again["episode_records"], report["episode_records"][:3], strict=False):
        assert fresh["length"] == recorded["length"] and fresh["is_success"] == recorded["is_success"]
        assert fresh["time"] == pytest.approx(recorded["time"]) and fresh["reward"] == pytest.approx(recorded["reward"])
