"""Where a user's own files go: the saves root, with its runs and recordings.

One definition for every command. The root is, first to last:

1. ``--saves DIR`` on the command line (``studio``, ``play``, ``train``);
2. the environment variable ``QWOP_STUDIO_SAVES`` (ignored when empty);
3. ``saves/`` in the current folder: what a clone has always used, and what an installed copy
   (``pip install .``, ``pipx install .``) uses too, so a user's work lands where they run it,
   never inside the installed package.

Beneath it: ``runs/<ALGO>_<config>_<time>/`` (training runs, see ``train/trainer.py``),
``recordings/`` (``play --record``) and ``sweeps/<study>/`` (``tune``). Paths are resolved when asked for, not at import, so a change
of the variable (or of the folder) between two runs is seen. Sits beside the floors (like
``fileio.py``): it imports nothing of the package.
"""
from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "QWOP_STUDIO_SAVES"
DEFAULT_ROOT = Path("saves")
RUNS = "runs"
RECORDINGS = "recordings"
SWEEPS = "sweeps"
#: The file ``tune`` leaves in ``sweeps/<study>/``: the base config with the best trial's values.
SWEEP_BEST_CONFIG = "best_config.yml"


class SavesError(ValueError):
    """A saves root that cannot hold files (one line naming it and where it came from)."""


def saves_root(override: str | os.PathLike | None = None) -> Path:
    """The saves root: ``override`` (``--saves``), else ``$QWOP_STUDIO_SAVES``, else ``./saves``."""
    if override is not None and str(override) != "":
        return Path(override).expanduser()
    from_env = os.environ.get(ENV_VAR, "")
    return Path(from_env).expanduser() if from_env else DEFAULT_ROOT


def runs_dir(override: str | os.PathLike | None = None) -> Path:
    """Where new training runs land (and where "Open run…" starts looking)."""
    return saves_root(override) / RUNS


def recordings_dir(override: str | os.PathLike | None = None) -> Path:
    """Where ``play --record`` writes its games."""
    return saves_root(override) / RECORDINGS


def sweeps_dir(override: str | os.PathLike | None = None) -> Path:
    """Where ``tune`` keeps its studies (``<study>/study.db``, ``<study>/best_config.yml``)."""
    return saves_root(override) / SWEEPS


def _source(override: str | os.PathLike | None) -> str:
    if override is not None and str(override) != "":
        return f"--saves {override}"
    if os.environ.get(ENV_VAR, ""):
        return f"{ENV_VAR}={os.environ[ENV_VAR]}"
    return f"{DEFAULT_ROOT}/ (the default)"


def check_saves_root(override: str | os.PathLike | None = None) -> Path:
    """The saves root, checked before any work starts: it, or its nearest existing parent, must be a
    writable folder. Nothing is created. Raises :class:`SavesError` (one line) otherwise.
    """
    from qwop_studio.fileio import folder_problem

    root = saves_root(override)
    problem = folder_problem(root)
    if problem:
        raise SavesError(f"{_source(override)}: {problem}; choose another folder with --saves DIR")
    return root


__all__ = ["ENV_VAR", "DEFAULT_ROOT", "SavesError", "saves_root", "runs_dir", "recordings_dir", "check_saves_root"]
