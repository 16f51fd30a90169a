"""``qwop-studio studio`` / ``python run_studio.py``: check the arguments, then open the window.

Every problem with what the user gave (window size, config, run to resume, saves folder) is one line
and exit code 2 before a window opens.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qwop_studio.saves import SavesError, check_saves_root, runs_dir
from qwop_studio.studio.app import StudioApp
from qwop_studio.studio.layout import MIN_SIZE
from qwop_studio.window_input import parse_size


def run_from_args(args: argparse.Namespace) -> int:
    """Entry point of ``qwop-studio studio`` and ``run_studio.py``."""
    try:
        size = parse_size(getattr(args, "size", None) or "1280x800", MIN_SIZE, "1280x800")
    except ValueError as e:
        print(f"qwop-studio studio: {e}", file=sys.stderr)
        return 2
    config = getattr(args, "config", None)
    if config:
        from qwop_studio.train.config import ConfigError, resolve_config_path

        try:
            resolve_config_path(config)
        except ConfigError as e:
            print(f"qwop-studio studio: {e}", file=sys.stderr)
            return 2
    resume = getattr(args, "resume", None)
    if resume and not Path(resume).exists():
        print(f"qwop-studio studio: --resume {resume}: no such run directory or checkpoint", file=sys.stderr)
        return 2
    frames = getattr(args, "exit_after_frames", None)
    if frames is not None and frames < 1:
        print(f"qwop-studio studio: --exit-after-frames {frames}: must be >= 1", file=sys.stderr)
        return 2
    frame_log = getattr(args, "frame_log", None)
    if frame_log:
        from qwop_studio.fileio import OutputPathError, check_writable_file

        try:
            check_writable_file(frame_log, "--frame-log")
        except OutputPathError as e:
            print(f"qwop-studio studio: {e}", file=sys.stderr)
            return 2
    try:
        runs_root = runs_dir(check_saves_root(getattr(args, "saves", None)))
    except SavesError as e:
        print(f"qwop-studio studio: {e}", file=sys.stderr)
        return 2
    app = StudioApp(size=size, config=config, resume=resume, runs_root=runs_root)
    if frames is not None:
        from qwop_studio.studio.frame_check import run_frames

        return run_frames(app, frames)
    frame_log = getattr(args, "frame_log", None)
    if frame_log:
        from qwop_studio.studio.frame_log import run_with_frame_log

        return run_with_frame_log(app, frame_log)
    return app.run()
