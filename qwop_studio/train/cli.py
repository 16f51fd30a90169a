"""``qwop-studio train | evaluate | benchmark``: argument handling around the trainer, evaluation and benchmark.

Exit codes: 0 done, 1 an unexpected failure, 2 a problem with what the user gave (config, checkpoint,
model; one line on stderr, nothing created), 130 interrupted with Ctrl+C and 143 ended by SIGTERM (either way
a checkpoint was saved and the logs flushed up to it).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from qwop_studio.termination import EXIT_TERMINATED, Terminated, terminate_as_interrupt
from qwop_studio.train.config import ConfigError, parse_override_value

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _fail(command: str, error: Exception) -> int:
    print(f"qwop-studio {command}: {error}", file=sys.stderr)
    return EXIT_USAGE


def parse_sets(command: str, items: list[str] | None) -> dict[str, Any] | None:
    """``--set KEY=VALUE`` items as overrides; None (after a one-line error) if one is malformed."""
    overrides: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            print(f"{command}: --set {item!r}: expected KEY=VALUE, e.g. env.frames_per_step=6", file=sys.stderr)
            return None
        try:
            overrides[key.strip()] = parse_override_value(value)
        except ConfigError as e:
            print(f"{command}: --set {key.strip()}: {e}", file=sys.stderr)
            return None
    return overrides


def train_from_args(args: argparse.Namespace) -> int:
    from qwop_studio.train.run_dir import plan_run
    from qwop_studio.train.trainer import run_training

    overrides = {}
    if getattr(args, "total_timesteps", None) is not None:
        overrides["total_timesteps"] = args.total_timesteps
    if getattr(args, "seed", None) is not None:
        overrides["seed"] = args.seed
    if getattr(args, "max_minutes", None) is not None:
        overrides["max_minutes"] = args.max_minutes
    if getattr(args, "demos", None):
        overrides["demos.dir"] = args.demos
    sets = parse_sets("train", getattr(args, "overrides", None))
    if sets is None:
        return 2
    overrides.update(sets)
    if getattr(args, "resume", None) and args.config:
        print(f"train: --config {args.config} ignored: a resumed run uses its own config.yml", file=sys.stderr)
    from qwop_studio.saves import SavesError, check_saves_root, runs_dir

    saves = getattr(args, "saves", None)
    try:
        if not getattr(args, "run_dir", None) and not getattr(args, "resume", None):
            check_saves_root(saves)
        plan = plan_run(args.config, getattr(args, "run_dir", None), getattr(args, "resume", None), overrides,
                        runs_root=runs_dir(saves))
    except (ConfigError, SavesError) as e:
        return _fail("train", e)
    if plan.config.demos is not None and plan.config.demos.dir:
        from qwop_studio.train.demos import DemoError, check_demos

        try:
            check_demos(plan.config.demos.dir)
        except DemoError as e:
            return _fail("train", e)
    what = f"resuming {plan.resume}" if plan.resume else f"config {plan.source}"
    print(f"{plan.config.algorithm}: {what}; {plan.config.total_timesteps:,} env steps, "
          f"{plan.config.n_envs} envs ({plan.config.vec_env}); run directory {plan.run_dir}", file=sys.stderr)
    try:
        with terminate_as_interrupt():  # SIGTERM as Ctrl+C: a checkpoint, the logs flushed to it
            final = run_training(plan.config, plan.run_dir, plan.resume,
                                 progress=not getattr(args, "no_progress", False), source=plan.source)
    except Terminated:
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    print(f"final model: {final}", file=sys.stderr)
    best = _best_model_line(plan.run_dir)
    if best:
        print(best, file=sys.stderr)
    return 0


def _best_model_line(run_dir) -> str | None:
    """``best model: <path> (step N: 92 % finished, median 61.2 s)`` if the run kept one."""
    import json

    from qwop_studio.train.best_model import BEST_MODEL, BEST_REPORT

    try:
        report = json.loads((run_dir / BEST_REPORT).read_text(encoding="utf-8"))
        median = report["success_time"]["median"]
        return (f"best model: {run_dir / BEST_MODEL} (step {report['step']:,}: {report['success_rate']:.0%} of "
                f"{report['episodes']} evaluation episodes finished, median {'-' if median is None else f'{median:.1f} s'})")
    except (OSError, ValueError, KeyError, TypeError):
        return None


def evaluate_from_args(args: argparse.Namespace) -> int:
    from qwop_studio.resources import resolve_model, shipped_model_names
    from qwop_studio.train.evaluate import (
        RANDOM_KEYS,
        EvaluationError,
        ReportNotWrittenError,
        evaluate_model,
        print_report,
    )

    model = Path(RANDOM_KEYS) if args.model == RANDOM_KEYS else resolve_model(args.model)
    if args.model != RANDOM_KEYS and not model.exists() and model.parent == Path("."):
        return _fail("evaluate", EvaluationError(
            f"--model {args.model}: no such model file, nor a shipped model of that name "
            f"(shipped: {', '.join(shipped_model_names()) or 'none'})"))
    try:
        report = evaluate_model(model, episodes=args.episodes, deterministic=args.deterministic,
                                start_noop_max=args.start_noop_max, seed=args.seed, json_out=args.json_out,
                                record_dir=getattr(args, "record", None), config_name=getattr(args, "config", None))
    except ReportNotWrittenError as e:  # the episodes ran: show them, and say where the JSON went
        print_report(e.report)
        print(f"qwop-studio evaluate: {e}", file=sys.stderr)
        return 1
    except (ConfigError, EvaluationError) as e:
        return _fail("evaluate", e)
    print_report(report)
    if args.json_out:
        print(f"written: {args.json_out}", file=sys.stderr)
    return 0


def benchmark_from_args(args: argparse.Namespace) -> int:
    from qwop_studio.train.benchmark import run_benchmark

    if args.seconds <= 0:
        return _fail("benchmark", ValueError(f"--seconds {args.seconds}: must be > 0"))
    overrides = parse_sets("benchmark", getattr(args, "overrides", None))
    if overrides is None:
        return 2
    try:
        run_benchmark(args.seconds, args.configs or None, overrides or None)
    except ConfigError as e:
        return _fail("benchmark", e)
    return 0
