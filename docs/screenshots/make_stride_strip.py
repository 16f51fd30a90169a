"""Six frames of a recorded run side by side (3 x 2), to show a gait: ``docs/screenshots/upright_stride.png``.

    python docs/screenshots/make_stride_strip.py RECORDING.json [--first 600] [--every 12] [--out PATH]

The recording is replayed exactly (``replay_game``); frames ``first``, ``first + every``, ... are drawn
with the game's own renderer at 480 x 300 each.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import numpy as np  # noqa: E402
import pygame  # noqa: E402

from qwop_studio.recording import load_recording, replay_game  # noqa: E402
from qwop_studio.render.scene import render_rgb_array  # noqa: E402

HERE = Path(__file__).parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recording", type=Path)
    parser.add_argument("--first", type=int, default=600, help="first frame drawn")
    parser.add_argument("--every", type=int, default=12, help="frames between pictures")
    parser.add_argument("--out", type=Path, default=HERE / "upright_stride.png")
    args = parser.parse_args(argv)
    wanted = [args.first + i * args.every for i in range(6)]
    pictures: dict[int, np.ndarray] = {}

    def on_frame(game) -> None:
        if game.frame in wanted:
            pictures[game.frame] = render_rgb_array(game, 480, 300)

    replay_game(load_recording(args.recording), on_frame=on_frame)
    if len(pictures) < 6:
        print(f"{args.recording}: the run is shorter than frame {wanted[-1]}", file=sys.stderr)
        return 1
    rows = [np.concatenate([pictures[f] for f in wanted[i:i + 3]], axis=1) for i in (0, 3)]
    image = np.concatenate(rows, axis=0)
    pygame.init()
    surface = pygame.surfarray.make_surface(image.swapaxes(0, 1))
    tmp = args.out.with_suffix(".tmp.png")
    pygame.image.save(surface, str(tmp))
    os.replace(tmp, args.out)  # atomic: never a half-written picture
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
