"""``qwop-studio imitate --demos DIR --config NAME --out MODEL.zip [--epochs N] [--seed S]``: a policy cloned from recordings.

The clone is a freshly built model of the config's algorithm (its own SB3 policy, observation and
action set), trained by behaviour cloning (``train/bc.py``) on the recordings' demonstration steps
(``train/demos.py``: the rules for turning frames into steps), and saved atomically as a normal SB3
.zip carrying the same metadata the trainer stores (the config and env settings). So
``qwop-studio evaluate --model MODEL.zip``, the studio and ``train --resume MODEL.zip`` take it as
they take any model; ``num_timesteps`` is 0 (no RL yet).

Checked before any work: ``--out`` must end in ``.zip``, must not be a directory, and its directory
must be writable; ``--epochs`` >= 1. Problems with what the user gave exit with code 2 and one line.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

#: Epochs when ``--epochs`` is not given (docs/training-results.md: how many a clone needs).
DEFAULT_EPOCHS: int = 120
EXIT_USAGE = 2


class ImitateError(ValueError):
    """A bad `imitate` argument: an output path that cannot be written, or --epochs below 1 (one line)."""


def check_output(path: str | os.PathLike, flag: str = "--out") -> Path:
    """``path`` if a model can be written there, else :class:`ImitateError` naming it. Creates nothing."""
    out = Path(path)
    if out.suffix != ".zip":
        raise ImitateError(f"{flag} {path}: a model file must end in .zip")
    if out.is_dir():
        raise ImitateError(f"{flag} {path}: is a directory")
    if out.exists() and not os.access(out, os.W_OK):
        raise ImitateError(f"{flag} {path}: the file exists and is not writable")
    parent = out.parent.resolve()
    while not parent.exists():  # the nearest folder that exists must let us create the rest
        parent = parent.parent
    if not parent.is_dir():
        raise ImitateError(f"{flag} {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ImitateError(f"{flag} {path}: cannot write in {parent} (permission denied)")
    return out


def build_model(config: Any, seed: int) -> tuple[Any, Any]:
    """A fresh model of the config's algorithm on a one-env vector env; returns ``(model, env)`` (close the env)."""
    from qwop_studio.env import make_vec_env
    from qwop_studio.train.algorithms import build_kwargs

    env = make_vec_env(1, "dummy", seed=seed, env_kwargs=config.env.env_kwargs(),
                       wrappers=config.wrapper_specs(evaluation=True), max_episode_steps=config.max_episode_steps)
    model = config.spec.cls(config.policy, env, seed=seed, device="cpu", verbose=0,
                            **build_kwargs(config.algorithm, config.hyperparams, config.total_timesteps))
    return model, env


def imitate(demos_path: str | os.PathLike, config_name: str | os.PathLike, out: str | os.PathLike,
            epochs: int = DEFAULT_EPOCHS, seed: int = 0, log: Any = None) -> dict[str, Any]:
    """Clone a policy from the recordings at ``demos_path`` for the config; save it to ``out``.

    Returns a summary (steps, stats, losses, accuracy, path). ``log(line)`` receives progress lines.
    Raises :class:`ImitateError`, :class:`~qwop_studio.train.config.ConfigError` or
    :class:`~qwop_studio.train.demos.DemoError` (one line) before any training for bad inputs.
    """
    from qwop_studio.train import callbacks as cb
    from qwop_studio.train.bc import accuracy, clone_epochs
    from qwop_studio.train.config import DEFAULT_CONFIG, load_config
    from qwop_studio.train.demos import load_demos
    from qwop_studio.train.model_file import METADATA_ATTR
    from qwop_studio.train.torch_setup import prepare_torch_process

    log = log or (lambda line: None)
    out_path = check_output(out)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ImitateError(f"--epochs {epochs}: must be an integer >= 1")
    config = load_config(config_name or DEFAULT_CONFIG, {"seed": seed})
    demos = load_demos(demos_path, config.env.frames_per_step, config.env.reduced_action_set,
                       config.env.observation)
    log(f"demonstrations: {demos.stats.summary()}")
    prepare_torch_process()
    model, env = build_model(config, seed)
    try:
        def on_epoch(epoch: int, loss: float) -> None:
            if epoch == 1 or epoch % 10 == 0 or epoch == epochs:
                log(f"epoch {epoch}/{epochs}: loss {loss:.4f}")

        losses = clone_epochs(model.policy, demos.observations, demos.actions, epochs, seed=seed, on_epoch=on_epoch)
        acc = accuracy(model.policy, demos.observations, demos.actions)
        env_kwargs = config.env.env_kwargs()
        setattr(model, METADATA_ATTR, {"format": 1, "config": config.to_dict(), "env_kwargs": env_kwargs})
        cb.save_model_atomic(model, out_path)
    finally:
        env.close()
    return {"path": str(out_path), "steps": len(demos), "stats": vars(demos.stats), "epochs": epochs,
            "losses": losses, "accuracy": acc, "algorithm": config.algorithm, "config": config.config_name}


def imitate_from_args(args: argparse.Namespace) -> int:
    """The ``imitate`` subcommand: exit 0 done, 2 bad input (one line on stderr, nothing written)."""
    from qwop_studio.train.config import ConfigError
    from qwop_studio.train.demos import DemoError

    def log(line: str) -> None:
        print(line, file=sys.stderr)

    try:
        summary = imitate(args.demos, args.config, args.out, epochs=args.epochs, seed=args.seed, log=log)
    except (ImitateError, ConfigError, DemoError) as e:
        print(f"qwop-studio imitate: {e}", file=sys.stderr)
        return EXIT_USAGE
    log(f"clone of {summary['steps']:,} demonstration steps ({summary['algorithm']}, config {summary['config']}): "
        f"final loss {summary['losses'][-1]:.4f}, greedy action = demonstrated on {summary['accuracy']:.1%}; "
        f"saved {summary['path']}")
    return 0


__all__ = ["imitate", "imitate_from_args", "check_output", "build_model", "ImitateError",
           "DEFAULT_EPOCHS"]
