"""``imitate`` and ``train --demos`` on recordings of the shipped runner: real recordings, real SB3 models, real files."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from gymnasium.wrappers import TimeLimit

from qwop_studio.cli import main
from qwop_studio.env.qwop_env import QWOPEnv
from qwop_studio.train.bc_callback import DEMOS_CSV, bc_weight_at
from qwop_studio.train.config import load_config
from qwop_studio.train.run_dir import read_model_metadata

from .conftest import TINY_PPO

#: The teacher: the 14th session's runner (9 actions, 100 of 100 finishes). Why not the shipped one: the
#: 16th session's continuation presses duplicate keys for the same command (QWP for QP, WOP for WO) in a
#: less regular rhythm, and 8 of its games cloned in 60 epochs reach only 4-7 m here.
RUNNER = Path(__file__).resolve().parents[2] / "docs" / "results" / "runner_s14" / "qwop_runner.zip"
EVAL_SEED = 1000
EVAL_EPISODES = 6

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runner_recordings(tmp_path_factory) -> Path:
    """8 episodes of the teacher runner, recorded by ``evaluate --record`` (~3,500 demonstration steps)."""
    directory = tmp_path_factory.mktemp("runner_recordings")
    assert main(["evaluate", "--model", str(RUNNER), "--episodes", "8", "--record", str(directory)]) == 0
    assert len(list(directory.glob("*.json"))) == 8
    return directory


@pytest.fixture(scope="module")
def clone_config(tmp_path_factory) -> Path:
    """The tiny test config with the extended observation, the teacher's own: its fast stride clones
    from it (median 42 m of the 200-step cap's ~45 m here), not from qwop-gym's 60 values (6 m, fallen)."""
    path = tmp_path_factory.mktemp("clone_config") / "tiny_ppo_extended.yml"
    path.write_text(TINY_PPO.read_text(encoding="utf-8").replace("env: {", "env: {observation: extended, "),
                    encoding="utf-8")
    assert load_config(path).env.observation == "extended"
    return path


@pytest.fixture(scope="module")
def clone(runner_recordings, clone_config, tmp_path_factory) -> Path:
    """A clone of the runner on the tiny test config (episodes of at most 200 steps, ~45 m)."""
    out = tmp_path_factory.mktemp("clone") / "clone.zip"
    assert main(["imitate", "--demos", str(runner_recordings), "--config", str(clone_config), "--out", str(out),
                 "--epochs", "60"]) == 0
    return out


def _random_keys_median_distance(episodes: int, seed: int) -> float:
    """Median distance of random actions on the tiny config's env, as evaluate plays it."""
    config = load_config(TINY_PPO)  # the observation does not change how random keys run
    env = TimeLimit(QWOPEnv(**config.env.env_kwargs()), config.max_episode_steps)
    env.action_space.seed(seed)
    distances = []
    for episode in range(episodes):
        env.reset(seed=seed + episode)
        done, info = False, {}
        while not done:
            _, _, terminated, truncated, info = env.step(env.action_space.sample())
            done = terminated or truncated
        distances.append(info["distance"])
    return float(np.median(distances))


def test_the_clone_loads_in_evaluate_and_runs_far_beyond_random_keys(clone, tmp_path):
    report_path = tmp_path / "eval.json"
    assert main(["evaluate", "--model", str(clone), "--episodes", str(EVAL_EPISODES), "--seed", str(EVAL_SEED),
                 "--json", str(report_path)]) == 0
    clone_median = json.loads(report_path.read_text())["distance"]["median"]
    random_median = _random_keys_median_distance(EVAL_EPISODES, EVAL_SEED)
    assert clone_median > max(15.0, 5 * random_median), (clone_median, random_median)


def test_the_clone_carries_the_trainers_metadata_and_resumes_with_train(clone, clone_config, tmp_path):
    meta = read_model_metadata(clone)
    config = load_config(clone_config, {"seed": 0})
    assert meta["config"] == config.to_dict()
    assert meta["env_kwargs"] == config.env.env_kwargs()
    run_dir = tmp_path / "resumed"
    assert main(["train", "--resume", str(clone), "--run-dir", str(run_dir), "--total-timesteps", "512",
                 "--no-progress", "--set", "vec_env=dummy"]) == 0
    assert (run_dir / "final_model.zip").is_file()


def test_imitate_refuses_an_unwritable_out_before_reading_anything(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    for out, problem in ((blocker / "clone.zip", "not a directory"), (tmp_path / "clone.pt", "must end in .zip"),
                         (tmp_path, "must end in .zip")):
        code = main(["imitate", "--demos", str(tmp_path / "no_such_dir"), "--config", str(TINY_PPO),
                     "--out", str(out)])
        err = capsys.readouterr().err.strip()
        assert code == 2 and problem in err and "\n" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


def test_imitate_with_bad_demonstrations_exits_2_with_one_line(tmp_path, capsys):
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    out = tmp_path / "clone.zip"
    assert main(["imitate", "--demos", str(tmp_path), "--config", str(TINY_PPO), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "broken.json" in err and "\n" not in err
    assert not out.exists()


def _demos_rows(run_dir: Path) -> list[dict[str, str]]:
    if not (run_dir / DEMOS_CSV).is_file():  # written from the first BC update on
        return []
    with open(run_dir / DEMOS_CSV, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_train_with_demos_learns_from_them_with_a_decaying_weight(runner_recordings, tmp_path, capsys):
    run_dir = tmp_path / "run"
    decay = 4096
    assert main(["train", "--config", str(TINY_PPO), "--run-dir", str(run_dir), "--demos", str(runner_recordings),
                 "--no-progress", "--set", f"demos.bc_decay_steps={decay}", "--set", "demos.pretrain_epochs=0",
                 "--set", "demos.bc_batches=8", "--set", "vec_env=dummy"]) == 0
    assert "demonstration steps from 8 recordings" in capsys.readouterr().err
    rows = _demos_rows(run_dir)
    steps = [int(r["step"]) for r in rows]
    assert steps == [512, 1024, 1536]  # after each of the 4 rollouts' updates but the last
    for row in rows:
        assert float(row["bc_weight"]) == pytest.approx(bc_weight_at(int(row["step"]), 1.0, decay), rel=1e-5)
    samples = [int(r["bc_samples"]) for r in rows]
    assert samples == [8 * 256, 16 * 256, 24 * 256]
    assert int(rows[0]["demo_steps"]) > 3000
    losses = [float(r["bc_loss"]) for r in rows]
    assert losses[-1] < losses[0]  # the term moves the policy towards the demonstrations
    assert load_config(run_dir / "config.yml").demos.dir == str(runner_recordings)


def test_train_with_demos_pretrains_the_fresh_model(runner_recordings, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["train", "--config", str(TINY_PPO), "--run-dir", str(run_dir), "--demos", str(runner_recordings),
                 "--no-progress", "--total-timesteps", "512", "--set", "vec_env=dummy", "--set", "demos.pretrain_epochs=3",
                 "--set", "demos.bc_decay_steps=256"]) == 0
    assert "pretrained on them for 3 epochs" in capsys.readouterr().err
    assert _demos_rows(run_dir) == []  # one rollout, one update, no rollout after it: no BC step yet


@pytest.mark.parametrize("args, problem", [
    (["--set", "demos.bc_wieght=2"], "demos.bc_wieght: unknown key; did you mean 'bc_weight'?"),
    (["--set", "demos.bc_weight=-1"], "demos.bc_weight: must be greater than or equal to 0"),
    (["--set", "demos.bc_decay_steps=0"], "demos.bc_decay_steps: must be greater than or equal to 1"),
    (["--set", "demos.pretrain_epochs=1.5"], "demos.pretrain_epochs"),
    (["--demos", "no/such/dir"], "demonstrations no/such/dir: no such file or directory"),
])
def test_bad_demos_settings_exit_2_with_one_line_and_create_nothing(args, problem, tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["train", "--config", str(TINY_PPO), "--run-dir", str(run_dir), "--no-progress", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert problem in err and "\n" not in err, err
    assert not run_dir.exists()
