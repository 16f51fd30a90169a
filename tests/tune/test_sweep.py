"""Real sweeps of tiny trials: Optuna with SQLite, a sweep killed mid-trial and resumed, and Ray.

Each trial is a real PPO training (2 envs in one process, a 16-unit network) of 3 seconds, with one
intermediate report and a final evaluation of 2 episodes (``tiny_space.yml``).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from qwop_studio.cli import main  # noqa: E402
from qwop_studio.train.config import load_config  # noqa: E402
from qwop_studio.tune.space import load_space  # noqa: E402
from qwop_studio.tune.trial import TrialPlan, run_trial  # noqa: E402

HERE = Path(__file__).parent
TINY = HERE / "tiny_tune.yml"
SPACE = HERE / "tiny_space.yml"
MINUTES = "0.05"  # 3 s of training per trial


def _args(study: str, trials: int, *extra: str) -> list[str]:
    return ["tune", "--config", str(TINY), "--trials", str(trials), "--trial-minutes", MINUTES,
            "--space", str(SPACE), "--study", study, *extra]


def _study(root: Path, name: str):
    return optuna.load_study(study_name=name, storage=f"sqlite:///{root / 'saves' / 'sweeps' / name / 'study.db'}")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QWOP_STUDIO_SAVES", raising=False)
    return tmp_path


def _leave_a_stale_trial_of_another_machine(root: Path, name: str) -> dict:
    """A running trial whose process, on another host, stopped writing heartbeats 3 s ago (grace: 2 s)."""
    sweep = root / "saves" / "sweeps" / name
    sweep.mkdir(parents=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # heartbeats are "experimental", and meant for optimize(), not ask()
        storage = optuna.storages.RDBStorage(f"sqlite:///{sweep / 'study.db'}", heartbeat_interval=1, grace_period=2)
        study = optuna.create_study(storage=storage, study_name=name, direction="minimize")
        trial = study.ask()
    load_space(SPACE, load_config(TINY)).suggest(trial)
    trial.set_user_attr("host", "another-machine")
    storage.record_heartbeat(trial._trial_id)
    time.sleep(3)
    return trial.params


def test_sweep_of_two_trials_completes_in_sqlite_and_its_best_yaml_trains(in_tmp, capsys):
    stale_params = _leave_a_stale_trial_of_another_machine(in_tmp, "two")
    assert main(_args("two", 2)) == 0
    out = capsys.readouterr().out
    sweep = in_tmp / "saves" / "sweeps" / "two"
    study = _study(in_tmp, "two")
    stale, *trials = study.get_trials()
    assert stale.state.name == "FAIL"  # another machine's trial, failed by its old heartbeat...
    retry = next(t for t in trials if t.system_attrs.get("failed_trial") == 0)
    assert retry.params == stale_params  # ...and run again with its values
    assert [t.state.name for t in trials] == ["COMPLETE", "COMPLETE"]
    # the other trial is the yardstick: the base config's own values, fixed, and trained as the base config
    (baseline,) = [t for t in trials if t is not retry]
    assert baseline.user_attrs["baseline"] == sorted(baseline.params)
    assert baseline.params == {"hyperparams.learning_rate": 3.0e-4, "hyperparams.n_epochs": 1,
                               "hyperparams.policy_kwargs.net_arch": "[16, 16]",
                               "reward_schedule.0.set.velocity_weight": 0.1}
    trained = load_config(Path(baseline.user_attrs["run_dir"]) / "config.yml").to_dict()
    for key in ("hyperparams", "env", "reward_schedule", "n_envs", "seed"):
        assert trained[key] == load_config(TINY).to_dict()[key]
    assert f"{baseline.number} (base)" in out and f"base config (trial {baseline.number}): objective" in out
    for trial in trials:
        assert set(trial.intermediate_values) == {1}  # the report at half the budget, for a pruner
        assert 0.04 < trial.user_attrs["train_minutes"] < 0.2
        run_dir = Path(trial.user_attrs["run_dir"])
        assert (run_dir / "final_model.zip").is_file() and (run_dir / "evaluation.json").is_file()
    best = load_config(sweep / "best_config.yml")
    assert best.name == "two_best"
    winner = min(trials, key=lambda t: t.value)
    assert best.hyperparams["learning_rate"] == pytest.approx(winner.params["hyperparams.learning_rate"])
    assert best.hyperparams["n_epochs"] == winner.params["hyperparams.n_epochs"]
    assert (sweep / "objective.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"best: trial {winner.number}" in out and "best config:" in out

    # the study is complete: the same command runs nothing more; other trial minutes are refused in one line
    assert main(_args("two", 2)) == 0
    assert len(_study(in_tmp, "two").get_trials()) == 3
    capsys.readouterr()
    assert main(_args("two", 3)[:-4] + ["--trial-minutes", "0.2", "--space", str(SPACE), "--study", "two"]) == 2
    assert "this study was started with another --trial-minutes 0.05" in capsys.readouterr().err
    other_space = in_tmp / "other_space.yml"
    other_space.write_text(SPACE.read_text().replace("high: 2}", "high: 3}"))
    assert main(_args("two", 3)[:-4] + ["--space", str(other_space), "--study", "two"]) == 2
    assert "this study was started with another --space" in capsys.readouterr().err
    same = in_tmp / "same_config_elsewhere.yml"
    same.write_text("# the same data, another file\n" + TINY.read_text())
    assert main(["tune", "--config", str(same), *_args("two", 2)[3:]]) == 0  # the base is compared by content
    changed = in_tmp / "changed.yml"
    changed.write_text(TINY.read_text().replace("seed: 0", "seed: 1"))
    assert main(["tune", "--config", str(changed), *_args("two", 2)[3:]]) == 2
    assert "this study was started with another --config" in capsys.readouterr().err
    assert len(_study(in_tmp, "two").get_trials()) == 3  # nothing ran


def test_a_trial_stopped_by_its_reporter_ends_early_as_pruned(tmp_path):
    base = load_config(TINY)
    space = load_space(SPACE, base)
    plan = TrialPlan(base=base.to_dict(), source=str(TINY), trial_minutes=0.5, trials_dir=str(tmp_path),
                     time_limit_s=100 * 4 / 30, evaluation={**space.settings.evaluation.model_dump(), "reports": 10})
    seen = []

    def reporter(step, value, attrs):
        seen.append((step, value))
        return True  # "prune": stop at the first report

    started = time.monotonic()
    outcome = run_trial(plan, 0, {"hyperparams.n_epochs": 1}, reporter)
    assert outcome.pruned and seen == [(1, outcome.objective)]
    assert outcome.attrs["train_minutes"] < 0.1  # stopped at 1/10 of 0.5 min, not at the end
    assert time.monotonic() - started < 20
    assert not (tmp_path / "trial_0000" / "evaluation.json").exists()  # no final evaluation for a pruned trial


@pytest.mark.slow
def test_a_sweep_killed_mid_trial_resumes_and_keeps_its_finished_trials(in_tmp):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    proc = subprocess.Popen([sys.executable, "-m", "qwop_studio.cli", *_args("killed", 3)], cwd=in_tmp, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    second = in_tmp / "saves" / "sweeps" / "killed" / "trials" / "trial_0001" / "config.yml"
    deadline = time.monotonic() + 120
    while not second.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    assert proc.poll() is None, "the sweep ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    before = _study(in_tmp, "killed").get_trials()
    assert [t.state.name for t in before] == ["COMPLETE", "RUNNING"]

    assert main(_args("killed", 3)) == 0
    after = _study(in_tmp, "killed").get_trials()
    assert after[0].state.name == "COMPLETE" and after[0].value == before[0].value
    assert after[0].datetime_complete == before[0].datetime_complete  # kept, not run again
    assert after[1].state.name == "FAIL"  # the interrupted one...
    retry = next(t for t in after if t.system_attrs.get("failed_trial") == 1)
    assert retry.state.name == "COMPLETE" and retry.params == after[1].params  # ...run again with its values
    assert sum(t.state.name == "COMPLETE" for t in after) == 3 and len(after) == 4


@pytest.mark.slow
def test_the_same_sweep_runs_through_a_local_ray_instance(in_tmp):
    pytest.importorskip("ray.tune")
    assert main(_args("ray", 2, "--ray", "local", "--cpus-per-trial", "1")) == 0
    trials = _study(in_tmp, "ray").get_trials()
    assert [t.state.name for t in trials] == ["COMPLETE", "COMPLETE"]
    for trial in trials:
        assert trial.user_attrs["mode"] == "ray"
        assert 1 in trial.intermediate_values  # Ray's reports reached the Optuna study
        assert Path(trial.user_attrs["run_dir"], "final_model.zip").is_file()
    assert trials[0].user_attrs["baseline"] == sorted(trials[0].params)  # the queued yardstick ran first, on Ray
    assert trials[0].params["hyperparams.learning_rate"] == 3.0e-4 and trials[0].params["hyperparams.n_epochs"] == 1
    assert load_config(in_tmp / "saves" / "sweeps" / "ray" / "best_config.yml").name == "ray_best"
