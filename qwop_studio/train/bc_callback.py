"""The behaviour-cloning term during RL: an SB3 callback that steps the policy towards the demonstrations.

After every policy update of the algorithm (seen in ``_on_rollout_start``, i.e. after the previous
``train()``), the callback takes ``bc_batches`` minibatches of the demonstration set and one
gradient step each on ``weight * cross_entropy`` with the policy's own optimizer (at the learning
rate the algorithm's schedule set for its update). The weight decays linearly from ``bc_weight`` at
step 0 to 0 at ``bc_decay_steps`` env steps (:func:`bc_weight_at`), so demonstrations start the
agent without capping it; at weight 0 no step is taken (an Adam step on a zero gradient would still
move the weights by the RL updates' momentum).

Why a callback and not a term inside SB3's loss: SB3's ``train()`` is not ours to edit, and a few
separate steps after each update keep the RL loss exactly SB3's. With Adam the weight is not an exact
factor on the step (Adam divides by the gradients' running scale, shared with RL's), but a smaller
weight gives a proportionally smaller BC gradient beside RL's, and 0 none.

Each update with a non-empty set writes a row to ``demos.csv`` in the run directory (step,
bc_weight, bc_loss, demo_steps, bc_samples, taught_steps) and records the same under ``demos/`` in
TensorBoard. ``demo_steps`` is the size of the set, ``bc_samples`` the demonstration samples learned
from so far, ``taught_steps`` the steps a human taught live in the studio.

Live teaching (:meth:`receive`, fed by ``train/teaching.py``'s inbox): a human's takeover joins the
set, and the weight's decay starts again from ``bc_weight`` at the step it arrived, so a correction
taken late in a run still counts, then fades like the recordings did.
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback

from qwop_studio.env.actions import action_table
from qwop_studio.fileio import append_lines, atomic_write_text, start_csv
from qwop_studio.train import messages as msg
from qwop_studio.train.bc import as_tensors, bc_step, clone_epochs
from qwop_studio.train.demos import DemoError, DemoSet, load_demos
from qwop_studio.train.teaching import TAKEOVERS_DIR, DemonstrationInbox, unpack

DEMOS_CSV = "demos.csv"
DEMOS_COLUMNS = ("step", "bc_weight", "bc_loss", "demo_steps", "bc_samples", "taught_steps")


def bc_weight_at(step: int, bc_weight: float, decay_steps: int) -> float:
    """The BC weight at env step ``step``: ``bc_weight`` falling linearly to 0 at ``decay_steps``."""
    return float(bc_weight) * max(0.0, 1.0 - step / decay_steps)


class BehaviourCloningCallback(BaseCallback):
    """BC minibatches after each policy update, weight by schedule; logs to ``demos.csv`` and TensorBoard."""

    def __init__(self, demos: DemoSet, bc_weight: float, decay_steps: int, batch_size: int, batches: int,
                 csv_path: Path | None = None, seed: int = 0, events: Any = None) -> None:
        super().__init__()
        self.events = events
        self.taught_steps = 0  # steps a human taught live (receive)
        self.schedule_start = 0  # the env step the weight's decay counts from (restarted by receive)
        self.demos = demos
        self.bc_weight, self.decay_steps = float(bc_weight), int(decay_steps)
        self.batch_size, self.batches = int(batch_size), int(batches)
        self.csv_path = csv_path
        self.rng = np.random.default_rng(seed)
        self.samples_seen = 0  # demonstration samples learned from (summed over minibatches)
        self.last_weight = bc_weight_at(0, bc_weight, decay_steps)
        self.last_loss: float | None = None
        self._updates_seen: int | None = None
        self._tensors: tuple[Any, Any] | None = None
        self._csv_started = False
        self._announce: msg.DemonstrationsAdded | None = None  # sent when training starts (after Started)

    @property
    def demo_steps(self) -> int:
        return len(self.demos)

    def weight_now(self) -> float:
        step = self.model.num_timesteps if self.model is not None else 0
        return bc_weight_at(step - self.schedule_start, self.bc_weight, self.decay_steps)

    def add(self, observations: np.ndarray, actions: np.ndarray) -> int:
        """Add demonstrations (e.g. a human's takeover); returns the set's new size. ValueError if malformed."""
        self.demos.extend(observations, actions)
        self._tensors = None
        return self.demo_steps

    def receive(self, command: msg.Demonstrations) -> None:
        """A live demonstration from the studio: join the set, restart the decay, answer with an event."""
        from qwop_studio.train.callbacks import emit

        try:
            n_actions = len(action_table(self.demos.reduced_action_set))
            observations, actions = unpack(command, n_actions, self.demos.observations.shape[1])
            self.add(observations, actions)
        except ValueError as e:
            emit(self.events, msg.Error(f"demonstrations not taken: {e}", fatal=False))
            return
        self.taught_steps += len(actions)
        self.schedule_start = self.model.num_timesteps if self.model is not None else 0
        self.last_weight = self.weight_now()
        emit(self.events, msg.DemonstrationsAdded(self.schedule_start, len(actions), self.taught_steps,
                                                  self.demo_steps, self.last_weight))

    def inbox(self, commands: Any) -> DemonstrationInbox:
        """The trainer's command queue with ``Demonstrations`` routed to :meth:`receive`."""
        return DemonstrationInbox(commands, self.receive)

    def _on_training_start(self) -> None:
        from qwop_studio.train.callbacks import emit

        if self._announce is not None:  # takeovers taught before a resume: the studio's card shows them
            emit(self.events, self._announce)
            self._announce = None
        self._updates_seen = getattr(self.model, "_n_updates", 0)
        if self.csv_path is not None and self.csv_path.is_file():  # a resumed run's log
            _drop_rows_after(self.csv_path, self.model.num_timesteps)

    def _on_step(self) -> bool:
        return True

    def _on_rollout_start(self) -> None:
        updates = getattr(self.model, "_n_updates", 0)
        if updates == self._updates_seen:  # no policy update since the last time (e.g. the first rollout)
            return
        self._updates_seen = updates
        self.last_weight = weight = self.weight_now()
        self.last_loss = None
        if len(self.demos) == 0:  # a studio run nobody has taught yet: nothing to learn or log
            return
        if weight > 0.0 and self.batches > 0:
            self.last_loss = self._learn(weight)
        self._log()

    def _learn(self, weight: float) -> float:
        import torch

        policy = self.model.policy
        if self._tensors is None:
            self._tensors = as_tensors(policy, self.demos.observations, self.demos.actions)
        obs_t, act_t = self._tensors
        n = len(self.demos)
        losses = []
        for _ in range(self.batches):
            batch = torch.as_tensor(self.rng.integers(0, n, size=min(self.batch_size, n)), device=obs_t.device)
            losses.append(bc_step(policy, policy.optimizer, obs_t[batch], act_t[batch], weight,
                                  getattr(self.model, "max_grad_norm", None)))
            self.samples_seen += len(batch)
        policy.set_training_mode(False)
        return float(np.mean(losses))

    def _log(self) -> None:
        step = self.model.num_timesteps
        self.logger.record("demos/bc_weight", self.last_weight)
        self.logger.record("demos/demo_steps", self.demo_steps)
        self.logger.record("demos/bc_samples", self.samples_seen)
        self.logger.record("demos/taught_steps", self.taught_steps)
        if self.last_loss is not None:
            self.logger.record("demos/bc_loss", self.last_loss)
        if self.csv_path is not None:
            if not self._csv_started:  # written from the first row on: an untaught studio run gets no file
                start_csv(self.csv_path, DEMOS_COLUMNS)
                self._csv_started = True
            loss = "" if self.last_loss is None else f"{self.last_loss:.6g}"
            append_lines(self.csv_path, f"{step},{self.last_weight:.6g},{loss},{self.demo_steps},{self.samples_seen},"
                                        f"{self.taught_steps}\n")


def _drop_rows_after(path: Path, step: int) -> None:
    """A resumed run rewrites the log from its checkpoint's step on: drop the rows after it."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = lines[:1] + [ln for ln in lines[1:] if ln.endswith("\n") and ln.split(",", 1)[0].isdigit()
                        and int(ln.split(",", 1)[0]) <= step]
    if len(kept) != len(lines):
        atomic_write_text(path, "".join(kept))


def demos_callback(model: Any, config: Any, run_dir: Path, pretrain: bool, live: bool = False,
                   events: Any = None) -> BehaviourCloningCallback | None:
    """The BC callback for a config with ``demos.dir``, a ``live`` (studio) run that may be taught, or a
    run folder that holds takeovers taught before (a resumed run keeps what it was taught).

    None when there is none of these. Clones the model on the recordings first if ``pretrain``. Called
    by the trainer after the model is built and before ``learn``. Raises
    :class:`~qwop_studio.train.demos.DemoError` (one line) for unusable recordings in ``demos.dir``.
    """
    from qwop_studio.train.config import DemosConfig

    demos_cfg = getattr(config, "demos", None)
    taught = _taught_before(Path(run_dir), config)
    if (demos_cfg is None or not demos_cfg.dir) and not live and taught is None:
        return None
    demos_cfg = demos_cfg or DemosConfig()
    if not demos_cfg.dir:
        demos = DemoSet.empty(config.env.reduced_action_set, model.observation_space.shape[0])
    else:
        demos = load_demos(demos_cfg.dir, config.env.frames_per_step, config.env.reduced_action_set,
                           config.env.observation)
        print(f"demonstrations: {demos.stats.summary()}", file=sys.stderr)
    if demos_cfg.dir and pretrain and demos_cfg.pretrain_epochs > 0:
        losses = clone_epochs(model.policy, demos.observations, demos.actions, demos_cfg.pretrain_epochs,
                              seed=config.seed)
        with contextlib.suppress(IndexError):
            print(f"pretrained on them for {demos_cfg.pretrain_epochs} epochs (loss {losses[0]:.3f} -> "
                  f"{losses[-1]:.3f})", file=sys.stderr)
    callback = BehaviourCloningCallback(demos, demos_cfg.bc_weight, demos_cfg.bc_decay_steps,
                                        demos_cfg.bc_batch_size, demos_cfg.bc_batches, Path(run_dir) / DEMOS_CSV,
                                        seed=config.seed, events=events)
    if taught is not None:
        callback.add(taught.observations, taught.actions)
        callback.taught_steps = len(taught)
        step = model.num_timesteps
        print(f"taught in the studio before: {taught.stats.summary()}", file=sys.stderr)
        callback._announce = msg.DemonstrationsAdded(step, len(taught), len(taught), callback.demo_steps,
                                                     bc_weight_at(step, demos_cfg.bc_weight, demos_cfg.bc_decay_steps))
    return callback


def _taught_before(run_dir: Path, config: Any) -> DemoSet | None:
    """The steps of the takeovers saved in ``run_dir/takeovers/`` (None if none; a bad file is skipped
    with a note: the run goes on without them)."""
    folder = run_dir / TAKEOVERS_DIR
    if not any(folder.glob("*.json")):
        return None
    try:
        taught = load_demos(folder, config.env.frames_per_step, config.env.reduced_action_set, config.env.observation)
    except DemoError as e:
        print(f"note: the takeovers taught before are not used: {e}", file=sys.stderr)
        return None
    return taught


__all__ = ["BehaviourCloningCallback", "bc_weight_at", "demos_callback", "DEMOS_CSV", "DEMOS_COLUMNS"]
