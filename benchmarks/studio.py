"""The studio while training: the window's frames per second, and what the open window costs the trainer.

Two measurements with the same config, one after the other:

1. headless: the trainer child alone (the same ``run_training`` as ``qwop-studio train``), nobody drawing;
2. studio: the same trainer started from a ``StudioApp`` whose loop runs as ``run()`` does (30 fps cap,
   the runner playing the latest snapshot, charts, widgets), under whatever SDL video driver is set
   (``dummy`` unless you have a display).

Env steps per second are the trainer's own ``Metrics`` figures (paused time excluded), averaged over
the measuring window after a warm-up. With ``--runs N`` the two sides alternate N times (so slow
drifts of the machine hit both alike) and every figure is the median of its N runs. Targets
(issue 7): window >= 30 fps; trainer with the studio open >= 80 % of headless.

    python -m benchmarks.studio [--config NAME] [--seconds 20] [--warmup 10] [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from benchmarks.common import machine


def _rates(events: list, t_start: float, warmup_s: float) -> list[float]:
    from qwop_studio.train import messages as msg

    return [e.env_steps_per_s for t, e in events if isinstance(e, msg.Metrics) and t - t_start >= warmup_s
            and e.env_steps_per_s > 0]


def headless(config: str, seconds: float, warmup_s: float, overrides: dict | None) -> float:
    """Mean env steps/s of the trainer child with no window."""
    from qwop_studio.train.child import start_trainer_process

    with tempfile.TemporaryDirectory() as tmp:
        handle = start_trainer_process(config, run_dir=os.path.join(tmp, "run"), overrides=overrides)
        events: list = []
        t0 = time.monotonic()
        started = None
        while time.monotonic() - t0 < 120:
            for e in handle.poll_events():
                events.append((time.monotonic(), e))
                if type(e).__name__ == "Started" and started is None:
                    started = time.monotonic()
            if started is not None and time.monotonic() - started >= warmup_s + seconds:
                break
            time.sleep(0.05)
        handle.stop(timeout=60)
    rates = _rates(events, started or t0, warmup_s)
    return statistics.fmean(rates) if rates else 0.0


def with_studio(config: str, seconds: float, warmup_s: float, overrides: dict | None) -> tuple[float, float, float]:
    """(mean env steps/s, window fps while measuring, slowest frame in ms) with the studio open."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from qwop_studio.render.pacing import FramePacer
    from qwop_studio.studio.app import StudioApp
    from qwop_studio.studio.trainer_link import LinkState

    with tempfile.TemporaryDirectory() as tmp:
        app = StudioApp(config=config, runs_root=tmp, overrides=overrides)
        events: list = []
        original_poll = app.link.poll

        def poll() -> list:
            got = original_poll()
            now = time.monotonic()
            events.extend((now, e) for e in got)
            return got

        app.link.poll = poll
        app.start_training()
        pacer = FramePacer(app.fps)
        started = None
        frames, measure_t0, slowest = 0, None, 0.0
        t0 = time.monotonic()
        while time.monotonic() - t0 < 180:
            dt = pacer.tick()
            t = time.monotonic()
            app.frame(min(dt, 0.25))
            if started is None and app.link.state == LinkState.RUNNING:
                started = time.monotonic()
            if started is not None and measure_t0 is None and time.monotonic() - started >= warmup_s:
                measure_t0 = time.monotonic()
            if measure_t0 is not None:
                frames += 1
                slowest = max(slowest, time.monotonic() - t)
                if time.monotonic() - measure_t0 >= seconds:
                    break
        fps = frames / (time.monotonic() - measure_t0) if measure_t0 else 0.0
        app.shutdown()
    rates = _rates(events, started or t0, warmup_s)
    return (statistics.fmean(rates) if rates else 0.0), fps, slowest * 1000


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", default=None, help="shipped config name or YAML file (default: the default config)")
    p.add_argument("--seconds", type=float, default=20.0, help="measuring time per side (default 20)")
    p.add_argument("--warmup", type=float, default=10.0, help="seconds after Started before measuring (default 10)")
    p.add_argument("--runs", type=int, default=3, help="alternating runs per side; figures are medians (default 3)")
    args = p.parse_args(argv)
    if args.config is None:
        from qwop_studio.train.config import DEFAULT_CONFIG

        args.config = DEFAULT_CONFIG
    overrides = {"checkpoint_freq": 0}
    print(f"machine: {machine()}")
    print(f"config: {args.config}; {args.warmup:g} s warm-up, {args.seconds:g} s measured per side, "
          f"{args.runs} alternating run(s) per side; SDL_VIDEODRIVER={os.environ.get('SDL_VIDEODRIVER', '(default)')}")
    bases, studios = [], []
    for i in range(args.runs):
        bases.append(headless(args.config, args.seconds, args.warmup, overrides))
        studios.append(with_studio(args.config, args.seconds, args.warmup, overrides))
        print(f"  run {i + 1}: headless {bases[-1]:,.0f}, with the studio {studios[-1][0]:,.0f} env steps/s, "
              f"window {studios[-1][1]:.1f} fps", flush=True)
    base = statistics.median(bases)
    rate = statistics.median(r for r, _, _ in studios)
    fps = statistics.median(f for _, f, _ in studios)
    slowest_ms = max(ms for _, _, ms in studios)
    share = rate / base if base else float("nan")
    print(f"medians of {args.runs} run(s):")
    print(f"headless trainer:            {base:9,.0f} env steps/s")
    print(f"trainer with the studio open: {rate:9,.0f} env steps/s  ({share:.0%} of headless; target >= 80%)")
    print(f"studio window:               {fps:9.1f} frames/s (target >= 30), slowest frame of all runs {slowest_ms:.0f} ms")


if __name__ == "__main__":
    main()
