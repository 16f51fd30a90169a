"""``studio --frame-log FILE``: the real loop writes each second's frame count, which the window benchmark reads."""
from __future__ import annotations

import threading
import time

from qwop_studio.cli import main
from qwop_studio.studio.frame_log import run_with_frame_log


def test_the_loop_logs_each_seconds_frames_and_slowest_frame(make_app, tmp_path):
    app = make_app()
    log = tmp_path / "frames.log"

    def stop_after_three_lines() -> None:  # the first frame may take seconds (fonts, the first draw)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (log.is_file() and len(log.read_text().splitlines()) >= 3):
            time.sleep(0.05)
        app.running = False

    stopper = threading.Thread(target=stop_after_three_lines, daemon=True)
    stopper.start()
    assert run_with_frame_log(app, log) == 0
    lines = [line.split() for line in log.read_text().splitlines()]
    assert len(lines) >= 3
    stamps = [float(stamp) for stamp, _, _ in lines]
    assert stamps == sorted(stamps) and all(b - a >= 0.99 for a, b in zip(stamps, stamps[1:], strict=False))
    for _, frames, slowest_ms in lines[1:]:  # whole seconds of the paced loop
        assert 5 <= int(frames) <= app.fps + 1
        assert 0.0 < float(slowest_ms) < 1000.0
    assert app.frames >= sum(int(frames) for _, frames, _ in lines)


def test_an_unwritable_frame_log_is_one_line_before_a_window_opens(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["studio", "--frame-log", str(tmp_path / "file" / "frames.log"), "--saves", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--frame-log" in err
