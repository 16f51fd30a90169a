"""Test-wide settings: headless SDL, so that pygame windows open without a display; shared fixtures."""
import os

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory):
    """A folder holding one recording that counts as finished: a real game stepped, its outcome marked
    finished (``ReferenceStartWrapper`` only reads the outcome to choose runs)."""
    from qwop_studio.recording import Recording, save_recording
    from qwop_studio.sim import QWOPGame

    keys = [9, 9, 6, 6, 0] * 60
    game = QWOPGame()
    for mask in keys:
        game.step(mask)
    recording = Recording.of_game(keys, game)
    recording.outcome.result = "finished"
    folder = tmp_path_factory.mktemp("runs")
    save_recording(recording, folder / "run.json")
    return folder
