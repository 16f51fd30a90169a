"""A trial's clock and its intermediate reports, as one SB3 callback inside ``run_training``.

Why a clock of its own rather than the config's ``max_minutes``: a trial is bounded by minutes of
*training*, so that trials compare fairly on the user's machine, and its own evaluations must not
eat into them: a good runner's evaluation episodes last longer than a bad one's, and would leave it
less time to learn. So the clock starts when learning starts and stops while this callback evaluates.

At ``k / reports`` of the budget (k = 1 .. reports - 1) it plays ``episodes`` deterministic episodes
with the live policy on its own env (the same starts every time: the env is re-seeded), turns them
into the sweep's objective (``objective.py``) and hands it to ``reporter(k, value, attrs)``; a True
answer (Optuna's pruner, say) ends training there. At the full budget it ends training; the trainer
then saves the final model as at any end, and the trial's final evaluation follows.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from stable_baselines3.common.callbacks import BaseCallback

from qwop_studio.train.evaluate import play_episodes
from qwop_studio.tune.objective import evaluation_attrs, objective_s

#: ``reporter(report_index, objective_s, attrs) -> stop``: True ends the trial's training now.
Reporter = Callable[[int, float, dict[str, Any]], bool]


class TrialBudgetCallback(BaseCallback):
    """Stop training after ``budget_s`` seconds of it; report the objective ``reports - 1`` times on the way."""

    def __init__(self, budget_s: float, reports: int, eval_env: Any, episodes: int, seed: int,
                 time_limit_s: float, reporter: Reporter) -> None:
        super().__init__()
        self.budget_s = budget_s
        self.reports = reports
        self.eval_env = eval_env
        self.episodes = episodes
        self.seed = seed
        self.time_limit_s = time_limit_s
        self.reporter = reporter
        self.pruned = False
        self.last_value: float | None = None
        self.last_attrs: dict[str, Any] = {}
        self.eval_s = 0.0
        self._start = time.monotonic()
        self._end: float | None = None
        self._next_report = 1

    @property
    def trained_s(self) -> float:
        """Seconds of training so far (until training ended), evaluations left out."""
        return (self._end or time.monotonic()) - self._start - self.eval_s

    def _on_training_start(self) -> None:
        self._start = time.monotonic()
        self.eval_s = 0.0

    def _on_training_end(self) -> None:
        self._end = time.monotonic()

    def _on_step(self) -> bool:
        trained = self.trained_s
        while self._next_report < self.reports and trained >= self.budget_s * self._next_report / self.reports:
            index = self._next_report
            self._next_report += 1
            if self.reporter(index, *self._evaluate()):
                self.pruned = True
                return False
        return trained < self.budget_s

    def _evaluate(self) -> tuple[float, dict[str, Any]]:
        started, trained = time.monotonic(), self.trained_s
        self.eval_env.seed(self.seed)
        records = play_episodes(self.model, self.eval_env, self.episodes, deterministic=True)
        self.last_value = objective_s(records, self.time_limit_s)
        self.last_attrs = {**evaluation_attrs(records), "env_steps": int(self.num_timesteps),
                           "train_minutes": trained / 60.0}
        self.eval_s += time.monotonic() - started
        return self.last_value, self.last_attrs


__all__ = ["TrialBudgetCallback", "Reporter"]
