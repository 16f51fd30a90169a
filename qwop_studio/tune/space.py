"""A sweep's search space: a YAML file -> a validated :class:`SearchSpace`, or one line saying what is wrong.

The file is data, read with a ``yaml.SafeLoader`` only (a space file may come from anyone)::

    settings:                      # optional; every key has a default (see SweepSettings)
      evaluation: {episodes: 30, report_episodes: 10, reports: 4, seed: 0}
      pruner: {type: median, startup_trials: 5, warmup_reports: 1}   # median | halving | none
      sampler: {startup_trials: 8}
      retries: 1
      heartbeat: {interval_s: 30, grace_s: 120}
    params:                        # dotted config key -> distribution
      hyperparams.learning_rate: {type: float, low: 1.0e-5, high: 1.0e-3, log: true}
      hyperparams.n_epochs: {type: int, low: 2, high: 10}
      hyperparams.policy_kwargs.net_arch: {type: categorical, choices: [[64, 64], [128, 128]]}
      reward_schedule.0.at_step: {type: int, low: 1000000, high: 6000000, step: 500000}

A key is a path into the training config (``qwop-studio train --set`` keys), with list items by
index (``reward_schedule.0.set.velocity_weight``). Every bound and every choice is tried against the
base config when the space is loaded, so a typo in a key, a bound the config refuses or a schedule
item the base config lacks stops ``tune`` before its first trial, with one line that names the file
and the key::

    my_space.yml: params.hyperparams.gama: value 0.9: hyperparams.gama: not a PPO hyperparameter; did you mean 'gamma'?

Why Optuna's distributions and not our own sampler: TPE, pruners, the database and the dashboard all
work on them, and Ray's ``OptunaSearch`` takes the same define-by-run function (:meth:`SearchSpace.suggest`).
"""
from __future__ import annotations

import copy
import difflib
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qwop_studio.train.config import ConfigError, TrainConfig, read_yaml, validate_config

#: The space shipped with the package (``--space`` default).
DEFAULT_SPACE = Path(__file__).with_name("spaces") / "default.yml"
#: Config keys a sweep sets itself; a space may not sample them.
RESERVED_KEYS = frozenset({"name", "max_minutes", "eval_freq", "eval_episodes"})

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


class SpaceError(ConfigError):
    """A search-space problem, as one line ``FILE: key.path: what is wrong`` (exit code 2)."""


# ------------------------------------------------------------------------------------------ settings
class EvaluationSettings(BaseModel):
    """How a trial is judged: ``reports - 1`` intermediate evaluations, then the final one."""

    model_config = _STRICT
    episodes: int = Field(30, ge=1, le=10_000)  # final evaluation (evaluate_model) of the trial's model
    report_episodes: int = Field(10, ge=1, le=10_000)  # each intermediate evaluation
    reports: int = Field(4, ge=1, le=100)  # points per trial at which the objective is reported
    seed: int = Field(0, ge=0, le=2**32 - 1)  # every evaluation of every trial plays the same starts


class PrunerSettings(BaseModel):
    """Which losing trials stop early: Optuna's median or successive-halving pruner (Ray: its twins)."""

    model_config = _STRICT
    type: Literal["median", "halving", "none"] = "median"
    startup_trials: int = Field(5, ge=0)  # median: no pruning until this many trials have finished
    warmup_reports: int = Field(1, ge=0)  # median: no pruning at a trial's first reports
    reduction_factor: int = Field(3, ge=2)  # halving: keep the best 1/reduction_factor at each rung


class SamplerSettings(BaseModel):
    model_config = _STRICT
    startup_trials: int = Field(8, ge=0)  # TPE: random trials before it models the space


class HeartbeatSettings(BaseModel):
    """A trial whose process has not written a heartbeat for ``grace_s`` is failed and retried.

    Only needed for trials of other machines: one of this machine's is retried as soon as its
    process is found dead.
    """

    model_config = _STRICT
    interval_s: int = Field(30, ge=1)
    grace_s: int = Field(120, ge=1)


class SweepSettings(BaseModel):
    model_config = _STRICT
    evaluation: EvaluationSettings = Field(default_factory=EvaluationSettings)
    pruner: PrunerSettings = Field(default_factory=PrunerSettings)
    sampler: SamplerSettings = Field(default_factory=SamplerSettings)
    retries: int = Field(1, ge=0, le=100)  # times an interrupted trial is run again with its values
    # the base config's own values run as one trial of the study (queued first), so every trial has the
    # base config beside it, measured under the same minutes and evaluation
    baseline: bool = True
    heartbeat: HeartbeatSettings = Field(default_factory=HeartbeatSettings)


# ------------------------------------------------------------------------------------ distributions
class FloatParam(BaseModel):
    model_config = _STRICT
    type: Literal["float"]
    low: float
    high: float
    log: bool = False
    step: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _bounds(self) -> FloatParam:
        _check_bounds(self.low, self.high, self.log)
        if self.log and self.step is not None:
            raise ValueError("log and step cannot be used together")
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError("low and high must be finite")
        return self

    def candidates(self) -> list[Any]:
        return [self.low, self.high]

    def store(self, value: Any) -> Any:
        """``value`` as Optuna stores it for this distribution; ValueError if it lies outside."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not self.low <= value <= self.high:
            raise ValueError(f"{value!r} is not a number in [{self.low:g}, {self.high:g}]")
        if self.step is not None and not math.isclose((value - self.low) / self.step,
                                                      round((value - self.low) / self.step), abs_tol=1e-9):
            raise ValueError(f"{value!r} is not on the grid of step {self.step:g}")
        return float(value)

    def suggest(self, trial: Any, name: str) -> Any:
        return trial.suggest_float(name, self.low, self.high, log=self.log, step=self.step)


class IntParam(BaseModel):
    model_config = _STRICT
    type: Literal["int"]
    low: int
    high: int
    log: bool = False
    step: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _bounds(self) -> IntParam:
        _check_bounds(self.low, self.high, self.log)
        if self.log and self.step != 1:
            raise ValueError("log needs step 1")
        return self

    def candidates(self) -> list[Any]:
        return [self.low, self.low + (self.high - self.low) // self.step * self.step]

    def store(self, value: Any) -> Any:
        """``value`` as Optuna stores it for this distribution; ValueError if it lies outside."""
        if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high \
                or (value - self.low) % self.step:
            raise ValueError(f"{value!r} is not an integer in [{self.low}, {self.high}] on step {self.step}")
        return value

    def suggest(self, trial: Any, name: str) -> Any:
        return trial.suggest_int(name, self.low, self.high, step=self.step, log=self.log)


class CategoricalParam(BaseModel):
    """A choice among YAML values; lists and mappings (``net_arch``) are stored in the study as JSON text."""

    model_config = _STRICT
    type: Literal["categorical"]
    choices: list[Any] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> CategoricalParam:
        encoded = self.encoded()
        if len(set(encoded)) != len(encoded):
            raise ValueError("choices must be distinct")
        return self

    def _scalar(self) -> bool:
        return all(c is None or isinstance(c, (bool, int, float, str)) for c in self.choices)

    def _encode(self, value: Any) -> Any:
        return value if self._scalar() else json.dumps(value)

    def encoded(self) -> list[Any]:
        """What Optuna stores: the values themselves if all are scalars, else each as JSON text."""
        return [self._encode(c) for c in self.choices]

    def decode(self, stored: Any) -> Any:
        return stored if self._scalar() else json.loads(stored)

    def candidates(self) -> list[Any]:
        return list(self.choices)

    def store(self, value: Any) -> Any:
        """``value`` as Optuna stores it (JSON text for lists and mappings); ValueError if not a choice."""
        stored = self._encode(value)
        if stored not in self.encoded():
            raise ValueError(f"{value!r} is not one of the choices")
        return stored

    def suggest(self, trial: Any, name: str) -> Any:
        return self.decode(trial.suggest_categorical(name, self.encoded()))


Param = Annotated[FloatParam | IntParam | CategoricalParam, Field(discriminator="type")]


def _check_bounds(low: float, high: float, log: bool) -> None:
    if not low < high:
        raise ValueError(f"low ({low:g}) must be below high ({high:g})")
    if log and low <= 0:
        raise ValueError(f"log needs low > 0 (got {low:g})")


class _SpaceFile(BaseModel):
    model_config = _STRICT
    settings: SweepSettings = Field(default_factory=SweepSettings)
    params: dict[str, Param] = Field(min_length=1)


# ------------------------------------------------------------------------------------------ the space
class SearchSpace:
    """Validated params (dotted key -> distribution) and the sweep's settings."""

    def __init__(self, params: dict[str, FloatParam | IntParam | CategoricalParam], settings: SweepSettings,
                 source: str) -> None:
        self.params = params
        self.settings = settings
        self.source = source

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Sample every param on an Optuna trial (or Ray's wrapper of one); return config key -> value.

        The baseline trial (:meth:`base_values`, queued with its keys as the user attribute
        ``baseline``) takes only those keys, fixed; the others stay as the base config has them.
        """
        only = trial.user_attrs.get("baseline")
        keys = [k for k in only if k in self.params] if isinstance(only, list) else list(self.params)
        return {key: self.params[key].suggest(trial, key) for key in keys}

    def base_values(self, base: dict[str, Any]) -> dict[str, Any]:
        """The base config's own value of each param, as Optuna stores it, where the space can hold it.

        A key the base config leaves unset (SB3's default applies) or sets outside the space is left
        out: the baseline trial keeps the base config's setting there, unsampled.
        """
        values = {}
        for key, param in self.params.items():
            value = get_dotted(base, key)
            if value is None:
                continue
            try:
                values[key] = param.store(value)
            except ValueError:
                continue
        return values

    def decode(self, stored: dict[str, Any]) -> dict[str, Any]:
        """A trial's stored params (as Optuna keeps them) -> config key -> value."""
        return {key: self.params[key].decode(value) if isinstance(self.params[key], CategoricalParam) else value
                for key, value in stored.items() if key in self.params}

    def fingerprint(self) -> str:
        """A stable text of the params, to refuse resuming a study with a different space."""
        return json.dumps({k: p.model_dump() for k, p in sorted(self.params.items())}, sort_keys=True)


def load_space(path: str | Path, base: TrainConfig) -> SearchSpace:
    """Read, validate and check a space file against ``base``; raise :class:`SpaceError` (one line)."""
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SpaceError(f"{label}: cannot read the file ({e.__class__.__name__}: {e})") from None
    data = read_yaml(text, label, SpaceError)
    if not isinstance(data, dict):
        raise SpaceError(f"{label}: the file must hold a mapping with 'params' (and optionally 'settings')")
    try:
        parsed = _SpaceFile.model_validate(data)
    except ValidationError as e:
        raise SpaceError(f"{label}: {_first_error(e)}") from None
    for key, param in parsed.params.items():
        _check_against_base(label, key, param, base)
    return SearchSpace(dict(parsed.params), parsed.settings, label)


def _first_error(e: ValidationError) -> str:
    errors = e.errors(include_url=False)
    # an unknown key explains a "missing" one beside it (a typo), so it is named first
    err = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
    # drop the discriminator's tag ("float"/"int"/"categorical") that pydantic inserts into the path
    loc = [str(p) for i, p in enumerate(err["loc"])
           if not (i == 2 and err["loc"][0] == "params" and p in ("float", "int", "categorical"))]
    path = ".".join(loc) or "(top level)"
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{path}: unknown key{_suggest(loc)}"
    if kind == "missing":
        return f"{path}: required key is missing"
    if kind == "union_tag_invalid":
        return f"{path}.type: must be float, int or categorical (got {err.get('input', {}).get('type')!r})"
    if kind == "union_tag_not_found":
        return f"{path}: needs a type (float, int or categorical)"
    if kind == "too_short" and loc == ["params"]:
        return "params: names no config key to sample"
    msg = err["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
    return f"{path}: {msg}" if kind == "value_error" else f"{path}: {msg} (got {err.get('input')!r})"


def _suggest(loc: list[str]) -> str:
    """``; did you mean 'x'?`` for an unknown key, from the fields of the model it appeared in."""
    if loc[0] == "params":
        known = set(FloatParam.model_fields) | set(IntParam.model_fields) | set(CategoricalParam.model_fields)
    else:
        model: Any = _SpaceFile
        for part in loc[:-1]:
            field = model.model_fields.get(part)
            model = field.annotation if field is not None else None
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                return ""
        known = set(model.model_fields)
    close = difflib.get_close_matches(loc[-1], sorted(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(sorted(known))})"


def _check_against_base(label: str, key: str, param: Any, base: TrainConfig) -> None:
    if key.split(".", 1)[0] in RESERVED_KEYS:
        raise SpaceError(f"{label}: params.{key}: set by the sweep itself, not the space")
    base_data = base.to_dict()
    for value in param.candidates():
        data = copy.deepcopy(base_data)
        try:
            set_dotted(data, key, value)
        except KeyError as e:
            raise SpaceError(f"{label}: params.{key}: {e.args[0]}") from None
        try:
            validate_config(data, "")
        except ConfigError as e:
            raise SpaceError(f"{label}: params.{key}: value {value!r}: {str(e).removeprefix(': ')}") from None


def set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``a.b.0.c`` in nested dicts and lists; missing mappings are created, list items must exist.

    Raises ``KeyError`` with a one-line reason when the path runs through a value that is neither.
    """
    parts = key.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[:depth]) or "(top level)"
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise KeyError(f"{where} has {len(node)} item(s) in the base config; no item {part!r}")
            index = int(part)
            if last:
                node[index] = value
            else:
                node = node[index]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                if node.get(part) is None:
                    node[part] = {}
                node = node[part]
        else:
            raise KeyError(f"{where} is a {type(node).__name__} in the base config, not a mapping or list")


def get_dotted(data: Any, key: str) -> Any:
    """The value at ``a.b.0.c`` in nested dicts and lists, or None where the path does not exist."""
    for part in key.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data


def apply_params(base: TrainConfig, params: dict[str, Any], **top_level: Any) -> TrainConfig:
    """The base config with sampled ``params`` (dotted keys) and ``top_level`` keys set; validated."""
    data = base.to_dict()
    for key, value in params.items():
        set_dotted(data, key, value)
    data.update(top_level)
    return validate_config(data, "trial config")


__all__ = ["SearchSpace", "SweepSettings", "SpaceError", "DEFAULT_SPACE", "load_space", "apply_params",
           "set_dotted", "get_dotted"]
