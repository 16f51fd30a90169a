"""A run directory and the files in it: where runs land, their checkpoints, what config a model was
trained with, and what to resume. No training here (``trainer.py``), no processes (``child.py``).

A run directory, ``saves/runs/<ALGO>_<config>_<timestamp>/`` (the saves root: ``qwop_studio/saves.py``)::

    config.yml                 the resolved config (what was actually run)
    checkpoints/model_<N>_steps.zip        (+ replay_buffer_<N>_steps.npz, off-policy)
    final_model.zip
    progress.csv               one row per finished episode
    reward_weights.csv         the weights at the start and after every change, with the step
    best_model.zip/.json       with eval_freq: the best periodic evaluation's model and report
    evaluations.csv            with eval_freq: one row per periodic evaluation
    tb/<ALGO>/                 TensorBoard logs (a resumed run continues the same curves)

Everything that reads a model file here goes through ``model_file.py`` (nothing is unpickled).
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qwop_studio.saves import runs_dir
from qwop_studio.train.config import DEFAULT_CONFIG, ConfigError, TrainConfig, load_config, validate_config

#: A checkpoint's file name; the number is the env steps it holds.
CHECKPOINT_RE = re.compile(r"^model_(\d+)_steps\.zip$")


def default_run_dir(config: TrainConfig, root: Path | None = None) -> Path:
    """``root/<ALGO>_<config name>_<YYYYmmdd-HHMMSS>`` (with ``-2``, ``-3``... if taken). Not created.

    ``root`` defaults to the saves root's ``runs/`` (``qwop_studio/saves.py``: ``--saves``,
    ``$QWOP_STUDIO_SAVES`` or ``./saves``), resolved now, not at import.
    """
    root = runs_dir() if root is None else Path(root)
    base = root / f"{config.algorithm}_{config.config_name}_{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def checkpoint_step(path: Path) -> int | None:
    m = CHECKPOINT_RE.match(path.name)
    return int(m.group(1)) if m else None


def latest_checkpoint(run_dir: Path) -> Path | None:
    """The run's checkpoint with the most steps, or None."""
    found = [(checkpoint_step(p), p) for p in (run_dir / "checkpoints").glob("model_*_steps.zip")]
    found = [(s, p) for s, p in found if s is not None]
    return max(found)[1] if found else None


def run_dir_of(model_path: Path) -> Path:
    """The run directory a model file belongs to (``checkpoints/`` is one level down)."""
    return model_path.parent.parent if model_path.parent.name == "checkpoints" else model_path.parent


def resolve_resume(resume: str | os.PathLike) -> Path:
    """A checkpoint .zip from a path to one, or to a run directory (its latest checkpoint).

    Raises :class:`ConfigError` (one line) if there is none.
    """
    path = Path(resume)
    if path.is_dir():
        found = latest_checkpoint(path)
        if found is None:
            final = path / "final_model.zip"
            if final.is_file():
                return final
            raise ConfigError(f"{resume}: no checkpoints/model_<N>_steps.zip in this run directory")
        return found
    if path.is_file() and path.suffix == ".zip":
        return path
    raise ConfigError(f"{resume}: no such checkpoint (give a model_<N>_steps.zip or a run directory)")


def replay_buffer_for(checkpoint: Path) -> Path | None:
    """The ``.npz`` replay buffer saved with ``checkpoint``, or None (an SB3 ``.pkl`` is never opened)."""
    step = checkpoint_step(checkpoint)
    if step is None:
        return None
    path = checkpoint.with_name(f"replay_buffer_{step}_steps.npz")
    return path if path.is_file() else None


def read_model_metadata(model_path: Path) -> dict[str, Any] | None:
    """The metadata the trainer stores in every saved .zip (config, env settings), or None."""
    from qwop_studio.train.model_file import ModelFileError, read_model_info

    try:
        return read_model_info(model_path).metadata
    except ModelFileError:
        return None


def config_for_model(model_path: Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """The config a model was trained with: its run's ``config.yml``, else the copy inside the .zip, else
    (a model from rl-zoo3 or any SB3 script) its zoo files, spaces and the env's defaults, said on stderr."""
    config_file = run_dir_of(model_path) / "config.yml"
    if config_file.is_file():
        return load_config(config_file, overrides)
    meta = read_model_metadata(model_path)
    if meta is None or "config" not in meta:
        from qwop_studio.train.foreign_models import config_for_foreign_model

        return config_for_foreign_model(model_path, overrides)
    data = dict(meta["config"])
    for key, value in (overrides or {}).items():
        data[key] = value
    return validate_config(data, str(model_path))


@dataclass(frozen=True)
class RunPlan:
    """What to run, resolved and validated before anything is written."""

    config: TrainConfig
    run_dir: Path
    resume: Path | None
    source: str


def plan_run(config: str | os.PathLike | None = None, run_dir: str | os.PathLike | None = None,
             resume: str | os.PathLike | None = None, overrides: dict[str, Any] | None = None,
             runs_root: str | os.PathLike | None = None) -> RunPlan:
    """Resolve config, run directory and checkpoint; raise :class:`ConfigError` before creating anything.

    A new run without ``run_dir`` lands under ``runs_root`` (default: the saves root's ``runs/``).

    With ``resume`` the run's own ``config.yml`` is used (``config`` is ignored) and the run
    continues in the checkpoint's run directory unless ``run_dir`` is given. ``overrides`` maps
    dotted config keys to values (e.g. ``{"total_timesteps": 20000}``).
    """
    if resume is not None:
        checkpoint = resolve_resume(resume)
        cfg = config_for_model(checkpoint, overrides)
        target = Path(run_dir) if run_dir else run_dir_of(checkpoint)
        step = checkpoint_step(checkpoint) or (read_model_num_timesteps(checkpoint) or 0)
        if step >= cfg.total_timesteps:
            raise ConfigError(f"{checkpoint}: already at {step} steps of total_timesteps {cfg.total_timesteps};"
                              f" pass a larger --total-timesteps to train further")
        _check_checkpoint(checkpoint, cfg)
        _check_run_dir(target)
        return RunPlan(cfg, target, checkpoint, str(checkpoint))
    config = config or DEFAULT_CONFIG
    cfg = load_config(config, overrides)
    if run_dir is not None and (Path(run_dir) / "config.yml").exists():
        raise ConfigError(f"{run_dir}: already holds a run; pick another --run-dir, or --resume {run_dir}")
    target = Path(run_dir) if run_dir else default_run_dir(cfg, runs_root)
    _check_run_dir(target)
    return RunPlan(cfg, target, None, str(config))


def _check_checkpoint(checkpoint: Path, config: TrainConfig) -> None:
    """Refuse, before anything starts, a checkpoint that :func:`run_training` would not load."""
    from qwop_studio.train.model_file import ModelFileError, check_model_file

    try:
        check_model_file(checkpoint, config.algorithm, env_kwargs=config.env.env_kwargs())
    except ModelFileError as e:
        raise ConfigError(str(e)) from None


def _check_run_dir(run_dir: Path) -> None:
    """Refuse a run directory that is a file, lies under one, or cannot be written in."""
    from qwop_studio.fileio import OutputPathError, check_writable_dir

    try:
        check_writable_dir(run_dir, "run directory")
    except OutputPathError as e:
        raise ConfigError(str(e)) from None


def read_model_num_timesteps(model_path: Path) -> int | None:
    """The env steps a saved model had trained for (from its JSON), or None."""
    from qwop_studio.train.model_file import ModelFileError, read_model_info

    try:
        return read_model_info(model_path).num_timesteps
    except ModelFileError:
        return None


def weights_at(csv_path: Path, step: int) -> dict[str, float] | None:
    """The reward weights in force at ``step`` according to ``reward_weights.csv`` (None if unknown)."""
    from qwop_studio.train.weight_log import read_weight_log

    rows = read_weight_log(csv_path, up_to_step=step)
    return rows[-1].weights if rows else None


def truncate_log(path: Path, step: int) -> None:
    """Drop a step-keyed CSV log's rows after ``step`` (a resumed run rewrites that stretch of history)."""
    from qwop_studio.fileio import atomic_write_text

    if not path.is_file():
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = lines[:1] + [ln for ln in lines[1:] if ln.endswith("\n") and ln.split(",", 1)[0].isdigit()
                        and int(ln.split(",", 1)[0]) <= step]
    if len(kept) != len(lines):
        atomic_write_text(path, "".join(kept))
