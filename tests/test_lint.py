"""The code stays lint-clean: ruff (a dev dependency) with the rules in pyproject.toml, over the whole repo.

Why a test: CI runs the README's test command only, and lint findings that nobody sees pile up (four had,
by the 16th session: import order and a ``zip`` without ``strict``).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    if subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True).returncode != 0:
        pytest.fail("ruff is not installed: it is in the dev extra (pip install -e '.[dev]')")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(REPO)],
                            capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:]
