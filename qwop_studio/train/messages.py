"""The studio <-> trainer protocol: small frozen dataclasses of plain data.

The studio sends *commands* to the trainer's ``commands`` queue and reads *events* from its ``events``
queue (see :func:`qwop_studio.train.child.start_trainer_process`). Every field is plain data
(numbers, strings, bools, dicts and tuples of them, bytes), so a message pickles cheaply and
unpickles without importing torch or Stable-Baselines3: this module imports nothing but the
standard library.

"step" here always means an *env step* as SB3 counts them (``model.num_timesteps``: one per worker
per vector step), never a physics tick.

Commands (studio -> trainer), obeyed within about 50 ms of the trainer's next env step:

- :class:`Pause` -> the trainer blocks between env steps (no learning, almost no CPU) and replies
  :class:`Paused`. While paused it still obeys :class:`SaveCheckpoint`, :class:`SetRewardWeights`
  and :class:`Stop`.
- :class:`Resume` -> :class:`Resumed`.
- :class:`SaveCheckpoint` -> :class:`CheckpointSaved`.
- :class:`SetRewardWeights` -> :class:`WeightsChanged` (the weights read back from every worker), or
  a non-fatal :class:`Error` if a name or value is rejected.
- :class:`Stop` -> a checkpoint and ``final_model.zip`` are saved, then :class:`Finished` with
  ``stopped=True``, and the process exits.
- :class:`Demonstrations` (a human's takeover, teaching on) -> joins the behaviour-cloning term's
  demonstration set; :class:`DemonstrationsAdded`, or a non-fatal :class:`Error` if malformed.

Events (trainer -> studio): :class:`Started` once; :class:`Metrics` about every second;
:class:`EpisodeEnd` for every finished episode; :class:`Evaluated` every ``eval_freq`` steps
(if set); :class:`PolicySnapshot` at start, about every 5 s
and at the end; the replies above; :class:`Finished` or a fatal :class:`Error` last.

Loading a :class:`PolicySnapshot` in the studio::

    from qwop_studio.train.policy import SnapshotPolicy
    policy = SnapshotPolicy.from_snapshot(snapshot)     # once (~tens of ms)
    policy.update(snapshot)                             # for later snapshots (weights only)
    action = policy.act(obs)                            # obs from QWOPEnv(**policy.env_kwargs)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


# ---------------------------------------------------------------------------------------- commands
@dataclass(frozen=True)
class Pause:
    """Stop learning until :class:`Resume` or :class:`Stop`."""


@dataclass(frozen=True)
class Resume:
    """Continue after :class:`Pause`."""


@dataclass(frozen=True)
class SaveCheckpoint:
    """Save ``checkpoints/model_<step>_steps.zip`` now (plus the replay buffer, off-policy)."""


@dataclass(frozen=True)
class SetRewardWeights:
    """Change some reward weights on every worker, e.g. ``{"posture_weight": 0.1}``.

    Names are the fields of ``qwop_studio.env.RewardWeights``; values are finite floats.
    """

    changes: dict[str, float]


@dataclass(frozen=True)
class Stop:
    """Save a checkpoint and the final model, then end the trainer."""


@dataclass(frozen=True)
class Demonstrations:
    """A human's takeover as demonstration steps for the trainer's behaviour-cloning term (teaching on).

    ``observations``: ``len(actions)`` observations of the runner's env at the start of each step,
    float32 little-endian, C order (``len(actions)`` x the env's observation size: 60, or 76 extended);
    ``actions``: the env's action indices (rules: ``train/demos.py``). ``recording``: the takeover's
    recording in the run folder ("" if none). Answered by :class:`DemonstrationsAdded`, or a non-fatal
    :class:`Error`.
    """

    observations: bytes
    actions: tuple[int, ...]
    recording: str = ""


Command = Pause | Resume | SaveCheckpoint | SetRewardWeights | Stop | Demonstrations


# ------------------------------------------------------------------------------------------ events
@dataclass(frozen=True)
class Started:
    """Training is about to begin (after the envs and the model are built).

    ``start_step`` is 0 for a new run and the checkpoint's step for a resumed one; ``env_kwargs``
    are the ``QWOPEnv`` arguments the workers use (the studio's runner should use the same).
    """

    run_dir: str
    algo: str
    total_timesteps: int
    config_name: str
    reward_weights: dict[str, float]
    start_step: int = 0
    n_envs: int = 1
    env_kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Metrics:
    """Training progress, about once a second.

    ``env_steps_per_s`` is measured over the last interval, paused time excluded. Episode statistics
    are over the last (up to) 100 finished episodes; None until one has finished. ``algo_stats``
    holds the algorithm's latest logged values, e.g. ``exploration_rate`` (DQN, QRDQN), ``loss``,
    ``entropy_loss``, ``approx_kl`` (PPO), ``learning_rate``.
    """

    step: int
    elapsed_s: float
    env_steps_per_s: float
    total_timesteps: int = 0
    episodes: int = 0
    ep_reward_mean: float | None = None
    ep_length_mean: float | None = None
    distance_mean: float | None = None
    success_rate: float | None = None
    algo_stats: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class EpisodeEnd:
    """One finished training episode (any worker). ``time`` is the game clock in seconds."""

    step: int
    reward: float
    length: int
    distance: float
    time: float
    is_success: bool


@dataclass(frozen=True)
class PolicySnapshot:
    """The current policy, for the studio's runner.

    ``policy_bytes`` is the model saved as an SB3 ``.zip`` in memory (``model.save(BytesIO)``, without
    replay buffer), a few hundred kB. Load it with ``qwop_studio.train.policy.SnapshotPolicy`` (see
    the module docstring), or directly with ``ALGO_CLASS.load(io.BytesIO(policy_bytes), device="cpu")``.
    """

    step: int
    algo: str
    policy_bytes: bytes
    env_kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckpointSaved:
    """A checkpoint was written (``path`` is the model .zip; ``replay_buffer_path`` off-policy only)."""

    step: int
    path: str
    replay_buffer_path: str | None = None


@dataclass(frozen=True)
class WeightsChanged:
    """Reward weights changed at ``step``; ``weights`` is every weight as read back from worker 0.

    ``worker_weights`` holds what each worker reported (all equal unless something is wrong).
    """

    step: int
    weights: dict[str, float]
    changes: dict[str, float] = field(default_factory=dict)
    worker_weights: tuple[dict[str, float], ...] = ()


@dataclass(frozen=True)
class Evaluated:
    """A periodic evaluation (config ``eval_freq``) ended; ``improved``: it is the new ``best_model.zip``.

    ``median_time_s`` is over finished episodes (None if none finished); ``score_s`` is the mean
    100 m time with a failure counted as the time limit (lower is better).
    """

    step: int
    success_rate: float
    median_time_s: float | None
    score_s: float
    improved: bool
    duration_s: float


@dataclass(frozen=True)
class Paused:
    step: int


@dataclass(frozen=True)
class Resumed:
    step: int


@dataclass(frozen=True)
class Finished:
    """Training ended: ran to ``total_timesteps`` (``stopped=False``) or obeyed :class:`Stop`."""

    step: int
    final_model_path: str
    stopped: bool = False
    checkpoint_path: str | None = None


@dataclass(frozen=True)
class Error:
    """Something went wrong. ``fatal`` errors end the trainer; others (a rejected command) do not."""

    message: str
    traceback: str = ""
    fatal: bool = True


@dataclass(frozen=True)
class DemonstrationsAdded:
    """The trainer took ``added`` demonstration steps from the studio at ``step``.

    ``taught_steps``: all steps taught live in this run so far; ``demo_steps``: the whole
    demonstration set (recordings from ``--demos`` included); ``bc_weight``: the behaviour-cloning
    weight now (its decay restarts at every live demonstration).
    """

    step: int
    added: int
    taught_steps: int
    demo_steps: int
    bc_weight: float


Event = (
    Started | Metrics | EpisodeEnd | PolicySnapshot | CheckpointSaved | WeightsChanged | Evaluated | Paused
    | Resumed | Finished | Error | DemonstrationsAdded
)
