"""The Stable-Baselines3 model internals the trainer relies on, each in one place.

Checked against stable-baselines3 2.9.2. ``tests/train/test_sb3_internals.py`` fails if SB3 changes them.
"""
from __future__ import annotations

from typing import Any


def rebuild_lr_schedule(model: Any) -> None:
    """Make ``model.lr_schedule`` follow ``model.learning_rate`` again.

    Why: ``load`` restores the schedule of the saved run; a resume that changes the learning rate
    sets ``learning_rate`` and must rebuild the schedule SB3 derives from it (``_setup_lr_schedule``).
    """
    model._setup_lr_schedule()


def current_learning_rate(model: Any) -> float:
    """The learning rate the optimiser uses now (SB3 evaluates its schedule at ``_current_progress_remaining``)."""
    return float(model.lr_schedule(model._current_progress_remaining))


__all__ = ["rebuild_lr_schedule", "current_learning_rate"]
