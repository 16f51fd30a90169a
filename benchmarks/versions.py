"""One ``QWOPEnv``'s env steps/s (or the default config's while learning) in this working tree against a git
revision, in interleaved rounds.

    python -m benchmarks.versions --base REV [--runs 5] [--steps 20000] [--observation extended]
                                  [--workload random|runner|learning] [--seconds 15]

Why: a change meant to make the env faster (or one that must not make it slower) is judged against the
code before it on the same machine in the same minutes; this VM's speed drifts by up to ~40 % over
minutes, so figures from two separate runs of ``benchmarks.env`` cannot tell a 10 % change. ``--base``
is checked out into a temporary ``git worktree`` (removed afterwards); each round runs one fresh Python
process per tree, in alternating order. ``--workload random`` (the default) steps random actions at the
default training config's settings (4 frames a step, the 9-action set; resets included): a fresh
policy's workload, falls every few dozen steps. ``--workload runner`` replays the shipped runner's keys
from one of its races (2 frames a step, all 16 actions), race after race: a trained policy's workload, a
running gait with few resets. The replay is the same race in both trees (the game is deterministic and
neither tree may change its trajectory). ``--workload learning`` measures instead the default config's
env steps/s while it learns from a fresh policy (``training_throughput``, ``--seconds`` after warm-up,
whatever collection each tree's default is): for a change to the learner or the rollout workers.
Prints each tree's median and rounds, and new / base with its per-round range. Run it on an otherwise
idle machine.
"""
from __future__ import annotations

import argparse
import json
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
import json, sys, time
import numpy as np
from qwop_studio.env.qwop_env import QWOPEnv
steps, observation, workload = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
if workload is None:
    env = QWOPEnv(frames_per_step=4, reduced_action_set=True, observation=observation)
    actions = np.random.default_rng(0).integers(0, env.action_space.n, size=steps).tolist()
else:
    env = QWOPEnv(frames_per_step=2, reduced_action_set=False, observation=observation)
    actions = (workload * (steps // len(workload) + 1))[:steps]
env.reset(seed=0)
start = time.perf_counter()
for action in actions:
    terminated, truncated = env.step(action)[2:4]
    if terminated or truncated:
        env.reset()
print(steps / (time.perf_counter() - start))
"""

#: The ``learning`` workload's child: the default config learning for ``seconds`` (spawn-started workers,
#: hence the guard). ``training_throughput(config, seconds)`` is the API every revision since the 9th session has.
CHILD_LEARNING = """
import sys
if __name__ == "__main__":
    from qwop_studio.train.benchmark import training_throughput
    from qwop_studio.train.config import load_config
    from qwop_studio.train.torch_setup import prepare_torch_process
    prepare_torch_process()
    print(training_throughput(load_config("train_ppo_upright"), float(sys.argv[1])).env_steps_per_s)
"""


def runner_race_actions() -> list[int]:
    """The shipped runner's actions over one deterministic race from the start line (no no-ops), in order."""
    from stable_baselines3 import PPO

    from qwop_studio.env.qwop_env import QWOPEnv
    from qwop_studio.resources import shipped_model

    model = PPO.load(shipped_model("qwop_runner"), device="cpu")
    env = QWOPEnv(frames_per_step=2, reduced_action_set=False, observation="extended")
    obs, _ = env.reset(seed=0)
    actions: list[int] = []
    while True:
        action, _ = model.predict(obs, deterministic=True)
        actions.append(int(action))
        obs, _, terminated, truncated, _ = env.step(actions[-1])
        if terminated or truncated:
            return actions


def steps_per_s(tree: str, steps: int, observation: str, workload: list[int] | None = None,
                learning_s: float | None = None) -> float:
    """One fresh process importing ``qwop_studio`` from ``tree``: its env steps/s (``workload``: actions to
    replay in a loop; None for random actions; ``learning_s``: the default config learning that long instead)."""
    env = {**os.environ, "PYTHONPATH": tree, "OMP_NUM_THREADS": "1"}
    child = [CHILD_LEARNING, str(learning_s)] if learning_s else [CHILD, str(steps), observation, json.dumps(workload)]
    out = subprocess.run([sys.executable, "-c", *child], cwd=tree, env=env,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the git revision to compare against (e.g. HEAD~2)")
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--steps", type=int, default=20000, help="env steps per run (default 20000)")
    parser.add_argument("--observation", default="extended", choices=("extended", "qwop-gym"))
    parser.add_argument("--workload", default="random", choices=("random", "runner", "learning"),
                        help="random actions at 4 frames (default), the shipped runner's race replayed at 2, or "
                             "the default config learning")
    parser.add_argument("--seconds", type=float, default=15.0, help="learning time per run (--workload learning)")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.steps < 1 or args.seconds <= 0:
        parser.error("--runs and --steps must be >= 1, --seconds > 0")
    rev = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{args.base}^{{commit}}"], cwd=REPO,
                         capture_output=True, text=True)
    if rev.returncode != 0:
        print(f"benchmarks.versions: --base {args.base!r} is not a commit of {REPO}", file=sys.stderr)
        return 2
    base_commit = rev.stdout.strip()
    print(f"machine: {machine()}")
    workload = runner_race_actions() if args.workload == "runner" else None
    learning_s = args.seconds if args.workload == "learning" else None
    what = (f"the shipped runner's race of {len(workload)} steps replayed (2 frames a step, 16 actions)" if workload
            else "random actions (4 frames a step, 9 actions)")
    if learning_s:
        print(f"the default config (train_ppo_upright) learning from a fresh policy, {learning_s:g} s per run, "
              f"{args.runs} interleaved rounds: this tree against {args.base} ({base_commit[:10]})", flush=True)
    else:
        print(f"one QWOPEnv, {what}, {args.observation} observation, {args.steps:,} steps per run, {args.runs} "
              f"interleaved rounds: this tree against {args.base} ({base_commit[:10]})", flush=True)
    with tempfile.TemporaryDirectory(prefix="qwop_base_") as parent:
        base_tree = os.path.join(parent, "tree")
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", base_tree, base_commit], cwd=REPO, check=True)
        try:
            before = cpu_jiffies()
            new, base = [], []
            for round_index in range(args.runs):
                order = [(REPO, new), (base_tree, base)]
                for tree, values in order if round_index % 2 == 0 else reversed(order):
                    values.append(steps_per_s(tree, args.steps, args.observation, workload, learning_s))
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
