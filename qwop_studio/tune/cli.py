"""``qwop-studio tune``: check everything the user gave, then run (or resume) a sweep and show its results.

Exit codes: 0 done, 1 the sweep could not run its trials (every one failing), 2 a problem with what
the user gave (config, search space, study, storage, an output folder that cannot be written, a
missing extra; one line on stderr, before any trial runs), 130 interrupted with Ctrl+C (the running
trial is queued again; the same command resumes).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qwop_studio.fileio import OutputPathError, check_writable_dir

EXIT_USAGE = 2


def _fail(message: str) -> int:
    print(f"qwop-studio tune: {message}", file=sys.stderr)
    return EXIT_USAGE


def _check_numbers(args: argparse.Namespace) -> str | None:
    if args.trials < 1:
        return f"--trials {args.trials}: must be >= 1"
    if not args.trial_minutes > 0:
        return f"--trial-minutes {args.trial_minutes}: must be > 0"
    if args.cpus_per_trial < 1:
        return f"--cpus-per-trial {args.cpus_per_trial}: must be >= 1"
    return None


def tune_from_args(args: argparse.Namespace) -> int:
    """Validate, open the study, recover a killed sweep's trials, run the rest, print and write the results."""
    problem = _check_numbers(args)
    if problem:
        return _fail(problem)
    try:
        import optuna  # noqa: F401
    except ImportError:
        return _fail('needs Optuna: pip install -e ".[tune]" (and ".[cluster]" for --ray)')
    if args.ray:
        try:
            import ray  # noqa: F401
            from ray import tune  # noqa: F401
        except ImportError:
            return _fail(f'--ray {args.ray}: needs Ray Tune: pip install -e ".[cluster]"')
        from qwop_studio.tune.ray_runner import check_address

        problem = check_address(args.ray)
        if problem:
            return _fail(problem)

    from rich.console import Console

    from qwop_studio.sim.spec import FRAME_CLOCK_S
    from qwop_studio.train.config import DEFAULT_CONFIG, ConfigError, load_config, resolve_config_path
    from qwop_studio.tune import results
    from qwop_studio.tune.space import DEFAULT_SPACE, load_space
    from qwop_studio.tune.study import (
        STUDY_DB,
        STUDY_NAME_RE,
        count_states,
        default_storage_url,
        finished_count,
        hide_password,
        identity,
        open_storage,
        open_study,
        queue_baseline,
        recover_interrupted,
        sweeps_root,
    )
    from qwop_studio.tune.trial import TrialPlan

    source = args.config or DEFAULT_CONFIG
    space_path = Path(args.space) if args.space else DEFAULT_SPACE
    try:
        base = load_config(source)
        space = load_space(space_path, base)
    except ConfigError as e:
        return _fail(str(e))
    name = args.study or base.config_name
    if not STUDY_NAME_RE.match(name):
        return _fail(f"--study {name!r}: use letters, digits, '_', '-' and '.' (it names a folder)")
    study_dir = sweeps_root() / name
    try:
        check_writable_dir(study_dir, "the sweep's folder")
    except OutputPathError as e:
        return _fail(str(e))
    study_dir.mkdir(parents=True, exist_ok=True)  # checked: the default SQLite file goes here
    url = args.storage or default_storage_url(study_dir)
    try:
        storage = open_storage(url, space.settings, heartbeat=not args.ray)
        # the config file's own data, not the resolved config: a field added to TrainConfig by an upgrade
        # (with its default) must not make a study of the same file refuse to resume
        raw = resolve_config_path(source).read_text(encoding="utf-8")
        study = open_study(storage, name, identity(source, raw, args.trial_minutes, space.fingerprint()),
                           space.settings)
    except ConfigError as e:
        return _fail(str(e))

    from qwop_studio.fileio import atomic_write_text

    atomic_write_text(study_dir / "space.yml", space_path.read_text(encoding="utf-8"))
    # a trial's line stays one line in a log file too, and the table keeps its figures whole there
    console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 120)
    recovered = recover_interrupted(study, space.settings.retries)
    if recovered:
        console.print(f"trial(s) {', '.join(map(str, recovered))} were running when their sweep stopped: marked "
                      f"failed and queued again with the same values")
    time_limit_s = base.max_episode_steps * base.env.frames_per_step * FRAME_CLOCK_S
    plan = TrialPlan(base=base.to_dict(), source=source, trial_minutes=args.trial_minutes,
                     trials_dir=str((study_dir / "trials").absolute()), time_limit_s=time_limit_s,
                     evaluation=space.settings.evaluation.model_dump(),
                     n_workers=args.cpus_per_trial if args.ray else None)
    finished = finished_count(study)
    if finished < args.trials and space.settings.baseline and queue_baseline(study, space.base_values(base.to_dict())):
        console.print("the base config's own values are queued as a trial: the yardstick for the others")
    counts = ", ".join(f"{n} {state.lower()}" for state, n in sorted(count_states(study).items())) or "no trials yet"
    console.print(f"study {name} ({hide_password(url) if args.storage else study_dir / STUDY_DB}): {counts}; "
                  f"{max(args.trials - finished, 0)} of {args.trials} to run, {args.trial_minutes:g} min of training "
                  f"each, base config {source}, space {space_path}")
    code = 0
    if finished < args.trials:
        if args.ray:
            from qwop_studio.tune.ray_runner import run_ray

            try:
                code = run_ray(args.ray, study, storage, space, plan, args.trials - finished, args.cpus_per_trial,
                               study_dir / "ray", console)
            except ConfigError as e:
                return _fail(str(e))
        else:
            from qwop_studio.tune.local import run_local

            code = run_local(study, space, plan, args.trials, console)
    results.print_results(study, space, base, console)
    best = results.best_trial(study)
    if best is not None:
        path = study_dir / results.BEST_CONFIG
        results.write_best_config(path, name, best, space, base, source)
        console.print(f"best config: {path} (qwop-studio train --config {path})")
    if results.write_plot(study_dir / results.PLOT, study):
        console.print(f"plot: {study_dir / results.PLOT}")
    else:
        console.print('no plot: matplotlib is missing (pip install -e ".[tune]")')
    return code


__all__ = ["tune_from_args"]
