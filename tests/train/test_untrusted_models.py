"""Model files from others: loading one never runs code from it, and a model of another algorithm is refused.

Every crafted file starts as a real checkpoint of a real tiny PPO run. The payload is a pickle that
creates a marker file when unpickled; SB3's own ``PPO.load`` runs it (the first test proves the
payload is live), and no loader of ours may.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from qwop_studio.cli import main
from qwop_studio.train.model_file import ModelFileError, check_model_file, load_model, read_model_info
from train.crafted_models import poison, rewrite_data


@pytest.fixture
def run_copy(ppo_run: Path, tmp_path: Path) -> Path:
    run = tmp_path / "run"
    shutil.copytree(ppo_run, run)
    return run


def one_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{text}"
    return lines[0]


def test_the_payload_is_live_sb3s_own_load_runs_it(run_copy: Path, tmp_path: Path):
    from stable_baselines3 import PPO

    marker = tmp_path / "ran"
    evil = poison(run_copy / "final_model.zip", tmp_path / "evil.zip", marker, "lr_schedule")
    PPO.load(evil, device="cpu")
    assert marker.exists(), "the crafted file must run code under a plain SB3 load, or these tests prove nothing"


@pytest.mark.parametrize("field", ["lr_schedule", "clip_range", "observation_space", "policy_class", "_last_obs"])
def test_a_payload_in_a_field_we_rebuild_never_runs_and_the_model_still_evaluates(run_copy, tmp_path, capsys, field):
    marker = tmp_path / "ran"
    poison(run_copy / "final_model.zip", run_copy / "final_model.zip", marker, field)
    assert main(["evaluate", "--model", str(run_copy / "final_model.zip"), "--episodes", "1"]) == 0
    assert not marker.exists()


def test_a_pickled_field_we_do_not_know_is_refused_by_evaluate_with_one_line(run_copy, tmp_path, capsys):
    marker = tmp_path / "ran"
    evil = poison(run_copy / "final_model.zip", run_copy / "final_model.zip", marker, "gift")
    assert main(["evaluate", "--model", str(evil), "--episodes", "1"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "'gift'" in line and "never unpickles" in line and str(evil) in line
    assert not marker.exists()


def test_resume_refuses_a_poisoned_checkpoint_before_creating_anything(run_copy, tmp_path, capsys):
    marker = tmp_path / "ran"
    checkpoint = run_copy / "checkpoints" / "model_1024_steps.zip"
    poison(checkpoint, checkpoint, marker, "gift")
    before = sorted(p.name for p in run_copy.rglob("*"))
    assert main(["train", "--resume", str(checkpoint), "--no-progress"]) == 2
    assert "'gift'" in one_line(capsys.readouterr().err)
    assert not marker.exists() and sorted(p.name for p in run_copy.rglob("*")) == before


def test_resume_of_a_checkpoint_with_a_payload_in_a_rebuilt_field_trains_without_running_it(run_copy, tmp_path):
    marker = tmp_path / "ran"
    checkpoint = run_copy / "checkpoints" / "model_1024_steps.zip"
    poison(checkpoint, checkpoint, marker, "lr_schedule")
    stale = run_copy / "checkpoints" / ".model_1536_steps.zip.k3j2h1.tmp"  # a SIGKILL at a rename left it
    stale.write_bytes(b"half a checkpoint")
    assert main(["train", "--resume", str(checkpoint), "--no-progress"]) == 0
    assert not marker.exists()
    assert (run_copy / "checkpoints" / "model_2048_steps.zip").is_file()
    assert not stale.exists(), "a resumed run removes the temporaries an interrupted one left"


def test_the_studio_refuses_a_poisoned_model_and_never_runs_it(run_copy, tmp_path):
    from qwop_studio.studio.live_runner import load_model_file

    marker = tmp_path / "ran"
    evil = poison(run_copy / "final_model.zip", run_copy / "final_model.zip", marker, "gift")
    with pytest.raises(ModelFileError, match="'gift'"):
        load_model_file(evil)
    poison(run_copy / "checkpoints" / "model_1024_steps.zip", run_copy / "quiet.zip", marker, "lr_schedule")
    (run_copy / "quiet.yml").write_text(yaml.safe_dump({"algorithm": "PPO", "env": {"reduced_action_set": True}}))
    policy = load_model_file(run_copy / "quiet.zip")
    assert policy.act(policy.model.observation_space.sample()) in range(9)
    assert not marker.exists()


def test_the_shipped_model_loads_the_safe_way():
    from qwop_studio.train.run_dir import config_for_model

    shipped = next(Path(__file__).parents[2].glob("**/assets/models/qwop_runner.zip"))
    info = read_model_info(shipped)
    assert info.algorithm == "PPO" and info.pickled_fields  # it has pickled fields, all of them rebuilt
    config = config_for_model(shipped)
    model = load_model(shipped, config.algorithm, config.env.env_kwargs(), config.hyperparams)
    assert model.num_timesteps == info.num_timesteps > 0


@pytest.mark.parametrize("algorithm, hyperparams", [("A2C", {"n_steps": 256}), ("DQN", {"learning_starts": 100})])
def test_a_checkpoint_of_another_algorithm_is_refused_on_resume_with_one_line(run_copy, capsys, algorithm, hyperparams):
    config = yaml.safe_load((run_copy / "config.yml").read_text())
    config.update(algorithm=algorithm, hyperparams=hyperparams, total_timesteps=4096)
    (run_copy / "config.yml").write_text(yaml.safe_dump(config))
    assert main(["train", "--resume", str(run_copy), "--no-progress"]) == 2
    line = one_line(capsys.readouterr().err)
    assert f"a PPO model, but its config says {algorithm}" in line
    assert not (run_copy / "checkpoints" / "model_4096_steps.zip").exists()


def test_a_model_whose_metadata_and_settings_disagree_is_refused(run_copy, tmp_path):
    def claim_a2c(data):
        data["qwop_studio"]["config"]["algorithm"] = "A2C"

    liar = rewrite_data(run_copy / "final_model.zip", tmp_path / "liar.zip", claim_a2c)
    with pytest.raises(ModelFileError, match="metadata says A2C but it holds PPO"):
        check_model_file(liar, "A2C", env_kwargs={"reduced_action_set": True})


def test_a_model_for_the_other_action_set_is_refused_before_loading(run_copy):
    with pytest.raises(ModelFileError, match=r"Discrete\(9\) does not match the env's Discrete\(16\)"):
        load_model(run_copy / "final_model.zip", "PPO", {"reduced_action_set": False})


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_files_that_are_not_models_get_one_line(tmp_path, content):
    path = tmp_path / "model.zip"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=r"^\S*model.zip: not a readable model .zip") as info:
        read_model_info(path)
    assert "\n" not in str(info.value)


def test_evaluate_json_to_an_unwritable_path_fails_before_the_first_episode(ppo_run, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    for target in (blocker / "report.json", tmp_path / "folder_not_file", Path("/proc/qwop-studio/report.json")):
        if target.name == "folder_not_file":
            target.mkdir()
        # 100,000 episodes would take hours: returning at all shows no episode was played first
        assert main(["evaluate", "--model", str(ppo_run / "final_model.zip"), "--episodes", "100000",
                     "--json", str(target)]) == 2
        line = one_line(capsys.readouterr().err)
        assert line.startswith("qwop-studio evaluate: --json ") and str(target) in line


def test_a_report_that_cannot_be_written_at_the_end_is_kept_and_printed(ppo_run, tmp_path, monkeypatch, capsys):
    """The path was fine when checked, and the folder went away while the episodes ran."""
    import qwop_studio.train.evaluate as evaluate

    target = tmp_path / "reports" / "eval.json"
    target.parent.mkdir()
    real_play = evaluate.play_episodes

    def play_then_lose_the_folder(*args, **kwargs):
        records = real_play(*args, **kwargs)
        target.parent.rmdir()
        target.parent.write_text("now a file")
        return records

    monkeypatch.setattr(evaluate, "play_episodes", play_then_lose_the_folder)
    monkeypatch.chdir(tmp_path)
    assert main(["evaluate", "--model", str(ppo_run / "final_model.zip"), "--episodes", "2",
                 "--json", str(target)]) == 1
    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert line.startswith(f"qwop-studio evaluate: --json {target}: could not write") and "written to" in line
    [kept] = tmp_path.glob("evaluation-*.json")
    assert json.loads(kept.read_text())["episodes"] == 2
    assert "success rate" in captured.out
