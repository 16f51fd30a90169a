"""Teaching in the studio, driven by real events against a real trainer child (tests/studio/tiny_studio.yml):
with teaching on, a takeover's keys become demonstrations the trainer takes and learns from, and a recording
in the run folder that replays bit for bit; with teaching off nothing is sent or saved."""
from __future__ import annotations

import csv

import numpy as np
import pygame
import pytest
from studio_helpers import FakeClock, key, press_button, run_frames_until

from qwop_studio.recording import load_recording, replay_game
from qwop_studio.studio.live_runner import AGENT, HUMAN, TAKEOVER_IDLE_S, LiveRunner
from qwop_studio.studio.teaching import TAKEOVERS_DIR
from qwop_studio.studio.trainer_link import LinkState
from qwop_studio.train.bc_callback import DEMOS_CSV
from qwop_studio.train.demos import load_demos
from qwop_studio.train.teaching import unpack

pytestmark = pytest.mark.timeout(150)

#: A takeover: (pygame key, frames held) in turn, each released before the next.
STRIDE = [(pygame.K_w, 8), (pygame.K_o, 8), (pygame.K_q, 8), (pygame.K_p, 8)]


def _take_over(app, clock) -> None:
    """R (a new game, so the stride starts standing), then real key events, one game frame per app frame, then
    hands off until the agent takes back."""
    key(pygame.KEYDOWN, pygame.K_r)
    for k, frames in STRIDE:
        key(pygame.KEYDOWN, k)
        for _ in range(frames):
            clock.advance(1 / 30)
            app.frame(1 / 30)
        assert app.runner.controller == HUMAN
        key(pygame.KEYUP, k)
    assert run_frames_until(app, lambda: app.runner.controller == AGENT, 10 + TAKEOVER_IDLE_S, clock)


def _rows(path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class FirstAction:
    """Stands in for the training run's policy (the runner's own loading is tested elsewhere)."""

    step = 1
    env_kwargs = {"frames_per_step": 4, "reduced_action_set": True, "start_noop_max": 0}

    def act(self, obs: np.ndarray) -> int:
        return 1


def _runner_key(runner: LiveRunner, kind: int, k: int) -> None:
    runner.handle_event(pygame.event.Event(kind, {"key": k, "mod": 0, "unicode": "", "scancode": 0}))


def test_the_steps_sent_are_the_takeovers_recording_cut_by_the_recordings_rules(tmp_path):
    clock = FakeClock()
    runner = LiveRunner(clock=clock, models_dir=None, load_in_background=False)
    runner.set_policy(FirstAction(), "training")
    runner.teacher.enabled, runner.teacher.run_dir = True, tmp_path
    for _ in range(9):  # the agent plays 9 frames: the takeover starts mid-step, at frame 9
        clock.advance(1 / 30)
        runner.update(1 / 30)
    for k, frames in STRIDE:
        _runner_key(runner, pygame.KEYDOWN, k)
        for _ in range(frames):
            clock.advance(1 / 30)
            runner.update(1 / 30)
        _runner_key(runner, pygame.KEYUP, k)
    while runner.controller == HUMAN:  # hands off until the agent takes back
        clock.advance(1 / 30)
        runner.update(1 / 30)
    [message] = runner.teacher.take_messages()
    observations, actions = unpack(message, n_actions=9)
    assert actions.tolist() == [2, 2, 3, 3, 1, 1, 4, 4]  # W, O, Q, P: 2 steps each ...
    from_disk = load_demos(tmp_path / TAKEOVERS_DIR, frames_per_step=4, reduced_action_set=True)
    np.testing.assert_array_equal(from_disk.observations, observations)
    np.testing.assert_array_equal(from_disk.actions, actions)
    assert from_disk.stats.dropped_hands_off > 0  # ... and the idle steps before the agent came back dropped
    assert message.recording == str(runner.teacher.saved[0])
    assert "human-from-9" in runner.teacher.saved[0].name


def test_teaching_turns_a_takeover_into_demonstrations_the_trainer_learns_from(make_app, fake_clock):
    app = make_app()
    link, teacher = app.link, app.runner.teacher
    press_button(app.toolbar.start)
    assert run_frames_until(app, lambda: link.state == LinkState.RUNNING and app.runner.has_policy
                            and app.runner.policy_source == "training", 60, fake_clock), link.problem
    takeovers = link.run_dir / TAKEOVERS_DIR

    # teaching off: a takeover sends and saves nothing
    _take_over(app, fake_clock)
    run_frames_until(app, lambda: False, 1.0, fake_clock)
    assert teacher.sent_steps == 0 and app.status.progress.taught_steps == 0 and not takeovers.exists()

    # teaching on (the button): the takeover reaches the trainer, which confirms and learns from it
    press_button(app.teach_button)
    app.frame()
    assert teacher.enabled and app.teach_button.text == "Teach: on"
    _take_over(app, fake_clock)
    assert teacher.sent_steps == 8  # 32 key frames = 8 steps of 4; the hands-off steps are dropped
    assert run_frames_until(app, lambda: app.status.progress.taught_steps == 8, 30, fake_clock)
    assert teacher.learned_steps == 8
    assert any(label == "taught 8 steps" for _, label in app.chart_data.markers)  # marked on the charts
    demos_csv = link.run_dir / DEMOS_CSV
    assert run_frames_until(app, lambda: len(_rows(demos_csv)) >= 2, 30, fake_clock)
    samples = [int(r["bc_samples"]) for r in _rows(demos_csv)]
    assert 0 < samples[0] < samples[1]
    assert {int(r["taught_steps"]) for r in _rows(demos_csv)} == {8}

    # the run folder holds the takeover as a recording that replays bit for bit
    saved = sorted(takeovers.glob("takeover_*.json"))
    assert len(saved) == 1 and saved == teacher.saved
    recording = load_recording(saved[0])
    assert replay_game(recording).matches
    first_human = int(saved[0].stem.rsplit("human-from-", 1)[1])
    assert recording.keys[first_human] == 2  # W, the first key of the takeover

    press_button(app.toolbar.stop)
    assert run_frames_until(app, lambda: link.state == LinkState.FINISHED, 30, fake_clock)
