"""``reward_weights.csv``: every reward weight a run used, one row per start, change, schedule or resume.

Written by ``callbacks.RewardWeightsCallback`` (whole lines, appended); read back by the trainer on
resume (the weights in force at the checkpoint) and by the studio's charts (the markers of a resumed
run's history). One light module owns the format so that the studio can read it without importing
Stable-Baselines3.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

#: The columns before the weights (one column per weight follows, in ``RewardWeights`` order).
META_COLUMNS: tuple[str, ...] = ("step", "wall_time", "source")


@dataclass(frozen=True)
class WeightLogRow:
    """One logged row: the step it took effect, why (``start``/``change``/``schedule``/``resume``), all weights."""

    step: int
    source: str
    weights: dict[str, float]


def read_weight_log(path: Path, up_to_step: int | None = None) -> list[WeightLogRow]:
    """The rows of ``path`` in file order, up to ``up_to_step`` if given; [] if there is no file.

    A damaged row (a number that does not parse, a missing column) is skipped, not fatal: the log is
    history, and the rows around it still say what they say.
    """
    if not path.is_file():
        return []
    rows: list[WeightLogRow] = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                step = int(row["step"])
                if up_to_step is not None and step > up_to_step:
                    break
                weights = {k: float(v) for k, v in row.items() if k not in META_COLUMNS}
                rows.append(WeightLogRow(step, row["source"], weights))
            except (KeyError, TypeError, ValueError):
                continue
    return rows
