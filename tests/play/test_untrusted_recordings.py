"""Recordings from others: absurd or foreign content is refused in one line; replay ends cleanly on SIGTERM."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qwop_studio.cli import main
from qwop_studio.recording import (
    MAX_RECORDING_FRAMES,
    Recording,
    RecordingError,
    load_recording,
    save_recording,
)
from qwop_studio.sim import QWOPGame


def recording_of(keys: list[int]) -> Recording:
    game = QWOPGame()
    for mask in keys:
        game.step(mask)
    return Recording.of_game(keys, game, stopped_by="quit")


@pytest.fixture
def short_recording(tmp_path) -> Path:
    return save_recording(recording_of([0, 1, 3, 9, 0] * 10), tmp_path / "game.json")


def edited(path: Path, **changes) -> Path:
    doc = json.loads(path.read_text())
    doc.update(changes)
    path.write_text(json.dumps(doc))
    return path


def test_digits_of_other_scripts_are_not_key_masks(short_recording):
    arabic_indic = "\u0663" * 50  # '٣' is int('٣', 16) == 3 in Python
    edited(short_recording, keys=arabic_indic)
    with pytest.raises(RecordingError, match="holds '\u0663', which is not a key mask 0-f"):
        load_recording(short_recording)


def test_a_recording_claiming_ten_million_frames_is_refused_at_once(short_recording, capsys):
    edited(short_recording, keys="0" * 10_000_000, frames=10_000_000)
    started = time.monotonic()
    assert main(["replay", str(short_recording), "--video", str(short_recording.with_suffix(".gif"))]) == 2
    assert time.monotonic() - started < 5
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and "is larger than any recording" in line


def test_more_frames_than_a_recording_may_hold_are_refused(tmp_path):
    path = save_recording(recording_of([0] * 10), tmp_path / "long.json")
    edited(path, keys="0" * (MAX_RECORDING_FRAMES + 1), frames=MAX_RECORDING_FRAMES + 1)
    with pytest.raises(RecordingError, match="more than a recording may hold"):
        load_recording(path)


@pytest.mark.parametrize("outcome_change, words", [
    ({"result": "exploded"}, "outcome.result 'exploded' is not one of"),
    ({"fallen": "yes"}, "outcome.fallen must be true or false"),
    ({"time_s": "12"}, "outcome.time_s must be a finite number"),
    ({"frames": 10 ** 400}, "outcome.frames must be a finite number"),
])
def test_outcome_fields_of_the_wrong_type_are_refused(short_recording, outcome_change, words):
    doc = json.loads(short_recording.read_text())
    doc["outcome"].update(outcome_change)
    short_recording.write_text(json.dumps(doc))
    with pytest.raises(RecordingError, match=words):
        load_recording(short_recording)


def test_replay_video_into_an_unwritable_place_gets_one_line_before_rendering(short_recording, tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    for out in (blocker / "game.mp4", Path("/proc/qwop-studio/game.gif")):
        assert main(["replay", str(short_recording), "--video", str(out)]) == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and err.startswith(f"qwop-studio replay: --video {out}: ")


@pytest.mark.slow
def test_sigterm_ends_a_video_export_quickly_and_leaves_no_partial_file(tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    path = save_recording(recording_of([0, 9, 6, 0] * 1500), tmp_path / "long_game.json")  # 6,000 frames
    out = tmp_path / "video" / "game.mp4"
    proc = subprocess.Popen([sys.executable, "-m", "qwop_studio.cli", "replay", str(path), "--video", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list(out.parent.glob(".*partial*")):
            time.sleep(0.1)
        assert list(out.parent.glob(".*partial*")), "the export never started"
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        _, err = proc.communicate(timeout=30)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143 and took < 5, (proc.returncode, took, err)
    assert list(out.parent.iterdir()) == [], "no partial video and no video left behind"
