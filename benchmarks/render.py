"""Render cost: median milliseconds per ``draw_game`` frame at 960x600 (target < 5 ms).

``python benchmarks/render.py [--frames N] [--runs R] [--size WxH]``. Headless (SDL dummy video
driver, offscreen surface). Each run replays the same 300-frame gait (the runner moves, so the
tiles scroll and markers appear) and times only the drawing; the first frame, which builds the
cached background, is excluded and reported separately. Prints the machine it ran on.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import pygame  # noqa: E402

from qwop_studio.render.hud import Overlay  # noqa: E402
from qwop_studio.render.scene import SceneRenderer  # noqa: E402
from qwop_studio.sim.game import QWOPGame  # noqa: E402


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, pygame-ce {pygame.version.ver} (SDL {'.'.join(map(str, pygame.get_sdl_version()))})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--size", default="960x600")
    args = ap.parse_args(argv)
    size = tuple(int(v) for v in args.size.split("x"))
    surface = pygame.Surface(size)
    renderer = SceneRenderer()
    overlay = Overlay(controller="AGENT", lines=("policy @ step 12,000",))
    t0 = time.perf_counter()
    renderer.draw(surface, QWOPGame(), overlay)
    first_ms = (time.perf_counter() - t0) * 1e3
    replay = QWOPGame()
    run_medians = []
    for _ in range(args.runs):
        times = []
        replay.reset()
        for i in range(args.frames):
            replay.step("QP" if (i // 6) % 2 == 0 else "WO")  # stepping is not timed
            t = time.perf_counter()
            renderer.draw(surface, replay, overlay)
            times.append(time.perf_counter() - t)
        run_medians.append(statistics.median(times) * 1e3)
    med = statistics.median(run_medians)
    print(f"machine: {machine()}")
    print(f"draw_game {size[0]}x{size[1]}: median {med:.2f} ms/frame over {args.runs} runs x {args.frames} frames "
          f"(per-run medians {', '.join(f'{m:.2f}' for m in run_medians)}; first frame with cache build "
          f"{first_ms:.1f} ms); target < 5 ms: {'OK' if med < 5.0 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
