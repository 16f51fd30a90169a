"""Run a study's remaining trials in this process with Optuna: one trial after another, until it has N.

Optuna's own loop (``study.optimize``) asks the sampler for values, records heartbeats, fails the
stale trials of other machines, and stores each result; this module only supplies the objective
(:func:`~qwop_studio.tune.trial.run_trial` with Optuna's report and prune) and says when to stop:
when the study holds ``n_trials`` completed or pruned trials (counting those of every machine that
shares it), or after ``max_failures_in_a_row`` failures here (a broken setup should not loop forever).
"""
from __future__ import annotations

from typing import Any

from qwop_studio.tune.results import trial_line
from qwop_studio.tune.space import SearchSpace
from qwop_studio.tune.study import claim, finished_count, requeue, retry_of
from qwop_studio.tune.trial import TrialPlan, run_trial

EXIT_INTERRUPTED = 130


def run_local(study: Any, space: SearchSpace, plan: TrialPlan, n_trials: int, console: Any,
              max_failures_in_a_row: int = 3) -> int:
    """Run trials until the study has ``n_trials`` finished ones. Returns an exit code (0, 1 or 130)."""
    import optuna
    from optuna.trial import TrialState

    state = {"current": None, "failures": 0}

    def objective(trial: optuna.Trial) -> float:
        state["current"] = trial.number
        claim(trial, mode="optuna")
        params = space.suggest(trial)
        again = retry_of(study, trial)
        console.print(f"trial {trial.number:>3} started" + (f" (trial {again} again)" if again is not None else ""))

        def reporter(step: int, value: float, attrs: dict[str, Any]) -> bool:
            trial.report(value, step)
            prune = trial.should_prune()
            console.print(f"trial {trial.number:>3} report {step}: objective {value:.1f} s after "
                          f"{attrs['train_minutes']:.2f} min" + ("; pruned" if prune else ""))
            return prune

        try:
            outcome = run_trial(plan, trial.number, params, reporter)
        except Exception as e:
            trial.set_user_attr("error", f"{type(e).__name__}: {e}"[:300])
            raise
        for key, value in outcome.attrs.items():
            trial.set_user_attr(key, value)
        if outcome.pruned:
            raise optuna.TrialPruned(f"objective {outcome.objective:.1f} s at an intermediate report")
        return float(outcome.objective)

    def after_trial(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        console.print(trial_line(trial))
        state["failures"] = state["failures"] + 1 if trial.state == TrialState.FAIL else 0
        if finished_count(study) >= n_trials or state["failures"] >= max_failures_in_a_row:
            study.stop()

    try:
        study.optimize(objective, callbacks=[after_trial], catch=(Exception,), gc_after_trial=True)
    except KeyboardInterrupt:
        if state["current"] is not None:
            requeue(study, state["current"], space.settings.retries)
        console.print(f"interrupted: trial {state['current']} is queued again; run the same command to resume")
        return EXIT_INTERRUPTED
    if state["failures"] >= max_failures_in_a_row:
        console.print(f"stopped after {state['failures']} failed trials in a row (see the errors above)")
        return 1
    return 0


__all__ = ["run_local", "EXIT_INTERRUPTED"]
