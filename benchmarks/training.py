"""Env steps per second while learning: sync and async collection against lock-step, and against one raw env.

    python -m benchmarks.training [--config train_ppo_upright] [--seconds 15] [--runs 3] [--workers N ...]
                                  [--rollout-weights] [--policy MODEL] [--set KEY=VALUE ...]

Each round measures, in a rotating order (:func:`~benchmarks.common.interleaved_runs`): one ``QWOPEnv``
stepping random actions in this process (the yardstick of issue 20's targets), one env as the config's
workers build it (its observation, no-op starts, wrappers, time limit, Monitor: the env a run steps), the config trained
with lock-step collection (its own ``vec_env``), with ``collection: sync`` (its default worker count;
on a machine with more than one core also with ``learner_threads`` = cores: the update on the cores the
sleeping workers leave idle), and with ``collection: async`` and ``async_weights: latest`` (the default
config's mode since the 25th session) for each ``--workers`` count (with ``--rollout-weights`` also with
``async_weights: rollout``, in the same rounds). Training runs are
:func:`qwop_studio.train.benchmark.training_throughput` (a fresh model and fresh env processes each
time; the clock starts after the first rollout and its update). It prints each measure's median and
per-round values, where each training measure's CPU went (per env step: the whole machine's, the
learner process's, and the machine's idle share, over the measured window only), and the ratios asked
for (each mode / lock-step, each mode / one env), each the median over rounds with its range, with the
machine and the steal time.

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
from functools import partial

if __package__ in (None, ""):  # run as ``python benchmarks/training.py``
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import (  # noqa: E402
    cpu_idle_jiffies,
    cpu_jiffies,
    idle_share,
    interleaved_runs,
    machine,
    median_ratio,
    ratio_range,
    steal_share,
)

ONE_ENV = "one QWOPEnv, random actions"
CONFIG_ENV = "one env as the config's workers build it, random actions"
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
             episode_steps: list[float] | None = None, rollout_weights: bool = False,
             cpu: dict[str, list[tuple[float, float, float | None]]] | None = None) -> dict:
    """name -> a function returning env steps/s (each call a fresh measurement).

    ``episode_steps`` (if given) collects each training run's mean episode length: the workload measured.
    ``cpu`` (if given) collects, per training measure, each run's CPU use over its measured window:
    (microseconds of CPU of the whole machine per env step, of which the learner's process, the
    machine's idle share). Each async arm names its ``async_weights`` (sync and lock-step ignore it), so
    the measures do not depend on the config's own choice; async with latest weights, the default's
    mode, is always measured.
    """
    from qwop_studio.train.benchmark import configured_env_throughput, env_throughput, training_throughput
    from qwop_studio.train.config import load_config

    def config_with(**keys: object):
        return load_config(config_name, {**(overrides or {}), **keys})

    def learning(name: str, config) -> float:
        result = training_throughput(config, seconds, policy_from, probe=cpu_idle_jiffies)
        if episode_steps is not None:
            episode_steps.append(result.mean_episode_steps)
        if cpu is not None:
            cpu.setdefault(name, []).append(window_cpu(result))
        return result.env_steps_per_s

    lockstep = config_with(collection="lockstep")
    env_seconds = min(seconds, 5.0)
    out = {ONE_ENV: lambda: env_throughput(env_seconds, lockstep.env.frames_per_step,
                                           lockstep.env.reduced_action_set).env_steps_per_s,
           CONFIG_ENV: lambda: configured_env_throughput(lockstep, env_seconds).env_steps_per_s,
           LOCKSTEP: partial(learning, LOCKSTEP, lockstep)}
    for n in workers:
        latest = config_with(collection="async", collection_workers=n, async_weights="latest")
        out[latest_label(n)] = partial(learning, latest_label(n), latest)
        if rollout_weights:
            config = config_with(collection="async", collection_workers=n, async_weights="rollout")
            out[async_label(n)] = partial(learning, async_label(n), config)
    sync = config_with(collection="sync", collection_workers=sync_workers)
    sync_name = collection_label("sync", sync_workers)
    out[sync_name] = partial(learning, sync_name, sync)
    cores = os.cpu_count() or 1
    if cores > 1 and "learner_threads" not in (overrides or {}):  # the sleeping workers' cores, in the same rounds
        borrowing = config_with(collection="sync", collection_workers=sync_workers, learner_threads=cores)
        borrowing_name = borrowed_threads_label(sync_workers, cores)
        out[borrowing_name] = partial(learning, borrowing_name, borrowing)
    return out


def window_cpu(result) -> tuple[float, float, float | None]:
    """(machine CPU us per env step, the learner process's us per env step, idle share) of one training run.

    The machine's busy time is all cores' time less idle (``/proc/stat``), so it counts the workers (and
    anything else running: run the benchmark alone); the learner's is its own ``process_time``.
    """
    steps = max(result.steps, 1)
    learner_us = result.learner_cpu_s / steps * 1e6
    before, after = result.probes or (None, None)
    idle = idle_share(before, after)
    if idle is None:
        return float("nan"), learner_us, None
    busy_s = (after[1] - before[1]) * (1.0 - idle) / os.sysconf("SC_CLK_TCK")
    return busy_s / steps * 1e6, learner_us, idle


def print_cpu(values: dict[str, list[float]], cpu: dict[str, list[tuple[float, float, float | None]]]) -> None:
    """Where each training measure's CPU went, medians over rounds, against one env alone.

    Why: on 2 cores, a rate of r env steps/s leaves at most 2e6 / r us of CPU per env step; the table
    says how much of that the learning used (the learner's process, the rest: workers and envs) and
    how much the machine left idle, so a shortfall reads as either work per step or waiting.
    """
    one_env_us = {name: 1e6 / statistics.median(values[name]) for name in (ONE_ENV, CONFIG_ENV)}
    print(f"CPU per env step (median over rounds; one env alone: {one_env_us[ONE_ENV]:.0f} us bare, "
          f"{one_env_us[CONFIG_ENV]:.0f} us as the config builds it):")
    width = max(len(name) for name in cpu) if cpu else 0
    for name, runs in cpu.items():
        total = statistics.median(run[0] for run in runs)
        learner = statistics.median(run[1] for run in runs)
        idles = [run[2] for run in runs if run[2] is not None]
        idle = f"{statistics.median(idles):.1%}" if idles else "unknown"
        print(f"  {name:<{width}}  {total:6.0f} us: learner's process {learner:5.0f}, the rest {total - learner:5.0f};"
              f"  machine idle {idle}")


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
    cpu: dict[str, list[tuple[float, float, float | None]]] = {}
    values = interleaved_runs(args.runs, measures(args.config, args.seconds, workers, sync_workers,
                                                  overrides, policy_from, episode_steps, args.rollout_weights, cpu))
    print(f"steal time during the runs: {steal_share(before, cpu_jiffies())}")
    lengths = [steps for steps in episode_steps if steps == steps]  # NaN: no episode ended in a run
    if lengths:
        print(f"training episodes: a median {statistics.median(lengths):.0f} env steps long "
              f"(the workload: short ones are mostly resets)")
    width = max(len(name) for name in values)
    for name, runs in values.items():
        print(f"  {name:<{width}}  {statistics.median(runs):>8,.0f} env steps/s   "
              f"(rounds: {', '.join(f'{v:,.0f}' for v in runs)})")
    print_cpu(values, cpu)
    print("ratios (median over rounds, range):")
    sync = collection_label("sync", sync_workers)
    pairs = ([(CONFIG_ENV, ONE_ENV), (LOCKSTEP, ONE_ENV), (sync, LOCKSTEP), (sync, ONE_ENV)]
             + [(latest_label(n), d) for n in workers for d in (LOCKSTEP, ONE_ENV, CONFIG_ENV, sync)]
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
