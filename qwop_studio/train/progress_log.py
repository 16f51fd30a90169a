"""``progress.csv``: a run's finished episodes, one row each, in the order the trainer saw them end.

Written by ``callbacks.ProgressCsvCallback`` (a header written atomically, then whole lines appended);
read back by the studio's charts, so that a resumed run shows its earlier episodes, and by
``benchmarks.learning_speed``. One light module owns the format so that readers need not import
Stable-Baselines3 (as ``eval_log`` does for ``evaluations.csv`` and ``weight_log`` for
``reward_weights.csv``).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

PROGRESS = "progress.csv"
#: One row per finished episode: the env step (SB3's ``num_timesteps``) at which it ended, training
#: wall seconds, the env's index in the vector env, the return, the length in env steps, the distance
#: (game m), ``time_s`` on the game clock, the average speed (game m per clock second), and 1 for a
#: success, else 0.
PROGRESS_COLUMNS: tuple[str, ...] = ("step", "wall_time_s", "env", "reward", "length", "distance_m", "time_s",
                                     "avg_speed", "is_success")


@dataclass(frozen=True)
class EpisodeRow:
    """One row of ``progress.csv``, typed; the fields are :data:`PROGRESS_COLUMNS`."""

    step: int
    wall_time_s: float
    env: int
    reward: float
    length: int
    distance_m: float
    time_s: float
    avg_speed: float
    is_success: bool


def read_progress(path: Path, up_to_step: int | None = None) -> list[EpisodeRow]:
    """The episodes in ``path`` in file order, up to ``up_to_step`` if given; [] if there is no file.

    A damaged row (a number that does not parse, a missing column) is skipped, not fatal: the log is
    a convenience for charts and benchmarks, never a reason for them to fail.
    """
    rows: list[EpisodeRow] = []
    try:
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                try:
                    episode = EpisodeRow(int(row["step"]), float(row["wall_time_s"]), int(row["env"]),
                                         float(row["reward"]), int(row["length"]), float(row["distance_m"]),
                                         float(row["time_s"]), float(row["avg_speed"]), row["is_success"] == "1")
                except (KeyError, ValueError, TypeError):
                    continue
                if up_to_step is not None and episode.step > up_to_step:
                    break
                rows.append(episode)
    except OSError:
        pass
    return rows
