"""Issue 18: every from-scratch run of the recipe ``train_ppo_record`` by env steps (in-training evaluations:
50 starts every 2 M env steps, evaluation seed 10000): the 19th and 20th sessions' (SB3's global clip), the
26th's (``grad_clip: per_net``) and the 27th's (per_net and all 16 actions), continued in the 28th. Run from the
repository root:

    python docs/results/record_s26/plot_recipe.py docs/results/s28_recipe_16a_continued.png

(``docs/results/s26_recipe_per_net.png`` and ``s27_recipe_16a.png`` are the same plot before the 27th and
28th sessions' arms.)
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ARMS = {
    "per_net, 16 actions, seed 0 (27th, 95 + 20 min)": ("docs/results/record_s27/recipe_16a_s0_evaluations.csv", "-"),
    "  the same run continued (28th, + 65 min)": ("docs/results/record_s28/recipe_16a_s0_cont_evaluations.csv", "-"),
    "grad_clip per_net, 9 actions, seed 0 (26th, 95 min)": ("docs/results/record_s26/recipe_per_net_s0_evaluations.csv",
                                                            "-."),
    "global clip, seed 0 (19th, 95 min)": ("docs/results/record_s19/recipe_seed0_evaluations.csv", "--"),
    "global clip, seed 1 (20th, 130 min)": ("docs/results/record_s20/recipe_seed1_evaluations.csv", ":"),
}
#: The 16-action recipe's training speed alone on the 2-core VM (27th: 51.3 M env steps in 95 min; its
#: 20-minute continuation 10.7 M; 28th: see the training log), for the hours axis.
STEPS_M_PER_MINUTE = 0.54


def read(path: str) -> list[dict[str, float]]:
    with open(path, newline="") as f:
        return [{"steps_m": int(r["step"]) / 1e6, "success": 100 * float(r["success_rate"]),
                 "median": float(r["median_time_s"])} for r in csv.DictReader(f)]


def main(out: str) -> None:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    for label, (path, style) in ARMS.items():
        rows = read(path)
        steps = [r["steps_m"] for r in rows]
        top.plot(steps, [r["median"] for r in rows], style, label=label)
        bottom.plot(steps, [r["success"] for r in rows], style, label=label)
    top.axhline(50, color="grey", lw=0.8)
    top.text(1, 50.2, "the issue's 50 s for a recipe", fontsize=8, color="grey")
    top.set_ylim(48, 72)
    top.set_ylabel("median 100 m time (s)")
    bottom.set_ylabel("success (%)")
    bottom.set_xlabel("env steps (M)")
    bottom.set_ylim(50, 102)
    top.legend(fontsize=8)
    hours = top.secondary_xaxis("top", functions=(lambda m: m / (60 * STEPS_M_PER_MINUTE),
                                                  lambda h: h * 60 * STEPS_M_PER_MINUTE))
    hours.set_xlabel(f"wall-clock hours at the 16-action runs' {STEPS_M_PER_MINUTE} M env steps a minute", fontsize=8)
    top.set_title("train_ppo_record from scratch, 2-core VM, alone: in-training evaluations (50 starts)")
    fig.tight_layout()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1])
