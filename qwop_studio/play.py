"""Manual play: ``qwop-studio play [--record] [--size WxH]``.

Q/W/O/P play, R resets, Space restarts once the game has ended, Esc quits. Like the original, the
runner waits in the spawn pose until the first key (the original waits for a click), then the game
runs at 30 frames per second of wall time with one 0.04 s physics step per frame.

:class:`PlaySession` is the loop without the window: it takes pygame events through
:meth:`~PlaySession.handle_event` and advances one frame per :meth:`~PlaySession.tick`, so tests can
post real KEYDOWN/KEYUP events. With ``record=True`` every game is saved atomically to
``<saves>/recordings/`` when it ends (fall or finish; the file then holds the frames up to the end),
or when it is reset or quit before that (see :mod:`qwop_studio.recording`). The saves root is
``--saves DIR``, else ``$QWOP_STUDIO_SAVES``, else ``./saves`` (:mod:`qwop_studio.saves`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pygame

from qwop_studio.recording import Recording, new_recording_path, save_recording
from qwop_studio.render.hud import Overlay
from qwop_studio.saves import SavesError, check_saves_root
from qwop_studio.saves import recordings_dir as default_recordings_dir
from qwop_studio.sim.game import QWOPGame
from qwop_studio.window_input import KEY_BITS, parse_size

FRAMES_PER_S = 30
START_MESSAGE = "Press Q, W, O or P to start"


class PlaySession:
    """One player's games: held keys from events, one game frame per tick, optional recording.

    ``running`` turns false on Esc or a window close. ``saved`` lists the recordings written.
    """

    def __init__(self, game: QWOPGame | None = None, record: bool = False,
                 recordings_dir: str | Path | None = None) -> None:
        self.game = game if game is not None else QWOPGame()
        self.record = record
        self.recordings_dir = default_recordings_dir() if recordings_dir is None else Path(recordings_dir)
        self.held = 0            # key mask from KEYDOWN/KEYUP
        self.started = False     # first Q/W/O/P pressed since the last reset
        self.running = True
        self.show_help = False
        self.saved: list[Path] = []
        self._frame_keys: list[int] = []
        self._recorded_this_game = False

    # ------------------------------------------------------------------------------ input
    def handle_event(self, event: pygame.event.Event) -> None:
        """Apply one pygame event (keys, focus loss, quit)."""
        if event.type == pygame.QUIT:
            self.quit()
        elif event.type == pygame.KEYDOWN:
            bit = KEY_BITS.get(event.key)
            if bit is not None:
                self.held |= bit
                self.started = True
            elif event.key == pygame.K_r:
                self.restart("reset")
            elif event.key == pygame.K_SPACE and self.game.game_ended:
                self.restart("reset")
            elif event.key == pygame.K_ESCAPE:
                self.quit()
            elif event.key in (pygame.K_h, pygame.K_F1):
                self.show_help = not self.show_help
        elif event.type == pygame.KEYUP:
            bit = KEY_BITS.get(event.key)
            if bit is not None:
                self.held &= ~bit
        elif event.type == pygame.WINDOWFOCUSLOST:
            self.held = 0  # a key released in another window never sends KEYUP here

    # ------------------------------------------------------------------------------ frames
    def tick(self) -> None:
        """Advance one game frame with the held keys (nothing before the first key press)."""
        if not self.started or not self.running:
            return
        game = self.game
        was_ended = game.game_ended
        game.step(self.held)
        if not was_ended:
            self._frame_keys.append(self.held)
            if game.game_ended:
                self._save("end")

    def restart(self, why: str = "reset") -> None:
        """Save the game in progress (if recording) and start a new one, waiting for a key."""
        self._save(why)
        self.game.reset()
        self._frame_keys = []
        self._recorded_this_game = False
        self.started = False

    def quit(self) -> None:
        """Save the game in progress (if recording) and stop."""
        if self.running:
            self._save("quit")
        self.running = False

    def _save(self, why: str) -> None:
        """Write the current game if recording; ``why``: "end", "reset" or "quit" (once per game)."""
        if not self.record or self._recorded_this_game or not self._frame_keys:
            return
        rec = Recording.of_game(self._frame_keys, self.game, stopped_by=why)
        path = save_recording(rec, new_recording_path(self.recordings_dir, rec.outcome.result))
        self.saved.append(path)
        self._recorded_this_game = True

    @property
    def recorded_keys(self) -> list[int]:
        """The key mask of every frame of the current game, up to its end."""
        return list(self._frame_keys)

    def overlay(self) -> Overlay:
        """What the HUD shows besides the game: who plays, recording state, the start hint."""
        lines = ("recording",) if self.record else ()
        message = None if self.started or self.game.game_ended else START_MESSAGE
        return Overlay(controller="HUMAN", lines=lines, show_help=self.show_help or not self.started,
                       message=message)


def run(size: tuple[int, int] = (960, 600), record: bool = False, recordings_dir: str | Path | None = None,
        max_frames: int | None = None) -> PlaySession:
    """Open the window and play until Esc or close (or ``max_frames`` display frames, for tests)."""
    from qwop_studio.render.scene import HumanWindow

    pygame.init()
    window = HumanWindow(size, title="QWOP Studio: play  (Q W O P, R reset, Esc quit)", fps=FRAMES_PER_S)
    session = PlaySession(record=record, recordings_dir=recordings_dir)
    frames = 0
    try:
        while session.running and not window.closed:
            for event in pygame.event.get():
                window.handle_event(event)
                session.handle_event(event)
            session.tick()
            window.present(session.game, session.overlay())
            window.tick()
            frames += 1
            if max_frames is not None and frames >= max_frames:
                session.quit()
    finally:
        if session.running:
            session.quit()
        window.close()
    return session


def run_from_args(args: argparse.Namespace) -> int:
    """Entry point of ``qwop-studio play``."""
    try:
        size = parse_size(getattr(args, "size", "960x600"))
    except ValueError as e:
        print(f"qwop-studio play: {e}", file=sys.stderr)
        return 2
    record, saves = bool(getattr(args, "record", False)), getattr(args, "saves", None)
    if record:
        try:
            check_saves_root(saves)
        except SavesError as e:
            print(f"qwop-studio play: {e}", file=sys.stderr)
            return 2
    session = run(size, record=record, recordings_dir=default_recordings_dir(saves))
    for path in session.saved:
        print(f"saved {path}")
    return 0
