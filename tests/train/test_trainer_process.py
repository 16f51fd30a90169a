"""The studio's trainer: a real spawn child with a tiny config, obeying every command from its queue."""
from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import numpy as np
import pytest

from qwop_studio.train import messages as msg
from qwop_studio.train.child import start_trainer_process

from .conftest import TINY_QRDQN

pytestmark = pytest.mark.slow


class Inbox:
    """Collects a handle's events; ``wait_for`` keeps everything it reads."""

    def __init__(self, handle):
        self.handle = handle
        self.events: list = []

    def wait_for(self, kind, timeout: float = 60.0, after: int = 0):
        deadline = time.monotonic() + timeout
        while True:
            self.events.extend(self.handle.poll_events())
            found = [e for e in self.events[after:] if isinstance(e, kind)]
            if found:
                return found[0]
            errors = [e for e in self.events if isinstance(e, msg.Error) and e.fatal]
            assert not errors, errors[0].traceback
            assert time.monotonic() < deadline, f"no {kind.__name__} within {timeout} s"
            time.sleep(0.05)

    def of(self, kind) -> list:
        return [e for e in self.events if isinstance(e, kind)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its direct children (Linux /proc)."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for p in pids:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def test_child_trainer_obeys_pause_resume_checkpoint_weights_and_stop(tmp_path):
    handle = start_trainer_process(TINY_QRDQN, run_dir=tmp_path / "run",
                                   overrides={"total_timesteps": 1_000_000, "checkpoint_freq": 0})
    inbox = Inbox(handle)
    try:
        started = inbox.wait_for(msg.Started, timeout=120)
        assert (started.algo, started.total_timesteps, started.n_envs) == ("QRDQN", 1_000_000, 2)
        assert started.reward_weights["speed_weight"] == 0.01
        inbox.wait_for(msg.Metrics)
        first = inbox.wait_for(msg.PolicySnapshot)
        assert all(pickle.loads(pickle.dumps(e)) == e for e in inbox.events[:20])

        # the studio can load a snapshot and step its own env with it
        from qwop_studio.env import QWOPEnv
        from qwop_studio.train.policy import SnapshotPolicy

        policy = SnapshotPolicy.from_snapshot(first)
        env = QWOPEnv(**{**policy.env_kwargs, "start_noop_max": 0})
        obs, _ = env.reset(seed=0)
        assert 0 <= policy.act(obs) < env.action_space.n
        policy.update(first)

        # pause: the step count and the CPU use stop
        handle.send(msg.Pause())
        paused = inbox.wait_for(msg.Paused)
        n = len(inbox.events)
        cpu0 = cpu_seconds(handle.process.pid)
        time.sleep(2.0)
        cpu_used = cpu_seconds(handle.process.pid) - cpu0
        inbox.events.extend(handle.poll_events())
        assert not [e for e in inbox.events[n:] if isinstance(e, (msg.Metrics, msg.EpisodeEnd))]
        assert cpu_used < 0.3, f"a paused trainer used {cpu_used:.2f} s of CPU in 2 s"

        # while paused: checkpoint and weights still work, at the paused step
        handle.send(msg.SaveCheckpoint())
        saved = inbox.wait_for(msg.CheckpointSaved)
        assert saved.step == paused.step and Path(saved.path).is_file() and Path(saved.replay_buffer_path).is_file()
        handle.send(msg.SetRewardWeights({"posture_weight": 0.25, "time_cost": 5.0}))
        changed = inbox.wait_for(msg.WeightsChanged)
        assert len(changed.worker_weights) == 2
        for worker in changed.worker_weights:  # read back from each worker process through env_method
            assert worker["posture_weight"] == 0.25 and worker["time_cost"] == 5.0
        log = (tmp_path / "run" / "reward_weights.csv").read_text().splitlines()
        assert log[-1].startswith(f"{paused.step},") and ",change," in log[-1]
        handle.send(msg.SetRewardWeights({"no_such_weight": 1.0}))
        rejected = inbox.wait_for(msg.Error)
        assert not rejected.fatal and "no_such_weight" in rejected.message and handle.alive

        # resume: steps go on
        n = len(inbox.events)
        handle.send(msg.Resume())
        inbox.wait_for(msg.Resumed, after=n)
        later = inbox.wait_for(msg.Metrics, after=len(inbox.events))
        later = inbox.wait_for(msg.Metrics, after=inbox.events.index(later) + 1)
        assert later.step > paused.step and later.env_steps_per_s > 0
        assert 0.0 <= later.algo_stats["exploration_rate"] <= 0.2 and later.episodes > 0

        # stop: a checkpoint and the final model, Finished, and the process ends
        handle.send(msg.Stop())
        finished = inbox.wait_for(msg.Finished, timeout=60)
        assert finished.stopped and Path(finished.final_model_path).is_file()
        assert Path(finished.checkpoint_path).name == f"model_{finished.step}_steps.zip"
        inbox.events.extend(handle.join(30))
        assert not handle.alive and handle.exitcode == 0
    finally:
        if handle.alive:
            handle.process.kill()
            handle.process.join(5)


def test_a_trainer_that_fails_reports_an_error_event(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "checkpoints").write_text("a file where the checkpoint directory should be")
    handle = start_trainer_process(TINY_QRDQN, run_dir=tmp_path / "run")
    events = handle.join(120)
    errors = [e for e in events if isinstance(e, msg.Error)]
    assert errors and errors[0].fatal and errors[0].traceback
    assert handle.exitcode == 1


def test_messages_are_plain_and_import_nothing_heavy():
    import subprocess
    import sys

    code = "import sys, qwop_studio.train.messages; print(any(m in sys.modules for m in ('torch', 'stable_baselines3')))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
    snapshot = msg.PolicySnapshot(1, "PPO", b"zip", {"frames_per_step": 4})
    assert pickle.loads(pickle.dumps(snapshot)) == snapshot
    assert np.isscalar(msg.Metrics(1, 0.5, 100.0).env_steps_per_s)
