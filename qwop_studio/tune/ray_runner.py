"""Run a study's remaining trials on a Ray cluster: Ray schedules them, Optuna still samples and keeps them.

Nothing of ours schedules trials. Ray Tune places each trial on a node with ``cpus_per_trial`` free
cores (``tune.with_resources``), as many at once as the cluster holds; ``OptunaSearch`` asks the same
Optuna study (same storage, same name, same TPE sampler) for each trial's values and tells it the
result, so a study can be started on a laptop with Optuna alone and continued on a cluster, or the
reverse. Early stopping is Ray's: its twin of the chosen pruner (``MedianStoppingRule`` for
``median``, ``ASHAScheduler`` for ``halving``) reads the same intermediate reports. A trial it stops
is stored as pruned, at its last report, exactly as Optuna's pruner would have left it.

``--ray local`` starts a one-machine Ray here (all its cores); ``--ray ADDRESS`` joins a cluster
started with ``ray start --head`` (every node needs qwop-studio installed, and the trial folders
are written on the node that runs each trial, under the same absolute path as on this machine).
Only one Ray driver should run a study at a time: a new one recovers the running trials of a dead one.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from qwop_studio.tune.results import trial_line
from qwop_studio.tune.space import SearchSpace, SweepSettings
from qwop_studio.tune.study import SweepError, build_sampler, claim
from qwop_studio.tune.trial import TrialPlan, run_trial

#: What a trial reports besides the objective; copied into the Optuna trial's user attributes.
REPORTED_ATTRS = ("episodes", "success_rate", "median_time_s", "mean_distance_m", "env_steps", "train_minutes",
                  "run_dir")
#: The config key that carries the Optuna trial number to the worker (not a config value).
NUMBER_KEY = "_optuna_trial_number"


def ray_trial(config: dict[str, Any], plan: dict[str, Any]) -> None:
    """Ray's trainable: one :func:`run_trial`, reporting through ``tune.report`` (Ray decides any early stop)."""
    from ray import tune

    params = {k: v for k, v in config.items() if k != NUMBER_KEY}

    def reporter(step: int, value: float, attrs: dict[str, Any]) -> bool:
        tune.report({"objective": value, "final": False, **_plain(attrs)})
        return False

    outcome = run_trial(TrialPlan(**plan), int(config[NUMBER_KEY]), params, reporter)
    tune.report({"objective": outcome.objective, "final": True, **_plain(outcome.attrs)})


def _plain(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attrs.items() if k in REPORTED_ATTRS and v is not None}


def _searcher_class() -> type:
    from optuna.trial import TrialState
    from ray.tune.search.optuna import OptunaSearch

    class StudySearch(OptunaSearch):
        """``OptunaSearch`` that marks who runs each trial, keeps its figures, and stores early stops as pruned."""

        def suggest(self, trial_id: str) -> dict[str, Any] | None:
            params = super().suggest(trial_id)
            ot_trial = self._ot_trials[trial_id]
            claim(ot_trial, mode="ray", ray_trial_id=trial_id)
            return {**(params or {}), NUMBER_KEY: ot_trial.number}

        def on_trial_complete(self, trial_id: str, result: dict | None = None, error: bool = False) -> None:
            ot_trial = self._ot_trials.get(trial_id)
            if ot_trial is not None and result:
                for key in REPORTED_ATTRS:
                    if key in result:
                        ot_trial.set_user_attr(key, result[key])
            if ot_trial is not None and result and not error and not result.get("final", False) \
                    and trial_id not in self._completed_trials:
                self._ot_study.tell(ot_trial, state=TrialState.PRUNED)  # its value: the last report
                self._completed_trials.add(trial_id)
                return
            super().on_trial_complete(trial_id, result, error)

    return StudySearch


def check_address(address: str, timeout_s: float = 5.0) -> str | None:
    """None if ``address`` is ``local``, ``auto`` or a ``[ray://]host:port`` that accepts a connection; else why not.

    Why: ``ray.init`` keeps retrying an address where no cluster listens for minutes before it fails.
    """
    import socket

    if address in ("local", "auto"):
        return None
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not host or not port.isdigit():
        return f"--ray {address}: expected local, auto or HOST:PORT (the address `ray start --head` printed)"
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as e:
        return f"--ray {address}: no Ray cluster answers there ({e.strerror or e}); start one with `ray start --head`"
    return None


def _scheduler(settings: SweepSettings) -> Any:
    from ray.tune.schedulers import ASHAScheduler, FIFOScheduler, MedianStoppingRule

    p, reports = settings.pruner, settings.evaluation.reports
    if p.type == "median":
        return MedianStoppingRule(time_attr="training_iteration", grace_period=p.warmup_reports + 1,
                                  min_samples_required=max(1, p.startup_trials))
    if p.type == "halving":
        return ASHAScheduler(time_attr="training_iteration", max_t=reports, grace_period=1,
                             reduction_factor=p.reduction_factor)
    return FIFOScheduler()


def run_ray(address: str, study: Any, storage: Any, space: SearchSpace, plan: TrialPlan, n_remaining: int,
            cpus_per_trial: int, ray_dir: Path, console: Any) -> int:
    """Run ``n_remaining`` trials through Ray Tune; return an exit code (0, or 1 if every trial failed).

    Raises :class:`SweepError` (one line) if Ray cannot be started or joined.
    """
    import ray
    from ray import tune

    known = {t.number for t in study.get_trials(deepcopy=False) if t.state.is_finished()}
    try:
        if address == "local":
            ray.init(num_cpus=os.cpu_count() or 1, include_dashboard=False, log_to_driver=True)
        else:
            ray.init(address=address, log_to_driver=True)
    except Exception as e:  # noqa: BLE001 - no cluster at that address, a version mismatch...
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise SweepError(f"--ray {address}: cannot start or join Ray ({first})") from None
    try:
        searcher = _searcher_class()(space=space.suggest, metric="objective", mode="min", study_name=study.study_name,
                                     storage=storage, sampler=build_sampler(space.settings))
        trainable = tune.with_resources(tune.with_parameters(ray_trial, plan=plan.to_dict()), {"cpu": cpus_per_trial})
        tuner = tune.Tuner(
            trainable,
            tune_config=tune.TuneConfig(search_alg=searcher, scheduler=_scheduler(space.settings), metric="objective",
                                        mode="min", num_samples=n_remaining,
                                        trial_dirname_creator=lambda t: f"ray_{t.trial_id}"),
            run_config=tune.RunConfig(name=study.study_name, storage_path=str(ray_dir.absolute()), verbose=1,
                                      failure_config=tune.FailureConfig(max_failures=0)))
        results = tuner.fit()
    finally:
        ray.shutdown()
    for trial in study.get_trials(deepcopy=False):
        if trial.number not in known and trial.state.is_finished():
            console.print(trial_line(trial))
    return 1 if results.num_errors and results.num_errors == len(results) else 0


__all__ = ["run_ray", "ray_trial", "check_address"]
