"""Studio fixtures: a headless StudioApp with a fake clock, writing its runs under tmp_path."""
from __future__ import annotations

import pytest
from studio_helpers import TINY_CONFIG, FakeClock


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_app(tmp_path, fake_clock):
    """``make_app(**kwargs)`` -> a StudioApp writing runs under ``tmp_path``; shut down after the test."""
    from qwop_studio.studio.app import StudioApp

    apps = []

    def make(**kwargs):
        kwargs.setdefault("config", TINY_CONFIG)
        kwargs.setdefault("runs_root", tmp_path / "runs")
        kwargs.setdefault("clock", fake_clock)
        kwargs.setdefault("models_dir", None)
        app = StudioApp(**kwargs)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.shutdown(timeout_s=30)
