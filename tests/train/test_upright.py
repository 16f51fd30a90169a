"""The evaluation's replay measures (issue 18): torso height as a fraction of standing, knees on the track,
the race's 10 m splits, and the thigh rhythm."""
from __future__ import annotations

import numpy as np
import pytest

from qwop_studio.resources import resolve_model
from qwop_studio.sim import QWOPGame, spec
from qwop_studio.train.evaluate import evaluate_model
from qwop_studio.train.upright import KNEE_ON_TRACK_HEIGHT, SPLIT_MARKS_M, replay_with_posture


@pytest.fixture(scope="module")
def shipped_report() -> dict:
    """Two evaluated races of the shipped runner (the measures below all read the same report)."""
    return evaluate_model(resolve_model("qwop_runner"), episodes=2, start_noop_max=30)


def test_the_shipped_runner_runs_upright_and_never_kneels(shipped_report: dict):
    report = shipped_report
    for episode in report["episode_records"]:
        assert 0.9 <= episode["torso_height"] <= 1.0
        assert episode["knee_on_track"] == 0.0
    assert report["torso_height"]["mean"] >= 0.9 and report["knee_on_track"]["max"] == 0.0


def test_a_finished_race_has_a_split_at_every_10_m_in_order_ending_at_its_time(shipped_report: dict):
    report = shipped_report
    for episode in report["episode_records"]:
        splits = episode["splits"]
        assert len(splits) == len(SPLIT_MARKS_M) == 10
        assert all(later > earlier for earlier, later in zip(splits, splits[1:], strict=False))
        # the torso passes 100 m before the landing that ends the race, within a couple of seconds
        assert episode["time"] - 3.0 < splits[-1] <= episode["time"]
        assert 3.0 < splits[0] < 12.0  # the first 10 m: a start of 0-1 s of no-ops, then the first strides
    rows = report["splits"]
    assert [row["mark_m"] for row in rows] == list(SPLIT_MARKS_M)
    assert rows[0]["median_split_s"] == rows[0]["median_at_s"]


def test_a_runner_that_goes_down_measures_low_with_knees_on_the_track():
    rng = np.random.default_rng(32)  # random keys held 8 frames each: this game falls onto a knee
    keys = [int(k) for k in np.repeat(rng.integers(0, 16, size=100), 8)]
    game, posture = replay_with_posture(keys)
    assert game.fallen
    assert posture.torso_height < 0.5
    assert posture.splits == ()  # it never reached 10 m
    # the measure counts exactly the frames where a knee's anchor came within the margin of the track
    fresh, low_frames = QWOPGame(), 0
    knees = [spec.JOINT_NAMES.index("leftKnee"), spec.JOINT_NAMES.index("rightKnee")]
    for mask in keys:
        fresh.step(mask)
        low_frames += bool((spec.TRACK_TOP_Y - fresh.joint_positions()[knees, 1] < KNEE_ON_TRACK_HEIGHT).any())
    assert low_frames > 0 and posture.knee_on_track == low_frames / len(keys)


def test_standing_still_is_the_upright_reference():
    # the spawn pose settles a little under its own weight: standing still measures ~95 %, as the
    # shipped runner's stride does
    _, posture = replay_with_posture([0] * 60)
    assert 0.93 < posture.torso_height <= 1.0 and posture.knee_on_track == 0.0


def test_the_replay_measures_the_thigh_rhythm_of_a_key_history():
    """Q for 12 frames, a pause without thigh keys, W, ...: every half-cycle is 16 frames, pause included.
    This runner falls at 2.1 s; keys after the game ended (its clock stopped) are not a rhythm."""
    q, w, o = 1, 2, 4
    keys = ([q] * 12 + [o] * 4 + [w] * 12 + [0] * 4) * 5
    _, posture = replay_with_posture(keys)
    assert posture.thigh_half_cycle_s == pytest.approx(16 / 30)
    _, no_thighs = replay_with_posture([o] * 60)
    assert no_thighs.thigh_half_cycle_s is None


def test_the_report_gives_the_shipped_runners_rhythm_per_episode_and_over_them(shipped_report: dict):
    report = shipped_report
    halves = [episode["thigh_half_cycle_s"] for episode in report["episode_records"]]
    # its stride: Q, then W, held ~13 steps of 2 frames each (docs/training-results.md, 23rd session)
    assert all(0.6 < h < 1.2 for h in halves)
    assert report["thigh_half_cycle_s"]["median"] == pytest.approx(float(np.median(halves)))
