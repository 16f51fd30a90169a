"""The play loop reads real pygame key events: Q/W/O/P hold keys, R resets, Space restarts, Esc quits."""
from __future__ import annotations

import pygame
import pytest

from qwop_studio.play import PlaySession, parse_size, run
from qwop_studio.recording import load_recording, replay_game
from qwop_studio.sim.game import QWOPGame


@pytest.fixture(autouse=True)
def pygame_events():
    pygame.display.init()
    pygame.display.set_mode((64, 40))
    pygame.event.clear()
    yield
    if pygame.display.get_init():
        pygame.event.clear()


def post(kind: int, key: int) -> None:
    pygame.event.post(pygame.event.Event(kind, key=key, mod=0, unicode="", scancode=0))


def pump(session: PlaySession, ticks: int = 1) -> None:
    """Deliver the queued events, as the real loop does, then advance ``ticks`` frames."""
    for event in pygame.event.get():
        session.handle_event(event)
    for _ in range(ticks):
        session.tick()


def test_posted_key_events_change_the_games_keys():
    session = PlaySession(QWOPGame())
    post(pygame.KEYDOWN, pygame.K_q)
    post(pygame.KEYDOWN, pygame.K_p)
    pump(session)
    assert session.game.keys == 0b1001 and session.game.key_string == "QP"
    post(pygame.KEYUP, pygame.K_q)
    post(pygame.KEYDOWN, pygame.K_o)
    pump(session)
    assert session.game.key_string == "OP"
    post(pygame.KEYUP, pygame.K_o)
    post(pygame.KEYUP, pygame.K_p)
    pump(session)
    assert session.game.keys == 0


def test_game_waits_for_the_first_key_like_the_original():
    session = PlaySession(QWOPGame())
    pump(session, ticks=5)
    assert session.game.frame == 0
    post(pygame.KEYDOWN, pygame.K_w)
    pump(session, ticks=5)
    assert session.game.frame == 5


def test_one_game_frame_per_tick():
    session = PlaySession(QWOPGame())
    post(pygame.KEYDOWN, pygame.K_q)
    pump(session, ticks=30)
    assert session.game.frame == 30
    assert session.game.time == pytest.approx(31 / 30)  # reset frame + 30, 1/30 s each


def test_r_resets_the_game():
    session = PlaySession(QWOPGame())
    post(pygame.KEYDOWN, pygame.K_q)
    pump(session, ticks=20)
    post(pygame.KEYDOWN, pygame.K_r)
    pump(session)
    assert session.game.frame == 0 and not session.started


def test_space_restarts_only_after_the_end():
    session = PlaySession(QWOPGame())
    post(pygame.KEYDOWN, pygame.K_q)
    post(pygame.KEYDOWN, pygame.K_o)
    pump(session, ticks=10)
    post(pygame.KEYDOWN, pygame.K_SPACE)
    pump(session)
    assert session.game.frame == 11  # Space ignored mid-game
    while not session.game.game_ended:
        session.tick()
    post(pygame.KEYDOWN, pygame.K_SPACE)
    pump(session, ticks=0)
    assert session.game.frame == 0 and not session.game.game_ended


def test_escape_and_window_close_quit():
    session = PlaySession(QWOPGame())
    post(pygame.KEYDOWN, pygame.K_ESCAPE)
    pump(session)
    assert not session.running
    session = PlaySession(QWOPGame())
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    pump(session)
    assert not session.running


def test_focus_loss_releases_held_keys():
    session = PlaySession(QWOPGame())
    post(pygame.KEYDOWN, pygame.K_q)
    pump(session)
    pygame.event.post(pygame.event.Event(pygame.WINDOWFOCUSLOST))
    pump(session)
    assert session.game.keys == 0


def test_recorded_fall_is_saved_once_and_replays_to_the_identical_state(tmp_path):
    session = PlaySession(QWOPGame(), record=True, recordings_dir=tmp_path)
    post(pygame.KEYDOWN, pygame.K_q)
    post(pygame.KEYDOWN, pygame.K_o)
    pump(session)
    while not session.game.game_ended:
        session.tick()
    final = session.game.body_states()
    for _ in range(30):  # the body keeps falling after the end; that part is not recorded
        session.tick()
    post(pygame.KEYDOWN, pygame.K_SPACE)
    pump(session, ticks=0)
    assert len(session.saved) == 1 and session.saved[0].parent == tmp_path
    rec = load_recording(session.saved[0])
    assert rec.outcome.result == "fallen" and rec.outcome.fallen
    assert rec.frames == rec.outcome.frames
    game = QWOPGame()
    result = replay_game(rec, game=game)
    assert result.matches
    assert (game.body_states() == final).all()


def test_quitting_mid_game_saves_what_was_played(tmp_path):
    session = PlaySession(QWOPGame(), record=True, recordings_dir=tmp_path)
    post(pygame.KEYDOWN, pygame.K_w)
    pump(session, ticks=12)
    post(pygame.KEYDOWN, pygame.K_ESCAPE)
    pump(session, ticks=0)
    rec = load_recording(session.saved[0])
    assert rec.outcome.result == "quit" and rec.frames == 12 and set(rec.keys) == {2}
    assert replay_game(rec).matches


def test_no_recording_without_record_or_without_play(tmp_path):
    session = PlaySession(QWOPGame(), record=False, recordings_dir=tmp_path)
    post(pygame.KEYDOWN, pygame.K_q)
    pump(session, ticks=5)
    session.quit()
    assert not list(tmp_path.iterdir())
    session = PlaySession(QWOPGame(), record=True, recordings_dir=tmp_path)
    session.quit()  # never started
    assert not list(tmp_path.iterdir())


def test_play_window_runs_headless_and_is_paced(tmp_path):
    import time

    t0 = time.perf_counter()
    session = run((320, 200), record=True, recordings_dir=tmp_path, max_frames=6)
    assert not session.running
    assert time.perf_counter() - t0 >= 5 / 30 * 0.9  # 30 frames per second of wall time


def test_parse_size():
    assert parse_size("960x600") == (960, 600)
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        parse_size("big")
