"""One trial of a sweep: the base config with sampled values, trained for M minutes, then evaluated.

The same function runs a trial for Optuna in this process and for Ray in a worker, so everything it
needs travels as plain data (:class:`TrialPlan`), and how it reports is passed in (``reporter``):
Optuna's ``trial.report`` + ``should_prune``, or Ray's ``tune.report``. A trial is an ordinary run
directory under ``saves/sweeps/<study>/trials/trial_<NNNN>/`` (``config.yml``, checkpoints,
``final_model.zip``, ``progress.csv``; ``qwop-studio evaluate`` and ``--resume`` work on it), plus the
final evaluation as ``evaluation.json``.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qwop_studio.train.config import validate_config
from qwop_studio.tune.objective import evaluation_attrs, objective_s
from qwop_studio.tune.space import apply_params
from qwop_studio.tune.trial_callback import Reporter

#: The file a trial's final evaluation is written to, in its run directory.
EVALUATION_JSON = "evaluation.json"


@dataclass(frozen=True)
class TrialPlan:
    """What every trial of a sweep shares, as plain data (it crosses to Ray's workers)."""

    base: dict[str, Any]  # the base TrainConfig, validated, as data
    source: str  # the base config's name or file, for each trial's config.yml header
    trial_minutes: float  # minutes of training per trial (evaluations not counted)
    trials_dir: str  # absolute: where trial run directories go
    time_limit_s: float  # the objective's time limit (the base config's episode limit)
    evaluation: dict[str, Any] = field(default_factory=dict)  # space.SweepSettings.evaluation as data
    n_workers: int | None = None  # cores per trial under Ray: caps a sharded env's worker processes

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TrialOutcome:
    """A finished trial: its objective (or its last intermediate one, if pruned) and what to keep of it."""

    objective: float | None
    attrs: dict[str, Any]
    pruned: bool


def trial_config(plan: TrialPlan, number: int, params: dict[str, Any]) -> Any:
    """The trial's TrainConfig: base + params; the sweep's own clock and evaluations instead of the config's."""
    base = validate_config(dict(plan.base), plan.source)
    top: dict[str, Any] = {"name": f"{base.config_name}_trial{number:04d}", "max_minutes": None, "eval_freq": 0}
    if plan.n_workers is not None and base.vec_env == "sharded" and base.n_workers is None:
        top["n_workers"] = plan.n_workers
    return apply_params(base, params, **top)


def trial_run_dir(plan: TrialPlan, number: int) -> Path:
    """``trials/trial_<NNNN>``, with ``-2``, ``-3``... if taken (a study re-created under the same folder)."""
    base = Path(plan.trials_dir) / f"trial_{number:04d}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def run_trial(plan: TrialPlan, number: int, params: dict[str, Any], reporter: Reporter) -> TrialOutcome:
    """Train the trial, reporting on the way; evaluate its final model unless the reporter stopped it.

    Raises whatever training raises (the caller marks the trial failed); ``KeyboardInterrupt`` passes.
    """
    from qwop_studio.env import make_vec_env
    from qwop_studio.train.evaluate import evaluate_model
    from qwop_studio.train.trainer import run_training
    from qwop_studio.tune.trial_callback import TrialBudgetCallback

    config = trial_config(plan, number, params)
    run_dir = trial_run_dir(plan, number)
    evaluation = plan.evaluation
    seed = int(evaluation.get("seed", 0))
    eval_env = make_vec_env(1, "dummy", seed=seed, env_kwargs=config.env.env_kwargs(),
                            wrappers=config.wrapper_specs(evaluation=True),
                            max_episode_steps=config.max_episode_steps)
    budget = TrialBudgetCallback(plan.trial_minutes * 60.0, int(evaluation.get("reports", 4)), eval_env,
                                 int(evaluation.get("report_episodes", 10)), seed, plan.time_limit_s, reporter)
    try:
        final = run_training(config, run_dir, progress=False, source=f"{plan.source} + trial {number} of a sweep",
                             extra_callbacks=[budget])
    finally:
        with contextlib.suppress(Exception):
            eval_env.close()
    attrs: dict[str, Any] = {"run_dir": os.fspath(run_dir), "train_minutes": budget.trained_s / 60.0,
                             "env_steps": int(budget.num_timesteps)}
    if budget.pruned:
        return TrialOutcome(budget.last_value, {**budget.last_attrs, **attrs}, pruned=True)
    report = evaluate_model(final, episodes=int(evaluation.get("episodes", 30)), seed=seed,
                            json_out=run_dir / EVALUATION_JSON)
    records = report["episode_records"]
    return TrialOutcome(objective_s(records, plan.time_limit_s), {**evaluation_attrs(records), **attrs}, pruned=False)


__all__ = ["TrialPlan", "TrialOutcome", "run_trial", "trial_config", "EVALUATION_JSON"]
