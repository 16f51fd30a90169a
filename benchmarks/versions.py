"""One ``QWOPEnv``'s env steps/s in this working tree against a git revision, in interleaved rounds.

    python -m benchmarks.versions --base REV [--runs 5] [--steps 20000] [--observation extended]

Why: a change meant to make the env faster (or one that must not make it slower) is judged against the
code before it on the same machine in the same minutes; this VM's speed drifts by up to ~40 % over
minutes, so figures from two separate runs of ``benchmarks.env`` cannot tell a 10 % change. ``--base``
is checked out into a temporary ``git worktree`` (removed afterwards); each round runs one fresh Python
process per tree, in alternating order, stepping random actions (the default training config's
settings: 4 frames a step, the 9-action set, the extended observation; resets included). Prints each
tree's median and rounds, and new / base with its per-round range. Run it on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

if __package__ in (None, ""):  # run as ``python benchmarks/versions.py``
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import cpu_jiffies, machine, steal_share  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: Run in each tree's own interpreter process: only the API every revision since the extended
#: observation has (``QWOPEnv(frames_per_step, reduced_action_set, observation)``, ``step``, ``reset``).
CHILD = """
import sys, time
import numpy as np
from qwop_studio.env.qwop_env import QWOPEnv
steps, observation = int(sys.argv[1]), sys.argv[2]
env = QWOPEnv(frames_per_step=4, reduced_action_set=True, observation=observation)
actions = np.random.default_rng(0).integers(0, env.action_space.n, size=steps).tolist()
env.reset(seed=0)
start = time.perf_counter()
for action in actions:
    terminated, truncated = env.step(action)[2:4]
    if terminated or truncated:
        env.reset()
print(steps / (time.perf_counter() - start))
"""


def steps_per_s(tree: str, steps: int, observation: str) -> float:
    """One fresh process importing ``qwop_studio`` from ``tree``: its env steps/s."""
    env = {**os.environ, "PYTHONPATH": tree, "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", CHILD, str(steps), observation], cwd=tree, env=env,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the git revision to compare against (e.g. HEAD~2)")
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--steps", type=int, default=20000, help="env steps per run (default 20000)")
    parser.add_argument("--observation", default="extended", choices=("extended", "qwop-gym"))
    args = parser.parse_args(argv)
    if args.runs < 1 or args.steps < 1:
        parser.error("--runs and --steps must be >= 1")
    rev = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{args.base}^{{commit}}"], cwd=REPO,
                         capture_output=True, text=True)
    if rev.returncode != 0:
        print(f"benchmarks.versions: --base {args.base!r} is not a commit of {REPO}", file=sys.stderr)
        return 2
    base_commit = rev.stdout.strip()
    print(f"machine: {machine()}")
    print(f"one QWOPEnv (4 frames a step, 9 actions, {args.observation} observation), {args.steps:,} random-action "
          f"steps per run, {args.runs} interleaved rounds: this tree against {args.base} ({base_commit[:10]})",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="qwop_base_") as parent:
        base_tree = os.path.join(parent, "tree")
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", base_tree, base_commit], cwd=REPO, check=True)
        try:
            before = cpu_jiffies()
            new, base = [], []
            for round_index in range(args.runs):
                order = [(REPO, new), (base_tree, base)]
                for tree, values in order if round_index % 2 == 0 else reversed(order):
                    values.append(steps_per_s(tree, args.steps, args.observation))
            print(f"steal time during the runs: {steal_share(before, cpu_jiffies())}")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", base_tree], cwd=REPO, check=False)
    for name, values in (("this tree", new), (f"base {args.base}", base)):
        print(f"  {name:<16} {statistics.median(values):>8,.0f} env steps/s   "
              f"(rounds: {', '.join(f'{v:,.0f}' for v in values)})")
    ratios = [n / b for n, b in zip(new, base, strict=True)]
    print(f"  this tree / base: {statistics.median(ratios):.3f}x (rounds {min(ratios):.3f}-{max(ratios):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
