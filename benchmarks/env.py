"""Env speed and soak: ``QWOPEnv`` against the bare physics, and 2 subprocess workers against 1 env.

Every figure is the median of ``--runs`` runs in this process, with seeded random actions and the
resets that the episodes need (random keys fall within a few dozen steps, so resets are frequent).

* env steps/s: one ``QWOPEnv(frames_per_step=4)``, no wrappers.
* physics ticks/s inside the env (ticks actually run, resets' ticks excluded) against
  ``benchmarks.physics.bare_world_ticks_per_s``: a bare pybox2d world doing the same motor work,
  reading states every 4th tick through pybox2d's attributes (target >= 0.5); and against the same
  world reading them as ``QWOPWorld`` does, gathered from Box2D's memory (the floor; see
  ``benchmarks.physics``).
* ``SubprocVecEnv`` with 2 workers (env steps/s summed over workers) against 1 env in a
  ``DummyVecEnv``, both built by ``make_vec_env`` with TimeLimit and Monitor (target >= 1.7 on 2 cores);
  and the same 2 envs in our ``sharded`` vector env (one in this process, one in a polling worker),
  its messages through shared memory (the default) and through a pipe; and 8 and 16 envs in
  2 ``sharded`` shards against 1 env and against as many envs in one process. The vector envs are
  measured in interleaved rounds (every one once per round; ``benchmarks.common.interleaved_runs``)
  and each ratio is the median of its rounds' ratios, with their range: on this shared VM the speed
  drifts over minutes, and measuring all runs of A before all runs of B puts that drift into
  B / A (before the rounds, one pass of four gave 1.50 for 2 x 4 envs where the others gave 1.69-1.72).
* The machine's own ceiling for that ratio: two fully independent processes, each stepping its own
  ``QWOPEnv`` with no communication at all, against one such process alone. No vector env can beat
  it, so it tells whether a missed 1.7 is the vector env's fault or the machine's; measured in the
  same rounds as the vector envs, so under the same conditions, with the share of CPU time the
  hypervisor took from this VM meanwhile ("steal" in ``/proc/stat``).
* Oversubscribed: two 8-env vector envs stepping at once, each in its own process tree (two
  trainings side by side): ``sharded`` (4 busy processes on 2 cores) against ``dummy`` (2).
* The lock-step bound (:func:`lockstep_bound`): a vector env's step waits for its slowest shard, and
  env steps vary, so even with free communication two shards cannot double the rate; measured from
  timed env steps for shards of 1, 4 and 8 envs.

``--soak [STEPS]`` instead plays STEPS (default 1,000,000) random-action steps across resets and
reports non-finite ends, crashes and the process's memory (RSS) along the way.

    python -m benchmarks.env [--steps 20000] [--runs 5] [--vec-steps 8000]
    python -m benchmarks.env --soak [1000000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

if __package__ in (None, ""):  # run as ``python benchmarks/env.py``
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

from benchmarks.common import (
    cpu_jiffies,
    interleaved_runs,
    machine,
    median_of,
    median_ratio,
    ratio_range,
    steal_share,
)
from benchmarks.physics import bare_world_ticks_per_s
from qwop_studio.env import QWOPEnv

FRAMES_PER_STEP = 4


def env_run(steps: int, seed: int = 0) -> tuple[float, float]:
    """(env steps/s, physics ticks/s) of one QWOPEnv playing ``steps`` random actions, resets included."""
    env = QWOPEnv(frames_per_step=FRAMES_PER_STEP)
    actions = np.random.default_rng(seed).integers(0, env.action_space.n, size=steps).tolist()
    env.reset(seed=seed)
    ticks = 0
    start = time.perf_counter()
    for action in actions:
        _, _, terminated, _, _ = env.step(action)
        if terminated:
            ticks += env.game.frame
            env.reset()
    elapsed = time.perf_counter() - start
    ticks += env.game.frame
    env.close()
    return steps / elapsed, ticks / elapsed


def vec_steps_per_s(n_envs: int, vec_env: str, steps: int, seed: int = 0, n_workers: int | None = None,
                    transport: str = "shared_memory", before_timing: Callable[[], Any] | None = None) -> float:
    """Env steps per second summed over workers of ``make_vec_env(n_envs, vec_env)`` (start-up excluded).

    ``before_timing`` is called after the warm-up, just before the clock starts (e.g. a barrier, so
    that several copies in other processes step at the same time).
    """
    from qwop_studio.env.vec import make_vec_env

    venv = make_vec_env(n_envs, vec_env, seed=seed, n_workers=n_workers, transport=transport)
    try:
        rng = np.random.default_rng(seed)
        actions = rng.integers(0, venv.action_space.n, size=(steps, n_envs))
        venv.reset()
        for a in actions[:max(50, steps // 10)]:  # warm up: a just-started worker is still settling in
            venv.step(a)
        if before_timing is not None:
            before_timing()
        start = time.perf_counter()
        for a in actions:
            venv.step(a)
        return steps * n_envs / (time.perf_counter() - start)
    finally:
        venv.close()


def _env_run_steps_per_s(args: tuple[int, int]) -> float:
    return env_run(*args)[0]


def independent_processes_steps_per_s(n_processes: int, steps: int) -> float:
    """Env steps/s summed over ``n_processes`` independent processes, each running :func:`env_run`.

    Spawned fresh (no shared state, no pipes in the loop); each one's rate is measured inside it, so
    process start-up is excluded. Their runs overlap almost entirely: equal work started together.
    """
    import multiprocessing as mp

    from qwop_studio.threads import single_threaded_children

    with single_threaded_children(), mp.get_context("spawn").Pool(n_processes) as pool:
        pool.map(_env_run_steps_per_s, [(200, i) for i in range(n_processes)])  # start-up and imports
        return float(sum(pool.map(_env_run_steps_per_s, [(steps, i) for i in range(n_processes)])))


def lockstep_bound(envs_per_shard: int, steps: int, seed: int = 0) -> float:
    """The speed-up no lock-step vector env can beat with 2 shards of ``envs_per_shard`` envs each.

    A vector env (SB3's API) returns a step only when every env has stepped, so with two shards in
    parallel a step takes as long as the slower shard. Here the two shards' envs (make_vec_env's
    workers, wrappers included) are stepped in this one process, each env step and its auto-reset
    timed, and the bound is mean(A + B) / mean(max(A, B)) over the steps, for A and B the two
    shards' times: what two cores could give with zero communication cost. Env steps vary (a reset
    costs ~2 normal steps, contacts vary with the pose), so it is below 2, and lower the fewer envs
    a shard holds.
    """
    from qwop_studio.env.limits import MAX_EPISODE_STEPS
    from qwop_studio.env.vec import make_worker

    envs = [make_worker(rank, seed, {}, [], MAX_EPISODE_STEPS, None) for rank in range(2 * envs_per_shard)]
    for rank, env in enumerate(envs):
        env.reset(seed=seed + rank)
    rng = np.random.default_rng(seed)
    actions = rng.integers(0, envs[0].action_space.n, size=(steps, len(envs))).tolist()
    times = np.empty((steps, len(envs)))
    clock = time.perf_counter
    for t, row in enumerate(actions):
        for i, (env, action) in enumerate(zip(envs, row, strict=True)):
            start = clock()
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()
            times[t, i] = clock() - start
    for env in envs:
        env.close()
    a, b = times[:, :envs_per_shard].sum(axis=1), times[:, envs_per_shard:].sum(axis=1)
    return float((a + b).mean() / np.maximum(a, b).mean())


def _stepping_child(kind: str, n_envs: int, steps: int, barrier, results) -> None:
    results.put(vec_steps_per_s(n_envs, kind, steps, n_workers=2, before_timing=barrier.wait))


def concurrent_vec_envs_steps_per_s(kind: str, copies: int = 2, n_envs: int = 8, steps: int = 4000) -> float:
    """Env steps/s summed over ``copies`` vector envs of ``steps`` vector steps each, started at once,
    each in its own process tree (equal work, so the runs overlap almost entirely).

    Two ``sharded`` envs at once are 4 busy processes on 2 cores (two trainings side by side, or a
    benchmark beside a training): the case where polling for messages could starve the process
    polled for (see ``sharded._SpinPolicy``). Compare with the same number of ``dummy`` envs.
    """
    import multiprocessing as mp

    from qwop_studio.threads import single_threaded_children

    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(copies), ctx.Queue()
    with single_threaded_children():
        processes = [ctx.Process(target=_stepping_child, args=(kind, n_envs, steps, barrier, results))
                     for _ in range(copies)]
        for process in processes:
            process.start()
    rates = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join()
    return float(sum(rates))


def rss_mb() -> float:
    """This process's resident memory in MB (Linux ``/proc``; ``nan`` elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def soak(steps: int, seed: int = 0, report_every: int = 100_000, out=print) -> dict:
    """Play ``steps`` random actions across resets; count episodes and non-finite ends, track RSS.

    Returns ``{"steps", "episodes", "nonfinite", "rss_mb": [...], "steps_per_s"}``; raises whatever
    the env raises (a crash is a failure).
    """
    env = QWOPEnv(frames_per_step=FRAMES_PER_STEP)
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    episodes = nonfinite = 0
    rss = [rss_mb()]
    start = time.perf_counter()
    done = 0
    while done < steps:
        block = rng.integers(0, env.action_space.n, size=min(report_every, steps - done)).tolist()
        for action in block:
            _, reward, terminated, truncated, info = env.step(action)
            if info["nonfinite"] or not np.isfinite(reward):
                nonfinite += 1
            if terminated or truncated:
                episodes += 1
                env.reset()
        done += len(block)
        rss.append(rss_mb())
        out(f"  {done:>9,} steps  {episodes:>7,} episodes  {nonfinite} non-finite  RSS {rss[-1]:.1f} MB")
    return {"steps": done, "episodes": episodes, "nonfinite": nonfinite, "rss_mb": rss,
            "steps_per_s": done / (time.perf_counter() - start)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20000, help="env steps per single-env run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vec-steps", type=int, default=8000, help="vector steps per vec-env run")
    parser.add_argument("--soak", nargs="?", type=int, const=1_000_000, default=None, metavar="STEPS")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    if args.soak is not None:
        result = soak(args.soak)
        growth = result["rss_mb"][-1] - result["rss_mb"][1]
        print(f"soak: {result['steps']:,} steps, {result['episodes']:,} episodes, {result['nonfinite']} non-finite, "
              f"{result['steps_per_s']:,.0f} steps/s; RSS {result['rss_mb'][1]:.1f} -> {result['rss_mb'][-1]:.1f} MB "
              f"({growth:+.1f} MB after the first block)")
        return

    env_run(1000)
    bare_world_ticks_per_s(2000)
    runs = [env_run(args.steps, seed=i) for i in range(args.runs)]
    steps_s = sorted(r[0] for r in runs)[len(runs) // 2]
    ticks_s = sorted(r[1] for r in runs)[len(runs) // 2]
    bare, _ = median_of(args.runs, lambda: bare_world_ticks_per_s(args.steps * FRAMES_PER_STEP, reading="plain"))
    floor, _ = median_of(args.runs, lambda: bare_world_ticks_per_s(args.steps * FRAMES_PER_STEP, reading="gathered"))
    jiffies_before = cpu_jiffies()
    short, long_, longer = args.vec_steps, args.vec_steps // 4, args.vec_steps // 8
    vec = interleaved_runs(args.runs, {
        "dummy 1": lambda: vec_steps_per_s(1, "dummy", short),
        "subproc 2": lambda: vec_steps_per_s(2, "subproc", short),
        "sharded 2": lambda: vec_steps_per_s(2, "sharded", short, n_workers=2),
        "piped 2": lambda: vec_steps_per_s(2, "sharded", short, n_workers=2, transport="pipe"),
        "dummy 8": lambda: vec_steps_per_s(8, "dummy", long_),
        "sharded 8": lambda: vec_steps_per_s(8, "sharded", long_, n_workers=2),
        "piped 8": lambda: vec_steps_per_s(8, "sharded", long_, n_workers=2, transport="pipe"),
        "dummy 16": lambda: vec_steps_per_s(16, "dummy", longer),
        "sharded 16": lambda: vec_steps_per_s(16, "sharded", longer, n_workers=2),
        "1 process": lambda: independent_processes_steps_per_s(1, args.steps),
        "2 processes": lambda: independent_processes_steps_per_s(2, args.steps),
    })
    jiffies_after = cpu_jiffies()
    rate = {name: statistics.median(values) for name, values in vec.items()}

    def ratio(numerator: str, denominator: str) -> str:
        return f"{median_ratio(vec, numerator, denominator):.2f}"

    def spread(numerator: str, denominator: str) -> str:
        return f"rounds {ratio_range(vec, numerator, denominator)}"

    bound_1, _ = median_of(args.runs, lambda: lockstep_bound(1, args.vec_steps))
    bound_4, _ = median_of(args.runs, lambda: lockstep_bound(4, args.vec_steps // 4))
    bound_8, _ = median_of(args.runs, lambda: lockstep_bound(8, args.vec_steps // 8))
    busy_runs = min(args.runs, 3)
    two_dummies, _ = median_of(busy_runs, lambda: concurrent_vec_envs_steps_per_s("dummy"))
    two_sharded_envs, _ = median_of(busy_runs, lambda: concurrent_vec_envs_steps_per_s("sharded"))

    rows = [
        ("QWOPEnv env steps/s (frames_per_step=4)", f"{steps_s:,.0f}", ""),
        ("physics ticks/s inside the env", f"{ticks_s:,.0f}", ""),
        ("bare pybox2d world ticks/s", f"{bare:,.0f}", "states through pybox2d's attributes"),
        ("ratio env ticks / bare ticks", f"{ticks_s / bare:.2f}", "target >= 0.5"),
        ("bare world, states gathered, ticks/s", f"{floor:,.0f}", "states read as QWOPWorld reads them"),
        ("ratio env ticks / gathered bare ticks", f"{ticks_s / floor:.2f}", "the env's and rules' own cost"),
        ("DummyVecEnv 1 env, env steps/s", f"{rate['dummy 1']:,.0f}", ""),
        ("SubprocVecEnv 2 workers, env steps/s", f"{rate['subproc 2']:,.0f}", ""),
        ("ratio 2 workers / 1 env", ratio("subproc 2", "dummy 1"),
         f"target >= 1.7 on 2 cores ({os.cpu_count()} here); {spread('subproc 2', 'dummy 1')}"),
        ("sharded: 2 envs (this process + 1 polling worker)", f"{rate['sharded 2']:,.0f}", "vec_env: sharded"),
        ("ratio sharded 2 envs / 1 env", ratio("sharded 2", "dummy 1"),
         f"the same measure, our vector env; {spread('sharded 2', 'dummy 1')}"),
        ("  the same through a pipe, env steps/s", f"{rate['piped 2']:,.0f}", "transport: pipe"),
        ("  ratio, pipe", ratio("piped 2", "dummy 1"), ""),
        ("DummyVecEnv 8 envs, env steps/s", f"{rate['dummy 8']:,.0f}", "one process"),
        ("sharded: 2 shards x 4 envs (this process + 1 worker)", f"{rate['sharded 8']:,.0f}", "vec_env: sharded"),
        ("ratio sharded 2 x 4 / 1 env", ratio("sharded 8", "dummy 1"),
         f"target >= 1.7 on 2 cores: 2 workers against 1 env; {spread('sharded 8', 'dummy 1')}"),
        ("ratio sharded 2 x 4 / 8 envs in 1 process", ratio("sharded 8", "dummy 8"), spread("sharded 8", "dummy 8")),
        ("  the same through a pipe, env steps/s", f"{rate['piped 8']:,.0f}", "transport: pipe"),
        ("  ratio, pipe", ratio("piped 8", "dummy 8"), ""),
        ("DummyVecEnv 16 envs, env steps/s", f"{rate['dummy 16']:,.0f}", "one process"),
        ("sharded: 2 shards x 8 envs", f"{rate['sharded 16']:,.0f}", "vec_env: sharded"),
        ("ratio sharded 2 x 8 / 1 env", ratio("sharded 16", "dummy 1"), spread("sharded 16", "dummy 1")),
        ("ratio sharded 2 x 8 / 16 envs in 1 process", ratio("sharded 16", "dummy 16"),
         spread("sharded 16", "dummy 16")),
        ("2 DummyVecEnv(8) stepping at once, summed", f"{two_dummies:,.0f}", "2 processes on 2 cores"),
        ("2 sharded 2 x 4 stepping at once, summed", f"{two_sharded_envs:,.0f}",
         "4 processes on 2 cores: oversubscribed"),
        ("  ratio", f"{two_sharded_envs / two_dummies:.2f}", "without the spin policy: 0.23"),
        ("1 independent env process, env steps/s", f"{rate['1 process']:,.0f}", "in the same rounds"),
        ("2 independent env processes, summed", f"{rate['2 processes']:,.0f}", "no communication at all"),
        ("machine ceiling: 2 processes / 1", ratio("2 processes", "1 process"),
         f"no vector env can beat this; {spread('2 processes', '1 process')}"),
        ("lock-step bound, 2 shards x 1 env", f"{bound_1:.2f}", "mean(A+B) / mean(max(A, B)) of timed env steps"),
        ("lock-step bound, 2 shards x 4 envs", f"{bound_4:.2f}", "no lock-step vector env can beat these"),
        ("lock-step bound, 2 shards x 8 envs", f"{bound_8:.2f}", ""),
    ]
    print(f"median of {args.runs} runs; {args.steps:,} env steps per single-env run, {short:,} vector steps per "
          f"1- and 2-env run ({long_:,} with 8 envs, {longer:,} with 16); random actions, resets included; vector "
          "envs measured in interleaved rounds, each ratio the median of its rounds' ratios")
    print(f"CPU time stolen by the host during the rounds: {steal_share(jiffies_before, jiffies_after)}")
    width = max(len(r[0]) for r in rows)
    print(f"| {'measure':<{width}} | {'value':>10} | note |")
    print(f"| {'-' * width} | {'-' * 10} | ---- |")
    for name, value, note in rows:
        print(f"| {name:<{width}} | {value:>10} | {note} |")


if __name__ == "__main__":
    main()
