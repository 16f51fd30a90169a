"""N-episode evaluation of a saved model, with statistics and an atomically written JSON report.

The algorithm and env settings come from the run's ``config.yml`` (beside the model, or one level up
for ``checkpoints/``), else from the config the trainer stores inside every model .zip; never from the
file name. A model whose observation or action space does not match that env is refused with one line.
"""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from qwop_studio.fileio import OutputPathError, atomic_write_text, check_writable_dir, check_writable_file
from qwop_studio.sim import spec
from qwop_studio.train.config import ConfigError
from qwop_studio.train.upright import SPLIT_MARKS_M, replay_with_posture

#: An episode that ran out of time within this many game metres of the start "stood still": a frozen
#: policy (the argmax holding one pose) rather than a slow runner. Counted apart so that a frozen
#: snapshot shows at once in the summary instead of hiding inside "not finished".
STOOD_STILL_M = 1.0

#: How an episode ended: past the line, fallen (the env's termination), or out of time (TimeLimit).
ENDINGS: tuple[str, ...] = ("finished", "fell", "time_up")


class EvaluationError(ValueError):
    """A model that cannot be evaluated (one line; the CLI exits with code 2)."""


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"mean": None, "std": None, "median": None, "min": None, "max": None}
    a = np.asarray(values, dtype=float)
    return {"mean": float(a.mean()), "std": float(a.std()), "median": float(np.median(a)),
            "min": float(a.min()), "max": float(a.max())}


def episode_ending(is_success: bool, truncated: bool) -> str:
    """One of :data:`ENDINGS`: success wins; otherwise a TimeLimit cut is "time_up", any other end "fell"."""
    return "finished" if is_success else "time_up" if truncated else "fell"


def summarize(episodes: list[dict[str, Any]]) -> dict[str, Any]:
    """Statistics over episode records (keys: reward, length, distance, time, is_success, avg_speed, and
    where measured torso_height, knee_on_track and ending).

    Distances are game metres and times seconds of the game clock; ``best_success_time`` /
    ``worst_success_time`` are over successful episodes only (None without any). ``endings`` counts
    each of :data:`ENDINGS` and ``stood_still`` the time-ups under :data:`STOOD_STILL_M` (records from
    before endings were kept count as unknown: None).
    """
    successes = [e for e in episodes if e["is_success"]]
    success_times = [e["time"] for e in successes]
    known = all("ending" in e for e in episodes)
    return {
        "episodes": len(episodes),
        "successes": len(successes),
        "success_rate": len(successes) / len(episodes) if episodes else 0.0,
        "endings": {k: sum(e["ending"] == k for e in episodes) for k in ENDINGS} if known else None,
        "stood_still": sum(e["ending"] == "time_up" and e["distance"] < STOOD_STILL_M for e in episodes)
        if known else None,
        "reward": _stats([e["reward"] for e in episodes]),
        "length": _stats([float(e["length"]) for e in episodes]),
        "distance": _stats([e["distance"] for e in episodes]),
        "time": _stats([e["time"] for e in episodes]),
        "avg_speed": _stats([e["avg_speed"] for e in episodes]),
        "success_time": _stats(success_times),
        "best_success_time": min(success_times) if success_times else None,
        "worst_success_time": max(success_times) if success_times else None,
        # How upright (train/upright.py): torso mean height as a fraction of standing, share of frames
        # with a knee on the track; episode records from before this measure lack them.
        "torso_height": _stats([e["torso_height"] for e in episodes if "torso_height" in e]),
        "knee_on_track": _stats([e["knee_on_track"] for e in episodes if "knee_on_track" in e]),
        "splits": split_summary([e["splits"] for e in successes if "splits" in e]),
        # The gait's rhythm (train/upright.py): per episode the median thigh half-cycle, game seconds.
        "thigh_half_cycle_s": _stats([e["thigh_half_cycle_s"] for e in episodes
                                      if e.get("thigh_half_cycle_s") is not None]),
    }


def split_summary(finished_splits: list[list[float]]) -> list[dict[str, float]]:
    """Per mark of ``SPLIT_MARKS_M``, over finished episodes: the median game time at the mark and the
    median time of the stretch before it (``[]`` without any). Why medians of each stretch: they show
    where the typical race loses time (a slow start, the hurdle) even when the totals differ."""
    rows = []
    for i, mark in enumerate(SPLIT_MARKS_M):
        at = [s[i] for s in finished_splits if len(s) > i]
        if not at:
            break
        stretch = [s[i] - (s[i - 1] if i else 0.0) for s in finished_splits if len(s) > i]
        rows.append({"mark_m": mark, "median_at_s": float(np.median(at)), "median_split_s": float(np.median(stretch))})
    return rows


#: The ``--model`` name of the random-keys baseline: every key state equally likely at every step.
RANDOM_KEYS = "random-keys"


class RandomKeys:
    """A stand-in model that presses uniformly random keys (seeded).

    Why: it is the floor every trained runner is measured against, and its recordings are the "bad
    teacher" that checks demonstrations cannot wreck training (``evaluate --model random-keys --record``).
    """

    def __init__(self, observation_space: Any, action_space: Any, seed: int) -> None:
        self.observation_space = observation_space
        self.action_space = action_space
        self.action_space.seed(seed)

    def predict(self, observation: Any, deterministic: bool = True) -> tuple[Any, None]:
        import numpy as np

        return np.array([self.action_space.sample()]), None


def evaluate_model(model_path: str | os.PathLike, episodes: int = 100, deterministic: bool = True,
                   start_noop_max: int | None = None, seed: int = 0, json_out: str | os.PathLike | None = None,
                   record_dir: str | os.PathLike | None = None, config_name: str | None = None) -> dict[str, Any]:
    """Play ``episodes`` episodes with the model; return (and optionally write) the report.

    ``model_path`` :data:`RANDOM_KEYS` plays random keys on ``config_name``'s env (default: the default
    config) instead of a model.

    ``record_dir``: also save every episode there as a recording (``episode_<n>_<result>.json``) that
    ``qwop-studio replay`` plays back bit for bit, or exports as a video.

    Raises :class:`EvaluationError` or :class:`~qwop_studio.train.config.ConfigError` (one line) for a
    missing or unreadable model, a missing config, or mismatched spaces.
    """
    import torch

    from qwop_studio.env import make_vec_env
    from qwop_studio.train.config import DEFAULT_CONFIG, load_config
    from qwop_studio.train.model_file import ModelFileError, load_model
    from qwop_studio.train.run_dir import config_for_model

    torch.set_num_threads(1)
    path = Path(model_path)
    random_keys = str(model_path) == RANDOM_KEYS
    if config_name is not None and not random_keys:
        raise EvaluationError(f"--config {config_name}: only for --model {RANDOM_KEYS}; a model's config is its run's")
    if not random_keys and not path.is_file():
        raise EvaluationError(f"{model_path}: no such model file")
    if episodes < 1:
        raise EvaluationError(f"--episodes {episodes}: must be >= 1")
    config = load_config(config_name or DEFAULT_CONFIG) if random_keys else config_for_model(path)
    env_kwargs = config.env.env_kwargs()
    if start_noop_max is not None:
        if start_noop_max < 0:
            raise EvaluationError(f"--start-noop-max {start_noop_max}: must be >= 0")
        env_kwargs["start_noop_max"] = start_noop_max
    try:
        if json_out is not None:
            check_writable_file(json_out, "--json")
        if record_dir is not None:
            check_writable_dir(record_dir, "--record")
    except OutputPathError as e:
        raise EvaluationError(str(e)) from None
    try:
        model = None if random_keys else load_model(path, config.algorithm, env_kwargs, config.hyperparams,
                                                    config.total_timesteps)
    except ModelFileError as e:
        raise EvaluationError(str(e)) from None
    env = make_vec_env(1, "dummy", seed=seed, env_kwargs=env_kwargs,
                       wrappers=config.wrapper_specs(evaluation=True), max_episode_steps=config.max_episode_steps)
    if model is None:
        model = RandomKeys(env.observation_space, env.action_space, seed)
    try:
        for what in ("observation_space", "action_space"):
            mine, theirs = getattr(model, what), getattr(env, what)
            if mine != theirs:
                raise EvaluationError(
                    f"{model_path}: the model's {what.replace('_', ' ')} {mine} does not match the env's {theirs}"
                    f" (config: frames_per_step={config.env.frames_per_step},"
                    f" reduced_action_set={config.env.reduced_action_set}); evaluate it with its own run's config.yml")
        records = play_episodes(model, env, episodes, deterministic, Path(record_dir) if record_dir else None)
    finally:
        env.close()
    report = {
        "model": str(path),
        "algorithm": RANDOM_KEYS if random_keys else config.algorithm,
        "config": config.config_name,
        "deterministic": deterministic,
        "start_noop_max": env_kwargs["start_noop_max"],
        "seed": seed,
        "env": env_kwargs,
        "max_episode_steps": config.max_episode_steps,
        "evaluated_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        **summarize(records),
        "episode_records": records,
    }
    if json_out is not None:
        write_report(report, Path(json_out))
    return report


class ReportNotWrittenError(EvaluationError):
    """The evaluation finished but its JSON could not be written where asked; ``report`` keeps the result
    and ``fallback`` says where it was written instead (None if nowhere)."""

    def __init__(self, message: str, report: dict[str, Any], fallback: Path | None) -> None:
        super().__init__(message)
        self.report = report
        self.fallback = fallback


def write_report(report: dict[str, Any], path: Path) -> Path:
    """Write the report atomically to ``path``; if that fails after all (the disk filled, the folder went
    away), write it beside the working directory instead and raise :class:`ReportNotWrittenError`, so
    minutes of evaluation are never lost to a path."""
    text = json.dumps(report, indent=2, default=_json_default) + "\n"
    try:
        atomic_write_text(path, text)
        return path
    except OSError as e:
        problem = f"--json {path}: could not write ({e.strerror or e})"
    fallback: Path | None = Path.cwd() / f"evaluation-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.json"
    try:
        atomic_write_text(fallback, text)
    except OSError:
        fallback = None
    where = f"; the report was written to {fallback} instead" if fallback else "; the report is printed above"
    raise ReportNotWrittenError(problem + where, report, fallback)


def play_episodes(model: Any, env: Any, episodes: int, deterministic: bool,
                  record_dir: Path | None = None) -> list[dict[str, Any]]:
    """Play ``episodes`` episodes on a one-env VecEnv (reset first); one record per episode."""
    records: list[dict[str, Any]] = []
    obs = env.reset()
    while len(records) < episodes:
        action, _ = model.predict(obs, deterministic=deterministic)
        obs, _, dones, infos = env.step(action)
        if dones[0]:
            ep = infos[0]["episode"]
            truncated = bool(infos[0].get("TimeLimit.truncated", False))
            # The env has already reset; its last episode's keys remain. Replayed on a fresh game, they
            # give the posture frame by frame and the final state a recording needs.
            keys = env.get_attr("last_episode_keys")[0]
            game, posture = replay_with_posture(keys)
            records.append({"reward": float(ep["r"]), "length": int(ep["l"]), "distance": float(ep["distance"]),
                            "time": float(ep["time"]), "is_success": bool(ep["is_success"]),
                            "avg_speed": float(ep["avg_speed"]), "torso_height": posture.torso_height,
                            "knee_on_track": posture.knee_on_track, "splits": list(posture.splits),
                            "thigh_half_cycle_s": posture.thigh_half_cycle_s,
                            "ending": episode_ending(bool(ep["is_success"]), truncated)})
            if record_dir is not None:
                record_episode(keys, game, record_dir, len(records))
    return records


def record_episode(keys: bytes, game: Any, record_dir: Path, number: int) -> Path:
    """Save one evaluated episode as a recording; ``game`` is a fresh game after replaying ``keys``."""
    from qwop_studio.recording import Recording, save_recording

    recording = Recording.of_game(list(keys), game, stopped_by="timeout")
    return save_recording(recording, record_dir / f"episode_{number:03d}_{recording.outcome.result}.json")


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


def print_report(report: dict[str, Any]) -> None:
    """A short rich table of the report on the terminal."""
    from rich.console import Console
    from rich.table import Table

    def fmt(v: float | None, unit: str = "") -> str:
        return "-" if v is None else f"{v:.2f}{unit}"

    table = Table(title=f"{report['algorithm']} {Path(report['model']).name}: {report['episodes']} episodes "
                        f"({'deterministic' if report['deterministic'] else 'stochastic'})")
    for col in ("", "mean", "std", "min", "max"):
        table.add_column(col, justify="right")
    for key, unit in (("distance", " m"), ("time", " s"), ("avg_speed", " m/s"), ("reward", ""), ("length", "")):
        s = report[key]
        table.add_row(key, fmt(s["mean"], unit), fmt(s["std"]), fmt(s["min"], unit), fmt(s["max"], unit))
    console = Console()
    console.print(table)
    console.print(f"success rate {report['success_rate']:.1%} ({report['successes']}/{report['episodes']}); "
                  f"successful 100 m times: median {fmt(report['success_time']['median'], ' s')}, "
                  f"best {fmt(report['best_success_time'], ' s')}, worst {fmt(report['worst_success_time'], ' s')} "
                  f"(game clock: frames / 30)")
    endings = report.get("endings")
    if endings is not None:
        still = report.get("stood_still") or 0
        console.print(f"endings: {endings['finished']} finished, {endings['fell']} fell, {endings['time_up']} ran out "
                      f"of time" + (f" ({still} of them stood still: under {STOOD_STILL_M:g} m)" if still else ""))
    torso, knee = report.get("torso_height", {}).get("mean"), report.get("knee_on_track", {}).get("mean")
    if torso is not None and knee is not None:
        console.print(f"upright: torso at {torso:.1%} of standing height on average, a knee on the track in "
                      f"{knee:.1%} of frames")
    rhythm = (report.get("thigh_half_cycle_s") or {}).get("median")
    if rhythm is not None:
        console.print(f"gait: the thighs switch (Q <-> W) every {rhythm:.2f} s (median over episodes)")
    splits = report.get("splits") or []
    if splits:
        console.print("median splits of the finished races, per 10 m (s): "
                      + " ".join(f"{row['median_split_s']:.2f}" for row in splits)
                      + f" (hurdle at {spec.HURDLE_AT / spec.UNITS_PER_METRE:g} m)")


__all__ = ["ENDINGS", "STOOD_STILL_M", "episode_ending", "RANDOM_KEYS", "RandomKeys", "evaluate_model", "summarize", "print_report", "write_report", "EvaluationError", "ReportNotWrittenError",
           "ConfigError"]
