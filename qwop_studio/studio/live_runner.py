"""The live runner: the latest policy (or the human) running its own game in real time.

The runner owns one ``QWOPEnv`` built from the policy's ``env_kwargs`` with ``start_noop_max=0`` and
steps its game one physics tick per display frame at :data:`GAME_FRAMES_PER_S` frames per second of
wall time, as the original does. The agent picks an action every ``frames_per_step`` ticks (one env
step) from the observation of the current state; the human's held keys drive the game directly on
every tick.

Who controls it:

- ``AGENT``: the policy. Pressing Q, W, O or P hands control to the human at once.
- ``HUMAN``: the held keys. :data:`TAKEOVER_IDLE_S` seconds after the last key is released (no key
  held), the agent takes over again, in the same game.
- Manual play (a toggle): the human only; the agent never takes over. Without any policy (no run
  started and no shipped model in ``qwop_studio/assets/models/``) the runner is in manual play and invites the
  user to play.

Policies arrive as :class:`~qwop_studio.train.messages.PolicySnapshot` s. Loading one imports torch
the first time (seconds) and takes tens of milliseconds after that, so it happens on a background
thread; the runner keeps playing the previous policy until the new one is ready. ``clock`` is
injectable so tests can run the takeover timeout without waiting.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygame

from qwop_studio import resources
from qwop_studio.env import QWOPEnv
from qwop_studio.env.limits import MAX_EPISODE_STEPS
from qwop_studio.env.qwop_env import episode_over
from qwop_studio.render.hud import Overlay
from qwop_studio.render.scene import draw_game
from qwop_studio.sim.keys import key_mask
from qwop_studio.studio.teaching import TakeoverTeacher
from qwop_studio.window_input import KEY_BITS

#: Game frames (physics ticks) per second of wall time: the original's frame rate.
GAME_FRAMES_PER_S = 30
#: Seconds without any key held before the agent takes the runner back from the human.
TAKEOVER_IDLE_S = 2.0
#: Most game frames one update may run (after a stall the runner skips time rather than racing).
MAX_FRAMES_PER_UPDATE = 4
#: How long an ended episode stays on screen before the agent starts the next one (s).
END_PAUSE_S = 1.5
#: Where the shipped, trained agents live: package data (``qwop_studio/resources.py``).
MODELS_DIR = resources.models_dir()
INVITE_MESSAGE = "Press Q, W, O or P to play"
AGENT, HUMAN = "AGENT", "HUMAN"


class LiveRunner:
    """One game shown in the studio, played by the latest policy or by the user."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, models_dir: Path | None = MODELS_DIR,
                 load_in_background: bool = True) -> None:
        self.clock = clock
        self.load_in_background = load_in_background
        self.policy: Any = None            # a SnapshotPolicy (or anything with act/step/env_kwargs)
        self.policy_source = ""            # "training" or "shipped model <name>"
        self.env = QWOPEnv(start_noop_max=0)
        self.game = self.env.game
        self.manual_play = False
        self.controller = HUMAN
        self.held = 0                      # human key mask
        self.human_started = False         # a key was pressed since the last reset (manual play waits)
        self.load_error: str | None = None
        self.episodes = 0
        self._last_key_s = 0.0
        self._frame_debt = 0.0
        self._tick_in_step = 0
        self._agent_mask = 0
        self._env_steps = 0
        self._ended_at: float | None = None
        self._pending: Any = None          # a policy loaded by the background thread
        self._pending_lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self._queued_snapshot: Any = None
        self.teacher = TakeoverTeacher()  # teaching on: takeovers become demonstrations (studio/teaching.py)
        self.reset()
        if models_dir is not None:
            shipped = find_shipped_model(Path(models_dir))
            if shipped is not None:
                self._load_async(lambda: load_model_file(shipped), f"shipped model {shipped.stem}")

    # ----------------------------------------------------------------------------- policies
    @property
    def has_policy(self) -> bool:
        return self.policy is not None

    @property
    def policy_step(self) -> int | None:
        return getattr(self.policy, "step", None) if self.policy is not None else None

    def offer_snapshot(self, snapshot: Any) -> None:
        """Load ``snapshot`` (a ``PolicySnapshot``) for the runner; the newest one wins."""
        if self.load_in_background and self._loading is not None and self._loading.is_alive():
            self._queued_snapshot = snapshot  # loaded when the current load ends
            return
        self._load_async(lambda: _policy_from_snapshot(snapshot), "training")

    def set_policy(self, policy: Any, source: str = "training") -> None:
        """Use ``policy`` from now on (rebuilds the env if its settings differ)."""
        old = self.policy.env_kwargs if self.policy is not None else None
        self.policy, self.policy_source = policy, source
        wanted = _runner_env_kwargs(policy.env_kwargs)
        if old is None or _runner_env_kwargs(old) != wanted:
            self.teacher.end(self.game)
            self.env = QWOPEnv(**wanted)
            self.game = self.env.game
            self.reset()
        if not self.manual_play and self.held == 0 and not self._human_recent():
            self.controller = AGENT

    def _load_async(self, load: Callable[[], Any], source: str) -> None:
        def work() -> None:
            try:
                policy = load()
            except Exception as e:  # noqa: BLE001 - shown in the view, never fatal
                with self._pending_lock:
                    self.load_error = f"{type(e).__name__}: {e}"
                return
            with self._pending_lock:
                self._pending = (policy, source)

        if not self.load_in_background:
            work()
            self._take_pending()
            return
        self._loading = threading.Thread(target=work, name="studio-policy-load", daemon=True)
        self._loading.start()

    def _take_pending(self) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            self.set_policy(*pending)
        if self._queued_snapshot is not None and (self._loading is None or not self._loading.is_alive()):
            snapshot, self._queued_snapshot = self._queued_snapshot, None
            self.offer_snapshot(snapshot)

    # ----------------------------------------------------------------------------- input
    def handle_event(self, event: pygame.event.Event) -> bool:
        """Keys of the runner: Q/W/O/P (takeover), R (reset). Returns True if the event was used."""
        if event.type == pygame.KEYDOWN:
            if event.mod & (pygame.KMOD_CTRL | pygame.KMOD_ALT | pygame.KMOD_META):
                return False
            bit = KEY_BITS.get(event.key)
            if bit is not None:
                self.press(bit)
                return True
            if event.key == pygame.K_r:
                self.reset()
                return True
        elif event.type == pygame.KEYUP:
            bit = KEY_BITS.get(event.key)
            if bit is not None:
                self.release(bit)
                return True
        elif event.type == pygame.WINDOWFOCUSLOST:
            self.held = 0
        return False

    def press(self, keys: int | str) -> None:
        """The human presses ``keys`` (a mask or letters): they take the runner at once."""
        self.held |= key_mask(keys)
        self._last_key_s = self.clock()
        self.human_started = True
        if self.controller != HUMAN:
            self.controller = HUMAN
            if self.game.game_ended:
                self.reset()

    def release(self, keys: int | str) -> None:
        self.held &= ~key_mask(keys)
        self._last_key_s = self.clock()

    def set_manual_play(self, on: bool) -> None:
        """Manual play: the human only (the agent never takes over)."""
        self.manual_play = bool(on)
        if self.manual_play:
            self.controller = HUMAN
            self.reset()
        elif self.policy is not None:
            self.controller = AGENT
            self.reset()

    def reset(self) -> None:
        """A new game at once (R)."""
        self.teacher.end(self.game)
        self.env.reset()
        self._tick_in_step = 0
        self._env_steps = 0
        self._agent_mask = 0
        self._ended_at = None
        self.human_started = False

    def _human_recent(self) -> bool:
        return self.held != 0 or self.clock() - self._last_key_s < TAKEOVER_IDLE_S

    # ----------------------------------------------------------------------------- time
    def update(self, dt_s: float) -> int:
        """Advance by ``dt_s`` seconds of wall time; returns the game frames run."""
        self._take_pending()
        now = self.clock()
        if self.controller == HUMAN and not self.manual_play and self.policy is not None \
                and self.held == 0 and now - self._last_key_s >= TAKEOVER_IDLE_S:
            self.teacher.end(self.game)
            self.controller = AGENT
        if self.policy is None and self.controller == AGENT:
            self.controller = HUMAN
        self._frame_debt = min(self._frame_debt + max(dt_s, 0.0) * GAME_FRAMES_PER_S, MAX_FRAMES_PER_UPDATE)
        frames = 0
        while self._frame_debt >= 1.0:
            self._frame_debt -= 1.0
            if self._frame(now):
                frames += 1
        return frames

    def _frame(self, now: float) -> bool:
        game = self.game
        if self.controller == AGENT:
            if self._ended_at is not None:
                if now - self._ended_at >= END_PAUSE_S:
                    self.reset()
                return False
            if self._episode_over():  # e.g. the human ended it just before handing back
                self._ended_at = now
                return False
            if self._tick_in_step == 0:  # an env step begins: the policy acts on the env's observation
                self._agent_mask = self.env.action_mask(self.policy.act(self.env.observe()))
                self._env_steps += 1
            ended = self.env.tick(self._agent_mask)  # one tick of the env step, by the env's rule
            self._tick_in_step = (self._tick_in_step + 1) % self.env.frames_per_step
            if ended or self._env_steps >= MAX_EPISODE_STEPS:
                self._ended_at = now
                self.episodes += 1
            return True
        # the human: nothing moves before the first key (like manual play), nor after the end
        if not self.human_started or game.game_ended:
            return False
        if self.policy_source == "training":  # the trainer's action set and frames per step
            self.teacher.human_frame(self.env, self.held)
        game.step(self.held)
        if game.game_ended:
            self.teacher.end(game)
        self._tick_in_step = 0  # the agent starts a fresh env step when it takes over
        return True

    def _episode_over(self) -> bool:
        """The env's episode-end rule, or the agent's episode at the env's step limit."""
        return episode_over(self.game) or self._env_steps >= MAX_EPISODE_STEPS

    # ----------------------------------------------------------------------------- drawing
    def overlay(self) -> Overlay:
        lines: list[str] = []  # the studio's card header names the policy's training step
        message = None
        if self.controller == HUMAN and not self.manual_play and self.policy is not None:
            idle = self.clock() - self._last_key_s
            if self.held == 0:
                lines.append(f"agent back in {max(0.0, TAKEOVER_IDLE_S - idle):.1f} s")
        if self.manual_play and self.policy is not None:
            lines.append("manual play")
        if self.controller == HUMAN and not self.human_started and not self.game.game_ended:
            message = INVITE_MESSAGE
        return Overlay(controller=self.controller, lines=tuple(lines), message=message)

    def draw(self, surface: pygame.Surface) -> None:
        draw_game(surface, self.game, self.overlay())


# --------------------------------------------------------------------------------- loading models
def _runner_env_kwargs(env_kwargs: dict[str, Any]) -> dict[str, Any]:
    """The runner's ``QWOPEnv`` arguments: the policy's action set, observation and frames per step, no
    random start."""
    return {"frames_per_step": int(env_kwargs.get("frames_per_step", 4)),
            "reduced_action_set": bool(env_kwargs.get("reduced_action_set", False)),
            "observation": str(env_kwargs.get("observation", "qwop-gym")),
            "start_noop_max": 0}


def _policy_from_snapshot(snapshot: Any) -> Any:
    from qwop_studio.train.policy import SnapshotPolicy

    return SnapshotPolicy.from_snapshot(snapshot)


def find_shipped_model(models_dir: Path) -> Path | None:
    """The first ``*.zip`` in ``models_dir`` (the package's ``assets/models/``) that has a config
    (inside it, or a ``.yml`` beside it)."""
    if not models_dir.is_dir():
        return None
    for path in sorted(models_dir.glob("*.zip")):
        if _model_config(path) is not None:
            return path
    return None


def _model_config(path: Path) -> dict[str, Any] | None:
    """``{"algorithm": ..., "env_kwargs": {...}}`` for a model file, or None if it cannot be told."""
    import yaml

    for candidate in (path.with_suffix(".yml"), path.with_suffix(".yaml"), path.parent / "config.yml"):
        if candidate.is_file():
            try:
                data = yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
                env = dict(data.get("env") or {})
                return {"algorithm": str(data["algorithm"]).upper(),
                        "env_kwargs": {k: env[k] for k in ("frames_per_step", "reduced_action_set", "observation") if k in env}}
            except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError):
                continue
    from qwop_studio.train.run_dir import read_model_metadata

    meta = read_model_metadata(path)
    if meta and isinstance(meta.get("config"), dict) and "algorithm" in meta["config"]:
        return {"algorithm": str(meta["config"]["algorithm"]).upper(), "env_kwargs": dict(meta.get("env_kwargs") or {})}
    try:
        return _foreign_model_config(path)
    except ValueError:  # a ConfigError: load_model_file says why
        return None


def _foreign_model_config(path: Path) -> dict[str, Any]:
    """A model from rl-zoo3 or any SB3 script: its zoo files, else its spaces and the env's defaults (the
    assumed settings said on stderr); a one-line ConfigError if its spaces fit no env setting."""
    from qwop_studio.train.foreign_models import config_for_foreign_model

    config = config_for_foreign_model(path)
    return {"algorithm": config.algorithm, "env_kwargs": config.env.env_kwargs()}


def load_model_file(path: Path) -> Any:
    """A ``SnapshotPolicy`` for a model .zip on disk (the shipped agent)."""
    from qwop_studio.train.messages import PolicySnapshot
    from qwop_studio.train.run_dir import read_model_num_timesteps

    config = _model_config(path) or _foreign_model_config(path)
    snapshot = PolicySnapshot(read_model_num_timesteps(path) or 0, config["algorithm"], path.read_bytes(),
                              config["env_kwargs"])
    return _policy_from_snapshot(snapshot)
