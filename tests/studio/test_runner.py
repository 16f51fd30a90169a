"""The live runner: real key events hand it to the human at once and back to the agent 2 s after the last key."""
from __future__ import annotations

import numpy as np
import pygame
import pytest
from studio_helpers import FakeClock

from qwop_studio.studio.live_runner import (
    AGENT,
    HUMAN,
    INVITE_MESSAGE,
    TAKEOVER_IDLE_S,
    LiveRunner,
    find_shipped_model,
)


class ConstantPolicy:
    """Stands in for a SnapshotPolicy: always the same action."""

    def __init__(self, action: int = 1, step: int = 1234) -> None:
        self.action = action
        self.step = step
        self.env_kwargs = {"frames_per_step": 4, "reduced_action_set": True, "start_noop_max": 30}
        self.observations = 0

    def act(self, obs: np.ndarray) -> int:
        assert obs.shape == (60,)
        self.observations += 1
        return self.action


def _key(kind: int, k: int) -> pygame.event.Event:
    return pygame.event.Event(kind, {"key": k, "mod": 0, "unicode": "", "scancode": 0})


@pytest.fixture
def runner():
    clock = FakeClock()
    r = LiveRunner(clock=clock, models_dir=None, load_in_background=False)
    r.set_policy(ConstantPolicy())
    return r, clock


def test_without_a_policy_the_runner_invites_the_user_to_play():
    r = LiveRunner(clock=FakeClock(), models_dir=None)
    assert not r.has_policy and r.controller == HUMAN
    assert r.overlay().message == INVITE_MESSAGE
    before = r.game.time
    r.update(1.0)
    assert r.game.time == before  # nothing moves before the first key


def test_agent_plays_in_real_time_one_tick_per_frame_and_one_action_per_env_step(runner):
    r, _ = runner
    assert r.controller == AGENT
    assert r.env.start_noop_max == 0 and r.env.frames_per_step == 4 and r.env.reduced_action_set
    frames = sum(r.update(1 / 30) for _ in range(30))
    assert frames == 30
    assert r.policy.observations == 30 // 4 + 1
    assert r.game.key_string == "Q"  # the keys it presses are what the HUD lights


def test_a_key_press_hands_the_runner_to_the_human_and_two_idle_seconds_give_it_back(runner):
    r, clock = runner
    r.update(1 / 30)
    assert r.handle_event(_key(pygame.KEYDOWN, pygame.K_o))
    assert r.controller == HUMAN and r.held == 4
    r.update(1 / 30)
    assert r.game.keys == 4  # the human's keys drive the game directly
    clock.advance(5.0)
    r.update(1 / 30)
    assert r.controller == HUMAN  # a key is still held
    r.handle_event(_key(pygame.KEYUP, pygame.K_o))
    clock.advance(TAKEOVER_IDLE_S - 0.1)
    r.update(1 / 30)
    assert r.controller == HUMAN
    clock.advance(0.2)
    r.update(1 / 30)
    assert r.controller == AGENT


def test_manual_play_keeps_the_human_in_control(runner):
    r, clock = runner
    r.set_manual_play(True)
    r.handle_event(_key(pygame.KEYDOWN, pygame.K_q))
    r.handle_event(_key(pygame.KEYUP, pygame.K_q))
    clock.advance(10.0)
    r.update(1 / 30)
    assert r.controller == HUMAN
    r.set_manual_play(False)
    assert r.controller == AGENT


def test_r_resets_the_game(runner):
    r, _ = runner
    for _ in range(20):
        r.update(1 / 30)
    assert r.game.time > 0
    r.handle_event(_key(pygame.KEYDOWN, pygame.K_r))
    assert r.game.time < 0.1


def test_draws_onto_any_surface(runner):
    r, _ = runner
    surf = pygame.Surface((500, 300))
    r.draw(surf)
    assert surf.get_at((250, 150)) != pygame.Color(0, 0, 0)


def test_no_shipped_model_when_the_folder_is_missing_or_has_no_config(tmp_path):
    assert find_shipped_model(tmp_path / "nope") is None
    (tmp_path / "agent.zip").write_bytes(b"not a model")
    assert find_shipped_model(tmp_path) is None


def test_the_agent_episode_ends_at_the_envs_step_limit_and_the_next_one_starts_after_the_pause(runner, monkeypatch):
    from qwop_studio.studio import live_runner as runner_module

    r, clock = runner
    monkeypatch.setattr(runner_module, "MAX_EPISODE_STEPS", 2)
    frames = sum(r.update(1 / 30) for _ in range(20))
    assert r.episodes == 1 and r.env.frames_per_step < frames <= 2 * r.env.frames_per_step  # within step 2
    assert r.update(1 / 30) == 0  # the end pause
    clock.advance(runner_module.END_PAUSE_S)
    r.update(1 / 30)
    assert r.game.frame == 0  # a new game
