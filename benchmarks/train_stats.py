"""What PPO's own statistics did in finished runs, by wall-clock window: clip fraction, KL, gradient norms, lag.

Why: asynchronous collection trains on rollouts from a policy one update old. PPO's ratio corrects for
that, but it shows in ``train/clip_fraction`` and ``train/approx_kl``; comparing them against lock-step
runs of the same config says whether the lag costs anything. Each run's TensorBoard scalars (SB3 writes
them to ``<run>/tb/<ALGO>``) are read with TensorBoard's own reader; every tag is summarised as its
median over the updates in each window of ``--window`` minutes, counted from the run's first update.

    python -m benchmarks.train_stats saves/experiments/s12/lockstep_s0 saves/experiments/s12/async_s0 \\
        --window 10 --json saves/experiments/s12/train_stats.json
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as ``python benchmarks/train_stats.py``
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import machine  # noqa: E402
from qwop_studio.fileio import atomic_write_text, check_writable_file  # noqa: E402

#: The statistics summarised, in the order printed (a run without a tag, e.g. lock-step's lag, shows "-").
#: The gradient norms before the clip (``train/grad_norm``, or per net with ``grad_clip: per_net``) and the
#: value loss say whether the clip starves the policy (docs/training-results.md, 25th-26th sessions).
TAGS = ("train/clip_fraction", "train/approx_kl", "train/grad_norm", "train/grad_norm_policy",
        "train/grad_norm_value", "train/value_loss", "async/policy_lag", "async/learner_wait_s", "time/fps")


def run_scalars(run: Path, tags: tuple[str, ...] = TAGS) -> dict[str, list[tuple[float, float]]]:
    """(seconds since the run's first update, value) of each of ``tags`` the run logged."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    logs = sorted(p for p in (run / "tb").glob("*") if p.is_dir())
    if not logs:
        raise FileNotFoundError(f"{run}: no TensorBoard log folder under tb/")
    found: dict[str, list[tuple[float, float]]] = {}
    for log in logs:  # a resumed run may log to more than one folder; the wall clock orders them
        events = EventAccumulator(str(log), size_guidance={"scalars": 0})
        events.Reload()
        for tag in tags:
            if tag in events.Tags()["scalars"]:
                found.setdefault(tag, []).extend((e.wall_time, e.value) for e in events.Scalars(tag))
    start = min((t for series in found.values() for t, _ in series), default=0.0)
    return {tag: sorted((t - start, v) for t, v in series) for tag, series in found.items()}


def windowed_medians(series: list[tuple[float, float]], window_s: float) -> dict[int, float]:
    """The median value in each window (keyed by its index: 0 = the first ``window_s`` seconds)."""
    buckets: dict[int, list[float]] = {}
    for seconds, value in series:
        buckets.setdefault(int(seconds // window_s), []).append(value)
    return {index: statistics.median(values) for index, values in sorted(buckets.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run directories (each with its tb/ folder)")
    parser.add_argument("--window", type=float, default=10.0, help="minutes per window (default 10)")
    parser.add_argument("--json", type=Path, default=None, help="also write the medians here")
    args = parser.parse_args(argv)
    if args.window <= 0:
        parser.error("--window: must be > 0 minutes")
    if args.json is not None:
        check_writable_file(args.json, "--json")
    print(f"machine: {machine()}")
    result: dict[str, dict[str, dict[int, float]]] = {}
    for run in args.runs:
        try:
            scalars = run_scalars(run)
        except FileNotFoundError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        result[str(run)] = {tag: windowed_medians(series, args.window * 60) for tag, series in scalars.items()}
    windows = sorted({i for tags in result.values() for medians in tags.values() for i in medians})
    header = "  ".join(f"{i * args.window:g}-{(i + 1) * args.window:g} min".rjust(12) for i in windows)
    for tag in TAGS:
        print(f"\n{tag} (median per window)\n  {'run':<40}{header}")
        for run, tags in result.items():
            medians = tags.get(tag, {})
            cells = "  ".join(f"{medians[i]:12.4g}" if i in medians else f"{'-':>12}" for i in windows)
            print(f"  {Path(run).name:<40}{cells}")
    if args.json is not None:
        atomic_write_text(args.json, json.dumps({"machine": machine(), "window_min": args.window,
                                                 "medians": result}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
