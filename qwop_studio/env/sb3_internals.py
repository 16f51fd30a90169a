"""The Stable-Baselines3 internals our vector envs rely on, each in one place.

Checked against stable-baselines3 2.9.2. ``tests/env/test_sb3_internals.py`` fails if SB3 changes them.

Why we reach in: SB3's ``VecEnv.seed(seed)`` and ``set_options(options)`` do not reset anything; they
store per-env seeds and options in ``VecEnv._seeds`` / ``VecEnv._options`` for the next ``reset()``
to use and then clear. A vector env that spreads its envs over processes has to hand each shard its
envs' pending seeds and options, and a shard's inner ``DummyVecEnv`` has to be given them.
"""
from __future__ import annotations

from typing import Any


def pending_resets(venv: Any, indices: list[int] | range) -> tuple[list[Any], list[Any]]:
    """The seeds and options the next ``reset()`` of ``venv`` will use for envs ``indices``."""
    return [venv._seeds[i] for i in indices], [venv._options[i] for i in indices]


def set_pending_resets(venv: Any, seeds: list[Any], options: list[Any]) -> None:
    """Give ``venv`` (a ``DummyVecEnv``) the seeds and options its next ``reset()`` uses, one per env."""
    venv._seeds = list(seeds)
    venv._options = list(options)


__all__ = ["pending_resets", "set_pending_resets"]
