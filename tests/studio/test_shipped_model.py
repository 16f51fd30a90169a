"""The runner that ships in assets/models/: the studio shows it before any training, and it runs."""
import json

import pytest
from studio_helpers import FakeClock

from qwop_studio.studio.runner import AGENT, MODELS_DIR, LiveRunner, find_shipped_model

MODEL = MODELS_DIR / "qwop_runner.zip"


def test_a_trained_runner_ships_small_with_its_config_and_evaluation():
    assert find_shipped_model(MODELS_DIR) == MODEL
    assert MODEL.stat().st_size < 10 * 2**20
    report = json.loads((MODELS_DIR / "qwop_runner_eval.json").read_text())
    assert report["episodes"] == 100 and report["start_noop_max"] == 30
    assert report["success_rate"] >= 0.9


@pytest.mark.timeout(120)
def test_the_studio_runner_plays_the_shipped_model_before_any_training():
    runner = LiveRunner(clock=FakeClock(), models_dir=MODELS_DIR, load_in_background=False)
    assert runner.has_policy and runner.controller == AGENT
    start = runner.game.distance
    for _ in range(300):                 # 10 s of wall time, 300 game frames
        runner.update(1 / 30)
    assert runner.game.distance > start + 2.0   # it runs forward, not just stands
