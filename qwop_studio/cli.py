"""``qwop-studio``: the one command line of QWOP Studio.

Each subcommand's arguments are defined here; the work is done by the module that owns it, imported
only when that subcommand runs (so ``qwop-studio play`` never imports torch, and ``train`` never
imports pygame).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

#: subcommand -> "module:function"; the function takes the parsed arguments and returns an exit code.
COMMANDS: dict[str, str] = {
    "studio": "qwop_studio.studio.launch:run_from_args",
    "play": "qwop_studio.play:run_from_args",
    "replay": "qwop_studio.replay:run_from_args",
    "train": "qwop_studio.train.cli:train_from_args",
    "evaluate": "qwop_studio.train.cli:evaluate_from_args",
    "benchmark": "qwop_studio.train.cli:benchmark_from_args",
    "tune": "qwop_studio.tune.cli:tune_from_args",
    "imitate": "qwop_studio.train.imitate:imitate_from_args",
}


#: ``--saves``: the saves root (one definition: qwop_studio/saves.py).
SAVES_HELP = "where your runs and recordings go (default $QWOP_STUDIO_SAVES, else ./saves)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qwop-studio", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("studio", help="open the training dashboard")
    p.add_argument("--config", help="shipped config name or YAML file to start with")
    p.add_argument("--resume", metavar="RUN_DIR", help="a run directory to resume")
    p.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800)")
    p.add_argument("--saves", metavar="DIR", help=SAVES_HELP)
    # hidden: draw N frames once the shipped runner has loaded, print what was loaded (JSON), exit (install checks)
    p.add_argument("--exit-after-frames", type=int, metavar="N", help=argparse.SUPPRESS)
    p.add_argument("--frame-log", metavar="FILE", help="append each second's frame count and slowest frame (ms) "
                   "to FILE, for measuring the window (benchmarks/studio_window.py)")

    p = sub.add_parser("play", help="play QWOP yourself with the Q, W, O and P keys")
    p.add_argument("--record", action="store_true", help="save every game to <saves>/recordings/")
    p.add_argument("--saves", metavar="DIR", help=SAVES_HELP)
    p.add_argument("--size", default="960x600", help="window size WxH (default 960x600)")

    p = sub.add_parser("replay", help="replay a recording, or export it as a video")
    p.add_argument("file", help="a recording (.json) from `qwop-studio play --record`")
    p.add_argument("--speed", type=float, default=1.0, help="playback speed (default 1.0)")
    p.add_argument("--video", metavar="OUT", help="write OUT.mp4 or OUT.gif instead of opening a window")

    p = sub.add_parser("train", help="train an agent headless")
    p.add_argument("--config", default=None,
                   help="shipped config name or YAML file (default: the shipped default config; a resumed run uses its own)")
    p.add_argument("--total-timesteps", type=int, help="override the config's total_timesteps")
    p.add_argument("--seed", type=int, help="override the config's seed")
    p.add_argument("--run-dir", help="where the run lands (default <saves>/runs/<ALGO>_<config>_<time>)")
    p.add_argument("--saves", metavar="DIR", help=SAVES_HELP)
    p.add_argument("--resume", metavar="CHECKPOINT", help="a checkpoint .zip (or run directory) to continue")
    p.add_argument("--max-minutes", type=float, help="stop after this much training time (saves as at the end)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value by its dotted key, e.g. --set env.frames_per_step=6")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--demos", metavar="DIR", help="recordings to clone first and learn from during RL "
                   "(sets demos.dir; weights and schedule: the config's demos section)")

    p = sub.add_parser("evaluate", help="evaluate a trained model")
    p.add_argument("--model", required=True,
                   help="a model .zip (its run's config.yml is read), a shipped model's name, e.g. qwop_runner, "
                   "or random-keys (the random baseline)")
    p.add_argument("--config", metavar="NAME", help="with --model random-keys: the config whose env to play "
                   "(default: the default config)")
    p.add_argument("--episodes", type=int, default=100)
    p.add_argument("--json", dest="json_out", metavar="OUT", help="write the statistics to OUT")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--deterministic", dest="deterministic", action="store_true", default=True)
    g.add_argument("--stochastic", dest="deterministic", action="store_false")
    p.add_argument("--start-noop-max", type=int, help="override the config's start_noop_max")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--record", metavar="DIR", help="save every episode as a recording in DIR (see `replay`)")

    p = sub.add_parser("imitate", help="clone a policy from recordings (behaviour cloning)")
    p.add_argument("--demos", required=True, metavar="DIR", help="a directory of recordings (.json), or one file")
    p.add_argument("--config", help="shipped config name or YAML file: the clone's algorithm, policy and env "
                   "settings (default: the shipped default config)")
    p.add_argument("--out", required=True, metavar="MODEL.zip", help="where to save the clone")
    p.add_argument("--epochs", type=int, default=120, help="passes over the demonstrations (default 120)")
    p.add_argument("--seed", type=int, default=0, help="seed of the network's initialisation and minibatches")

    p = sub.add_parser("benchmark", help="env and training throughput on this machine")
    p.add_argument("--seconds", type=float, default=10.0, help="training time per config (default 10)")
    p.add_argument("--configs", nargs="*", help="config names (default: every shipped config)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a value in every config, e.g. --set vec_env=dummy")

    p = sub.add_parser("tune", help="a hyperparameter sweep of a config with Optuna (or Ray); resumable")
    p.add_argument("--config", help="base config: shipped name or YAML file (default: the shipped default)")
    p.add_argument("--trials", type=int, required=True, help="trials the study should hold (finished or pruned)")
    p.add_argument("--trial-minutes", type=float, required=True, help="minutes of training per trial")
    p.add_argument("--study", help="study name (default: the config's name); the same name resumes it")
    p.add_argument("--storage", metavar="URL", help="an Optuna database URL, e.g. postgresql://... (default: "
                   "sqlite under saves/sweeps/<study>/)")
    p.add_argument("--space", metavar="FILE", help="search space YAML (default: the shipped one)")
    p.add_argument("--ray", metavar="ADDRESS|local", help="run the trials on a Ray cluster ('local': start one here)")
    p.add_argument("--cpus-per-trial", type=int, default=2, help="with --ray: cores per trial (default 2)")
    return parser


def _resolve(target: str) -> Callable[[argparse.Namespace], int]:
    module_name, _, func_name = target.partition(":")
    return getattr(importlib.import_module(module_name), func_name)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        handler = _resolve(COMMANDS[args.command])
    except (ImportError, AttributeError) as e:
        print(f"qwop-studio {args.command}: not available in this build ({e})", file=sys.stderr)
        return 1
    try:
        return int(handler(args) or 0)
    except Exception as e:  # a failure that says it is one line for the user (e.g. a rollout worker died)
        if not getattr(e, "one_line", False):
            raise
        print(f"qwop-studio {args.command}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
