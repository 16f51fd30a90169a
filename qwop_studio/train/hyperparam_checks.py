"""What is wrong with one hyperparameter of a training config, as the clause of a one-line error.

Why a module of its own: :mod:`~qwop_studio.train.config` owns the file format and its error line; the
rules for SB3's constructor arguments (ranges from ``algorithms.HYPERPARAM_RULES``, schedules,
``train_freq``, ``policy_kwargs``) are a table walk that grows with each algorithm. Each function
returns the problem as text (``"must be >= 1"``) or None; the caller adds the file and the key.
"""
from __future__ import annotations

import difflib
import math
from typing import Any

from qwop_studio.train import algorithms


def suggest(name: str, known: Any) -> str:
    """The clause that ends an unknown-name error: the closest known name, else all of them listed."""
    close = difflib.get_close_matches(str(name), list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"


def hyperparam_problem(key: str, value: Any, algorithm: str) -> str | None:
    """What is wrong with ``hyperparams.<key>: value`` for ``algorithm``, or None if nothing."""
    if key in algorithms.SCHEDULE_ARGS and isinstance(value, (str, list)):
        try:
            algorithms.parse_schedule(value)
        except ValueError as e:
            return str(e)
        return None
    if key == "train_freq":
        ok = (isinstance(value, int) and not isinstance(value, bool) and value >= 1) or (
            isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and value[0] >= 1
            and value[1] in ("step", "episode"))
        return None if ok else "must be an integer >= 1 or [n, 'step'|'episode']"
    if key == "policy_kwargs":
        return policy_kwargs_problem(value, algorithm)
    rule = algorithms.HYPERPARAM_RULES.get(key)
    if rule is None:
        return None
    kind, low, high, low_inclusive = rule
    if value is None and key in ("target_kl", "max_grad_norm", "clip_range_vf"):
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be {'an integer' if kind == 'int' else 'a number'}"
    if kind == "int" and not isinstance(value, int):
        return "must be an integer"
    if not math.isfinite(value):
        return "must be finite"
    if low is not None and (value < low or (value == low and not low_inclusive)):
        return f"must be {'>=' if low_inclusive else '>'} {low:g}"
    if high is not None and value > high:
        return f"must be <= {high:g}"
    return None


def policy_kwargs_problem(value: Any, algorithm: str) -> str | None:
    """What is wrong with ``hyperparams.policy_kwargs`` (keys, net_arch, activation), or None."""
    if not isinstance(value, dict):
        return "must be a mapping (e.g. {net_arch: [64, 64]})"
    for key, item in value.items():
        if key not in algorithms.POLICY_KWARGS:
            return f"unknown policy_kwargs key {key!r}{suggest(key, sorted(algorithms.POLICY_KWARGS))}"
        if key == "n_quantiles":
            if algorithm != "QRDQN":
                return "n_quantiles is a QRDQN setting only"
            if isinstance(item, bool) or not isinstance(item, int) or item < 1:
                return "n_quantiles must be an integer >= 1"
        if key == "activation_fn":
            try:
                algorithms.parse_activation(str(item))
            except ValueError as e:
                return str(e)
        if key == "net_arch":
            layers = list(item.values()) if isinstance(item, dict) else [item]
            for layer in layers:
                if not (isinstance(layer, list) and all(isinstance(n, int) and not isinstance(n, bool) and n > 0
                                                       for n in layer)):
                    return "net_arch must be a list of positive integers (or {pi: [...], vf: [...]})"
    return None


__all__ = ["hyperparam_problem", "policy_kwargs_problem", "suggest"]
