"""Compare finished training runs the way a user feels them: by wall-clock minute.

Each run directory is evaluated at minute marks (default every 5 minutes): the last checkpoint saved at or
before the mark (its minute read from the run's ``progress.csv``) and, at the run's end, ``final_model.zip``,
each over ``--episodes`` deterministic starts with ``start_noop_max`` 30. Runs are grouped into arms
(``--arm NAME=DIR[,DIR...]``, one directory per seed). It prints a table (first finish in training, then
success and median 100 m time at each mark, per run and the arm's median), writes ``compare.csv``,
``compare.json`` and ``compare.png`` to ``--out``.

    python -m benchmarks.compare_runs --out saves/experiments/s10/cmp30 \\
        --arm none=saves/experiments/s10/cmp30/none_s0,saves/experiments/s10/cmp30/none_s1 \\
        --arm demos=saves/experiments/s10/cmp30/demos_s0,saves/experiments/s10/cmp30/demos_s1

Every evaluation is kept as ``<run>/evals/<model>_eval<N>.json`` and reused, so a second call (more arms,
another mark) only evaluates what is new. ``--jobs 2`` evaluates two models at once (one core each).
Run it with nothing else training: the evaluations are the same either way, but they take twice as long.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

if __package__ in (None, ""):  # run as ``python benchmarks/compare_runs.py``
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import machine, pyplot  # noqa: E402
from benchmarks.learning_speed import minute_of_step, minute_saved  # noqa: E402
from qwop_studio.train.progress_log import PROGRESS  # noqa: E402

#: How late a checkpoint may be saved and still count for a mark: the minute-based checkpoints land a few
#: seconds after it.
MARK_TOLERANCE_MIN = 0.5


@dataclass(frozen=True)
class Point:
    """One model of one run to evaluate: the minute mark it stands for."""

    arm: str
    run: Path
    mark: float
    model: Path
    minute: float


def checkpoint_minutes(run: Path) -> list[tuple[float, Path]]:
    """(minute saved, path) of every checkpoint of ``run``, in order, then the final model at the run's end."""
    steps, minutes, _ = minute_of_step(run / PROGRESS)
    found = []
    for path in (run / "checkpoints").glob("model_*_steps.zip"):
        step = int(path.stem.split("_")[1])
        found.append((minute_saved(step, steps, minutes), path))
    found.sort()
    if (run / "final_model.zip").is_file() and minutes:
        found.append((minutes[-1], run / "final_model.zip"))
    return found


def points_of(arm: str, run: Path, marks: list[float]) -> list[Point]:
    """The model standing for each mark: the last one saved by mark + tolerance (the final model for the end)."""
    saved = checkpoint_minutes(run)
    end = saved[-1][0] if saved else 0.0
    points = []
    for mark in marks:
        before = [(m, p) for m, p in saved if m <= mark + MARK_TOLERANCE_MIN]
        if before and mark <= end + MARK_TOLERANCE_MIN:  # marks past the run's end are not its
            points.append(Point(arm, run, mark, before[-1][1], round(before[-1][0], 2)))
    return points


def evaluate_point(model: Path, run: Path, episodes: int) -> dict:
    """The evaluation report of ``model`` (cached in ``<run>/evals``)."""
    from qwop_studio.train.evaluate import evaluate_model

    cache = run / "evals" / f"{model.stem}_eval{episodes}.json"
    if cache.is_file():
        return json.loads(cache.read_text(encoding="utf-8"))
    cache.parent.mkdir(exist_ok=True)
    return evaluate_model(model, episodes=episodes, deterministic=True, start_noop_max=30, json_out=cache)


def row_of(point: Point, report: dict, first_finish: float | None) -> dict:
    return {"arm": point.arm, "run": point.run.name, "mark_min": point.mark, "saved_min": point.minute,
            "model": point.model.name, "first_finish_min": None if first_finish is None else round(first_finish, 2),
            "success_rate": report["success_rate"], "median_time_s": report["success_time"]["median"],
            "best_time_s": report["best_success_time"], "median_distance_m": report["distance"].get("median"),
            "mean_distance_m": report["distance"]["mean"],
            "torso_height": (report.get("torso_height") or {}).get("mean"),
            "knee_on_track": (report.get("knee_on_track") or {}).get("mean"),
            "stood_still": report.get("stood_still")}


def arm_medians(rows: list[dict]) -> list[dict]:
    """Per arm and mark: the median over its runs of success and median time (runs without finishes skipped)."""
    out = []
    for arm in dict.fromkeys(r["arm"] for r in rows):
        for mark in sorted({r["mark_min"] for r in rows if r["arm"] == arm}):
            mine = [r for r in rows if r["arm"] == arm and r["mark_min"] == mark]
            times = [r["median_time_s"] for r in mine if r["median_time_s"] is not None]
            out.append({"arm": arm, "mark_min": mark, "runs": len(mine),
                        "success_rate": statistics.median(r["success_rate"] for r in mine),
                        "median_time_s": statistics.median(times) if times else None})
    return out


def print_table(rows: list[dict]) -> None:
    marks = sorted({r["mark_min"] for r in rows})
    print("run".ljust(24) + "first finish".rjust(13) + "".join(f"{m:>15g} min" for m in marks))
    for run in dict.fromkeys((r["arm"], r["run"]) for r in rows):
        mine = {r["mark_min"]: r for r in rows if (r["arm"], r["run"]) == run}
        first = next(iter(mine.values()))["first_finish_min"]
        cells = []
        for m in marks:
            r = mine.get(m)
            cells.append("-" if r is None else f"{r['success_rate']:.0%} / "
                         + ("-" if r["median_time_s"] is None else f"{r['median_time_s']:.1f} s")
                         + (f" ({r['stood_still']} still)" if r.get("stood_still") else ""))
        print(f"{run[0] + ' ' + run[1]:<24}" + f"{'-' if first is None else f'{first:.1f} min':>13}"
              + "".join(f"{c:>19}" for c in cells))
    for arm in arm_medians(rows):
        if arm["runs"] > 1:
            time_s = "-" if arm["median_time_s"] is None else f"{arm['median_time_s']:.1f} s"
            print(f"  {arm['arm']} at {arm['mark_min']:g} min, median of {arm['runs']} runs: "
                  f"{arm['success_rate']:.0%} / {time_s}")


def plot(rows: list[dict], out: Path, title: str) -> Path | None:
    plt = pyplot()
    if plt is None:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    arms = list(dict.fromkeys(r["arm"] for r in rows))
    styles = ["-", "--", ":", "-."]
    for run in dict.fromkeys((r["arm"], r["run"]) for r in rows):
        mine = sorted((r for r in rows if (r["arm"], r["run"]) == run), key=lambda r: r["mark_min"])
        nth = list(dict.fromkeys(r["run"] for r in rows if r["arm"] == run[0])).index(run[1])
        style = {"color": colours[arms.index(run[0]) % len(colours)], "marker": "o", "alpha": 0.85,
                 "ls": styles[nth % len(styles)], "label": f"{run[0]} ({run[1]})"}
        ax1.plot([r["mark_min"] for r in mine], [100 * r["success_rate"] for r in mine], **style)
        timed = [r for r in mine if r["median_time_s"] is not None]
        ax2.plot([r["mark_min"] for r in timed], [r["median_time_s"] for r in timed], **style)
    ax1.set(xlabel="wall-clock minutes of training", ylabel="finished 100 m (% of 100 starts)",
            title="Success", ylim=(-2, 102))
    ax2.set(xlabel="wall-clock minutes of training", ylabel="median 100 m time (s, game clock)",
            title="Median time of the finishes")
    ax2.axhline(45.5, color="goldenrod", lw=0.8, ls=":")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = out / "compare.png"
    fig.savefig(path, dpi=110)
    return path


def parse_arm(text: str) -> tuple[str, list[Path]]:
    name, sep, dirs = text.partition("=")
    if not sep or not name or not dirs:
        raise argparse.ArgumentTypeError(f"--arm {text}: expected NAME=DIR[,DIR...]")
    runs = [Path(d) for d in dirs.split(",")]
    for run in runs:
        if not (run / PROGRESS).is_file():
            raise argparse.ArgumentTypeError(f"--arm {text}: {run} is not a run directory (no {PROGRESS})")
    return name, runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arm", type=parse_arm, action="append", required=True, metavar="NAME=DIR[,DIR...]")
    parser.add_argument("--marks", type=float, nargs="+", default=[5, 10, 15, 20, 25, 30], metavar="MIN")
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=1, help="evaluations at once (one core each)")
    parser.add_argument("--out", type=Path, required=True, help="where compare.csv/json/png go")
    parser.add_argument("--title", default="", help="the plot's title (say the machine and how the runs ran)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    points = [p for arm, runs in args.arm for run in runs for p in points_of(arm, run, args.marks)]
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=get_context("spawn")) as pool:
        reports = list(pool.map(evaluate_point, [p.model for p in points], [p.run for p in points],
                                [args.episodes] * len(points)))
    rows = [row_of(p, r, minute_of_step(p.run / PROGRESS)[2]) for p, r in zip(points, reports, strict=True)]
    with open(args.out / "compare.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    summary = {"machine": machine(), "episodes": args.episodes, "start_noop_max": 30, "rows": rows,
               "arms": arm_medians(rows)}
    (args.out / "compare.json").write_text(json.dumps(summary, indent=2))
    print_table(rows)
    plot(rows, args.out, args.title)
    return 0


if __name__ == "__main__":
    sys.exit(main())
