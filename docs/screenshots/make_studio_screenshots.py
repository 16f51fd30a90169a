"""Render the studio mid-training to PNG under SDL's dummy driver (no display needed).

    python docs/screenshots/make_studio_screenshots.py [--config tests/studio/tiny_studio.yml] [--seconds 25]
    python docs/screenshots/make_studio_screenshots.py --start [--seconds 20]
    python docs/screenshots/make_studio_screenshots.py --picker   # after a `qwop-studio tune` in ./saves
    python docs/screenshots/make_studio_screenshots.py --resume saves/experiments/r7/seed1b --seconds 40 \
        --slider velocity_weight=0.4

``--resume RUN_DIR`` continues a copy of a real run (the run itself is left alone) for the
picture of a run in progress, so that the charts show a real run's history and the live runner a
policy that has learned; without it a tiny config trains from scratch for ``--seconds``.
``--start`` writes ``studio_start.png``: the studio as it opens, the shipped runner playing for
``--seconds`` of game time before the picture. ``--picker`` writes ``studio_sweep_picker.png``: the
config picker opened, listing the best config of each sweep under ``./saves/sweeps``. Otherwise it writes ``studio_training.png`` (a run in progress, one reward-weight change marked on the charts) and
``studio_trainer_died.png`` (the trainer killed: what happened and the offer to resume) beside this file.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame  # noqa: E402

from qwop_studio.render.pacing import FramePacer  # noqa: E402
from qwop_studio.studio.app import StudioApp  # noqa: E402
from qwop_studio.studio.trainer_link import LinkState  # noqa: E402

HERE = Path(__file__).resolve().parent


def frames_for(app: StudioApp, seconds: float) -> None:
    pacer = FramePacer(app.fps)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.frame(pacer.tick())


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--config", default="tests/studio/tiny_studio.yml")
    p.add_argument("--seconds", type=float, default=25.0)
    p.add_argument("--start", action="store_true", help="only the opening screen with the shipped runner")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue a copy of this run instead of a fresh tiny one")
    p.add_argument("--slider", default="posture_weight=0.4", metavar="NAME=VALUE",
                   help="the reward-weight change made halfway, marked on the charts")
    p.add_argument("--picker", action="store_true", help="the config picker opened, with the sweeps' best configs")
    args = p.parse_args()
    if args.picker:
        app = StudioApp(runs_root=Path("saves") / "runs")  # its sweeps: saves/sweeps
        frames_for(app, 1.0)
        centre = app.toolbar.dropdown.rect.center
        for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            pygame.event.post(pygame.event.Event(kind, {"pos": centre, "button": 1}))
        frames_for(app, 1.0)
        pygame.image.save(app.screen, str(HERE / "studio_sweep_picker.png"))
        app.shutdown()
        print(f"wrote {HERE / 'studio_sweep_picker.png'}")
        return
    if args.start:
        with tempfile.TemporaryDirectory() as tmp:
            app = StudioApp(runs_root=tmp)
            deadline = time.monotonic() + 60
            while not app.runner.has_policy and time.monotonic() < deadline:
                frames_for(app, 0.2)
            for _ in range(int(args.seconds * 30)):  # game time, whatever the machine's speed
                app.frame(1 / 30)
            pygame.image.save(app.screen, str(HERE / "studio_start.png"))
            app.shutdown()
        print(f"wrote {HERE / 'studio_start.png'}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        if args.resume:
            run_copy = Path(tmp) / Path(args.resume).name
            shutil.copytree(args.resume, run_copy, ignore=shutil.ignore_patterns("tb"))
            app = StudioApp(resume=str(run_copy), runs_root=tmp)
        else:
            app = StudioApp(config=args.config, runs_root=tmp)
        app.start_training()
        while app.link.state != LinkState.RUNNING:
            frames_for(app, 0.2)
        frames_for(app, args.seconds / 2)
        name, value = args.slider.split("=")
        app.sliders.set_value(name, float(value))
        frames_for(app, args.seconds / 2)
        pygame.image.save(app.screen, str(HERE / "studio_training.png"))
        app.link.save_checkpoint()
        frames_for(app, 2)
        app.link.handle.process.kill()
        while app.link.state != LinkState.DEAD:
            frames_for(app, 0.2)
        frames_for(app, 0.5)
        pygame.image.save(app.screen, str(HERE / "studio_trainer_died.png"))
        app.shutdown()
    print(f"wrote {HERE / 'studio_training.png'} and {HERE / 'studio_trainer_died.png'}")


if __name__ == "__main__":
    main()
