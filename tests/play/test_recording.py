"""Recordings round-trip, replay bitwise, and bad files fail with one clear line."""
from __future__ import annotations

import json

import pytest

from qwop_studio import cli
from qwop_studio.recording import (
    FORMAT_VERSION,
    Recording,
    RecordingError,
    load_recording,
    replay_game,
    save_recording,
    state_digest,
)
from qwop_studio.sim.game import QWOPGame


def played(frames: int = 90) -> tuple[Recording, QWOPGame]:
    game = QWOPGame()
    keys = []
    for i in range(frames):
        mask = (1 | 8) if (i // 6) % 2 == 0 else (2 | 4)
        game.step(mask)
        keys.append(mask)
        if game.game_ended:
            break
    return Recording.of_game(keys, game, stopped_by="quit"), game


def test_recording_round_trips(tmp_path):
    rec, _ = played()
    path = save_recording(rec, tmp_path / "r.json")
    back = load_recording(path)
    assert back.keys == rec.keys and back.outcome == rec.outcome
    assert back.final_state_sha256 == rec.final_state_sha256 and back.version == FORMAT_VERSION
    doc = json.loads(path.read_text())
    assert doc["format"] == "qwop-studio-recording" and doc["frames"] == len(rec.keys)


def test_replay_reaches_the_identical_final_state(tmp_path):
    rec, game = played(300)
    path = save_recording(rec, tmp_path / "r.json")
    replayed = QWOPGame()
    result = replay_game(load_recording(path), game=replayed)
    assert result.matches
    assert (replayed.body_states() == game.body_states()).all()
    assert (replayed.hurdle_states() == game.hurdle_states()).all()
    assert replayed.score == game.score and replayed.frame == game.frame


def test_a_different_game_does_not_match():
    rec, _ = played(60)
    rec.keys[10] ^= 1
    assert not replay_game(rec).matches


def test_digest_is_of_the_state_bits():
    a, b = QWOPGame(), QWOPGame()
    assert state_digest(a) == state_digest(b)
    b.step("Q")
    assert state_digest(a) != state_digest(b)


def _write(tmp_path, text: str):
    path = tmp_path / "bad.json"
    path.write_text(text)
    return path


def _good_doc() -> dict:
    rec, _ = played(20)
    return json.loads(rec.to_json())


@pytest.mark.parametrize("mutate, message", [
    (lambda d: "{\"format\": \"qwop-studio-rec", "not valid JSON"),
    (lambda d: "", "not valid JSON"),
    (lambda d: json.dumps({**d, "version": 99}), "format version 99 is not supported"),
    (lambda d: json.dumps({**d, "format": "something"}), "not a QWOP Studio recording"),
    (lambda d: json.dumps([1, 2]), "not a QWOP Studio recording"),
    (lambda d: json.dumps({**d, "keys": d["keys"][:-3] + "xyz"}), "not a key mask"),
    (lambda d: json.dumps({**d, "keys": d["keys"][:-3]}), "truncated"),
    (lambda d: json.dumps({k: v for k, v in d.items() if k != "outcome"}), "missing field 'outcome'"),
    (lambda d: json.dumps({**d, "final_state_sha256": 5}), "final_state_sha256"),
])
def test_bad_recordings_give_one_clear_line(tmp_path, mutate, message):
    path = _write(tmp_path, mutate(_good_doc()))
    with pytest.raises(RecordingError) as info:
        load_recording(path)
    text = str(info.value)
    assert message in text and str(path) in text and "\n" not in text


def test_missing_file(tmp_path):
    with pytest.raises(RecordingError, match="no such file"):
        load_recording(tmp_path / "nope.json")


def test_replay_cli_reports_a_corrupt_file_in_one_line(tmp_path, capsys):
    path = _write(tmp_path, "{ not json")
    assert cli.main(["replay", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("qwop-studio replay: recording") and "\n" not in err


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_replay_cli_exports_a_video_and_checks_the_state(tmp_path, capsys, suffix):
    rec, _ = played(15)
    path = save_recording(rec, tmp_path / "r.json")
    out = tmp_path / f"out{suffix}"
    assert cli.main(["replay", str(path), "--video", str(out), "--speed", "2"]) == 0
    assert out.stat().st_size > 1000
    assert "replay exact" in capsys.readouterr().out
    assert not list(tmp_path.glob(".*partial*"))


def test_replay_cli_rejects_an_unknown_video_type(tmp_path, capsys):
    rec, _ = played(5)
    path = save_recording(rec, tmp_path / "r.json")
    assert cli.main(["replay", str(path), "--video", str(tmp_path / "x.avi")]) == 2
    assert ".mp4 or .gif" in capsys.readouterr().err
