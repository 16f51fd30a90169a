"""Live teaching, the studio's side: a human's takeover turned into a recording and demonstration steps.

While teaching is on and the human drives the live runner, :class:`TakeoverTeacher` notes the frame
the takeover began at. When the takeover ends (the agent takes back, a reset, the game's end), it
saves the game so far as a recording in ``<run>/takeovers/takeover_<time>_human-from-<frame>.json``
(the game is deterministic, so the keys from the reset replay it bit for bit: ``qwop-studio replay``)
and cuts the human's part of it into demonstration steps with the recordings' own rules
(``train/demos.py`` ``recording_steps`` from that frame, in the runner env's frames per step, action
set and observation kind): one definition of the rules, so ``train --demos <run>/takeovers`` learns
exactly the steps the trainer was sent. The steps go into one
:class:`~qwop_studio.train.messages.Demonstrations` message for the trainer (``take_messages``; the app
sends them). A game that had not ended is stored with the result "quit" (the recording format's word
for a game left before its end); its hands-off steps before the agent took back are dropped by the rules.

Nothing is recorded or sent with teaching off, or without a run folder (no training); the runner only
calls :meth:`TakeoverTeacher.human_frame` while it plays the training run's policy (same action set).
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from qwop_studio.env.qwop_env import QWOPEnv
from qwop_studio.recording import Recording, save_recording
from qwop_studio.sim.game import QWOPGame
from qwop_studio.train import messages as msg
from qwop_studio.train.demos import recording_steps
from qwop_studio.train.teaching import TAKEOVERS_DIR, pack


class TakeoverTeacher:
    """Notes a takeover's first frame; at its end saves it and queues its steps (``take_messages``)."""

    def __init__(self) -> None:
        self.enabled = False
        self.run_dir: Path | None = None
        self.sent_steps = 0  # steps queued for the trainer in this run
        self.learned_steps = 0  # steps the trainer confirmed (DemonstrationsAdded.taught_steps)
        self.saved: list[Path] = []
        self._first_frame: int | None = None  # the takeover in progress began at this frame
        self._env_settings: dict = {}
        self._outbox: list[msg.Demonstrations] = []

    @property
    def active(self) -> bool:
        """Teaching on and a run to teach."""
        return self.enabled and self.run_dir is not None

    def human_frame(self, env: QWOPEnv, mask: int) -> None:
        """Call just before the game steps a human frame holding ``mask``."""
        if self.active and self._first_frame is None:
            self._first_frame = env.game.frame
            self._env_settings = {"frames_per_step": env.frames_per_step,
                                  "reduced_action_set": env.reduced_action_set, "observation": env.observation}

    def end(self, game: QWOPGame) -> None:
        """The takeover ended (agent back, reset or game over): save its recording and queue its steps."""
        first, self._first_frame = self._first_frame, None
        keys = game.key_history()
        if first is None or keys is None or self.run_dir is None:
            return
        recording = Recording.of_game(list(keys), game, stopped_by="quit")
        path = self._save(recording, first)
        demos = recording_steps(recording, source=f"takeover {path.name}", first_frame=first, **self._env_settings)
        if len(demos):
            self._outbox.append(pack(demos.observations, demos.actions, str(path)))
            self.sent_steps += len(demos)

    def take_messages(self) -> list[msg.Demonstrations]:
        """The messages ready for the trainer (each once)."""
        out, self._outbox = self._outbox, []
        return out

    def on_event(self, event: object) -> None:
        """Follow the trainer: a new run's folder, and what it confirms it learned."""
        if isinstance(event, msg.Started):
            self.run_dir = Path(event.run_dir)
            self.sent_steps = self.learned_steps = 0
        elif isinstance(event, msg.DemonstrationsAdded):
            self.learned_steps = event.taught_steps
        elif isinstance(event, msg.Finished):
            self.run_dir = None

    def _save(self, recording: Recording, first_frame: int) -> Path:
        assert self.run_dir is not None
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        path = self.run_dir / TAKEOVERS_DIR / f"takeover_{stamp}_human-from-{first_frame}.json"
        n = 1
        while path.exists():
            n += 1
            path = path.with_name(f"takeover_{stamp}-{n}_human-from-{first_frame}.json")
        save_recording(recording, path)
        self.saved.append(path)
        return path


__all__ = ["TakeoverTeacher", "TAKEOVERS_DIR"]
