"""The contact recorder listens only when a rule part is near the track, and the game is the same as when
it always listens: the same falls, jump, landing, score and body states, frame by frame."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qwop_studio.sim import QWOPGame
from qwop_studio.sim import world as world_module


def _play(masks: list[int]) -> tuple[list[tuple], int]:
    """Frame by frame: the rule flags, score and body states; and on how many frames the recorder listened."""
    game = QWOPGame()
    trace, listened = [], 0
    for mask in masks:
        game.step(mask)
        world = game._world
        listened += bool(world._recorder is not None and world._listening)
        trace.append((game.fallen, game.jumped, game.landed, game.game_ended, game.score, game.body_states().tobytes()))
    return trace, listened


#: The 17th session's runner (50.4 s), kept with its results: a fixed race, whichever runner ships.
RUNNER = Path(__file__).resolve().parents[2] / "docs" / "results" / "runner_s17" / "qwop_runner.zip"


def _runner_race_masks() -> list[int]:
    """A runner's keys, frame by frame, over one deterministic race to the line."""
    from stable_baselines3 import PPO

    from qwop_studio.env.qwop_env import QWOPEnv

    model = PPO.load(RUNNER, device="cpu")
    env = QWOPEnv(frames_per_step=2, reduced_action_set=False, observation="extended")
    obs, _ = env.reset(seed=0)
    masks: list[int] = []
    done = False
    while not done:
        action, _ = model.predict(obs, deterministic=True)
        obs, _, terminated, truncated, _ = env.step(int(action))
        masks += [env.game.keys] * 2
        done = terminated or truncated
    assert env.game.landed, "the runner's race should reach the line"
    return masks


def _random_key_masks(seed: int, frames: int = 600) -> list[int]:
    """Random keys held for random spells: falls on the head, the arms and the back, as beginners fall."""
    rng = np.random.default_rng(seed)
    masks: list[int] = []
    while len(masks) < frames:
        masks += [int(rng.integers(16))] * int(rng.integers(1, 20))
    return masks[:frames]


@pytest.fixture
def listening_always(monkeypatch):
    def always() -> None:
        monkeypatch.setattr(world_module.RuleContactWatch, "contact_possible", lambda self: True)
    return always


@pytest.mark.skipif(not world_module.GATHER_STATES, reason="without the gather the recorder always listens")
def test_a_race_to_the_line_is_the_same_and_the_recorder_listens_only_near_the_track(listening_always):
    masks = _runner_race_masks()
    watched, listened = _play(masks)
    listening_always()
    reference, listened_always = _play(masks)
    assert watched == reference
    assert watched[-1][2], "the race ends with a landing"
    assert listened_always > 1000 and listened < 0.1 * listened_always  # the saving: most ticks unheard


@pytest.mark.skipif(not world_module.GATHER_STATES, reason="without the gather the recorder always listens")
def test_falls_are_the_same_as_with_a_recorder_that_always_listens(listening_always):
    games = [_random_key_masks(seed) for seed in range(12)]
    watched = [_play(masks)[0] for masks in games]
    listening_always()
    reference = [_play(masks)[0] for masks in games]
    assert watched == reference
    assert sum(trace[-1][0] for trace in watched) >= 6, "most random-key games should end in a fall"
