"""Issue 18: continuation arms' curves (in-training evaluations over 50 starts every 2 M env steps, and the
training episodes' median 100 m time per 10 minutes). Reads the copies in ``--dir`` (default: beside this
file; ``{arm}_evaluations.csv``, ``{arm}_windows.csv``); ``--from-runs DIR`` first writes those from the run
folders (``DIR/{arm}/``). ``--reference PREFIX ...`` adds other sessions' arms, dashed (its CSVs are
``PREFIX_evaluations.csv`` and ``PREFIX_windows.csv``). Run from the repository root; the 22nd session's:
    python docs/results/record_s22/plot_arms.py [--from-runs saves/experiments/s22]
the 23rd session's (its control is the 22nd's):
    python docs/results/record_s22/plot_arms.py --dir docs/results/record_s23 --arms cadence5 cadence10 exp3 \
        --reference docs/results/record_s22/control --out docs/results/s23_continuation_arms.png \
        --title "Continuing the shipped runner (50.4 s): the cadence bonus at 5 and 10, the velocity cubed"
"""
from __future__ import annotations

import argparse
import csv
import shutil
import statistics
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from qwop_studio.train.progress_log import read_progress  # noqa: E402

HERE = Path(__file__).parent
ARMS = ("control", "ent001", "posture0")
START_STEPS = 74_780_696
WINDOW_MIN = 10


def write_windows(progress: Path, out: Path) -> None:
    """Per 10 wall-clock minutes: the share of training episodes that finished and their median time."""
    rows = read_progress(progress)
    with out.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["minute_from", "minute_to", "episodes", "success_rate", "median_time_s"])
        start = 0
        while True:
            chosen = [r for r in rows if start * 60 <= r.wall_time_s < (start + WINDOW_MIN) * 60]
            if not chosen:
                break
            times = [r.time_s for r in chosen if r.is_success]
            writer.writerow([start, start + WINDOW_MIN, len(chosen), f"{len(times) / len(chosen):.3f}",
                             f"{statistics.median(times):.3f}" if times else ""])
            start += WINDOW_MIN


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-runs", type=Path, default=None)
    parser.add_argument("--dir", type=Path, default=HERE)
    parser.add_argument("--arms", nargs="+", default=list(ARMS))
    parser.add_argument("--reference", nargs="*", default=[], metavar="PREFIX")
    parser.add_argument("--minutes-label", default="wall-clock minutes (three arms side by side on 2 cores)")
    parser.add_argument("--title", default="Continuing the shipped runner (50.4 s): control, entropy 0.001, "
                                           "no posture term")
    parser.add_argument("--out", type=Path, default=HERE.parent / "s22_continuation_arms.png")
    args = parser.parse_args()
    if args.from_runs:
        for arm in args.arms:
            shutil.copyfile(args.from_runs / arm / "evaluations.csv", args.dir / f"{arm}_evaluations.csv")
            write_windows(args.from_runs / arm / "progress.csv", args.dir / f"{arm}_windows.csv")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110)
    curves = [(str(args.dir / arm), arm, "o-") for arm in args.arms]
    for reference in args.reference:
        curves.append((reference, f"{Path(reference).name} ({Path(reference).parent.name})", "s--"))
    for prefix, label, style in curves:
        evaluations = list(csv.DictReader(Path(f"{prefix}_evaluations.csv").open()))
        steps = [(int(r["step"]) - START_STEPS) / 1e6 for r in evaluations]
        left.plot(steps, [float(r["median_time_s"]) for r in evaluations], style, label=label)
        windows = list(csv.DictReader(Path(f"{prefix}_windows.csv").open()))
        right.plot([int(w["minute_to"]) for w in windows], [float(w["median_time_s"]) for w in windows], style,
                   label=label)
    left.set_xlabel("env steps since the shipped runner (M)")
    left.set_ylabel("median 100 m time, 50 evaluation starts (s)")
    left.set_title("In-training evaluations (deterministic)")
    right.set_xlabel(args.minutes_label)
    right.set_ylabel("median 100 m time of finished training episodes (s)")
    right.set_title("Training episodes, per 10 minutes")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(args.title)
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
