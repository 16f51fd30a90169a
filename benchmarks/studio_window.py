"""The studio as a user runs it: a real X window (Xvfb), Start clicked with the mouse, minutes of training.

    python -m benchmarks.studio_window [--config NAME] [--minutes 10] [--out DIR]

1. Xvfb starts a virtual screen; ``python run_studio.py --config NAME --frame-log ...`` opens the real
   window on it (SDL's X11 driver, not the dummy one); xdotool moves the mouse to the Start button (its
   place read from the studio's own layout code) and clicks. For ``--minutes`` the trainer trains while the
   window draws the live runner, the charts (their points growing the whole time) and the status card;
   then the studio is sent SIGTERM, which SDL turns into a window close (the trainer saves, as on quit).
2. The same config trains headless for the same minutes: ``qwop-studio train --max-minutes``.

It prints, with the machine: each run's env steps/s from its ``progress.csv`` (from minute 1 to the end,
so start-up is not counted) and their ratio; the window's frames per second (median and the slowest 1 %
of seconds, from the frame log); the share of CPU time idle on the whole machine while the studio trained
(``/proc/stat``), and while the headless run trained; the minute of each run's first 100 m finish in training; and each run's model at the
last mark evaluated over 100 starts (``start_noop_max`` 30), as ``benchmarks.compare_runs`` does.
Targets (issue 20): trainer >= 0.85 of headless, window >= 30 fps, CPU idle < 10 %.

Needs ``Xvfb`` and ``xdotool`` (Debian: ``apt-get install xvfb xdotool``). Run on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as ``python benchmarks/studio_window.py``
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import cpu_idle_jiffies, idle_share, machine  # noqa: E402
from benchmarks.compare_runs import evaluate_point, points_of, row_of  # noqa: E402
from benchmarks.learning_speed import minute_of_step  # noqa: E402
from qwop_studio.train.progress_log import PROGRESS, read_progress  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1280, 800)
#: Start-up not counted in a rate: the first minute (process start, first rollouts, the runner's load).
SKIP_MIN = 1.0


def start_button_centre(size: tuple[int, int]) -> tuple[int, int]:
    """Where the Start button is in a window of ``size``, from the studio's own layout (dummy driver)."""
    code = ("import json, pygame; from qwop_studio.studio.app import StudioApp; "
            f"app = StudioApp(size={size!r}); print(json.dumps(app.toolbar.start.rect.center)); "
            "app.shutdown()")
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    x, y = json.loads(out.stdout.strip().splitlines()[-1])
    return int(x), int(y)


def free_display() -> int:
    for n in range(91, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number in 91-139")


def rate_after(run_dir: Path, skip_min: float = SKIP_MIN) -> float:
    """Env steps/s of a run from minute ``skip_min`` to its last logged episode."""
    rows = list(read_progress(run_dir / PROGRESS))
    later = [r for r in rows if r.wall_time_s >= skip_min * 60]
    if len(later) < 2 or later[-1].wall_time_s <= later[0].wall_time_s:
        return 0.0
    return (later[-1].step - later[0].step) / (later[-1].wall_time_s - later[0].wall_time_s)


def run_studio(config: str, minutes: float, out: Path) -> tuple[Path, list[tuple[float, int, float]], float | None]:
    """Train ``minutes`` from a mouse click on Start in a real window; (run dir, frame log, idle share)."""
    display = free_display()
    xvfb = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", f"{SIZE[0]}x{SIZE[1]}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {k: v for k, v in os.environ.items() if k != "SDL_VIDEODRIVER"}
    env.update(DISPLAY=f":{display}", SDL_AUDIODRIVER="dummy")
    saves, frame_log = out / "studio_saves", out / "frames.log"
    frame_log.unlink(missing_ok=True)
    studio = None
    try:
        time.sleep(2.0)
        studio = subprocess.Popen([sys.executable, str(ROOT / "run_studio.py"), "--config", config, "--saves",
                                   str(saves), "--size", f"{SIZE[0]}x{SIZE[1]}", "--frame-log", str(frame_log)],
                                  env=env, stdout=open(out / "studio.log", "w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while not (frame_log.is_file() and len(frame_log.read_text().splitlines()) >= 5):
            if studio.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the studio did not come up (see {out / 'studio.log'})")
            time.sleep(0.5)
        x, y = start_button_centre(SIZE)
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], env=env, check=True)
        clicked = time.time()
        print(f"clicked Start at ({x}, {y}) on display :{display}", flush=True)
        runs = saves / "runs"
        while not (runs.is_dir() and any(runs.iterdir())):
            if time.time() - clicked > 60:
                raise RuntimeError("no run started within 60 s of the click")
            time.sleep(0.5)
        time.sleep(SKIP_MIN * 60)
        idle0 = cpu_idle_jiffies()
        while time.time() - clicked < minutes * 60:
            time.sleep(1.0)
        idle1 = cpu_idle_jiffies()
        studio.send_signal(signal.SIGTERM)  # SDL turns it into a window close: the trainer saves
        studio.wait(timeout=120)
    finally:
        if studio is not None and studio.poll() is None:
            studio.kill()
        xvfb.terminate()
        xvfb.wait(timeout=10)
    frames = [(float(t), int(n), float(ms)) for t, n, ms in
              (line.split() for line in frame_log.read_text().splitlines())]
    frames = [f for f in frames if clicked + SKIP_MIN * 60 <= f[0] <= clicked + minutes * 60]
    idle = idle_share(idle0, idle1)
    return next(runs.iterdir()), frames, idle


def run_headless(config: str, minutes: float, out: Path) -> tuple[Path, float | None]:
    """Train ``minutes`` with no window; (run dir, the machine's idle share from minute 1 to the end)."""
    run_dir = out / "headless"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    train = subprocess.Popen([sys.executable, "-m", "qwop_studio.cli", "train", "--config", config,
                              "--max-minutes", str(minutes), "--run-dir", str(run_dir), "--no-progress"],
                             stdout=open(out / "headless.log", "w"), stderr=subprocess.STDOUT)
    time.sleep(SKIP_MIN * 60)
    idle0 = cpu_idle_jiffies()
    if train.wait() != 0:
        raise RuntimeError(f"the headless training failed (see {out / 'headless.log'})")
    idle1 = cpu_idle_jiffies()
    return run_dir, idle_share(idle0, idle1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="train_ppo_upright")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--episodes", type=int, default=100, help="evaluation starts for each run's last model")
    parser.add_argument("--out", type=Path, default=Path("saves/experiments/studio_window"))
    args = parser.parse_args(argv)
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            print(f"benchmarks.studio_window: {tool} not found (apt-get install xvfb xdotool)", file=sys.stderr)
            return 2
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}\nconfig {args.config}, {args.minutes:g} minutes each: the studio in a real "
          f"window under Xvfb, then headless", flush=True)
    studio_dir, frames, idle = run_studio(args.config, args.minutes, args.out)
    headless_dir, headless_idle = run_headless(args.config, args.minutes, args.out)
    fps = [n for _, n, _ in frames]
    studio_rate, headless_rate = rate_after(studio_dir), rate_after(headless_dir)
    result = {"machine": machine(), "config": args.config, "minutes": args.minutes,
              "studio_env_steps_per_s": studio_rate, "headless_env_steps_per_s": headless_rate,
              "studio_over_headless": studio_rate / headless_rate if headless_rate else None,
              "window_fps_median": statistics.median(fps) if fps else None,
              "window_fps_slowest_1pct": sorted(fps)[len(fps) // 100] if fps else None,
              "slowest_frame_ms": max((ms for _, _, ms in frames), default=None),
              "cpu_idle_share_while_studio_trained": idle, "cpu_idle_share_while_headless_trained": headless_idle,
              "runs": {}}
    for label, run_dir in (("studio", studio_dir), ("headless", headless_dir)):
        first = minute_of_step(run_dir / PROGRESS)[2]
        points = points_of(label, run_dir, [args.minutes])
        row = row_of(points[0], evaluate_point(points[0].model, run_dir, args.episodes), first) if points else None
        result["runs"][label] = {"run_dir": str(run_dir), "first_finish_min": first, "last_model": row}
    (args.out / "studio_window.json").write_text(json.dumps(result, indent=2))
    print(f"trainer: studio {studio_rate:,.0f} env steps/s, headless {headless_rate:,.0f} "
          f"({result['studio_over_headless']:.2f} of headless; target >= 0.85)")
    print(f"window: median {result['window_fps_median']} fps, slowest 1 % of seconds "
          f"{result['window_fps_slowest_1pct']} fps (target >= 30); slowest frame {result['slowest_frame_ms']} ms")
    def share(value: float | None) -> str:
        return "unknown" if value is None else f"{value:.1%}"

    print(f"CPU idle while the studio trained: {share(idle)} (target < 10 %); headless: {share(headless_idle)}")
    for label, run in result["runs"].items():
        row = run["last_model"] or {}
        print(f"{label}: first finish in training at minute {run['first_finish_min']}; model at minute "
              f"{row.get('saved_min')}: {row.get('success_rate', 0):.0%} of {args.episodes} starts finished, "
              f"median {row.get('median_time_s')} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
