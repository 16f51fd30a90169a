"""What a sweep leaves a user: a table of its trials, the best config as a YAML, and a plot.

The best config is the base config with the best completed trial's values, written where
``qwop-studio train --config FILE`` (and the studio's ``--config FILE``) reads it, and checked by
loading it back with ``load_config`` before its path is printed. Pruned trials never count as best:
their objective is an intermediate one, measured after less training.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from qwop_studio.fileio import atomic_write_bytes, atomic_write_text
from qwop_studio.saves import SWEEP_BEST_CONFIG
from qwop_studio.train.config import TrainConfig, load_config
from qwop_studio.tune.space import SearchSpace, apply_params, get_dotted

BEST_CONFIG = SWEEP_BEST_CONFIG  # the studio's config picker lists these (qwop_studio.saves)
PLOT = "objective.png"
#: Prefixes shortened in tables (the full keys are in the study and the best YAML), first match wins.
_PREFIXES = (("hyperparams.policy_kwargs.", ""), ("hyperparams.", ""), ("env.reward_weights.", ""), ("env.", ""),
             ("reward_schedule.", "stage"))


def short_key(key: str) -> str:
    """``hyperparams.learning_rate`` -> ``learning_rate``, ``reward_schedule.0.set.time_cost`` -> ``stage0.time_cost``."""
    for prefix, repl in _PREFIXES:
        if key.startswith(prefix):
            key = repl + key[len(prefix):]
            break
    return key.replace(".set.", ".")


def _fmt(value: Any, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}{unit}"
    return f"{value}{unit}"


def _fmt_param(value: Any) -> str:
    if value is None:
        return "(not set: SB3's default)"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def trial_line(trial: Any) -> str:
    """One line for a finished trial (printed live as each ends)."""
    a = trial.user_attrs
    rate = a.get("success_rate")
    line = (f"trial {trial.number:>3} {trial.state.name:<8} objective {_fmt(trial.value)} s"
            f"  finished {'-' if rate is None else f'{rate:.0%}'} of {a.get('episodes', '-')}"
            f" (median {_fmt(a.get('median_time_s'), unit=' s')})"
            f"  {_fmt(a.get('train_minutes'), 2)} min, {a.get('env_steps', 0):,} env steps")
    if a.get("baseline"):
        line += "  (the base config's own values)"
    if a.get("error"):
        line += f"  error: {a['error']}"
    return line


def baseline_trial(study: Any) -> Any | None:
    """The completed trial of the base config's own values (the study's yardstick), or None."""
    from optuna.trial import TrialState

    return next((t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                 if t.user_attrs.get("baseline") and t.value is not None), None)


def print_results(study: Any, space: SearchSpace, base: TrainConfig, console: Any) -> None:
    """The trials table, and the best trial's values beside the base config's."""
    from rich.table import Table

    table = Table(title=f"study {study.study_name}: objective in game seconds (lower is better)")
    for col in ("trial", "state", "objective", "finished", "median 100 m", "train min", "env steps"):
        table.add_column(col, justify="right")
    for trial in study.get_trials(deepcopy=False):
        a = trial.user_attrs
        rate = a.get("success_rate")
        table.add_row(f"{trial.number} (base)" if a.get("baseline") else str(trial.number),
                      trial.state.name.lower(), _fmt(trial.value),
                      "-" if rate is None else f"{rate:.0%}", _fmt(a.get("median_time_s"), unit=" s"),
                      _fmt(a.get("train_minutes"), 2), f"{a.get('env_steps', 0):,}")
    console.print(table)
    best = best_trial(study)
    if best is None:
        return
    yardstick = baseline_trial(study)
    if yardstick is not None:
        verdict = ("the base config itself is the best" if yardstick.number == best.number else
                   f"the best (trial {best.number}, {best.value:.1f} s) is {yardstick.value - best.value:.1f} s better")
        console.print(f"base config (trial {yardstick.number}): objective {yardstick.value:.1f} s; {verdict}, "
                      f"from one evaluation of {yardstick.user_attrs.get('episodes', '-')} starts each")
    base_data = base.to_dict()
    params = Table(title=f"best: trial {best.number} (objective {best.value:.1f} s)")
    for col in ("param", "best", "base config"):
        params.add_column(col)
    for key, value in space.decode(best.params).items():
        params.add_row(short_key(key), _fmt_param(value), _fmt_param(get_dotted(base_data, key)))
    console.print(params)


def best_trial(study: Any) -> Any | None:
    """The completed trial with the lowest objective, or None."""
    from optuna.trial import TrialState

    done = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if t.value is not None]
    return min(done, key=lambda t: t.value) if done else None


def write_best_config(path: Path, study_name: str, trial: Any, space: SearchSpace, base: TrainConfig,
                      source: str) -> TrainConfig:
    """Write the base config with the trial's values to ``path``; load it back (raises if it would not load)."""
    config = apply_params(base, space.decode(trial.params), name=f"{study_name}_best")
    a = trial.user_attrs
    rate = a.get("success_rate")
    header = (f"# Best config of sweep {study_name}: trial {trial.number}, objective {trial.value:.1f} s"
              f" ({'-' if rate is None else f'{rate:.0%}'} of {a.get('episodes', '-')} evaluation starts finished,"
              f" median {_fmt(a.get('median_time_s'), unit=' s')}, after {_fmt(a.get('train_minutes'), 2)} min)\n"
              f"# Base config: {source}; sampled: {', '.join(sorted(space.decode(trial.params)))}\n"
              f"# Train it: qwop-studio train --config {path}\n")
    atomic_write_text(path, header + config.to_yaml())
    return load_config(path)


def write_plot(path: Path, study: Any) -> bool:
    """Objective against trial number (completed, pruned at their last report, best so far); False without matplotlib."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        return False
    from optuna.trial import TrialState

    trials = [t for t in study.get_trials(deepcopy=False) if t.value is not None]
    fig = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for state, style in ((TrialState.COMPLETE, {"marker": "o", "color": "tab:blue", "label": "completed"}),
                         (TrialState.PRUNED, {"marker": "x", "color": "tab:gray", "label": "pruned (last report)"})):
        xs = [t.number for t in trials if t.state == state]
        if xs:
            ax.scatter(xs, [t.value for t in trials if t.state == state], **style)
    done = sorted((t.number, t.value) for t in trials if t.state == TrialState.COMPLETE)
    if done:
        best, xs, ys = float("inf"), [], []
        for number, value in done:
            best = min(best, value)
            xs.append(number)
            ys.append(best)
        ax.step(xs, ys, where="post", color="tab:orange", label="best so far")
    yardstick = baseline_trial(study)
    if yardstick is not None:
        ax.axhline(yardstick.value, color="tab:green", linestyle="--",
                   label=f"base config (trial {yardstick.number})")
    ax.set_xlabel("trial")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("objective (game s, lower is better)")
    ax.set_title(f"study {study.study_name}")
    ax.grid(alpha=0.3)
    if trials:
        ax.legend()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    atomic_write_bytes(path, buffer.getvalue())
    return True


__all__ = ["print_results", "trial_line", "best_trial", "baseline_trial", "write_best_config", "write_plot", "BEST_CONFIG", "PLOT"]
