"""Physics speed: ``QWOPGame.step`` against a bare pybox2d world with the same bodies and joints.

Both sides play the same random key blocks (qwop-gym's 16 combos, 10 frames each), read every body's
state every 4th tick (as an env at ``frames_per_step=4`` does) and start over every 250 ticks
(resets included). The bare side drives the same motor speeds straight from the key tables, so it
does the same physical work, but has none of the game's rules: no head torque, no contact listener,
no track following, camera, score or end checks.

    python -m benchmarks.physics [--ticks 20000] [--runs 5]
"""
from __future__ import annotations

import argparse
import random
import time

from benchmarks.common import machine, median_of
from qwop_studio.sim import QWOPGame, spec
from qwop_studio.sim.world import QWOPWorld

COMBO_MASKS = list(range(16))
EPISODE_TICKS = 250
READ_EVERY = 4

_ARM = {0: dict.fromkeys(spec.ARM_CHAIN_JOINTS, 0.0), 1: spec.Q_SPEEDS, 2: spec.W_SPEEDS}
_LEG = {0: dict.fromkeys(spec.LEG_CHAIN_JOINTS, 0.0), 4: spec.O_SPEEDS, 8: spec.P_SPEEDS}


def key_blocks(ticks: int, seed: int = 0, block: int = 10) -> list[int]:
    """Random key masks, one of the 16 held for ``block`` ticks at a time."""
    rng = random.Random(seed)
    masks: list[int] = []
    while len(masks) < ticks:
        masks += [rng.choice(COMBO_MASKS)] * block
    return masks[:ticks]


def game_ticks_per_s(ticks: int, seed: int = 0) -> float:
    """Ticks per second of ``QWOPGame.step``, reading ``body_states()`` every 4th tick."""
    masks = key_blocks(ticks, seed)
    game = QWOPGame()
    start = time.perf_counter()
    for i, mask in enumerate(masks):
        if i % EPISODE_TICKS == 0:
            game.reset()
        game.step(mask)
        if i % READ_EVERY == 0:
            game.body_states()
    return ticks / (time.perf_counter() - start)


def bare_world_ticks_per_s(ticks: int, seed: int = 0) -> float:
    """Ticks per second of a bare :class:`QWOPWorld` (no rules) doing the same motor work."""
    masks = key_blocks(ticks, seed)
    world: QWOPWorld | None = None
    arm = leg = -1
    start = time.perf_counter()
    for i, mask in enumerate(masks):
        if i % EPISODE_TICKS == 0:
            world = QWOPWorld(record_contacts=False)
            arm = leg = -1
        a = 1 if mask & 1 else (2 if mask & 2 else 0)
        b = 4 if mask & 4 else (8 if mask & 8 else 0)
        if a != arm:
            for name, speed in _ARM[a].items():
                world.joints[name].motorSpeed = speed
            arm = a
        if b != leg:
            for name, speed in _LEG[b].items():
                world.joints[name].motorSpeed = speed
            leg = b
        world.step()
        if i % READ_EVERY == 0:
            world.read_states().copy()
    return ticks / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    game_ticks_per_s(2000)           # warm up imports and caches
    bare_world_ticks_per_s(2000)
    game, game_all = median_of(args.runs, lambda: game_ticks_per_s(args.ticks))
    bare, bare_all = median_of(args.runs, lambda: bare_world_ticks_per_s(args.ticks))
    print(f"machine: {machine()}")
    print(f"{args.runs} runs of {args.ticks} ticks each; medians (all runs in brackets)")
    print(f"{'QWOPGame.step (rules)':<28} {game:>10,.0f} ticks/s  [{', '.join(f'{v:,.0f}' for v in game_all)}]")
    print(f"{'bare pybox2d world':<28} {bare:>10,.0f} ticks/s  [{', '.join(f'{v:,.0f}' for v in bare_all)}]")
    print(f"{'ratio game / bare':<28} {game / bare:>10.2f}   (target >= 0.70)")


if __name__ == "__main__":
    main()
