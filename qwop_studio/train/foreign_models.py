"""Models trained outside QWOP Studio (rl-baselines3-zoo, a user's own SB3 script): the config to play them.

Why: an SB3 model saved by anything but our trainer carries none of our metadata, so nothing says which
env settings it learned on. ``python -m rl_zoo3.train --algo ppo --env QWOP-v0 --gym-packages qwop_studio``
is the common case; it saves ``<log>/ppo/QWOP-v0_1/QWOP-v0.zip`` (checkpoints ``rl_model_<N>_steps.zip``
and ``best_model.zip`` beside it) and its settings in ``QWOP-v0_1/QWOP-v0/config.yml`` (the
hyperparameter block, ``env_kwargs`` included) and ``args.yml`` (the command line: ``algo``, ``env``,
``env_kwargs``, ``seed``, ``vec_env``). Those files are read when present (their
``!!python/object/apply:collections.OrderedDict`` tags become plain dicts; any other Python tag is refused,
nothing is constructed). Whatever they do not say is decided by the model's own spaces (9 actions:
``reduced_action_set`` true, 16: false) and the env's defaults, and :func:`config_for_foreign_model`
says in one line on stderr which settings were read and which assumed.

rl-zoo3 plays the env through ``gymnasium.make`` (the registration's ``TimeLimit``) and a ``Monitor``;
our evaluation and live runner use the same step limit, so nothing more is needed. What cannot be
reproduced is refused, one line each: observations normalised by ``VecNormalize`` (their statistics
live only in ``vecnormalize.pkl``, a pickle we never open), frame stacks and other observation wrappers,
another env id, or an algorithm QWOP Studio does not play. The model file itself is loaded by
``model_file.load_model`` like every other (no unpickling).
"""
from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from qwop_studio.env.actions import FULL_ACTIONS, REDUCED_ACTIONS
from qwop_studio.env.limits import MAX_EPISODE_STEPS
from qwop_studio.env.observation import OBS_SIZE
from qwop_studio.train.algorithms import ALGORITHMS, RESERVED_ARGS, constructor_args
from qwop_studio.train.config import ConfigError, EnvConfig, TrainConfig, validate_config
from qwop_studio.train.model_file import ModelFileError, ModelFileInfo, read_model_info

#: The files of an rl-zoo3 run's parameter folder that are read (never ``vecnormalize.pkl``).
ZOO_FILES: tuple[str, ...] = ("config.yml", "args.yml")
#: Largest zoo YAML file read (the zoo's are ~1 kB).
MAX_ZOO_FILE_BYTES = 1024 * 1024
#: The env id a model without a zoo ``args.yml`` is taken to be trained on (``gymnasium.make``'s defaults).
ENV_ID = "QWOP-v0"
#: A zoo run must name an env id registered with this entry point (``QWOP-v0``, ``QWOPExtended-v0``, with or
#: without the ``qwop_studio:`` prefix); the registration's ``kwargs`` count as settings read.
QWOP_ENTRY_POINT = "qwop_studio.env.qwop_env:QWOPEnv"
#: Action count -> the ``reduced_action_set`` that gives it.
ACTION_SETS: dict[int, bool] = {len(REDUCED_ACTIONS): True, len(FULL_ACTIONS): False}
#: Zoo hyperparameter keys that are the zoo's own, not SB3 constructor arguments.
ZOO_ONLY_KEYS = frozenset({"n_timesteps", "policy", "n_envs", "env_kwargs", "eval_env_kwargs", "policy_kwargs",
                           "monitor_kwargs", "callback", "normalize", "normalize_kwargs", "frame_stack",
                           "env_wrapper", "vec_env_wrapper"})
#: Zoo settings that change what the policy sees: QWOP Studio plays the plain env, so such a model is refused.
OBSERVATION_WRAPPERS = ("frame_stack", "env_wrapper", "vec_env_wrapper")

_PAIRS_TAG = "tag:yaml.org,2002:python/object/apply:collections.OrderedDict"
_TUPLE_TAG = "tag:yaml.org,2002:python/tuple"
_notes_said: set[str] = set()


@dataclass(frozen=True)
class ZooRun:
    """An rl-zoo3 run's parameter folder: its hyperparameter block (``config.yml``) and command line (``args.yml``)."""

    params_dir: Path
    hyperparams: dict[str, Any]
    args: dict[str, Any]


@dataclass(frozen=True)
class ForeignModel:
    """The config to play or resume a model from outside QWOP Studio, and one line of what was assumed."""

    config: TrainConfig
    note: str


# ------------------------------------------------------------------------------ zoo files
class _ZooLoader(yaml.SafeLoader):
    """SafeLoader that reads the two Python tags rl-zoo3's ``yaml.dump`` writes as plain data."""


def _pairs(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    args = loader.construct_sequence(node, deep=True)  # [[[key, value], ...]]: OrderedDict's one argument
    if len(args) != 1 or not all(isinstance(p, list) and len(p) == 2 for p in args[0]):
        raise yaml.constructor.ConstructorError(None, None, "an OrderedDict that is not a list of pairs",
                                                node.start_mark)
    return {key: value for key, value in args[0]}


_ZooLoader.add_constructor(_PAIRS_TAG, _pairs)
_ZooLoader.add_constructor(_TUPLE_TAG, lambda loader, node: loader.construct_sequence(node, deep=True))


def read_zoo_yaml(path: Path) -> dict[str, Any]:
    """A zoo ``config.yml``/``args.yml`` as a plain dict; :class:`ConfigError` (one line) otherwise.

    Only the OrderedDict and tuple tags rl-zoo3 writes are read (as a dict and a list); any other
    ``!!python/...`` tag is refused, so no Python object is ever built from the file.
    """
    try:
        if path.stat().st_size > MAX_ZOO_FILE_BYTES:
            raise ConfigError(f"{path}: {path.stat().st_size:,} bytes, more than an rl-zoo3 file holds "
                              f"(limit {MAX_ZOO_FILE_BYTES:,})")
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_ZooLoader)  # noqa: S506 - a SafeLoader
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the file ({type(e).__name__})") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = " ".join(str(getattr(e, "problem", None) or e).split())[:160]
        raise ConfigError(f"{path}: {where}refused ({problem}; QWOP Studio builds no Python objects from files)") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: an rl-zoo3 file holds a mapping (got a {type(data).__name__})")
    return data


def find_zoo_run(model_path: Path) -> ZooRun | None:
    """The zoo parameter folder of a model in a zoo run folder (``<run>/<env>/`` beside the .zip), or None."""
    here = model_path.parent
    named = here / model_path.stem  # the final model QWOP-v0.zip has its folder QWOP-v0/
    if any((named / f).is_file() for f in ZOO_FILES):
        found = [named]
    else:  # a checkpoint or best_model.zip: the run's one parameter folder (the zoo always writes args.yml)
        found = [d for d in sorted(here.iterdir()) if d.is_dir() and (d / "args.yml").is_file()]
    if len(found) != 1:
        return None
    params = found[0]
    files = {f: read_zoo_yaml(params / f) if (params / f).is_file() else {} for f in ZOO_FILES}
    return ZooRun(params, files["config.yml"], files["args.yml"])


# ------------------------------------------------------------------------------ the config
def foreign_model(model_path: str | Path, overrides: dict[str, Any] | None = None) -> ForeignModel:
    """The config of a model without our metadata, from its zoo files, its spaces and the env's defaults.

    ``overrides``: dotted config keys to values (as ``train --set``). Raises :class:`ConfigError` (one
    line) for a file that is not a model, spaces that fit no env setting, or settings we cannot reproduce.
    """
    path = Path(model_path)
    try:
        info = read_model_info(path)
    except ModelFileError as e:
        raise ConfigError(str(e)) from None
    zoo = find_zoo_run(path)
    if zoo is not None:
        _check_reproducible(zoo)
    algorithm = _algorithm(info, zoo)
    fit = _fitting_settings(info)
    env, read, assumed = _env_settings(info, zoo, fit)
    data: dict[str, Any] = {"name": "rl_zoo3" if zoo else "sb3_model", "algorithm": algorithm,
                            "total_timesteps": max(1, info.num_timesteps or 1), "env": env,
                            "vec_env": "dummy", "max_episode_steps": _step_limit(_env_id(zoo))}
    if zoo is not None:
        data.update(_run_settings(zoo, algorithm))
    for key, value in (overrides or {}).items():
        _set_dotted(data, key, value)
    label = f"{path} (settings from {zoo.params_dir})" if zoo else str(path)
    config = validate_config(data, label)
    where = f"rl-zoo3 run {zoo.params_dir}" if zoo else "no config.yml, no rl-zoo3 run folder"
    parts = [f"read: {', '.join(read)}"] if read else []
    parts.append(f"assumed: {', '.join(assumed)}" if assumed else "nothing assumed")
    article = "an" if algorithm[0] in "AEIOU" else "a"
    note = f"{path}: {article} {algorithm} model from outside QWOP Studio ({where}); env settings {'; '.join(parts)}"
    return ForeignModel(config, note)


def config_for_foreign_model(model_path: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """:func:`foreign_model`'s config; its note goes to stderr, once per file and process."""
    found = foreign_model(model_path, overrides)
    if found.note not in _notes_said:
        _notes_said.add(found.note)
        print(found.note, file=sys.stderr)
    return found.config


def _check_reproducible(zoo: ZooRun) -> None:
    """Refuse a zoo run whose env we cannot rebuild: another env, normalised or stacked observations."""
    env_id = zoo.args.get("env")
    if env_id is not None and _registration(str(env_id)) is None:
        ours = ", ".join(k for k, v in _registry().items() if v.entry_point == QWOP_ENTRY_POINT)
        raise ConfigError(f"{zoo.params_dir / 'args.yml'}: env: the model was trained on {env_id!r}, not on a QWOP "
                          f"Studio env ({ours})")
    pickle_file = zoo.params_dir / "vecnormalize.pkl"
    if pickle_file.exists() or zoo.hyperparams.get("normalize"):
        raise ConfigError(f"{pickle_file}: refused: the model learned on observations normalised by VecNormalize, "
                          f"whose statistics rl-zoo3 keeps only in this pickle, which QWOP Studio never opens; "
                          f"train without normalize")
    for key in OBSERVATION_WRAPPERS:
        if zoo.hyperparams.get(key):
            raise ConfigError(f"{zoo.params_dir / 'config.yml'}: {key}: {str(zoo.hyperparams[key])[:80]!r} changes "
                              f"what the policy sees; QWOP Studio plays the plain env only")


def _algorithm(info: ModelFileInfo, zoo: ZooRun | None) -> str:
    """The fingerprinted algorithm, checked against the zoo's ``algo`` when there is one."""
    known = ", ".join(ALGORITHMS)
    claimed = str(zoo.args["algo"]).upper() if zoo is not None and zoo.args.get("algo") else None
    if claimed is not None and claimed not in ALGORITHMS:
        raise ConfigError(f"{info.label}: an rl-zoo3 {claimed} model; QWOP Studio plays {known}")
    if info.algorithm is None:
        raise ConfigError(f"{info.label}: cannot tell which algorithm saved this model (QWOP Studio plays {known})")
    if claimed is not None and claimed != info.algorithm:
        raise ConfigError(f"{info.label}: its rl-zoo3 args.yml says {claimed} but the file holds "
                          f"{info.algorithm}'s settings")
    return info.algorithm


def describe_space(field: Any) -> str:
    """``Discrete(16)``, ``Box(4,)``: a space as SB3's JSON declares it (for messages)."""
    if not isinstance(field, dict):
        return "an unknown space"
    kind = str(field.get(":type:", "")).rsplit(".", 1)[-1].strip("'>") or "space"
    if "n" in field:
        return f"{kind}({field['n']})"
    shape = field.get("_shape")
    return f"{kind}{tuple(shape) if isinstance(shape, list) else ''}"


def _observation_settings() -> dict[int, dict[str, Any]]:
    """Observation size -> the env setting that gives it (the env's observation variants, if it has any)."""
    from qwop_studio.env import qwop_env

    variants = getattr(qwop_env, "OBSERVATIONS", None)
    if isinstance(variants, dict) and "observation" in EnvConfig.model_fields:
        return {int(size): {"observation": name} for name, size in variants.items()}
    return {OBS_SIZE: {}}


def _fitting_settings(info: ModelFileInfo) -> dict[str, Any]:
    """The env settings the model's declared spaces fit; :class:`ConfigError` if they fit none."""
    observations = _observation_settings()
    shape = info.observation_shape
    obs_fit = observations.get(shape[0]) if shape is not None and len(shape) == 1 else None
    if obs_fit is None or info.n_actions not in ACTION_SETS:
        sizes = " or ".join(f"Box({n},)" for n in observations)
        actions = " or ".join(f"Discrete({n})" for n in ACTION_SETS)
        raise ConfigError(f"{info.label}: spaces {describe_space(info.data.get('observation_space'))} -> "
                          f"{describe_space(info.data.get('action_space'))} fit no QWOP env setting "
                          f"(observations {sizes}, actions {actions})")
    return {**obs_fit, "reduced_action_set": ACTION_SETS[info.n_actions]}


def _env_defaults() -> dict[str, Any]:
    """``QWOPEnv``'s own defaults for the settings a config holds (what ``gymnasium.make`` gives)."""
    from qwop_studio.env.qwop_env import QWOPEnv

    params = inspect.signature(QWOPEnv.__init__).parameters
    return {k: params[k].default for k in EnvConfig.model_fields if k in params and k != "reward_weights"}


def _env_settings(info: ModelFileInfo, zoo: ZooRun | None,
                  fit: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """The env settings, and which were read from the zoo's files and which assumed (for the note)."""
    given: dict[str, Any] = {}
    sources: dict[str, str] = {}
    if zoo is not None:
        for key, value in (_registration(_env_id(zoo)).kwargs or {}).items():  # QWOPExtended-v0: observation
            given[key], sources[key] = value, f"{_env_id(zoo)}'s registration"
        for name, kwargs in (("config.yml", zoo.hyperparams.get("env_kwargs")), ("args.yml", zoo.args.get("env_kwargs"))):
            if kwargs is None:
                continue
            if not isinstance(kwargs, dict):
                raise ConfigError(f"{zoo.params_dir / name}: env_kwargs must be a mapping (got {kwargs!r:.60})")
            for key, value in kwargs.items():
                if key not in EnvConfig.model_fields:
                    raise ConfigError(f"{zoo.params_dir / name}: env_kwargs.{key}: not a QWOPEnv setting QWOP "
                                      f"Studio can reproduce (known: {', '.join(EnvConfig.model_fields)})")
                given[key], sources[key] = value, name
    for key, value in fit.items():
        if key in given and given[key] != value:
            raise ConfigError(f"{zoo.params_dir}: {key}={given[key]!r} ({sources[key]}), but the model's spaces "
                              f"need {key}={value!r} ({_why(info, key)})")
    env = {**_env_defaults(), **fit, **given}
    read = [f"{k}={given[k]!r} ({sources[k]})" for k in given]
    assumed = [f"{k}={v!r} ({_why(info, k) if k in fit else 'env default'})" for k, v in env.items() if k not in given]
    if "reward_weights" not in given:
        assumed.append("default reward weights")
    return env, read, assumed


def _why(info: ModelFileInfo, key: str) -> str:
    """``from its Discrete(9)``: the declared space a fitted setting was told from."""
    space = "observation_space" if key == "observation" else "action_space"
    return f"from its {describe_space(info.data.get(space))}"


def _run_settings(zoo: ZooRun, algorithm: str) -> dict[str, Any]:
    """Top-level keys and hyperparameters from the zoo's files (what ``train --resume`` continues with)."""
    out: dict[str, Any] = {}
    hyper, args = zoo.hyperparams, zoo.args
    if isinstance(hyper.get("n_timesteps"), (int, float)) and hyper["n_timesteps"] >= 1:
        out["total_timesteps"] = int(hyper["n_timesteps"])
    if isinstance(hyper.get("n_envs"), int):
        out["n_envs"] = hyper["n_envs"]
    if args.get("vec_env") in ("dummy", "subproc"):
        out["vec_env"] = args["vec_env"]
    if isinstance(args.get("seed"), int) and not isinstance(args["seed"], bool) and args["seed"] >= 0:
        out["seed"] = args["seed"]
    accepted = constructor_args(algorithm)  # the network itself comes from the model (policy_kwargs)
    out["hyperparams"] = {k: v for k, v in hyper.items()
                          if k not in ZOO_ONLY_KEYS and k not in RESERVED_ARGS and k in accepted}
    return out


def _registry() -> dict[str, Any]:
    import gymnasium

    import qwop_studio  # noqa: F401 - registers QWOP-v0 and its variants

    return gymnasium.registry


def _registration(env_id: str) -> Any:
    """The gymnasium registration of ``env_id`` (``qwop_studio:`` prefix or not) if it is a QWOPEnv, else None."""
    spec = _registry().get(env_id.split(":")[-1])
    return spec if spec is not None and spec.entry_point == QWOP_ENTRY_POINT else None


def _env_id(zoo: ZooRun | None) -> str:
    """The env id the model was trained on: the zoo's ``env`` argument, else ``QWOP-v0``."""
    return str(zoo.args["env"]).split(":")[-1] if zoo is not None and zoo.args.get("env") else ENV_ID


def _step_limit(env_id: str) -> int:
    """The registration's episode limit: the ``TimeLimit`` ``gymnasium.make`` (and so rl-zoo3) used."""
    return int(_registration(env_id).max_episode_steps or MAX_EPISODE_STEPS)


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    head, _, rest = key.partition(".")
    if rest:
        data[head] = dict(data.get(head) or {})
        _set_dotted(data[head], rest, value)
    else:
        data[head] = value
