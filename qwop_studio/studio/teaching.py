"""Live teaching, the studio's side: a human's takeover turned into demonstration steps and a recording.

While teaching is on and the human drives the live runner, :class:`TakeoverTeacher` sees every human
frame just before the game steps it. It cuts the takeover into env steps of the runner's
``frames_per_step`` frames, counted from the takeover's first frame, and applies the rules of
recordings (``train/demos.py``): a step's observation is the runner env's observation at its first
frame (``env.observe()``, in the policy's observation kind); its action is the key state held longest, through ``keys_to_action``; a key state the action
set cannot express drops the step; a takeover that ends in a fall loses its last
``FALL_MARGIN_STEPS`` steps; a last step cut short by the game's end counts. A takeover the agent
takes back ends with the human's hands off the keys (the runner waits a few seconds without a key):
those trailing no-key steps, and a step left unfinished, are not demonstrations and are dropped.

When the takeover ends (the agent takes back, a reset, the game's end), the teacher queues one
:class:`~qwop_studio.train.messages.Demonstrations` message for the trainer (``take_messages``; the
app sends them) and saves the game so far as a recording in ``<run>/takeovers/``: the game is
deterministic, so the keys from the reset replay the takeover bit for bit (``qwop-studio replay``).
The recording holds the agent's frames before the takeover as well; the file name says from which
frame the human played (``takeover_<time>_human-from-<frame>.json``); a game that had not ended is
stored with the result "quit" (the recording format's word for a game left before its end).

Nothing is recorded or sent with teaching off, without a run folder (no training), or when the
runner plays a policy that is not the training run's (the action set might differ).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from qwop_studio.env.qwop_env import QWOPEnv
from qwop_studio.recording import Recording, save_recording
from qwop_studio.sim.game import QWOPGame
from qwop_studio.train import messages as msg
from qwop_studio.train.demos import FALL_MARGIN_STEPS, expressible_action, step_key_state
from qwop_studio.train.teaching import pack

TAKEOVERS_DIR = "takeovers"


@dataclass
class _Segment:
    """One takeover in progress."""

    first_frame: int
    frames_per_step: int
    reduced: bool
    observations: list[np.ndarray] = field(default_factory=list)
    key_states: list[int] = field(default_factory=list)  # each finished step's key state (held longest)
    held: list[int] = field(default_factory=list)  # the frames of the step in progress


class TakeoverTeacher:
    """Collects a takeover's steps; ``take_messages()`` hands over what is ready for the trainer."""

    def __init__(self) -> None:
        self.enabled = False
        self.run_dir: Path | None = None
        self.sent_steps = 0  # steps queued for the trainer in this run
        self.learned_steps = 0  # steps the trainer confirmed (DemonstrationsAdded.taught_steps)
        self.saved: list[Path] = []
        self._segment: _Segment | None = None
        self._outbox: list[msg.Demonstrations] = []

    @property
    def active(self) -> bool:
        """Teaching on and a run to teach."""
        return self.enabled and self.run_dir is not None

    def human_frame(self, env: QWOPEnv, mask: int) -> None:
        """Call just before the game steps a human frame holding ``mask``."""
        if not self.active:
            return
        game = env.game
        seg = self._segment
        if seg is None:
            seg = self._segment = _Segment(game.frame, env.frames_per_step, env.reduced_action_set)
        if not seg.held:
            seg.observations.append(env.observe())
        seg.held.append(mask)
        if len(seg.held) == seg.frames_per_step:
            seg.key_states.append(step_key_state(seg.held))
            seg.held.clear()

    def end(self, game: QWOPGame) -> None:
        """The takeover ended (agent back, reset or game over): queue its steps and save its recording."""
        seg, self._segment = self._segment, None
        if seg is None:
            return
        states = seg.key_states
        if seg.held and game.game_ended:
            states.append(step_key_state(seg.held))
        if not game.game_ended:  # handed back: drop the hands-off steps at the end
            while states and states[-1] == 0:
                states.pop()
        if game.fallen and not game.landed:
            states = states[:max(0, len(states) - FALL_MARGIN_STEPS)]
        kept = []
        for obs, state in zip(seg.observations, states, strict=False):
            found = expressible_action(state, seg.reduced)
            if found is not None:
                kept.append((obs, found[0]))
        path = self._save(game, seg.first_frame)
        if kept:
            self._outbox.append(pack(np.array([o for o, _ in kept]), [a for _, a in kept], str(path or "")))
            self.sent_steps += len(kept)

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

    def _save(self, game: QWOPGame, first_frame: int) -> Path | None:
        keys = game.key_history()
        if keys is None or self.run_dir is None:
            return None
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        path = self.run_dir / TAKEOVERS_DIR / f"takeover_{stamp}_human-from-{first_frame}.json"
        n = 1
        while path.exists():
            n += 1
            path = path.with_name(f"takeover_{stamp}-{n}_human-from-{first_frame}.json")
        save_recording(Recording.of_game(list(keys), game, stopped_by="quit"), path)
        self.saved.append(path)
        return path


__all__ = ["TakeoverTeacher", "TAKEOVERS_DIR"]
