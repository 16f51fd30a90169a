"""Shared fixtures for the training tests: tiny configs (2 workers) and one-off real training runs."""
from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
TINY_PPO = HERE / "tiny_ppo.yml"
TINY_QRDQN = HERE / "tiny_qrdqn.yml"


@pytest.fixture(scope="session")
def qrdqn_run(tmp_path_factory) -> Path:
    """A finished tiny QRDQN run (2 subproc workers, 2000 env steps, checkpoints every 1000)."""
    from qwop_studio.cli import main

    run_dir = tmp_path_factory.mktemp("runs") / "qrdqn"
    assert main(["train", "--config", str(TINY_QRDQN), "--run-dir", str(run_dir), "--no-progress"]) == 0
    return run_dir


@pytest.fixture(scope="session")
def ppo_run(tmp_path_factory) -> Path:
    """A finished tiny PPO run (2 subproc workers, 2048 env steps, checkpoints every 1024)."""
    from qwop_studio.cli import main

    run_dir = tmp_path_factory.mktemp("runs") / "ppo"
    assert main(["train", "--config", str(TINY_PPO), "--run-dir", str(run_dir), "--no-progress"]) == 0
    return run_dir
