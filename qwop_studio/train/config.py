"""Training configs: a YAML file -> a validated :class:`TrainConfig`, or one line saying what is wrong.

A config names the algorithm, the workers, the env options, optional wrappers and the algorithm's
hyperparameters (named as the SB3 constructor names them; see ``algorithms.py``). Every problem a
user can make in the file (bad YAML, an unknown key, a wrong type, a value out of range, an unknown
algorithm or hyperparameter) raises :class:`ConfigError` with one line::

    my.yml: env.frames_per_step: must be >= 1 (got 0)

``--config NAME`` finds a shipped config in ``qwop_studio/configs/NAME.yml`` (packaged, so it works
after ``pip install``); anything that exists on disk is read as a file.
"""
from __future__ import annotations

import importlib.resources
import inspect
import re
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qwop_studio.env.limits import MAX_EPISODE_STEPS, MAX_FRAMES_PER_STEP, MAX_START_NOOP
from qwop_studio.env.reward import RewardWeights
from qwop_studio.fileio import atomic_write_text
from qwop_studio.train import algorithms
from qwop_studio.train.hyperparam_checks import hyperparam_problem, suggest

#: The config ``qwop-studio train`` and the studio use when none is named.
DEFAULT_CONFIG: str = "train_ppo_upright"


class _SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that also reads ``3e-4`` as a number (YAML 1.1 wants ``3.0e-4``)."""


_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
                |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
                |[-+]?\.(?:inf|Inf|INF)
                |\.(?:nan|NaN|NAN))$""", re.X),
    list("-+0123456789."))


class ConfigError(ValueError):
    """A config problem, as one line ``FILE: key.path: what is wrong``; the CLI exits with code 2.

    Keys and values in the message come from the user's file, which may put a line break or another
    control character in a key; those are written as escapes (``\\n``), so the message stays one line.
    """

    def __init__(self, message: str) -> None:
        super().__init__(printable_one_line(message))


def printable_one_line(text: str) -> str:
    """``text`` with every non-printable character (line breaks included) written as its escape."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)


class WrapperConfig(BaseModel):
    """One gymnasium wrapper from ``qwop_studio.env.wrappers``, applied inside every worker."""

    model_config = _STRICT
    name: str
    kwargs: dict[str, Any] = Field(default_factory=dict)


class EnvConfig(BaseModel):
    """``QWOPEnv`` arguments. ``reward_weights`` are the starting weights (any subset of RewardWeights)."""

    model_config = _STRICT
    frames_per_step: int = Field(4, ge=1, le=MAX_FRAMES_PER_STEP)
    reduced_action_set: bool = True
    start_noop_max: int = Field(0, ge=0, le=MAX_START_NOOP)
    reward_weights: dict[str, float] = Field(default_factory=dict)
    success_rule: Literal["landing", "torso"] = "landing"  # the original's finish, or qwop-gym's torso rule
    observation: Literal["qwop-gym", "extended"] = "qwop-gym"  # QWOPEnv's observations (env.qwop_env.OBSERVATIONS)

    @field_validator("reward_weights")
    @classmethod
    def _known_weights(cls, value: dict[str, float]) -> dict[str, float]:
        for name, number in value.items():
            if name not in RewardWeights.field_names():
                raise ValueError(f"unknown reward weight {name!r}{suggest(name, RewardWeights.field_names())}")
            RewardWeights.checked(name, number)
        return value

    def env_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``QWOPEnv`` (plain data: a fresh dict, the weights copied); every field is one."""
        return self.model_dump()


class RewardChange(BaseModel):
    """One step of a reward curriculum: at env step ``at_step``, set these reward weights.

    The change goes through the same path as a studio slider: applied in every worker before the next
    step, logged to ``reward_weights.csv`` (source ``schedule``) and shown as a chart marker.
    """

    model_config = _STRICT
    at_step: int = Field(ge=1)
    set: dict[str, float] = Field(min_length=1)

    @field_validator("set")
    @classmethod
    def _known_weights(cls, value: dict[str, float]) -> dict[str, float]:
        return EnvConfig._known_weights(value)


class DemosConfig(BaseModel):
    """Demonstrations during RL (``qwop-studio train --demos DIR`` sets ``dir``; ``train/bc_callback.py``).

    Before RL the fresh model is cloned for ``pretrain_epochs`` epochs; after every policy update
    ``bc_batches`` minibatches of ``bc_batch_size`` demonstration steps take a cross-entropy step
    weighted by ``bc_weight``, which decays linearly to 0 at env step ``bc_decay_steps``.
    """

    model_config = _STRICT
    dir: str | None = None  # recordings (a directory of .json files, or one file); None = no demonstrations
    bc_weight: float = Field(1.0, ge=0.0, le=1000.0, allow_inf_nan=False)
    bc_decay_steps: int = Field(2_000_000, ge=1)
    pretrain_epochs: int = Field(50, ge=0, le=10_000)
    bc_batch_size: int = Field(256, ge=1, le=65_536)
    bc_batches: int = Field(4, ge=0, le=1000)  # per policy update (per train() call of the algorithm)


class TrainConfig(BaseModel):
    """One training job. Steps are env steps (SB3's ``num_timesteps``), summed over workers."""

    model_config = _STRICT
    name: str | None = None  # used in run directory names; defaults to the file's stem
    algorithm: str
    policy: Literal["MlpPolicy"] = "MlpPolicy"
    total_timesteps: int = Field(ge=1)
    seed: int = Field(0, ge=0, le=2**32 - 1)
    n_envs: int = Field(4, ge=1, le=64)
    vec_env: Literal["subproc", "sharded", "dummy"] = "subproc"
    n_workers: int | None = Field(None, ge=1, le=64)  # processes for vec_env "sharded" (default: one per core)
    # PPO: "async" collects rollout k+1 in worker processes while the learner learns on k; "sync" collects
    # in the workers too, each rollout with the current weights (no lag), the learner waiting (async_ppo.py)
    collection: Literal["lockstep", "sync", "async"] = "lockstep"
    # async: how a rollout from the one-update-old policy is trained: "decoupled" PPO (the clip around the
    # learner's weights before the update, the lag corrected by a truncated importance weight) or "none"
    async_correction: Literal["decoupled", "none"] = "decoupled"
    # async: workers keep a rollout's starting weights, or switch mid-rollout to each update's ("latest");
    # ignored by sync and lockstep, so `--set collection=sync` works on the default (switches_to_latest_weights)
    async_weights: Literal["rollout", "latest"] = "rollout"
    # sync/async: worker processes (default: one per core, minus the learner's for async; at least 2)
    collection_workers: int | None = Field(None, ge=1, le=64)
    # torch threads for the learner's update (sync: the workers sleep meanwhile); > 1 measured mixed (guide §1)
    learner_threads: int = Field(1, ge=1, le=64)
    # PPO: max_grad_norm clips the whole gradient ("global", SB3's) or the policy's and the value's nets each
    # on their own ("per_net": a large value loss no longer shrinks the policy's step; lean_update.py)
    grad_clip: Literal["global", "per_net"] = "global"
    max_episode_steps: int = Field(MAX_EPISODE_STEPS, ge=1)
    env: EnvConfig = Field(default_factory=EnvConfig)
    wrappers: list[WrapperConfig] = Field(default_factory=list)
    hyperparams: dict[str, Any] = Field(default_factory=dict)
    checkpoint_freq: int = Field(100_000, ge=0)  # env steps between checkpoints; 0 = not by steps
    checkpoint_minutes: float = Field(2.0, ge=0)  # training minutes between checkpoints; 0 = not by time
    eval_freq: int = Field(0, ge=0)  # env steps between evaluations; 0 = none
    eval_episodes: int = Field(5, ge=1)
    max_minutes: float | None = Field(None, gt=0)  # wall-clock budget per invocation; None = steps only
    reward_schedule: list[RewardChange] = Field(default_factory=list)  # a curriculum, in step order
    demos: DemosConfig | None = None  # behaviour cloning from recordings (DemosConfig); None = off

    @field_validator("reward_schedule")
    @classmethod
    def _in_step_order(cls, value: list[RewardChange]) -> list[RewardChange]:
        steps = [change.at_step for change in value]
        if steps != sorted(set(steps)):
            raise ValueError(f"at_step values must increase strictly, got {steps}")
        return value

    @field_validator("algorithm")
    @classmethod
    def _known_algorithm(cls, value: str) -> str:
        if value.upper() not in algorithms.ALGORITHMS:
            raise ValueError(f"unknown algorithm {value!r} (known: {', '.join(algorithms.ALGORITHMS)})")
        return value.upper()

    @property
    def spec(self) -> algorithms.AlgorithmSpec:
        return algorithms.get_spec(self.algorithm)

    @property
    def config_name(self) -> str:
        return self.name or self.algorithm.lower()

    def scheduled_weights_at(self, step: int) -> dict[str, float]:
        """The reward weights this config's curriculum puts in force at ``step``: the env's starting weights
        with every ``reward_schedule`` change at or before ``step`` applied in order (only the weights the
        config names; the env's defaults fill the rest).

        Why: a run resumed from a model file outside its run folder has no ``reward_weights.csv`` to say
        which weights were in force; the schedule skips the changes before the resumed step (they are
        taken as applied), so without this the run would go on with the curriculum's first weights.
        """
        weights = dict(self.env.reward_weights)
        for change in self.reward_schedule:
            if change.at_step <= step:
                weights.update(change.set)
        return weights

    @property
    def collects_in_workers(self) -> bool:
        """``sync`` and ``async``: rollout worker processes collect whole rollouts (``AsyncPPO``)."""
        return self.collection != "lockstep"

    @property
    def switches_to_latest_weights(self) -> bool:
        """``async_weights: latest`` under async collection, the one mode in which an update lands mid-rollout."""
        return self.collection_overlaps_learning and self.async_weights == "latest"

    @property
    def collection_overlaps_learning(self) -> bool:
        """``async``: the next rollout is collected while the learner learns (one update of policy lag)."""
        return self.collection == "async"

    @property
    def decouples_lagged_rollouts(self) -> bool:
        """``async_correction: decoupled``: a lagged rollout trains with decoupled PPO (``async_ppo.py``)."""
        return self.async_correction == "decoupled"

    def wrapper_specs(self, evaluation: bool = False) -> list[dict[str, Any]]:
        """The ``wrappers`` as ``make_vec_env`` takes them; for an ``evaluation`` env without the
        training-only ones (``env.wrappers.TRAINING_ONLY_WRAPPERS``: evaluations start on the line)."""
        from qwop_studio.env.wrappers import evaluation_wrappers

        specs = [w.model_dump() for w in self.wrappers]
        return evaluation_wrappers(specs) if evaluation else specs

    def to_dict(self) -> dict[str, Any]:
        """Plain data (what crosses to the trainer process, and what ``config.yml`` holds)."""
        return self.model_dump(mode="python")

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, default_flow_style=None)


# ------------------------------------------------------------------------------------------ loading
def shipped_config_dir() -> Path:
    return Path(str(importlib.resources.files("qwop_studio") / "configs"))


def shipped_config_names() -> list[str]:
    """Names accepted by ``--config NAME`` (the packaged ``configs/*.yml`` stems)."""
    return sorted(p.stem for p in shipped_config_dir().glob("*.yml"))


def resolve_config_path(name_or_path: str | Path) -> Path:
    """A file on disk as given, else a shipped config by name (``train_ppo`` or ``train_ppo.yml``)."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    stem = path.name.removesuffix(".yml").removesuffix(".yaml")
    if path.parent == Path(".") and stem in shipped_config_names():
        return shipped_config_dir() / f"{stem}.yml"
    raise ConfigError(
        f"{name_or_path}: no such config file or shipped config (shipped: {', '.join(shipped_config_names())})"
    )


def parse_override_value(text: str) -> Any:
    """A ``--set KEY=VALUE`` value read as YAML (``6`` -> 6, ``3e-4`` -> 0.0003, ``true`` -> True).

    Raises :class:`ConfigError` (one line) for text that is not valid YAML, or that asks for a Python
    object (``!!python/...`` tags are refused by the safe loader; nothing is constructed).
    """
    try:
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as e:
        raise ConfigError(f"value {text!r}: {_yaml_problem(e)}") from None


def read_yaml(text: str, label: str, error: type[ConfigError] = ConfigError) -> Any:
    """YAML text read the configs' way (safe: a ``!!python`` tag is an error; ``3e-4`` is a number);
    ``error`` (a :class:`ConfigError` kind) with one line ``label: where: not valid YAML (...)`` otherwise."""
    try:
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise error(f"{label}: {_yaml_problem(e)}") from None


def _yaml_problem(e: yaml.YAMLError) -> str:
    """One line for a YAML error: where, and the parser's own words."""
    mark = getattr(e, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = getattr(e, "problem", None) or (str(e).splitlines() or ["error"])[0]
    return f"{where}not valid YAML ({' '.join(str(problem).split())})"


def load_config(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Read, validate and return a config; ``overrides`` maps dotted keys (``env.frames_per_step``) to values.

    Raises :class:`ConfigError` (one line) for every problem, including in ``overrides``.
    """
    path = resolve_config_path(name_or_path)
    label = str(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{label}: cannot read the file ({e.__class__.__name__}: {e})") from None
    data = read_yaml(text, label)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: the file must hold a YAML mapping of keys (got a {type(data).__name__})")
    data.setdefault("name", path.stem)
    for key, value in (overrides or {}).items():
        _set_dotted(data, key, value)
    return validate_config(data, label)


def validate_config(data: dict[str, Any], label: str = "config") -> TrainConfig:
    """A :class:`TrainConfig` from plain data, or :class:`ConfigError` naming ``label`` and the key."""
    try:
        config = TrainConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError(f"{label}: {_first_error(e, data)}") from None
    _check_hyperparams(config, label)
    _check_wrappers(config, label)
    _check_collection(config, label)
    _check_grad_clip(config, label)
    return config


def write_config(config: TrainConfig, path: str | Path, source: str = "") -> None:
    """Write the resolved config atomically (the run's ``config.yml``)."""
    header = "# Resolved training config" + (f" (from {source})" if source else "") + "\n"
    atomic_write_text(path, header + config.to_yaml())


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override {key}: {part} is not a mapping")
    node[last] = value


def _first_error(e: ValidationError, data: dict[str, Any]) -> str:
    err = e.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"]]
    path = ".".join(loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        model: type[BaseModel] = TrainConfig
        for part in loc[:-1]:
            annotation = model.model_fields.get(part)
            inner = getattr(annotation, "annotation", None) if annotation else None
            inner = next((a for a in get_args(inner) if inspect.isclass(a) and issubclass(a, BaseModel)), inner)
            if inspect.isclass(inner) and issubclass(inner, BaseModel):
                model = inner
        return f"{path}: unknown key{suggest(loc[-1], list(model.model_fields))}"
    if err["type"] == "missing":
        return f"{path}: required key is missing"
    msg = err["msg"].removeprefix("Value error, ")
    msg = msg.replace("Input should be", "must be" if err["type"].startswith(("greater", "less")) else "should be")
    shown = err.get("input")
    return f"{path}: {msg} (got {shown!r})" if err["type"] != "value_error" else f"{path}: {msg}"


def _check_hyperparams(config: TrainConfig, label: str) -> None:
    accepted = algorithms.constructor_args(config.algorithm)
    for key, value in config.hyperparams.items():
        where = f"{label}: hyperparams.{key}"
        if key in algorithms.RESERVED_ARGS:
            raise ConfigError(f"{where}: set by the trainer, not the config (use the top-level keys)")
        if key not in accepted:
            raise ConfigError(f"{where}: not a {config.algorithm} hyperparameter{suggest(key, sorted(accepted))}")
        problem = hyperparam_problem(key, value, config.algorithm)
        if problem:
            raise ConfigError(f"{where}: {problem} (got {value!r})")


def _check_collection(config: TrainConfig, label: str) -> None:
    """Worker collection is PPO's (async: its ratio corrects for the one-update policy lag, A2C's loss has
    none; both modes run through ``AsyncPPO``)."""
    if config.collects_in_workers and config.algorithm != "PPO":
        raise ConfigError(f"{label}: collection: {config.collection!r} is for PPO only (algorithm is "
                          f"{config.algorithm}); use 'lockstep'")
    if config.collection_workers is not None and config.collection_workers > config.n_envs:
        raise ConfigError(f"{label}: collection_workers: must be <= n_envs ({config.n_envs}) (got "
                          f"{config.collection_workers})")


def _check_grad_clip(config: TrainConfig, label: str) -> None:
    """``grad_clip: per_net`` exists in PPO's lean update only, and needs a ``max_grad_norm`` to clip to."""
    if config.grad_clip != "per_net":
        return
    if config.algorithm != "PPO":
        raise ConfigError(f"{label}: grad_clip: 'per_net' is for PPO only (algorithm is {config.algorithm})")
    hyperparams = config.hyperparams
    blocking = [key for key in algorithms.SB3_UPDATE_ONLY_ARGS if not algorithms.is_unset(hyperparams.get(key))]
    if blocking:
        raise ConfigError(f"{label}: grad_clip: 'per_net' needs PPO's lean update, and hyperparams.{blocking[0]} "
                          "is set")
    if "max_grad_norm" in hyperparams and hyperparams["max_grad_norm"] is None:
        raise ConfigError(f"{label}: grad_clip: 'per_net' needs PPO's lean update, and hyperparams.max_grad_norm "
                          "is null")


def _check_wrappers(config: TrainConfig, label: str) -> None:
    from qwop_studio.env.wrappers import check_wrapper_specs

    try:
        check_wrapper_specs(config.wrapper_specs())
    except ValueError as e:
        message = str(e).replace("wrappers[", "wrappers.").replace("]", "", 1)
        raise ConfigError(f"{label}: {message}") from None
