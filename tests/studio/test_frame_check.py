"""``studio --exit-after-frames N``: the studio opens headless, loads the shipped runner and theme, reports, exits."""
from __future__ import annotations

import json

import pytest

from qwop_studio.cli import main
from qwop_studio.resources import theme_path


@pytest.mark.timeout(180)
def test_the_studio_reports_the_shipped_runner_and_theme_after_its_frames(tmp_path, capsys):
    assert main(["studio", "--size", "960x600", "--saves", str(tmp_path / "mine"), "--exit-after-frames", "2"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["ok"] and report["theme_loaded"] and report["theme"] == str(theme_path())
    assert report["runner"] == "shipped model qwop_runner" and report["controller"] == "AGENT"
    assert report["load_error"] is None and report["frames"] >= 2
    assert report["runs_root"] == str(tmp_path / "mine" / "runs") and not (tmp_path / "mine").exists()


def test_zero_frames_is_refused_before_a_window_opens(capsys):
    assert main(["studio", "--exit-after-frames", "0"]) == 2
    assert "--exit-after-frames 0" in capsys.readouterr().err
