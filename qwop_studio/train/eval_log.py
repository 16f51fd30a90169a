"""``evaluations.csv``: a run's periodic evaluations (config ``eval_freq``), one row each.

Written by ``best_model.BestModelCallback`` (a header written atomically, then whole lines
appended); read back by the studio's charts, so that a resumed run shows its earlier evaluation dots
as well as its episodes. One light module owns the format so that the studio can read it without
importing Stable-Baselines3 (as ``weight_log`` does for ``reward_weights.csv``).
"""
from __future__ import annotations

import csv
from pathlib import Path

from qwop_studio.fileio import append_lines, start_csv
from qwop_studio.train import messages as msg

EVALUATIONS = "evaluations.csv"
#: One row per evaluation; ``median_time_s`` is empty when no episode finished.
EVALUATION_COLUMNS: tuple[str, ...] = ("step", "success_rate", "median_time_s", "score_s", "improved", "duration_s")


def append_evaluation(path: Path, event: msg.Evaluated) -> None:
    """Add one evaluation to ``path`` (the header first if the file is new or empty)."""
    start_csv(path, EVALUATION_COLUMNS)
    median = "" if event.median_time_s is None else f"{event.median_time_s:.3f}"
    append_lines(path, f"{event.step},{event.success_rate:.4f},{median},{event.score_s:.3f},"
                       f"{int(event.improved)},{event.duration_s:.2f}\n")


def read_evaluations(path: Path, up_to_step: int | None = None) -> list[msg.Evaluated]:
    """The evaluations in ``path`` in file order, up to ``up_to_step`` if given; [] if there is no file.

    A damaged row (a number that does not parse, a missing column) is skipped, not fatal: the log is
    a convenience for the charts, never a reason for the studio to fail.
    """
    rows: list[msg.Evaluated] = []
    try:
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                try:
                    step = int(row["step"])
                    median = float(row["median_time_s"]) if row["median_time_s"] else None
                    event = msg.Evaluated(step, float(row["success_rate"]), median, float(row["score_s"]),
                                          row["improved"] == "1", float(row["duration_s"]))
                except (KeyError, ValueError, TypeError):
                    continue
                if up_to_step is not None and step > up_to_step:
                    break
                rows.append(event)
    except OSError:
        pass
    return rows
