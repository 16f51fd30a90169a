"""Where the data that ships inside the package lives: the shipped runner and the studio's theme.

They are package data (``qwop_studio/assets/``, listed in ``pyproject.toml``'s package-data), found
through :mod:`importlib.resources`, so a clone, an editable install, ``pip install .`` and
``pipx install .`` all find them the same way; nothing here depends on the working directory or on a
source tree beside the package. This module is the one place that knows the layout::

    qwop_studio/assets/studio_theme.json          the pygame-gui theme of the studio
    qwop_studio/assets/models/<name>.zip          a shipped model (SB3 .zip; its config is stored in it)
    qwop_studio/assets/models/<name>.yml          the config it was trained with
    qwop_studio/assets/models/<name>_eval.json    its evaluation report

Paths are plain :class:`~pathlib.Path` s: pip and pipx install a wheel unpacked on disk (an
installation imported from a zip archive is not supported, as for the shipped configs).
Sits beside the floors (like ``fileio.py``): it imports nothing of the package.
"""
from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

PACKAGE = "qwop_studio"
THEME_FILE = "studio_theme.json"
MODEL_SUFFIX = ".zip"


def assets_dir() -> Path:
    """The package's ``assets/`` folder (inside the installed package, wherever that is)."""
    return Path(str(importlib.resources.files(PACKAGE) / "assets"))


def theme_path() -> Path:
    """The studio's pygame-gui theme file."""
    return assets_dir() / THEME_FILE


def models_dir() -> Path:
    """The folder of shipped models."""
    return assets_dir() / "models"


def shipped_model_names() -> list[str]:
    """Names accepted by ``evaluate --model NAME``: the stems of the shipped model files, sorted."""
    folder = models_dir()
    return sorted(p.stem for p in folder.glob(f"*{MODEL_SUFFIX}")) if folder.is_dir() else []


def shipped_model(name: str) -> Path | None:
    """The shipped model called ``name`` (``qwop_runner`` or ``qwop_runner.zip``), or None."""
    stem = name.removesuffix(MODEL_SUFFIX)
    return models_dir() / f"{stem}{MODEL_SUFFIX}" if stem in shipped_model_names() else None


def resolve_model(name_or_path: str | os.PathLike) -> Path:
    """A model file on disk as given; else, for a bare name, the shipped model of that name.

    A path that exists always wins (a user's ``qwop_runner.zip`` in the working folder is theirs, not
    ours). Anything else comes back unchanged, so the caller's "no such model file" error names what
    the user typed.
    """
    path = Path(name_or_path)
    if path.exists() or path.parent != Path("."):
        return path
    return shipped_model(path.name) or path


__all__ = ["assets_dir", "theme_path", "models_dir", "shipped_model_names", "shipped_model", "resolve_model"]
