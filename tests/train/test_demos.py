"""Recordings -> demonstration steps: exact observations, the held-longest rule, what a set cannot express, falls."""
from __future__ import annotations

import json

import numpy as np
import pytest

from qwop_studio.env.actions import FULL_ACTIONS, REDUCED_ACTIONS, keys_to_action
from qwop_studio.env.qwop_env import QWOPEnv
from qwop_studio.recording import Recording, save_recording
from qwop_studio.sim import QWOPGame
from qwop_studio.sim.keys import key_mask
from qwop_studio.train.demos import (
    FALL_MARGIN_STEPS,
    DemoError,
    DemoSet,
    check_demos,
    load_demos,
    recording_steps,
    step_key_state,
)

Q, W, O, P = 1, 2, 4, 8  # noqa: E741 - the key names


def _recording(masks: list[int]) -> Recording:
    game = QWOPGame()
    for m in masks:
        game.step(m)
    return Recording.of_game(list(masks), game)


def _played_episode(seed: int, reduced: bool, frames_per_step: int = 4, observation: str = "qwop-gym"):
    """A real env episode with random actions: its observations, actions and recording."""
    env = QWOPEnv(frames_per_step=frames_per_step, reduced_action_set=reduced, start_noop_max=30,
                  observation=observation)
    obs, _ = env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    observations, actions, done = [], [], False
    n = env.action_space.n
    while not done:
        action = int(rng.integers(1, n))  # never "no keys": the step grid starts at the first key frame
        observations.append(obs)
        actions.append(action)
        obs, _, done, _, _ = env.step(action)
    fallen = env.game.fallen and not env.game.landed
    env.reset()
    keys = list(env.last_episode_keys)
    return np.array(observations), np.array(actions), _recording(keys), fallen


@pytest.mark.parametrize("reduced, observation", [(True, "qwop-gym"), (False, "qwop-gym"), (True, "extended")])
def test_steps_of_an_env_episode_are_its_observations_and_actions_exactly(reduced, observation):
    observations, actions, recording, fallen = _played_episode(seed=3, reduced=reduced, observation=observation)
    demos = recording_steps(recording, frames_per_step=4, reduced_action_set=reduced, observation=observation)
    assert fallen  # random keys fall: the last FALL_MARGIN_STEPS steps are dropped
    kept = len(actions) - FALL_MARGIN_STEPS
    assert len(demos) == kept == demos.stats.steps
    assert demos.stats.dropped_before_fall == FALL_MARGIN_STEPS
    np.testing.assert_array_equal(demos.observations, observations[:kept])
    np.testing.assert_array_equal(demos.actions, actions[:kept])
    assert demos.stats.mixed_steps == demos.stats.mapped_steps == demos.stats.dropped_inexpressible == 0


def test_a_step_takes_the_key_state_held_longest_ties_to_the_first():
    assert step_key_state([Q, Q, Q, W]) == Q
    assert step_key_state([W, Q, Q, Q]) == Q
    assert step_key_state([W, W, Q, Q]) == W
    assert step_key_state([Q | O, P, P, Q | O]) == Q | O
    masks = [Q, Q, Q, W] + [O, W, W, W] + [P, P, Q, Q] + [W | P] * 4
    demos = recording_steps(_recording(masks), frames_per_step=4, reduced_action_set=False)
    expected = [keys_to_action(m) for m in (Q, W, P, W | P)]
    assert demos.actions.tolist() == expected
    assert demos.stats.mixed_steps == 3


def test_leading_no_key_frames_are_the_start_and_give_no_samples():
    masks = [0] * 7 + [Q] * 8
    demos = recording_steps(_recording(masks), frames_per_step=4, reduced_action_set=True)
    assert len(demos) == 2
    env = QWOPEnv(start_noop_max=0)
    env.reset()
    for m in [0] * 7:
        env.game.step(m)
    first_obs, *_ = env.step(REDUCED_ACTIONS.index("Q"))
    np.testing.assert_array_equal(demos.observations[1], first_obs)


def test_reduced_set_keeps_same_command_as_mapped_and_drops_what_it_cannot_express():
    # QWP moves like QP (Q beats W): mapped. QO: no reduced action drives both chains that way: dropped.
    masks = [Q | W | P] * 4 + [Q | O] * 4 + [W | O | P] * 4 + [O] * 4
    reduced = recording_steps(_recording(masks), frames_per_step=4, reduced_action_set=True)
    assert [REDUCED_ACTIONS[a] for a in reduced.actions] == ["QP", "WO", "O"]
    assert reduced.stats.mapped_steps == 2
    assert reduced.stats.dropped_inexpressible == 1
    full = recording_steps(_recording(masks), frames_per_step=4, reduced_action_set=False)
    assert [key_mask(FULL_ACTIONS[a]) for a in full.actions] == [Q | W | P, Q | O, W | O | P, O]
    assert full.stats.mapped_steps == full.stats.dropped_inexpressible == 0


def test_frames_per_step_cuts_the_recording_into_that_many_frames_per_step():
    masks = [Q] * 6 + [O] * 6
    demos = recording_steps(_recording(masks), frames_per_step=6, reduced_action_set=True)
    assert [REDUCED_ACTIONS[a] for a in demos.actions] == ["Q", "O"]


def test_a_directory_of_recordings_becomes_one_set(tmp_path):
    for seed in (1, 2):
        save_recording(_played_episode(seed, reduced=True)[2], tmp_path / f"ep{seed}.json")
    demos = load_demos(tmp_path, frames_per_step=4, reduced_action_set=True)
    assert demos.stats.recordings == 2
    assert len(demos) == demos.stats.steps == demos.observations.shape[0] > 0
    assert demos.observations.dtype == np.float32 and demos.actions.dtype == np.int64


def test_bad_demonstrations_raise_one_line_naming_the_file(tmp_path):
    with pytest.raises(DemoError, match="no such file or directory"):
        load_demos(tmp_path / "missing", 4, True)
    with pytest.raises(DemoError, match="no recordings"):
        check_demos(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DemoError, match="bad.json") as err:
        check_demos(tmp_path)
    assert "\n" not in str(err.value)
    bad.unlink()
    doc = json.loads(_recording([Q] * 8).to_json())
    doc["keys"] = "2" * 8  # edited keys: no longer replays to the recorded final state
    (tmp_path / "edited.json").write_text(json.dumps(doc), encoding="utf-8")
    check_demos(tmp_path)  # the cheap check reads it; the replay finds the edit
    with pytest.raises(DemoError, match="edited.json: does not replay"):
        load_demos(tmp_path, 4, True)


def test_a_set_with_no_usable_steps_is_refused(tmp_path):
    save_recording(_recording([0] * 20), tmp_path / "idle.json")
    with pytest.raises(DemoError, match="no usable steps"):
        load_demos(tmp_path, 4, True)


def test_extend_checks_shapes_and_actions():
    demos = DemoSet.empty(reduced_action_set=True)
    demos.extend(np.zeros((3, 60)), [1, 2, 8])
    assert len(demos) == 3
    with pytest.raises(ValueError, match="0..8"):
        demos.extend(np.zeros((1, 60)), [9])
    with pytest.raises(ValueError, match="2 observations but 1 actions"):
        demos.extend(np.zeros((2, 60)), [1])
    assert len(demos) == 3


def test_a_recording_stopped_before_its_end_loses_its_hands_off_and_unfinished_steps():
    masks = [Q] * 4 + [O] * 4 + [0] * 8 + [P] * 2  # two steps, two hands-off steps, half a step
    demos = recording_steps(_recording(masks), frames_per_step=4, reduced_action_set=True)
    assert [REDUCED_ACTIONS[a] for a in demos.actions] == ["Q", "O"]
    assert demos.stats.dropped_hands_off == 3


def test_a_takeover_recording_is_cut_from_the_humans_first_frame(tmp_path):
    masks = [Q] * 6 + [W] * 8  # the agent's 6 frames, then the human's 2 steps of W
    save_recording(_recording(masks), tmp_path / "takeover_20250101-000000_human-from-6.json")
    demos = load_demos(tmp_path, frames_per_step=4, reduced_action_set=True)
    assert [REDUCED_ACTIONS[a] for a in demos.actions] == ["W", "W"]
    assert demos.stats.mixed_steps == 0
