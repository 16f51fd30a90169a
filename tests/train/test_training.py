"""Real (tiny) training runs with 2 worker processes: files, resume, evaluation."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from qwop_studio.cli import main

HERE = Path(__file__).parent

pytestmark = pytest.mark.slow

EVAL_FIELDS = {"episodes", "successes", "success_rate", "distance", "time", "avg_speed", "reward", "length",
               "success_time", "best_success_time", "worst_success_time", "algorithm", "model", "deterministic", "start_noop_max"}


def test_qrdqn_run_has_config_checkpoints_replay_buffers_final_model_and_logs(qrdqn_run: Path):
    ckpts = qrdqn_run / "checkpoints"
    assert (ckpts / "model_1000_steps.zip").is_file() and (ckpts / "model_2000_steps.zip").is_file()
    assert (ckpts / "replay_buffer_2000_steps.npz").is_file()
    assert not (ckpts / "replay_buffer_1000_steps.npz").exists(), "only the newest replay buffer is kept"
    assert (qrdqn_run / "final_model.zip").is_file()
    assert "algorithm: QRDQN" in (qrdqn_run / "config.yml").read_text()
    rows = (qrdqn_run / "progress.csv").read_text().splitlines()
    assert rows[0].startswith("step,") and len(rows) > 5
    assert list((qrdqn_run / "tb" / "QRDQN").glob("events.out.tfevents.*"))
    assert (qrdqn_run / "reward_weights.csv").read_text().splitlines()[1].startswith("0,")
    assert not list(qrdqn_run.rglob("*.tmp")), "a temporary file was left behind"


def test_ppo_run_has_checkpoints_and_a_final_model(ppo_run: Path):
    from stable_baselines3 import PPO

    assert (ppo_run / "checkpoints" / "model_1024_steps.zip").is_file()
    assert (ppo_run / "checkpoints" / "model_2048_steps.zip").is_file()
    assert not list(ppo_run.rglob("replay_buffer_*"))
    model = PPO.load(ppo_run / "final_model.zip", device="cpu")
    assert model.num_timesteps == 2048


def test_qrdqn_resume_continues_step_count_schedules_tensorboard_and_replay_buffer(qrdqn_run: Path, tmp_path):
    from sb3_contrib import QRDQN

    run = tmp_path / "run"
    shutil.copytree(qrdqn_run, run)
    n_tb = len(list((run / "tb" / "QRDQN").glob("events.*")))
    # evaluations logged past the checkpoint belong to a stretch the resumed run trains again
    (run / "evaluations.csv").write_text("step,success_rate,median_time_s,score_s,improved,duration_s\n"
                                         "1000,0.0,,26.667,1,1.00\n2600,0.5,20.0,23.3,1,1.00\n")
    code = main(["train", "--resume", str(run / "checkpoints" / "model_2000_steps.zip"), "--total-timesteps", "3000",
                 "--no-progress"])
    assert code == 0
    assert (run / "checkpoints" / "model_3000_steps.zip").is_file()
    model = QRDQN.load(run / "final_model.zip", device="cpu")
    assert model.num_timesteps == 3000
    assert model.exploration_rate == 0.0  # the schedule ran on: past 30 % of 3000 steps, not restarted at 0.2
    with np.load(run / "checkpoints" / "replay_buffer_3000_steps.npz", allow_pickle=False) as buffer:
        pos = int(buffer["pos_full"][0])
    # 2 workers: one buffer row per vector step. Loaded, it holds ~1500 rows (a checkpoint taken inside a step
    # lacks that step's transition); fresh, it would hold only the 500 rows of the resumed stretch.
    assert 3000 // 2 - 3 <= pos <= 3000 // 2, "the replay buffer was not loaded"
    # same TensorBoard directory (curves continue), and the progress log goes on from step 2000
    assert len(list((run / "tb" / "QRDQN").glob("events.*"))) == n_tb + 1
    rows = [r.split(",") for r in (run / "progress.csv").read_text().splitlines()[1:]]
    steps = [int(r[0]) for r in rows]
    assert steps == sorted(steps) and steps[-1] > 2000
    wall = [float(r[1]) for r in rows]
    assert wall == sorted(wall)  # the wall-time axis continues across the resume instead of restarting at 0
    assert (run / "reward_weights.csv").read_text().splitlines()[-1].startswith("2000,")
    assert [line.split(",")[0] for line in (run / "evaluations.csv").read_text().splitlines()] == ["step", "1000"]


def test_resume_from_a_run_directory_uses_its_latest_checkpoint_and_the_configs_new_schedule(
        ppo_run: Path, tmp_path, capsys):
    """The run trained with lin_3e-4 (0 at its end); resumed with a step schedule set on the command
    line, its one update at step 2560 uses the new schedule's value there, not the pickled one's."""
    from stable_baselines3 import PPO

    run = tmp_path / "run"
    shutil.copytree(ppo_run, run)
    schedule = "hyperparams.learning_rate=[[0, 1.0e-3], [2048, 1.0e-3], [3072, 1.0e-5]]"
    assert main(["train", "--resume", str(run), "--total-timesteps", "2560", "--set", schedule, "--no-progress"]) == 0
    assert "model_2048_steps.zip" in capsys.readouterr().err
    model = PPO.load(run / "final_model.zip", device="cpu")
    assert model.num_timesteps == 2560
    assert model.policy.optimizer.param_groups[0]["lr"] == pytest.approx(1.0e-3 + (1.0e-5 - 1.0e-3) * 512 / 1024)
    assert yaml.safe_load((run / "config.yml").read_text())["hyperparams"]["learning_rate"][2] == [3072, 1.0e-5]


def test_resume_trains_with_the_configs_gamma_and_epochs_not_the_checkpoints(ppo_run: Path, tmp_path, capsys):
    """SB3's load restores gamma, n_epochs, ... from the file; an edited config must win, and say so."""
    from stable_baselines3 import PPO

    run = tmp_path / "run"
    shutil.copytree(ppo_run, run)
    assert PPO.load(run / "final_model.zip", device="cpu").gamma != 0.9
    assert main(["train", "--resume", str(run), "--total-timesteps", "2560", "--set", "hyperparams.gamma=0.9",
                 "--set", "hyperparams.n_epochs=2", "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "resuming with the config's gamma 0.9 (the checkpoint had 0.99)" in err
    model = PPO.load(run / "final_model.zip", device="cpu")
    assert model.gamma == 0.9 and model.n_epochs == 2 and model.rollout_buffer.gamma == 0.9


def test_resume_at_the_total_already_exits_2(qrdqn_run: Path, capsys):
    assert main(["train", "--resume", str(qrdqn_run), "--no-progress"]) == 2
    assert "already at 2000 steps" in capsys.readouterr().err


def test_evaluate_writes_json_with_every_statistic(ppo_run: Path, tmp_path):
    out = tmp_path / "eval.json"
    code = main(["evaluate", "--model", str(ppo_run / "checkpoints" / "model_2048_steps.zip"), "--episodes", "5",
                 "--json", str(out), "--stochastic", "--start-noop-max", "10"])
    assert code == 0
    report = json.loads(out.read_text())
    assert EVAL_FIELDS <= report.keys()
    assert report["episodes"] == 5 and len(report["episode_records"]) == 5
    assert report["algorithm"] == "PPO" and report["deterministic"] is False and report["start_noop_max"] == 10
    for key in ("distance", "time", "avg_speed"):
        assert set(report[key]) == {"mean", "std", "median", "min", "max"}
    assert report["distance"]["min"] <= report["distance"]["mean"] <= report["distance"]["max"]


def test_evaluate_reads_the_algorithm_from_the_run_not_the_file_name(qrdqn_run: Path, tmp_path):
    run = tmp_path / "PPO_looks_like_ppo"
    run.mkdir()
    shutil.copy(qrdqn_run / "final_model.zip", run / "ppo_model.zip")  # no config.yml: the zip's own copy
    out = tmp_path / "e.json"
    assert main(["evaluate", "--model", str(run / "ppo_model.zip"), "--episodes", "2", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["algorithm"] == "QRDQN"


def test_evaluate_refuses_a_model_whose_spaces_do_not_match(qrdqn_run: Path, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(qrdqn_run / "final_model.zip", run / "final_model.zip")
    text = (qrdqn_run / "config.yml").read_text().replace("reduced_action_set: true", "reduced_action_set: false")
    (run / "config.yml").write_text(text)
    assert main(["evaluate", "--model", str(run / "final_model.zip"), "--episodes", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "action space" in err and "does not match" in err


def test_a_new_run_never_overwrites_an_existing_one(ppo_run: Path, capsys):
    before = sorted(p.name for p in (ppo_run / "checkpoints").iterdir())
    assert main(["train", "--config", "train_ppo", "--run-dir", str(ppo_run), "--no-progress"]) == 2
    assert "already holds a run" in capsys.readouterr().err
    assert sorted(p.name for p in (ppo_run / "checkpoints").iterdir()) == before


@pytest.mark.timeout(180)
def test_a_time_budget_ends_training_with_a_final_model_and_set_overrides_apply(tmp_path):
    """--max-minutes stops a run long before its step budget (saving as at any end); --set overrides
    a dotted config key and the resolved config.yml records it; workers can be sharded processes."""
    run = tmp_path / "budget"
    code = main(["train", "--config", str(HERE / "tiny_ppo.yml"), "--run-dir", str(run), "--no-progress",
                 "--total-timesteps", "10000000", "--max-minutes", "0.1",
                 "--set", "vec_env=sharded", "--set", "env.frames_per_step=6"])
    assert code == 0
    assert (run / "final_model.zip").is_file()
    config = yaml.safe_load((run / "config.yml").read_text())
    assert config["env"]["frames_per_step"] == 6 and config["vec_env"] == "sharded"
    assert config["max_minutes"] == 0.1
    steps = max(int(p.stem.split("_")[1]) for p in (run / "checkpoints").glob("model_*_steps.zip"))
    assert 0 < steps < 10_000_000


@pytest.mark.parametrize(("item", "message"), [("env.frames_per_step", "expected KEY=VALUE"),
                                               ("env.frames_per_stepp=3", "frames_per_stepp"),
                                               ("n_envs=many", "n_envs")])
def test_bad_set_overrides_exit_2_naming_the_key(item, message, tmp_path, capsys):
    run = tmp_path / "never"
    assert main(["train", "--config", "train_ppo", "--run-dir", str(run), "--set", item, "--no-progress"]) == 2
    assert message in capsys.readouterr().err
    assert not run.exists()


@pytest.mark.parametrize(("item", "message"), [("vec_env", "expected KEY=VALUE"), ("vec_env=threads", "vec_env")])
def test_benchmark_takes_set_overrides_and_refuses_bad_ones_before_measuring(item, message, capsys):
    """``benchmark --set`` compares e.g. vec_env choices; a bad one is a one-line exit 2, nothing measured."""
    assert main(["benchmark", "--seconds", "1", "--configs", "train_ppo", "--set", item]) == 2
    err = capsys.readouterr()
    assert message in err.err and "vec env alone" not in err.out


def test_benchmark_set_overrides_reach_the_measured_config(capsys):
    assert main(["benchmark", "--seconds", "1", "--configs", "train_ppo", "--set", "vec_env=dummy",
                 "--set", "n_envs=1"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "train_ppo" in line and "PPO" in line)
    assert [cell.strip() for cell in row.split("│")][2:5] == ["PPO", "1", "dummy"]


def test_evaluated_episodes_are_saved_as_recordings_that_replay_exactly(ppo_run: Path, tmp_path):
    """evaluate --record: each episode becomes a recording; replaying it on a fresh game reproduces the
    episode (its final state digest and outcome match what the evaluation saw)."""
    from qwop_studio.recording import load_recording, replay_game

    out = tmp_path / "eval.json"
    rec_dir = tmp_path / "recordings"
    assert main(["evaluate", "--model", str(ppo_run / "final_model.zip"), "--episodes", "3", "--json", str(out),
                 "--start-noop-max", "5", "--record", str(rec_dir)]) == 0
    files = sorted(rec_dir.glob("episode_*.json"))
    assert len(files) == 3
    report = json.loads(out.read_text())
    for path, episode in zip(files, report["episode_records"], strict=True):
        recording = load_recording(path)
        assert replay_game(recording).matches
        assert abs(recording.outcome.distance_m - episode["distance"]) < 1e-6


def test_a_reward_schedule_changes_the_weights_in_every_worker_at_its_step_and_resume_skips_past_ones(tmp_path):
    """The config's curriculum: at 1024 steps posture 0.5 is set (read back from both workers into
    reward_weights.csv as a 'schedule' row); a run resumed at 1024 applies only the later change."""
    config = yaml.safe_load((HERE / "tiny_ppo.yml").read_text())
    config["reward_schedule"] = [{"at_step": 1024, "set": {"posture_weight": 0.5}},
                                 {"at_step": 1536, "set": {"velocity_weight": 0.3, "time_cost": 20}}]
    path = tmp_path / "curriculum.yml"
    path.write_text(yaml.safe_dump(config))
    run = tmp_path / "run"
    assert main(["train", "--config", str(path), "--run-dir", str(run), "--no-progress",
                 "--total-timesteps", "1024"]) == 0
    rows = [line.split(",") for line in (run / "reward_weights.csv").read_text().splitlines()]
    header = rows[0]
    by_source = {row[2]: dict(zip(header[3:], map(float, row[3:]), strict=True)) for row in rows[1:]}
    assert [row[:1] + row[2:3] for row in rows[1:]] == [["0", "start"], ["1024", "schedule"]]
    assert by_source["start"]["posture_weight"] == 0.0 and by_source["schedule"]["posture_weight"] == 0.5

    assert main(["train", "--resume", str(run / "checkpoints" / "model_1024_steps.zip"), "--no-progress",
                 "--total-timesteps", "2048"]) == 0
    rows = [line.split(",") for line in (run / "reward_weights.csv").read_text().splitlines()]
    assert [(row[0], row[2]) for row in rows[1:]] == [("0", "start"), ("1024", "schedule"), ("1024", "resume"),
                                                     ("1536", "schedule")]
    last = dict(zip(header[3:], map(float, rows[-1][3:]), strict=True))
    assert (last["posture_weight"], last["velocity_weight"], last["time_cost"]) == (0.5, 0.3, 20.0)


def test_a_model_resumed_outside_its_run_folder_goes_on_with_the_curriculums_weights_at_its_step(tmp_path, capsys):
    """A kept model file copied out of its run (no reward_weights.csv beside it) and resumed into a new run
    folder: the weights in force are the config's curriculum at the model's step (the 1024-step change
    applied), not the curriculum's first weights, and a note says so. Fails if the passed stage is lost."""
    import shutil

    config = yaml.safe_load((HERE / "tiny_ppo.yml").read_text())
    config["reward_schedule"] = [{"at_step": 1024, "set": {"posture_weight": 0.5, "time_cost": 20}},
                                 {"at_step": 100_000, "set": {"velocity_weight": 0.3}}]
    path = tmp_path / "curriculum.yml"
    path.write_text(yaml.safe_dump(config))
    run = tmp_path / "run"
    assert main(["train", "--config", str(path), "--run-dir", str(run), "--no-progress",
                 "--total-timesteps", "1536"]) == 0
    kept = tmp_path / "kept" / "model.zip"
    kept.parent.mkdir()
    shutil.copy(run / "final_model.zip", kept)
    capsys.readouterr()
    assert main(["train", "--resume", str(kept), "--run-dir", str(tmp_path / "continued"), "--no-progress",
                 "--total-timesteps", "2048"]) == 0
    assert "curriculum at that step" in capsys.readouterr().err
    rows = [line.split(",") for line in (tmp_path / "continued" / "reward_weights.csv").read_text().splitlines()]
    assert [row[2] for row in rows[1:]] == ["resume"]
    resumed = dict(zip(rows[0][3:], map(float, rows[1][3:]), strict=True))
    assert (resumed["posture_weight"], resumed["time_cost"]) == (0.5, 20.0)
    assert resumed["velocity_weight"] != 0.3  # the change at 100,000 steps is still ahead


def test_reference_starts_train_but_every_evaluation_races_from_the_line(finished_run, tmp_path):
    """A config with a ReferenceStartWrapper (every episode starting mid-run here) trains, and its in-training
    evaluations and `evaluate` race from the start line: each evaluated episode's keys replay from frame 0
    (a mid-run start has no such keys, and the posture replay would fail)."""
    config = yaml.safe_load((HERE / "tiny_ppo.yml").read_text())
    config.update(total_timesteps=1024, eval_freq=512, eval_episodes=2, vec_env="dummy",
                  wrappers=[{"name": "ReferenceStartWrapper",
                             "kwargs": {"recordings": str(finished_run), "fraction": 1.0, "every_frames": 20}}])
    (tmp_path / "refstarts.yml").write_text(yaml.safe_dump(config))
    run = tmp_path / "run"
    assert main(["train", "--config", str(tmp_path / "refstarts.yml"), "--run-dir", str(run), "--no-progress"]) == 0
    rows = (run / "evaluations.csv").read_text().splitlines()
    assert rows[0].startswith("step,") and len(rows) >= 2, "the in-training evaluation ran"
    assert main(["evaluate", "--model", str(run / "final_model.zip"), "--episodes", "2",
                 "--json", str(tmp_path / "eval.json"), "--record", str(tmp_path / "raced")]) == 0
    raced_files = sorted((tmp_path / "raced").glob("*.json"))
    assert len(raced_files) == 2
    for path in raced_files:
        raced = json.loads(path.read_text())
        assert raced["frames"] == len(raced["keys"]) > 0
