"""Best-model keeping: periodic evaluation judged by 100 m time, a fall counting as the time limit."""
from __future__ import annotations

import json
import queue

import pytest
import torch
from stable_baselines3.common.logger import configure

from qwop_studio.cli import main
from qwop_studio.env import make_vec_env
from qwop_studio.studio.live_runner import MODELS_DIR
from qwop_studio.train import messages as msg
from qwop_studio.train.best_model import BEST_MODEL, BEST_REPORT, BestModelCallback, time_score
from qwop_studio.train.eval_log import EVALUATIONS, read_evaluations
from qwop_studio.train.run_dir import config_for_model

from .conftest import TINY_PPO

SHIPPED = MODELS_DIR / "qwop_runner.zip"


def test_time_score_counts_a_failure_as_the_time_limit():
    episodes = [{"time": 60.0, "is_success": True}, {"time": 50.0, "is_success": True},
                {"time": 12.0, "is_success": False}]
    assert time_score(episodes, 133.0) == pytest.approx((60 + 50 + 133) / 3)
    # 90 % at 60 s beats 80 % at 58 s: speed only wins if the runner does not fall more often
    ninety = [{"time": 60.0, "is_success": True}] * 9 + [{"time": 5.0, "is_success": False}]
    eighty = [{"time": 58.0, "is_success": True}] * 8 + [{"time": 5.0, "is_success": False}] * 2
    assert time_score(ninety, 133.0) < time_score(eighty, 133.0)
    with pytest.raises(ValueError, match="no episodes"):
        time_score([], 133.0)


def _callback_for(model, run_dir, events=None) -> BestModelCallback:
    config = config_for_model(SHIPPED)
    env = make_vec_env(1, "dummy", seed=0, env_kwargs=config.env.env_kwargs(),
                       max_episode_steps=config.max_episode_steps)
    model.set_logger(configure(None, []))
    callback = BestModelCallback(env, run_dir, eval_freq=1000, n_episodes=2, seed=7, time_limit_s=133.3,
                                 events=events)
    callback.init_callback(model)
    callback.on_training_start({}, {})
    return callback


@pytest.mark.timeout(120)
def test_a_better_model_is_saved_with_its_report_and_a_worse_one_never_replaces_it(tmp_path):
    """The shipped runner (finishes 100 m) becomes best_model.zip; a run resumed in that directory
    reads best_model.json and does not let an untrained policy (never finishes) overwrite it."""
    from stable_baselines3 import PPO

    events: queue.Queue = queue.Queue()
    runner = PPO.load(SHIPPED, device="cpu")
    callback = _callback_for(runner, tmp_path, events)
    summary = callback.evaluate()
    report = json.loads((tmp_path / BEST_REPORT).read_text())
    assert summary["successes"] == 2 and report["score"] < 70.0
    assert report["score"] == pytest.approx(summary["time"]["mean"])  # both finished: score = mean time
    event = events.get_nowait()
    assert isinstance(event, msg.Evaluated) and event.improved and event.success_rate == 1.0
    saved = PPO.load(tmp_path / BEST_MODEL, device="cpu")
    for mine, theirs in zip(saved.policy.parameters(), runner.policy.parameters(), strict=True):
        assert torch.equal(mine, theirs)

    best_bytes = (tmp_path / BEST_MODEL).read_bytes()
    untrained = PPO("MlpPolicy", callback.eval_env, seed=0, device="cpu")
    resumed = _callback_for(untrained, tmp_path, events)
    assert resumed.best_score == pytest.approx(report["score"])
    resumed.evaluate()
    assert (tmp_path / BEST_MODEL).read_bytes() == best_bytes
    assert json.loads((tmp_path / BEST_REPORT).read_text()) == report
    second = events.get_nowait()
    assert not second.improved

    # both evaluations are logged for the charts of a resumed run, as they were announced
    logged = read_evaluations(tmp_path / EVALUATIONS)
    assert [(e.step, e.success_rate, e.improved) for e in logged] == [
        (event.step, event.success_rate, True), (second.step, second.success_rate, False)]
    assert logged[0].median_time_s == pytest.approx(event.median_time_s, abs=1e-3)
    assert logged[1].median_time_s is None and logged[1].score_s == pytest.approx(second.score_s, abs=1e-3)


@pytest.mark.timeout(180)
def test_a_run_with_eval_freq_keeps_a_loadable_best_model(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--config", str(TINY_PPO), "--run-dir", str(run), "--no-progress",
                 "--set", "eval_freq=1024", "--set", "eval_episodes=2"]) == 0
    assert f"best model: {run / BEST_MODEL} (step " in capsys.readouterr().err
    report = json.loads((run / BEST_REPORT).read_text())
    assert report["step"] in (1024, 2048) and report["episodes"] == 2
    assert report["time_limit_s"] == pytest.approx(200 * 4 / 30)
    assert main(["evaluate", "--model", str(run / BEST_MODEL), "--episodes", "1"]) == 0
