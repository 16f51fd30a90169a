"""Bad input to ``train``: one line and exit 2 before anything is created; interrupted runs lose nothing."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from qwop_studio.cli import main
from train.conftest import TINY_PPO


def one_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{text}"
    return lines[0]


@pytest.mark.parametrize("setting, expected", [
    ("n_envs=[1", "--set n_envs: value '[1': line 1, column 3: not valid YAML"),
    ("n_envs=!!python/object/apply:os.system ['touch MARKER']", "--set n_envs: value"),
    ("seed={a: [}", "--set seed: value"),
])
def test_set_values_that_are_not_yaml_get_one_line_and_run_nothing(tmp_path, capsys, monkeypatch, setting, expected):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--config", str(TINY_PPO), "--set", setting, "--no-progress"]) == 2
    assert expected in one_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == [], "nothing is created (and no YAML tag constructed anything)"


def test_a_run_dir_that_is_a_file_or_lies_under_one_or_is_unwritable_gets_one_line(tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me")
    for run_dir, words in ((a_file, "is a file, not a folder"), (a_file / "run", "which is a file"),
                           (Path("/proc/qwop-studio-run"), "cannot write in /proc")):
        assert main(["train", "--config", str(TINY_PPO), "--run-dir", str(run_dir), "--no-progress"]) == 2
        line = one_line(capsys.readouterr().err)
        assert line.startswith(f"qwop-studio train: run directory {run_dir}: ") and words in line
    assert a_file.read_text() == "keep me"


def _tiny_config(tmp_path: Path, **changes) -> Path:
    config = yaml.safe_load(TINY_PPO.read_text())
    config.update(changes)
    path = tmp_path / "tiny.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_checkpoints_come_by_training_minutes_as_well_as_by_steps(tmp_path):
    config = _tiny_config(tmp_path, total_timesteps=10_000_000, checkpoint_freq=0, checkpoint_minutes=0.04,
                          max_minutes=0.25)
    assert main(["train", "--config", str(config), "--run-dir", str(tmp_path / "run"), "--no-progress"]) == 0
    saved = sorted((tmp_path / "run" / "checkpoints").glob("model_*_steps.zip"))
    # 15 s of training, one checkpoint every 2.4 s by time, none by steps, one at the end
    assert len(saved) >= 4, [p.name for p in saved]


def test_a_bad_checkpoint_minutes_gets_one_line(tmp_path, capsys):
    config = _tiny_config(tmp_path, checkpoint_minutes=-1)
    assert main(["train", "--config", str(config), "--no-progress"]) == 2
    assert "checkpoint_minutes" in one_line(capsys.readouterr().err)


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_after_ctrl_c_or_sigterm_the_episode_log_reaches_the_saved_checkpoint(tmp_path, sig, code):
    """The log is flushed once a second; an interrupt must not lose the second before the checkpoint."""
    config = _tiny_config(tmp_path, total_timesteps=10_000_000, checkpoint_freq=0, checkpoint_minutes=0)
    run = tmp_path / "run"
    # A suite started in the background by a non-interactive shell (``pytest &``) inherits SIGINT
    # ignored, and so would the trainer: give it the disposition a terminal gives.
    proc = subprocess.Popen([sys.executable, "-m", "qwop_studio.cli", "train", "--config", str(config),
                             "--run-dir", str(run), "--no-progress"], stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (run / "progress.csv").is_file():
            time.sleep(0.2)
        time.sleep(4.5)  # mid-second between two flushes
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    assert not list(run.rglob("*.tmp")), "no temporary file left behind"
    [checkpoint] = (run / "checkpoints").glob("model_*_steps.zip")
    step = int(checkpoint.stem.split("_")[1])
    last_logged = int((run / "progress.csv").read_text().splitlines()[-1].split(",")[0])
    # random-key episodes of 2 envs end every ~25 steps; a lost flush would be ~1 s (thousands of steps)
    assert step - last_logged < 400, (step, last_logged)



class _CloseNeverReturns:
    """A vector env whose close waits forever, as one does on a pipe left mid-message by a signal."""

    def close(self) -> None:
        import threading

        threading.Event().wait()


def test_closing_envs_that_hang_ends_their_worker_processes_in_time():
    import multiprocessing

    from qwop_studio.train.trainer import close_envs

    worker = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(600,), daemon=True)
    worker.start()
    started = time.monotonic()
    close_envs([_CloseNeverReturns()], timeout_s=1.0)
    worker.join(5)
    assert not worker.is_alive() and time.monotonic() - started < 8
