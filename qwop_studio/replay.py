"""``qwop-studio replay FILE [--speed X] [--video OUT.mp4|OUT.gif]``: watch or export a recording.

A replay steps a fresh game with the recorded keys (:func:`qwop_studio.recording.replay_game`) and
checks that the final state is bitwise the recorded one (its SHA-256 digest); a mismatch is reported
and the exit code is 1. In a window it runs at ``30 * speed`` game frames per second; R replays it
again, Esc or closing the window quits. With ``--video`` it renders headless to an MP4 or GIF through
imageio (the optional ``video`` extra), at ``30 * speed`` frames per second of video, followed by
``TAIL_S`` seconds of the body coming to rest after the end.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qwop_studio.fileio import check_writable_file
from qwop_studio.recording import Recording, RecordingError, load_recording, replay_game, state_digest
from qwop_studio.sim.game import QWOPGame
from qwop_studio.termination import EXIT_TERMINATED, Terminated, terminate_as_interrupt

VIDEO_SIZE = (960, 600)
VIDEO_SUFFIXES = (".mp4", ".gif")
TAIL_S = 1.5
BASE_FPS = 30.0
GIF_MAX_FPS = 50.0
SPEED_RANGE = (0.05, 20.0)


class VideoUnavailableError(RuntimeError):
    """imageio (or its ffmpeg plugin for MP4) is not installed."""


def _writer(path: Path, fps: float):
    try:
        import imageio.v2 as imageio
    except ImportError:
        raise VideoUnavailableError("video export needs imageio: pip install 'qwop-studio[video]'") from None
    if path.suffix.lower() == ".gif":
        return imageio.get_writer(path, mode="I", duration=1000.0 / min(fps, GIF_MAX_FPS), loop=0)
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        raise VideoUnavailableError("MP4 export needs imageio-ffmpeg: pip install 'qwop-studio[video]' "
                               "(or export a .gif)") from None
    return imageio.get_writer(path, fps=fps, codec="libx264", quality=7, macro_block_size=8)


def check_video_path(out: str | Path) -> Path:
    """``out`` as a Path if a video can be written there; else a one-line ``ValueError`` (before any work)."""
    out = Path(out)
    if out.suffix.lower() not in VIDEO_SUFFIXES:
        raise ValueError(f"--video {out}: the file must end in .mp4 or .gif")
    check_writable_file(out, "--video")
    return out


def export_video(recording: Recording, out: str | Path, speed: float = 1.0,
                 size: tuple[int, int] = VIDEO_SIZE) -> tuple[bool, Path]:
    """Render ``recording`` to ``out`` (.mp4 or .gif); returns (final state matches, path).

    Written to a temporary file beside ``out`` and renamed when complete, so a failed export never
    leaves half a video under the requested name.
    """
    import os

    from qwop_studio.render.scene import render_rgb_array

    out = check_video_path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.partial{out.suffix}")
    fps = BASE_FPS * speed
    if out.suffix.lower() == ".gif":
        fps = min(fps, GIF_MAX_FPS)
    frame_step = max(1, round(BASE_FPS * speed / fps))  # for fast GIFs: skip frames instead
    writer = _writer(tmp, fps)
    count = [0]

    def add(game: QWOPGame) -> None:
        if count[0] % frame_step == 0:
            writer.append_data(render_rgb_array(game, *size))
        count[0] += 1

    try:
        game = QWOPGame()
        result = replay_game(recording, game=game, on_frame=add)
        for _ in range(int(TAIL_S * BASE_FPS)):
            game.step(0)
            add(game)
        writer.close()
        os.replace(tmp, out)
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        raise
    return result.matches, out


def play_in_window(recording: Recording, speed: float = 1.0, size: tuple[int, int] = (960, 600)) -> bool:
    """Show the replay in a window; returns whether the final state matched (checked each run)."""
    import pygame

    from qwop_studio.render.hud import Overlay
    from qwop_studio.render.scene import HumanWindow

    pygame.init()
    window = HumanWindow(size, title="QWOP Studio: replay  (R again, Esc quit)", fps=BASE_FPS)
    game = QWOPGame()
    matches = None
    budget, i = 0.0, 0
    try:
        while not window.closed:
            for event in pygame.event.get():
                window.handle_event(event)
                if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
                    window.closed = True
                elif event.type == pygame.KEYDOWN and event.key == pygame.K_r:
                    game.reset()
                    budget, i = 0.0, 0
            budget += speed
            while budget >= 1.0:
                budget -= 1.0
                if i < recording.frames:
                    game.step(recording.keys[i])
                    i += 1
                    if i == recording.frames:
                        matches = state_digest(game) == recording.final_state_sha256
                else:
                    game.step(0)  # let the body come to rest after the end
            status = "" if matches is None else ("final state: exact" if matches else "final state: DIFFERS")
            lines = (f"replay x{speed:g}   frame {min(i, recording.frames)}/{recording.frames}",) + (
                (status,) if status else ())
            window.present(game, Overlay(controller="REPLAY", lines=lines))
            window.tick()
    finally:
        window.close()
    if matches is None:  # closed early: check without drawing
        matches = replay_game(recording).matches
    return matches


def run_from_args(args: argparse.Namespace) -> int:
    """Entry point of ``qwop-studio replay``: 0 if the replay is exact, 1 if not, 2 on bad input."""
    speed = float(getattr(args, "speed", 1.0) or 1.0)
    if not SPEED_RANGE[0] <= speed <= SPEED_RANGE[1]:
        print(f"qwop-studio replay: --speed {speed:g} must be between {SPEED_RANGE[0]} and {SPEED_RANGE[1]}",
              file=sys.stderr)
        return 2
    video = getattr(args, "video", None)
    try:
        if video:
            check_video_path(video)
        recording = load_recording(args.file)
    except (RecordingError, ValueError) as e:
        print(f"qwop-studio replay: {e}", file=sys.stderr)
        return 2
    o = recording.outcome
    print(f"{args.file}: {recording.frames} frames, {o.result}, {o.score_m:.1f} m in {o.time_s:.1f} s")
    try:
        with terminate_as_interrupt():
            if video:
                matches, path = export_video(recording, video, speed)
                print(f"wrote {path}")
            else:
                matches = play_in_window(recording, speed)
    except Terminated:
        print("qwop-studio replay: terminated (no partial video left)", file=sys.stderr)
        return EXIT_TERMINATED
    except (VideoUnavailableError, ValueError) as e:
        print(f"qwop-studio replay: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"qwop-studio replay: --video {video}: cannot write ({e.strerror or e})", file=sys.stderr)
        return 2
    if matches:
        print("replay exact: the final state is bitwise the recorded one")
        return 0
    print("replay DIFFERS from the recording's final state (recorded with a different simulation?)",
          file=sys.stderr)
    return 1
