"""Render the studio while a human teaches (Teach on, a takeover under way) to PNG under SDL's dummy driver.

    python docs/screenshots/make_teaching_screenshot.py [--config tests/studio/tiny_studio.yml] [--seconds 20]

A run of the config trains for ``--seconds``; then Teach is turned on and two takeovers are played
with real key events: the first is handed back (its steps reach the trainer, the status card says
what it learned, the charts mark the step), the picture is taken in the middle of the second.
Writes ``studio_teaching.png`` beside this file.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame  # noqa: E402

from qwop_studio.render.pacing import FramePacer  # noqa: E402
from qwop_studio.studio.app import StudioApp  # noqa: E402
from qwop_studio.studio.live_runner import AGENT  # noqa: E402
from qwop_studio.studio.trainer_link import LinkState  # noqa: E402

HERE = Path(__file__).resolve().parent
#: A stride of the keys, (key, game frames held); one takeover plays it twice.
STRIDE = [(pygame.K_w, 8), (pygame.K_o, 8), (pygame.K_q, 8), (pygame.K_p, 8)] * 2


def frames_for(app: StudioApp, seconds: float, until=lambda: False) -> None:
    pacer = FramePacer(app.fps)
    end = time.monotonic() + seconds
    while time.monotonic() < end and not until():
        app.frame(pacer.tick())


def post_key(kind: int, k: int) -> None:
    pygame.event.post(pygame.event.Event(kind, {"key": k, "mod": 0, "unicode": "", "scancode": 0}))


def take_over(app: StudioApp, stride: list[tuple[int, int]], release_last: bool = True) -> None:
    """R (a standing start), then the stride as real key events, one game frame per app frame."""
    post_key(pygame.KEYDOWN, pygame.K_r)
    for i, (k, frames) in enumerate(stride):
        post_key(pygame.KEYDOWN, k)
        for _ in range(frames):
            app.frame(1 / 30)
            time.sleep(1 / 30)
        if release_last or i < len(stride) - 1:
            post_key(pygame.KEYUP, k)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--config", default="tests/studio/tiny_studio.yml")
    p.add_argument("--seconds", type=float, default=20.0)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = StudioApp(config=args.config, runs_root=tmp, models_dir=None)
        try:
            app.start_training()
            frames_for(app, 60, lambda: app.link.state == LinkState.RUNNING and app.runner.policy_source == "training")
            frames_for(app, args.seconds)
            app.runner.teacher.enabled = True
            app.teach_button.set_text(app._teach_text())
            take_over(app, STRIDE)
            frames_for(app, 10, lambda: app.runner.controller == AGENT)
            frames_for(app, 10, lambda: app.status.progress.taught_steps > 0)
            frames_for(app, 3)
            take_over(app, STRIDE[:3], release_last=False)
            pygame.image.save(app.screen, str(HERE / "studio_teaching.png"))
            print(f"taught {app.status.progress.taught_steps} steps; saved {HERE / 'studio_teaching.png'}")
        finally:
            app.shutdown(timeout_s=30)


if __name__ == "__main__":
    main()
