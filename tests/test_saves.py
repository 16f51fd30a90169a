"""Where a user's own files go: ``--saves DIR``, else ``$QWOP_STUDIO_SAVES``, else ``./saves``."""
from __future__ import annotations

from pathlib import Path

import pytest

from qwop_studio.cli import main
from qwop_studio.play import PlaySession
from qwop_studio.recording import new_recording_path
from qwop_studio.saves import ENV_VAR, SavesError, check_saves_root, recordings_dir, runs_dir, saves_root
from qwop_studio.train.run_dir import default_run_dir, plan_run

TINY_PPO = Path(__file__).parent / "train" / "tiny_ppo.yml"


def test_the_saves_root_is_the_flag_else_the_variable_else_saves_in_the_current_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert saves_root() == Path("saves") and runs_dir() == Path("saves/runs")
    monkeypatch.setenv(ENV_VAR, "")                      # empty: as if unset
    assert saves_root() == Path("saves")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert runs_dir() == tmp_path / "env" / "runs" and recordings_dir() == tmp_path / "env" / "recordings"
    assert saves_root(tmp_path / "flag") == tmp_path / "flag"   # the flag beats the variable


def test_new_runs_and_recordings_follow_the_variable_set_after_import(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    plan = plan_run(str(TINY_PPO))
    assert plan.run_dir.parent == tmp_path / "runs" and not plan.run_dir.exists()
    assert default_run_dir(plan.config).parent == tmp_path / "runs"
    assert new_recording_path().parent == tmp_path / "recordings"
    assert PlaySession().recordings_dir == tmp_path / "recordings"
    assert plan_run(str(TINY_PPO), runs_root=tmp_path / "other").run_dir.parent == tmp_path / "other"


def test_a_saves_root_that_cannot_hold_folders_is_refused_in_one_line(tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    with pytest.raises(SavesError, match=r"--saves .*notes.txt.*not a folder"):
        check_saves_root(a_file)
    with pytest.raises(SavesError, match="lies under .*notes.txt, which is a file"):
        check_saves_root(a_file / "deeper")
    assert check_saves_root(tmp_path / "new" / "saves") == tmp_path / "new" / "saves"
    assert not (tmp_path / "new").exists()               # checking creates nothing


@pytest.mark.parametrize("command", [["train", "--config", str(TINY_PPO)], ["play", "--record"], ["studio"]])
def test_every_command_refuses_a_bad_saves_root_before_any_work(command, tmp_path, capsys):
    a_file = tmp_path / "saves_is_a_file"
    a_file.write_text("mine")
    assert main([*command, "--saves", str(a_file)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "saves_is_a_file" in err
    assert a_file.read_text() == "mine" and list(tmp_path.iterdir()) == [a_file]
