"""Learning speed in wall-clock time: train each config for the same minutes, evaluate its checkpoints.

For each config this runs ``qwop-studio train --config NAME --max-minutes M`` in a fresh process
(checkpoints every ``--checkpoint-steps`` env steps), then evaluates every checkpoint over
``--episodes`` deterministic episodes with ``start_noop_max`` 30 and maps it to the wall-clock minute
at which it was saved (from the run's ``progress.csv``). It writes ``results.csv``, ``results.json``
and, if matplotlib is installed (``pip install -e ".[plots]"``), ``learning_speed.png``: success rate
and median 100 m time against minutes, one line per config.

    python -m benchmarks.learning_speed --configs train_ppo train_qrdqn --minutes 10 --out saves/experiments/cmp

``--evaluate-only`` re-evaluates runs already in ``--out`` (a run directory named after each config);
``--include CSV`` adds rows of an earlier ``results.csv`` (other configs) to the table and plot.

Run it on an otherwise idle machine: every config gets the whole machine for its minutes.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as ``python benchmarks/learning_speed.py``
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import machine, pyplot  # noqa: E402
from qwop_studio.saves import saves_root  # noqa: E402
from qwop_studio.train.progress_log import PROGRESS, read_progress  # noqa: E402


def train(config: str, minutes: float, run_dir: Path, checkpoint_steps: int, extra: list[str]) -> float:
    """Train ``config`` for ``minutes`` in a fresh process; the wall time it took (s)."""
    cmd = [sys.executable, "-m", "qwop_studio.cli", "train", "--config", config, "--run-dir", str(run_dir),
           "--max-minutes", str(minutes), "--no-progress", "--set", f"checkpoint_freq={checkpoint_steps}", *extra]
    print("$", " ".join(cmd), flush=True)
    start = time.monotonic()
    subprocess.run(cmd, check=True)
    return time.monotonic() - start


def minute_of_step(progress_csv: Path) -> tuple[list[int], list[float], float | None]:
    """(steps, wall minutes) per finished episode, and the minute of the first successful episode."""
    steps, minutes, first = [], [], None
    for episode in read_progress(progress_csv):
        steps.append(episode.step)
        minutes.append(episode.wall_time_s / 60.0)
        if first is None and episode.is_success:
            first = minutes[-1]
    return steps, minutes, first


def minute_saved(step: int, steps: list[int], minutes: list[float]) -> float:
    """The wall-clock minute a checkpoint of ``step`` was saved: that of the first episode logged at or after
    it (``steps``/``minutes`` from :func:`minute_of_step`), else the last one (0 for an empty log)."""
    return next((m for s, m in zip(steps, minutes, strict=True) if s >= step), minutes[-1] if minutes else 0.0)


def evaluate_checkpoints(run_dir: Path, episodes: int) -> list[dict]:
    """Evaluate every checkpoint of a run; one row per checkpoint, in step order."""
    from qwop_studio.train.evaluate import evaluate_model

    steps, minutes, _ = minute_of_step(run_dir / PROGRESS)
    rows = []
    paths = sorted((run_dir / "checkpoints").glob("model_*_steps.zip"), key=lambda p: int(p.stem.split("_")[1]))
    for path in paths:
        step = int(path.stem.split("_")[1])
        minute = minute_saved(step, steps, minutes)
        report = evaluate_model(path, episodes=episodes, deterministic=True, start_noop_max=30)
        rows.append({"config": run_dir.name, "step": step, "minute": round(minute, 2),
                     "success_rate": report["success_rate"],
                     "median_success_time_s": report["success_time"]["median"],
                     "best_success_time_s": report["best_success_time"],
                     "distance_mean_m": report["distance"]["mean"],
                     "avg_speed_mean": report["avg_speed"]["mean"]})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def read_results(path: Path) -> list[dict]:
    """Rows of an earlier ``results.csv``, with numbers as numbers (empty cells as None)."""
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rows.append({k: (row[k] if k == "config" else (float(row[k]) if row[k] != "" else None)) for k in row})
            rows[-1]["step"] = int(rows[-1]["step"])
    return rows


def plot(rows: list[dict], out: Path, minutes: float) -> Path | None:
    plt = pyplot()
    if plt is None:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name in dict.fromkeys(r["config"] for r in rows):
        mine = [r for r in rows if r["config"] == name]
        ax1.plot([r["minute"] for r in mine], [100 * r["success_rate"] for r in mine], marker="o", label=name)
        timed = [r for r in mine if r["median_success_time_s"] is not None]
        ax2.plot([r["minute"] for r in timed], [r["median_success_time_s"] for r in timed], marker="o", label=name)
    ax1.set(xlabel="wall-clock minutes of training (2 cores)", ylabel="evaluation success rate (%)",
            title="Finishing 100 m", xlim=(0, minutes), ylim=(-2, 102))
    ax2.set(xlabel="wall-clock minutes of training (2 cores)", ylabel="median 100 m time (s, game clock)",
            title="Finish time (successful episodes)", xlim=(0, minutes))
    ax2.axhline(60, color="grey", lw=0.8, ls="--")
    ax2.axhline(45.5, color="goldenrod", lw=0.8, ls=":")
    ax2.text(0.2, 45.8, "human record 45.5 s", color="goldenrod", fontsize=8)
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    path = out / "learning_speed.png"
    fig.savefig(path, dpi=110)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", required=True, help="config names or YAML files")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--checkpoint-steps", type=int, default=150_000)
    parser.add_argument("--episodes", type=int, default=20, help="evaluation episodes per checkpoint")
    parser.add_argument("--out", type=Path, default=saves_root() / "experiments" / "learning_speed",
                        help="where the runs and results go (default <saves>/experiments/learning_speed)")
    parser.add_argument("--evaluate-only", action="store_true", help="re-evaluate existing runs in --out")
    parser.add_argument("--include", type=Path, nargs="*", default=[], metavar="CSV",
                        help="earlier results.csv files whose rows join the table and plot")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows, summary = [], {"machine": machine(), "minutes": args.minutes, "configs": {}}
    for earlier in args.include:
        rows += read_results(earlier)
    for config in args.configs:
        name = Path(config).stem
        run_dir = args.out / name
        if not args.evaluate_only:
            train(config, args.minutes, run_dir, args.checkpoint_steps, [])
        mine = evaluate_checkpoints(run_dir, args.episodes)
        rows += mine
        _, _, first = minute_of_step(run_dir / PROGRESS)
        best = max(mine, key=lambda r: (r["success_rate"], -(r["median_success_time_s"] or 1e9)), default=None)
        summary["configs"][name] = {"first_training_finish_minute": first, "last": mine[-1] if mine else None,
                                    "best": best}
    with open(args.out / "results.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (args.out / "results.json").write_text(json.dumps(summary, indent=2))
    plot(rows, args.out, args.minutes)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
