"""Models from the rest of the ecosystem: a PPO trained by rl-baselines3-zoo's own train entry point is
evaluated, watched in the studio and resumed here, with its settings read from the zoo's run folder or
told from its spaces (said in one line); what cannot be reproduced is refused in one line."""
from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import gymnasium
import numpy as np
import pytest
import yaml

from qwop_studio.cli import main
from qwop_studio.train.config import ConfigError
from qwop_studio.train.foreign_models import foreign_model, read_zoo_yaml
from train.crafted_models import _RunsCommand

#: rl-zoo3 needs a hyperparameter block for an env its own files do not know: ours, as small as it gets.
ZOO_HYPERPARAMS = {"QWOP-v0": {"n_timesteps": 256, "policy": "MlpPolicy", "n_envs": 1, "n_steps": 128,
                               "batch_size": 64, "n_epochs": 1, "learning_rate": "lin_3e-4"}}


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "SDL_VIDEODRIVER": "dummy",
            "SDL_AUDIODRIVER": "dummy"}


@pytest.fixture(scope="module")
def zoo_run(tmp_path_factory) -> Path:
    """``logs/ppo/QWOP-v0_1`` of a 256-step PPO trained by ``python -m rl_zoo3.train`` on the 9-action
    set at 2 frames per env step (``--env-kwargs``), as a zoo user would."""
    pytest.importorskip("rl_zoo3")
    root = tmp_path_factory.mktemp("zoo")
    conf = root / "qwop.yml"
    conf.write_text(yaml.safe_dump(ZOO_HYPERPARAMS))
    command = [sys.executable, "-m", "rl_zoo3.train", "--algo", "ppo", "--env", "QWOP-v0", "--gym-packages",
               "qwop_studio", "--conf-file", str(conf), "--log-folder", str(root / "logs"), "-n", "256",
               "--seed", "0", "--eval-freq", "-1", "--num-threads", "1", "--vec-env", "dummy",
               "--env-kwargs", "reduced_action_set:True", "frames_per_step:2"]
    done = subprocess.run(command, cwd=root, env=_env(), capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    run = root / "logs" / "ppo" / "QWOP-v0_1"
    assert (run / "QWOP-v0.zip").is_file() and (run / "QWOP-v0" / "args.yml").is_file()
    return run


def _copy_run(zoo_run: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(zoo_run, tmp_path / "QWOP-v0_1"))


def _one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def _edit_zoo_file(path: Path, **changes) -> None:
    data = read_zoo_yaml(path)
    data.update(changes)
    path.write_text(yaml.safe_dump(data))


@pytest.mark.slow
def test_qwop_studio_evaluate_plays_a_zoo_model_with_the_settings_of_its_run_folder(zoo_run, tmp_path):
    out = tmp_path / "eval.json"
    done = subprocess.run([sys.executable, "-m", "qwop_studio.cli", "evaluate", "--model", str(zoo_run / "QWOP-v0.zip"),
                           "--episodes", "2", "--json", str(out)], env=_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    note = [line for line in done.stderr.splitlines() if "from outside QWOP Studio" in line]
    assert len(note) == 1, done.stderr
    assert "rl-zoo3 run" in note[0] and "frames_per_step=2 (args.yml)" in note[0]
    assert "reduced_action_set=True (args.yml)" in note[0] and "start_noop_max=0 (env default)" in note[0]
    report = json.loads(out.read_text())
    assert report["algorithm"] == "PPO" and report["episodes"] == 2
    assert report["env"]["frames_per_step"] == 2 and report["env"]["reduced_action_set"] is True


def test_a_zoo_model_on_its_own_gets_its_action_set_from_its_spaces_and_says_so(zoo_run, tmp_path, capsys):
    alone = Path(shutil.copy(zoo_run / "QWOP-v0.zip", tmp_path / "downloaded.zip"))
    out = tmp_path / "eval.json"
    assert main(["evaluate", "--model", str(alone), "--episodes", "1", "--json", str(out)]) == 0
    note = [line for line in capsys.readouterr().err.splitlines() if "from outside QWOP Studio" in line]
    assert len(note) == 1 and "no rl-zoo3 run folder" in note[0]
    assert "reduced_action_set=True (from its Discrete(9))" in note[0] and "frames_per_step=4 (env default)" in note[0]
    env = json.loads(out.read_text())["env"]
    assert env["reduced_action_set"] is True and env["frames_per_step"] == 4  # gymnasium.make's default


def test_the_studio_opens_a_zoo_model_to_watch(zoo_run):
    from qwop_studio.studio.live_runner import AGENT, LiveRunner, load_model_file

    policy = load_model_file(zoo_run / "QWOP-v0.zip")
    assert policy.algo == "PPO" and policy.env_kwargs["frames_per_step"] == 2
    assert policy.act(np.zeros(60, dtype=np.float32)) in range(9)
    runner = LiveRunner(models_dir=zoo_run, load_in_background=False)  # the run folder, as the shipped one
    assert runner.has_policy and runner.controller == AGENT and runner.load_error is None
    assert runner.env.reduced_action_set and runner.env.frames_per_step == 2
    frames = sum(runner.update(1 / 30) for _ in range(30))
    assert frames == 30 and runner.game.time > 0


@pytest.mark.slow
def test_train_resume_continues_a_zoo_model_with_its_hyperparameters(zoo_run, tmp_path, capsys):
    run = _copy_run(zoo_run, tmp_path)
    target = tmp_path / "continued"
    assert main(["train", "--resume", str(run / "QWOP-v0.zip"), "--run-dir", str(target),
                 "--total-timesteps", "512", "--no-progress"]) == 0
    assert "from outside QWOP Studio" in capsys.readouterr().err
    config = yaml.safe_load((target / "config.yml").read_text())
    assert config["algorithm"] == "PPO" and config["env"]["frames_per_step"] == 2
    assert config["hyperparams"]["n_steps"] == 128 and config["hyperparams"]["learning_rate"] == "lin_3e-4"
    from qwop_studio.train.model_file import read_model_info

    final = read_model_info(target / "final_model.zip")
    assert final.num_timesteps >= 512 and final.metadata["env_kwargs"]["reduced_action_set"] is True


def test_a_zoo_checkpoint_beside_the_final_model_reads_the_same_run_folder(zoo_run, tmp_path):
    run = _copy_run(zoo_run, tmp_path)
    checkpoint = Path(shutil.copy(run / "QWOP-v0.zip", run / "rl_model_256_steps.zip"))
    found = foreign_model(checkpoint)
    assert found.config.env.frames_per_step == 2 and found.config.env.reduced_action_set
    assert found.config.total_timesteps == 256 and found.config.hyperparams["n_epochs"] == 1
    assert "rl-zoo3 run" in found.note and "\n" not in found.note


def test_a_model_on_the_extended_observation_is_told_from_its_spaces_and_watched_on_it(tmp_path):
    from stable_baselines3 import PPO

    from qwop_studio.studio.live_runner import LiveRunner, load_model_file

    model = tmp_path / "extended.zip"
    PPO("MlpPolicy", gymnasium.make("QWOPExtended-v0"), n_steps=64, batch_size=64, device="cpu").save(model)
    found = foreign_model(model)
    assert found.config.env.observation == "extended" and not found.config.env.reduced_action_set
    assert "observation='extended' (from its Box(" in found.note
    policy = load_model_file(model)
    assert policy.act(policy.model.observation_space.sample()) in range(16)
    runner = LiveRunner(models_dir=tmp_path, load_in_background=False)  # watched on the observation it learned
    assert runner.has_policy and runner.env.observation == "extended"
    assert sum(runner.update(1 / 30) for _ in range(10)) == 10


class _SixtyInTwelveOut(gymnasium.Env):
    """An env with QWOP's observation size but 12 actions: fits neither action set."""

    observation_space = gymnasium.spaces.Box(-1.0, 1.0, (60,), np.float32)
    action_space = gymnasium.spaces.Discrete(12)


@pytest.mark.parametrize("env_of", [lambda: gymnasium.make("CartPole-v1"), _SixtyInTwelveOut])
@pytest.mark.parametrize("in_zoo_folder", [True, False])
def test_a_model_whose_spaces_fit_no_env_setting_is_refused_in_one_line(zoo_run, tmp_path, capsys, env_of,
                                                                           in_zoo_folder):
    from stable_baselines3 import PPO

    from qwop_studio.studio.live_runner import load_model_file

    folder = _copy_run(zoo_run, tmp_path) if in_zoo_folder else tmp_path
    model = folder / "QWOP-v0.zip"
    PPO("MlpPolicy", env_of(), n_steps=64, batch_size=64, device="cpu").save(model)
    assert main(["evaluate", "--model", str(model), "--episodes", "1"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "fit no QWOP env setting" in line and str(model) in line
    with pytest.raises(ConfigError, match="fit no QWOP env setting"):
        load_model_file(model)


def test_a_zoo_model_that_needs_vecnormalize_pkl_is_refused_without_unpickling_it(zoo_run, tmp_path, capsys):
    run = _copy_run(zoo_run, tmp_path)
    marker = tmp_path / "ran"
    (run / "QWOP-v0" / "vecnormalize.pkl").write_bytes(pickle.dumps(_RunsCommand(f"touch {marker}")))
    assert main(["evaluate", "--model", str(run / "QWOP-v0.zip"), "--episodes", "1"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "vecnormalize.pkl" in line and "never opens" in line
    assert not marker.exists()
    (run / "QWOP-v0" / "vecnormalize.pkl").unlink()
    _edit_zoo_file(run / "QWOP-v0" / "config.yml", normalize=True)  # the pickle lost, the setting kept
    assert main(["evaluate", "--model", str(run / "QWOP-v0.zip"), "--episodes", "1"]) == 2
    assert "VecNormalize" in _one_line(capsys.readouterr().err)


def test_zoo_files_with_other_python_objects_are_refused_without_building_them(zoo_run, tmp_path, capsys):
    run = _copy_run(zoo_run, tmp_path)
    args = run / "QWOP-v0" / "args.yml"
    assert read_zoo_yaml(args)["env"] == "QWOP-v0"  # the zoo's OrderedDict tag, read as a plain dict
    marker = tmp_path / "ran"
    args.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n")
    assert main(["evaluate", "--model", str(run / "QWOP-v0.zip"), "--episodes", "1"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "args.yml" in line and "refused" in line and "python/object/apply:os.system" in line
    assert not marker.exists()


@pytest.mark.parametrize("file, changes, expected", [
    ("args.yml", {"env": "CartPole-v1"}, "trained on 'CartPole-v1', not on a QWOP Studio env (QWOP-v0, "),
    ("args.yml", {"algo": "trpo"}, "an rl-zoo3 TRPO model"),
    ("args.yml", {"algo": "a2c"}, "says A2C but the file holds PPO"),
    ("config.yml", {"frame_stack": 4}, "frame_stack"),
    ("args.yml", {"env_kwargs": {"reduced_action_set": False}}, "need reduced_action_set=True (from its Discrete(9))"),
    ("args.yml", {"env": "QWOPExtended-v0"}, "observation='extended' (QWOPExtended-v0's registration)"),
    ("args.yml", {"env_kwargs": {"gravity": 1.6}}, "env_kwargs.gravity"),
    ("config.yml", {"env_kwargs": {"frames_per_step": 0}}, "env.frames_per_step"),
])
def test_zoo_settings_qwop_studio_cannot_reproduce_are_refused_in_one_line(zoo_run, tmp_path, capsys, file,
                                                                            changes, expected):
    run = _copy_run(zoo_run, tmp_path)
    _edit_zoo_file(run / "QWOP-v0" / file, **changes)
    if file == "config.yml" and "env_kwargs" in changes:  # the command line's env_kwargs would win
        _edit_zoo_file(run / "QWOP-v0" / "args.yml", env_kwargs=None)
    assert main(["evaluate", "--model", str(run / "QWOP-v0.zip"), "--episodes", "1"]) == 2
    assert expected in _one_line(capsys.readouterr().err)
