"""Instructions per env step and per game tick, counted by valgrind's callgrind: figures noise cannot move.

Why: on a shared 2-vCPU VM a wall-clock rate drifts by several per cent between runs, as much as a
micro-optimisation gains, so a change measured by the clock alone can look like a loss or a win.
Callgrind counts the instructions a run executes, which repeat exactly for the same code and inputs
whatever else the machine does. Each figure is two counted runs of different lengths, their
difference divided by the extra steps, so start-up and imports cancel out. Instructions are not
time (a cache miss costs more than an add), so quote the clock-based benchmarks for speed and use
these to compare two versions of the code.

    python -m benchmarks.instructions [--steps 1000]      (needs valgrind on the PATH)
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

if __package__ in (None, ""):  # run as ``python benchmarks/instructions.py``
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import machine

#: Steps every counted run plays before the measured ones (imports, first world, caches).
BASE_STEPS = 200
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def play_env(steps: int, seed: int = 0) -> None:
    """``steps`` random actions in one ``QWOPEnv(frames_per_step=4)``, resetting when episodes end."""
    import numpy as np

    from qwop_studio.env import QWOPEnv

    env = QWOPEnv(frames_per_step=4)
    env.reset(seed=seed)
    for action in np.random.default_rng(seed).integers(0, env.action_space.n, size=steps).tolist():
        if env.step(action)[2]:
            env.reset()


def play_game(ticks: int, seed: int = 0) -> None:
    """``ticks`` frames of ``QWOPGame`` on the physics benchmark's random key blocks (resets included)."""
    from benchmarks.physics import EPISODE_TICKS, key_blocks
    from qwop_studio.sim import QWOPGame

    game = QWOPGame()
    for i, mask in enumerate(key_blocks(ticks, seed)):
        if i % EPISODE_TICKS == 0:
            game.reset()
        game.step(mask)


WORKLOADS = {"env": play_env, "game": play_game}


def count_instructions(workload: str, steps: int) -> int:
    """Instructions executed by a fresh interpreter running ``workload`` for ``steps`` (callgrind)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={os.path.join(tmp, 'cg.out')}",
             sys.executable, "-m", "benchmarks.instructions", "--child", workload, str(steps)],
            capture_output=True, text=True, check=True,
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    found = _COLLECTED.findall(out.stderr)
    if not found:
        raise RuntimeError(f"callgrind printed no instruction count:\n{out.stderr[-2000:]}")
    return int(found[-1])


def per_step(workload: str, steps: int) -> float:
    """Instructions per step of ``workload``: (count(BASE + steps) - count(BASE)) / steps."""
    return (count_instructions(workload, BASE_STEPS + steps) - count_instructions(workload, BASE_STEPS)) / steps


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000, help="measured env steps (game ticks: 4x)")
    parser.add_argument("--child", nargs=2, metavar=("WORKLOAD", "STEPS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        WORKLOADS[args.child[0]](int(args.child[1]))
        return
    if shutil.which("valgrind") is None:
        sys.exit("benchmarks.instructions: valgrind is not on the PATH (Debian: apt install valgrind)")
    print(f"machine: {machine()}")
    env = per_step("env", args.steps)
    game = per_step("game", 4 * args.steps)
    print(f"callgrind, {args.steps:,} random-action env steps and {4 * args.steps:,} game ticks after "
          f"{BASE_STEPS} warm-up ones; exact counts, the same on every run of the same code")
    print("| measure | instructions |\n| --- | ---: |")
    print(f"| one QWOPEnv step (frames_per_step=4, resets included) | {env:,.0f} |")
    print(f"| one QWOPGame tick (physics benchmark's keys, resets included) | {game:,.0f} |")


if __name__ == "__main__":
    main()
