"""Env steps per second while learning: sync and async collection against lock-step, and against one raw env.

    python -m benchmarks.training [--config train_ppo_upright] [--seconds 15] [--runs 3] [--workers N ...]
                                  [--rollout-weights] [--policy MODEL] [--set KEY=VALUE ...]

Each round measures, in a rotating order (:func:`~benchmarks.common.interleaved_runs`): one ``QWOPEnv``
stepping random actions in this process (the yardstick of issue 20's targets), the config trained
with lock-step collection (its own ``vec_env``), with ``collection: sync`` (its default worker count;
on a machine with more than one core also with ``learner_threads`` = cores: the update on the cores the
sleeping workers leave idle), and with ``collection: async`` and ``async_weights: latest`` (the default
config's mode since the 25th session) for each ``--workers`` count (with ``--rollout-weights`` also with
``async_weights: rollout``, in the same rounds). Training runs are
:func:`qwop_studio.train.benchmark.training_throughput` (a fresh model and fresh env processes each
time; the clock starts after the first rollout and its update). It prints each measure's median and
per-round values, and the ratios asked for (each mode / lock-step, each mode / one env), each the median
over rounds with its range, with the machine and the steal time.

``--policy MODEL`` (a .zip or a shipped name such as ``qwop_runner``) starts every learner from that
model's weights: a fresh policy falls within a second and its envs keep resetting, while a real run's
envs, after its first minutes, run whole races. ``--set`` overrides config keys as ``train --set`` does
(the shipped runner plays all 16 actions every 2 frames: ``--policy qwop_runner --set
env.reduced_action_set=false --set env.frames_per_step=2 --set max_episode_steps=2000``; the 16th
session measured its runner, ``docs/results/runner_s16/qwop_runner.zip``, at 4 frames).

Run it on an otherwise idle machine: the measures share the cores with nothing but each other.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

if __package__ in (None, ""):  # run as ``python benchmarks/training.py``
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import (  # noqa: E402
    cpu_jiffies,
    interleaved_runs,
    machine,
    median_ratio,
    ratio_range,
    steal_share,
)

ONE_ENV = "one QWOPEnv, random actions"
LOCKSTEP = "lock-step"


def collection_label(mode: str, workers: int) -> str:
    return f"{mode}, {workers} worker{'s' if workers > 1 else ''}"


def async_label(workers: int) -> str:
    """Async with the rollout's weights (``async_weights: rollout``)."""
    return collection_label("async", workers)


def latest_label(workers: int) -> str:
    return f"{async_label(workers)}, latest weights"


def measures(config_name: str, seconds: float, workers: list[int], sync_workers: int,
             overrides: dict | None = None, policy_from: str | None = None,
             episode_steps: list[float] | None = None, rollout_weights: bool = False) -> dict:
    """name -> a function returning env steps/s (each call a fresh measurement).

    ``episode_steps`` (if given) collects each training run's mean episode length: the workload measured.
    Each async arm names its ``async_weights`` (sync and lock-step ignore it), so the measures do not depend
    on the config's own choice; async with latest weights, the default's mode, is always measured.
    """
    from qwop_studio.train.benchmark import env_throughput, training_throughput
    from qwop_studio.train.config import load_config

    def config_with(**keys: object):
        return load_config(config_name, {**(overrides or {}), **keys})

    def learning(config) -> float:
        result = training_throughput(config, seconds, policy_from)
        if episode_steps is not None:
            episode_steps.append(result.mean_episode_steps)
        return result.env_steps_per_s

    lockstep = config_with(collection="lockstep")
    out = {ONE_ENV: lambda: env_throughput(min(seconds, 5.0), lockstep.env.frames_per_step,
                                           lockstep.env.reduced_action_set).env_steps_per_s,
           LOCKSTEP: lambda: learning(lockstep)}
    for n in workers:
        latest = config_with(collection="async", collection_workers=n, async_weights="latest")
        out[latest_label(n)] = lambda config=latest: learning(config)
        if rollout_weights:
            config = config_with(collection="async", collection_workers=n, async_weights="rollout")
            out[async_label(n)] = lambda config=config: learning(config)
    sync = config_with(collection="sync", collection_workers=sync_workers)
    out[collection_label("sync", sync_workers)] = lambda: learning(sync)
    cores = os.cpu_count() or 1
    if cores > 1 and "learner_threads" not in (overrides or {}):  # the sleeping workers' cores, in the same rounds
        borrowing = config_with(collection="sync", collection_workers=sync_workers, learner_threads=cores)
        out[borrowed_threads_label(sync_workers, cores)] = lambda: learning(borrowing)
    return out


def borrowed_threads_label(sync_workers: int, cores: int) -> str:
    return f"{collection_label('sync', sync_workers)}, update on {cores} threads"


def check_policy(name_or_path: str, config) -> str:
    """The model file ``--policy`` names, checked to fit ``config`` (raises ValueError in one line)."""
    from qwop_studio.resources import resolve_model
    from qwop_studio.train.model_file import check_model_file

    path = resolve_model(name_or_path)
    check_model_file(path, config.algorithm, env_kwargs=config.env.env_kwargs())
    return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="train_ppo_upright", help="a PPO config (default: the shipped default)")
    parser.add_argument("--seconds", type=float, default=15.0, help="learning time per training run (default 15)")
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--workers", type=int, nargs="+", default=None,
                        help="async worker counts to measure (default: cores - 1, the config default (cores - 1, at least 2), and cores)")
    parser.add_argument("--rollout-weights", action="store_true",
                        help="also measure async with async_weights: rollout (workers keep a rollout's weights)")
    parser.add_argument("--policy", default=None, metavar="MODEL",
                        help="start every learner from this model's weights (a .zip or a shipped name, e.g. qwop_runner)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config key, as train --set does (repeatable)")
    args = parser.parse_args(argv)
    from qwop_studio.train.rollout_workers import default_worker_count
    from qwop_studio.train.torch_setup import prepare_torch_process

    prepare_torch_process()
    # cores - 1 leaves the learner a core; cores lets the workers use the learner's idle time (on 2 cores
    # the learner's update is about a third of a rollout's CPU time), at the price of sharing a core
    cores = os.cpu_count() or 1
    workers = args.workers or sorted({max(1, cores - 1), default_worker_count(64), cores})
    print(f"machine: {machine()}")
    from qwop_studio.train.cli import parse_sets
    from qwop_studio.train.config import ConfigError, load_config

    overrides = parse_sets("benchmarks.training", args.overrides)
    if overrides is None:
        return 2
    try:  # bad input fails here, in one line, before any measurement
        shipped = load_config(args.config, overrides)
        policy_from = check_policy(args.policy, shipped) if args.policy else None
    except (ConfigError, ValueError) as e:
        print(f"benchmarks.training: {e}", file=sys.stderr)
        return 2
    print(f"config {args.config} (collection: {shipped.collection} as shipped"
          f"{', ' + ', '.join(args.overrides) if args.overrides else ''}): {args.runs} interleaved rounds, "
          f"{args.seconds:g} s of learning per training run"
          f"{f', each learner starting from {policy_from}' if policy_from else ', fresh policies'}", flush=True)
    before = cpu_jiffies()
    sync_workers = default_worker_count(64, overlap=False)
    episode_steps: list[float] = []
    values = interleaved_runs(args.runs, measures(args.config, args.seconds, workers, sync_workers,
                                                  overrides, policy_from, episode_steps, args.rollout_weights))
    print(f"steal time during the runs: {steal_share(before, cpu_jiffies())}")
    lengths = [steps for steps in episode_steps if steps == steps]  # NaN: no episode ended in a run
    if lengths:
        print(f"training episodes: a median {statistics.median(lengths):.0f} env steps long "
              f"(the workload: short ones are mostly resets)")
    width = max(len(name) for name in values)
    for name, runs in values.items():
        print(f"  {name:<{width}}  {statistics.median(runs):>8,.0f} env steps/s   "
              f"(rounds: {', '.join(f'{v:,.0f}' for v in runs)})")
    print("ratios (median over rounds, range):")
    sync = collection_label("sync", sync_workers)
    pairs = ([(LOCKSTEP, ONE_ENV), (sync, LOCKSTEP), (sync, ONE_ENV)]
             + [(latest_label(n), d) for n in workers for d in (LOCKSTEP, ONE_ENV, sync)]
             + [(async_label(n), d) for n in workers if async_label(n) in values for d in (LOCKSTEP, ONE_ENV)]
             + [(latest_label(n), async_label(n)) for n in workers if async_label(n) in values])
    borrowing = borrowed_threads_label(sync_workers, cores)
    if borrowing in values:
        pairs.append((borrowing, sync))
    for numerator, denominator in pairs:
        print(f"  {numerator} / {denominator}: {median_ratio(values, numerator, denominator):.2f}x "
              f"({ratio_range(values, numerator, denominator)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
