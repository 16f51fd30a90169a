"""Plot the record recipe's snapshots of several seeds (benchmarks.compare_runs CSVs) against env steps and
minutes, so that runs on days when the VM stepped at different rates can be read side by side.

python docs/results/record_s20/plot_seeds.py OUT.png "seed 0=docs/results/s19_recipe_fps2_seed0_95min.csv@56.07" \
    "seed 1=saves/experiments/s20/recipe_seed1/cmp/compare.csv@STEPS_M"
(``@STEPS_M``: the final model's env steps in millions; the checkpoints carry theirs in their names.)
"""
from __future__ import annotations

import csv
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_arm(spec: str) -> tuple[str, list[dict[str, float]]]:
    label, rest = spec.split("=", 1)
    path, _, final_m = rest.partition("@")
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            found = re.search(r"_(\d+)_steps", row["model"])
            steps_m = int(found.group(1)) / 1e6 if found else float(final_m)
            rows.append({"minute": float(row["mark_min"]), "steps_m": steps_m,
                         "success": 100 * float(row["success_rate"]), "median": float(row["median_time_s"])})
    return label, rows


def main(out: str, specs: list[str]) -> None:
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharey="row")
    for label, rows in map(read_arm, specs):
        for col, x in enumerate(("minute", "steps_m")):
            axes[0][col].plot([r[x] for r in rows], [r["median"] for r in rows], "o-", label=label)
            axes[1][col].plot([r[x] for r in rows], [r["success"] for r in rows], "o-", label=label)
    for col, name in enumerate(("wall-clock minutes (2-core VM, alone)", "env steps (millions)")):
        axes[1][col].set_xlabel(name)
        for row, target in ((0, 50.0), (1, 90.0)):  # the "under 50 s from scratch", ">= 90 %"
            axes[row][col].grid(alpha=0.3)
            axes[row][col].axhline(target, color="grey", ls="--", lw=0.8)
    axes[0][0].set_ylabel("median 100 m time, s (100 starts)")
    axes[1][0].set_ylabel("success, % (100 starts)")
    axes[0][0].legend()
    fig.suptitle("train_ppo_record from scratch: each snapshot over 100 starts, start_noop_max 30, deterministic")
    fig.tight_layout()
    fig.savefig(out, dpi=100)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
