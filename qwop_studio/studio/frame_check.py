"""Open the studio for a few frames, say what it loaded, and close it: a check that an install works.

``qwop-studio studio --exit-after-frames N`` (hidden from ``--help``; headless with
``SDL_VIDEODRIVER=dummy``) builds the real window, waits (drawing frames) until the shipped runner
has loaded in the background, draws ``N`` more frames, prints one JSON line on stdout and exits::

    {"frames": 41, "theme": ".../qwop_studio/assets/studio_theme.json", "theme_loaded": true,
     "runner": "shipped model qwop_runner", "controller": "AGENT", "load_error": null, ...}

Exit code 0 when the theme was applied and the shipped runner plays (or none ships), 1 otherwise.
Why it exists: a missing theme file is only a warning to pygame-gui and a missing model only leaves
the runner in manual play, so an install that lost its package data would still open a window;
this says so. ``tests/test_package_install.py`` runs it from a wheel installed in a fresh venv.
"""
from __future__ import annotations

import json
import time
from typing import Any

from qwop_studio import resources
from qwop_studio.studio.live_runner import AGENT, MODELS_DIR, find_shipped_model

#: The theme file the app loads (the same call as ``app.THEME_PATH``).
THEME_PATH = resources.theme_path()

#: Longest wait for the shipped runner to load (torch's first import takes seconds on a slow disk).
LOAD_TIMEOUT_S = 120.0


def theme_applied(app: Any) -> bool:
    """Whether the UI manager's default button colour is the one our theme file sets."""
    try:
        wanted = json.loads(THEME_PATH.read_text(encoding="utf-8"))["defaults"]["colours"]["normal_bg"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    colour = app.manager.get_theme().get_colour("normal_bg", ["button"])
    return f"#{colour.r:02x}{colour.g:02x}{colour.b:02x}" == str(wanted).lower()[:7]


def run_frames(app: Any, frames: int, load_timeout_s: float = LOAD_TIMEOUT_S) -> int:
    """Draw frames until the shipped runner is loaded (or failed), then ``frames`` more; report; close.

    ``app`` is a ``StudioApp``; the app calls this module, so this module does not import it.
    """
    started = time.monotonic()
    shipped = find_shipped_model(MODELS_DIR) if MODELS_DIR is not None else None
    try:
        while (shipped is not None and not app.runner.has_policy and app.runner.load_error is None
               and time.monotonic() - started < load_timeout_s):
            app.frame()
            time.sleep(0.02)
        for _ in range(frames):
            app.frame()
        report = _report(app, shipped is not None, time.monotonic() - started)
    finally:
        app.shutdown()
    print(json.dumps(report), flush=True)
    return 0 if report["ok"] else 1


def _report(app: Any, expects_runner: bool, wall_s: float) -> dict[str, Any]:
    import qwop_studio

    runner = app.runner
    playing = runner.has_policy and runner.controller == AGENT
    theme_ok = theme_applied(app)
    return {
        "frames": app.frames,
        "wall_s": round(wall_s, 2),
        "package": qwop_studio.__file__,
        "theme": str(THEME_PATH),
        "theme_loaded": theme_ok,
        "models_dir": str(MODELS_DIR),
        "runner": runner.policy_source or None,
        "controller": runner.controller,
        "load_error": runner.load_error,
        "runs_root": str(app.runs_root),
        "ok": theme_ok and (playing or not expects_runner),
    }

