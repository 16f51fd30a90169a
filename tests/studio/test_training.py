"""The studio against a real trainer child (tests/studio/tiny_studio.yml): posted pygame and pygame-gui events
start, pause, resume, checkpoint and stop training; a slider change is read back from every worker; metrics
reach the charts; the runner plays the policy and hands over to the keys; a killed trainer is survived."""
from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import pygame
import pygame_gui
import pytest
import yaml
from studio_helpers import TINY_CONFIG, click_at, key, press_button, run_frames_until

from qwop_studio.studio.live_runner import AGENT, HUMAN
from qwop_studio.studio.trainer_link import LinkState

pytestmark = pytest.mark.timeout(120)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_events_drive_a_whole_training_session(make_app, fake_clock):
    app = make_app()
    link = app.link
    # Start: a real mouse click on the Start button
    click_at(app.toolbar.start.rect)
    assert run_frames_until(app, lambda: link.state != LinkState.IDLE, 5, fake_clock)
    assert run_frames_until(app, lambda: link.state == LinkState.RUNNING, 40, fake_clock), link.problem
    # metrics arrive, the charts hold points, the runner plays the trainer's policy
    assert run_frames_until(app, lambda: app.chart_data.points("reward") > 5 and app.status.progress.step > 0
                            and app.chart_data.points("throughput") > 0 and app.runner.has_policy, 30, fake_clock)
    assert app.runner.controller == AGENT and app.runner.policy_source == "training"

    # takeover: Q hands the runner to the human at once; 2 s without keys give it back
    key(pygame.KEYDOWN, pygame.K_q)
    app.frame()
    assert app.runner.controller == HUMAN
    key(pygame.KEYUP, pygame.K_q)
    app.frame()
    fake_clock.advance(1.5)
    app.frame()
    assert app.runner.controller == HUMAN
    fake_clock.advance(0.6)
    app.frame()
    assert app.runner.controller == AGENT

    # Pause (button): the step count and the trainer's CPU use stop
    press_button(app.toolbar.pause)
    assert run_frames_until(app, lambda: link.state == LinkState.PAUSED, 10, fake_clock)
    step, cpu = link.last_step, cpu_seconds(link.pid)
    run_frames_until(app, lambda: False, 1.5, fake_clock)
    assert link.last_step == step
    assert cpu_seconds(link.pid) - cpu < 0.3
    assert app.toolbar.pause.text == "Resume"

    # Resume (Space)
    key(pygame.KEYDOWN, pygame.K_SPACE)
    assert run_frames_until(app, lambda: link.state == LinkState.RUNNING and link.last_step > step, 10, fake_clock)

    # Save checkpoint (Ctrl+S): the file appears
    key(pygame.KEYDOWN, pygame.K_s, pygame.KMOD_LCTRL)
    assert run_frames_until(app, lambda: link.last_checkpoint is not None, 10, fake_clock)
    assert Path(link.last_checkpoint).is_file()

    # a slider change reaches every worker and is read back (well within a second of being sent)
    slider = app.sliders.sliders["posture_weight"]
    slider.set_current_value(0.5)
    pygame.event.post(pygame.event.Event(pygame_gui.UI_HORIZONTAL_SLIDER_MOVED,
                                         {"ui_element": slider, "value": 0.5}))
    sent = []
    original = link.set_reward_weights
    link.set_reward_weights = lambda changes: sent.append(time.monotonic()) or original(changes)
    assert run_frames_until(app, lambda: app.sliders.confirmed and app.sliders.confirmed["posture_weight"] == 0.5,
                            10, fake_clock)
    assert time.monotonic() - sent[0] < 1.0
    assert app.sliders.workers == 2 and app.sliders.workers_agree
    assert app.chart_data.markers and "posture" in app.chart_data.markers[-1][1]
    rows = (link.run_dir / "reward_weights.csv").read_text().splitlines()
    assert rows[-1].split(",")[2] == "change"

    # Esc while training asks first; Esc again dismisses the question and training goes on
    key(pygame.KEYDOWN, pygame.K_ESCAPE)
    app.frame()
    assert app.confirm_dialog is not None and app.confirm_dialog.alive() and app.running
    key(pygame.KEYDOWN, pygame.K_ESCAPE)
    app.frame()
    assert app.confirm_dialog is None and not app.closing

    # Stop (button): a checkpoint and the final model, then Finished
    press_button(app.toolbar.stop)
    assert run_frames_until(app, lambda: link.state == LinkState.FINISHED, 30, fake_clock)
    assert link.finished.stopped and Path(link.finished.final_model_path).is_file()
    assert app.toolbar.start.is_enabled and not app.toolbar.stop.is_enabled


def test_a_killed_trainer_is_survived_and_resumed_and_closing_saves(make_app, fake_clock):
    app = make_app()
    link = app.link
    press_button(app.toolbar.start)
    assert run_frames_until(app, lambda: link.state == LinkState.RUNNING and link.last_step > 0, 40, fake_clock)
    press_button(app.toolbar.checkpoint)
    assert run_frames_until(app, lambda: link.last_checkpoint is not None, 10, fake_clock)
    run_dir = link.run_dir

    link.handle.process.kill()
    slowest = 0.0

    def dead() -> bool:
        return link.state == LinkState.DEAD

    deadline = time.monotonic() + 10
    while not dead() and time.monotonic() < deadline:
        t = time.monotonic()
        app.frame()
        slowest = max(slowest, time.monotonic() - t)
    assert dead(), link.state
    assert slowest < 0.5  # the window never waited on the dead trainer
    assert "killed" in link.problem
    app.frame()
    assert app.status.resume_button.visible and app.status.resume_target == run_dir

    # resume from the last checkpoint
    press_button(app.status.resume_button)
    assert run_frames_until(app, lambda: link.state == LinkState.RUNNING, 40, fake_clock), link.problem
    assert link.started.start_step > 0 and Path(link.started.run_dir) == run_dir
    # the charts continue the run's history instead of starting empty
    with open(run_dir / "progress.csv", newline="") as f:
        before = [row for row in csv.DictReader(f) if int(row["step"]) <= link.started.start_step]
    assert app.chart_data.points("reward") >= len(before) > 0

    # closing the window stops the trainer cleanly: it saves a checkpoint and the final model
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    assert run_frames_until(app, lambda: not app.running, 40, fake_clock)
    assert link.state == LinkState.FINISHED and link.finished.stopped
    assert (run_dir / "final_model.zip").is_file()


def test_the_configs_reward_schedule_moves_the_sliders_and_marks_the_charts(make_app, fake_clock, tmp_path):
    """A curriculum change is not the user's: when the trainer applies it, the posture slider moves to
    the new weight (read back from the workers) and the charts get a marker at its step."""
    config = yaml.safe_load(Path(TINY_CONFIG).read_text())
    config["reward_schedule"] = [{"at_step": 512, "set": {"posture_weight": 0.4}}]
    path = tmp_path / "tiny_curriculum.yml"
    path.write_text(yaml.safe_dump(config))
    app = make_app(config=str(path))
    press_button(app.toolbar.start)
    assert run_frames_until(app, lambda: app.link.state == LinkState.RUNNING, 40, fake_clock), app.link.problem
    assert app.sliders.wanted["posture_weight"] == 0.0
    assert run_frames_until(app, lambda: app.sliders.confirmed_step is not None, 40, fake_clock)
    assert app.sliders.confirmed_step >= 512 and app.sliders.confirmed["posture_weight"] == 0.4
    assert app.sliders.wanted["posture_weight"] == 0.4
    assert app.sliders.sliders["posture_weight"].get_current_value() == pytest.approx(0.4)
    assert app.sliders.due_changes() == {}  # nothing is sent back to the trainer
    assert [label for _, label in app.chart_data.markers] == ["posture 0.4"]
