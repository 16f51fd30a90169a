"""Physics speed: ``QWOPGame.step`` against a bare pybox2d world with the same bodies and joints.

Both sides play the same random key blocks (qwop-gym's 16 combos, 10 frames each), read every body's
state every 4th tick (as an env at ``frames_per_step=4`` does) and start over every 250 ticks
(resets included). The bare side drives the same motor speeds straight from the key tables, so it
does the same physical work, but has none of the game's rules: no head torque, no contact listener,
no track following, camera, score or end checks.

The bare world reads its states in one of two ways, both measured:

* ``plain`` (the yardstick of the targets, as this benchmark defined it when they were set): through
  pybox2d's own attributes (``body.position``, ``body.angle``, ...), as a plain pybox2d program does.
* ``gathered``: through ``QWOPWorld.read_states``, which gathers the states from Box2D's memory in one
  numpy read (:class:`qwop_studio.sim.state_reading.BodyStateGather`): the floor, the fastest this project
  can read them. Against it a ratio shows only the rules' (or the env's) own cost; it moves
  whenever the project's reading gets faster, so it is reported beside the target, not as it.

    python -m benchmarks.physics [--ticks 20000] [--runs 5]
"""
from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import numpy as np

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


def read_states_plainly(world: QWOPWorld) -> np.ndarray:
    """Every dynamic body's (x, y, angle, vx, vy, omega) through pybox2d's public attributes."""
    rows = []
    for body in world.bodies_in_state_order:
        p = body.position
        v = body.linearVelocity
        rows.append((p.x, p.y, body.angle, v.x, v.y, body.angularVelocity))
    return np.array(rows)


#: How the bare world reads its states (see the module docstring).
BARE_READINGS: dict[str, Callable[[QWOPWorld], np.ndarray]] = {
    "plain": read_states_plainly,
    "gathered": lambda world: world.read_states().copy(),
}


def bare_world_ticks_per_s(ticks: int, seed: int = 0, reading: str = "plain") -> float:
    """Ticks per second of a bare :class:`QWOPWorld` (no rules) doing the same motor work.

    ``reading``: how it reads the states every 4th tick, a key of :data:`BARE_READINGS`.
    """
    read = BARE_READINGS[reading]
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
            read(world)
    return ticks / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    game_ticks_per_s(2000)           # warm up imports and caches
    for reading in BARE_READINGS:
        bare_world_ticks_per_s(2000, reading=reading)
    game, game_all = median_of(args.runs, lambda: game_ticks_per_s(args.ticks))
    bare = {reading: median_of(args.runs, lambda r=reading: bare_world_ticks_per_s(args.ticks, reading=r))
            for reading in BARE_READINGS}
    print(f"machine: {machine()}")
    print(f"{args.runs} runs of {args.ticks} ticks each; medians (all runs in brackets)")
    rows = [("QWOPGame.step (rules)", game, game_all), ("bare pybox2d world (plain)", *bare["plain"]),
            ("bare world, states gathered", *bare["gathered"])]
    for name, median, runs in rows:
        print(f"{name:<30} {median:>10,.0f} ticks/s  [{', '.join(f'{v:,.0f}' for v in runs)}]")
    print(f"{'ratio game / bare (plain)':<30} {game / bare['plain'][0]:>10.2f}   (target >= 0.70)")
    print(f"{'ratio game / bare (gathered)':<30} {game / bare['gathered'][0]:>10.2f}   (the rules' own cost)")


if __name__ == "__main__":
    main()
