"""What a model file may contain, and the one way QWOP Studio loads one: without unpickling anything.

Why: an SB3 ``.zip`` keeps some of its fields (schedules, spaces, the policy class, numpy arrays) as
cloudpickle inside its ``data`` JSON, and ``Algo.load`` unpickles them. A pickle can call any function,
so a model posted in a forum could run commands on the machine of whoever opens it. Here the ``data``
JSON is read first; every pickled (``:serialized:``) field must be on :data:`REBUILT_FIELDS`, and its
value is rebuilt from our own settings and handed to SB3 through ``custom_objects``, so SB3 never
reaches ``cloudpickle.loads``. The network weights are read by SB3 with ``torch.load(weights_only=True)``
(tensors only). A field outside the list, an algorithm that is not the one the config names, or spaces
that do not match the env are refused with one line (:class:`ModelFileError`).

The policy's constructor arguments (``policy_kwargs``, e.g. ``net_arch``, ``activation_fn``,
``optimizer_class``) are read from the JSON copy SB3 writes beside the pickle, and class names are
accepted only from ``torch.nn`` activations and ``torch.optim`` optimisers.

Replay buffers travel as ``.npz`` arrays (:func:`save_replay_buffer`, :func:`load_replay_buffer`), read
with ``allow_pickle=False``; an SB3 ``.pkl`` buffer is never opened.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qwop_studio.fileio import atomic_open
from qwop_studio.train.algorithms import POLICY_KWARGS, build_kwargs, get_spec, parse_activation

#: The key our trainer stores its metadata under in every saved model's ``data`` (config, env settings).
METADATA_ATTR = "qwop_studio"
#: Largest ``data`` JSON read from a model .zip (ours are ~40 kB; guards against a zip bomb).
MAX_DATA_BYTES = 8 * 1024 * 1024
#: Largest tensor file in a model .zip (a 64x64 policy is ~100 kB; a 1024x1024 one ~30 MB).
MAX_TENSOR_BYTES = 512 * 1024 * 1024

#: Pickled fields we accept, and what each becomes (never the pickle): "env" (from the env's spaces),
#: "config" (from the config's hyperparameters or SB3's default), "policy_kwargs" (from the JSON copy),
#: "none" (SB3 rebuilds it: buffers, episode statistics, last observations, derived schedules).
REBUILT_FIELDS: dict[str, str] = {
    "observation_space": "env",
    "action_space": "env",
    "policy_class": "policy",
    "policy_kwargs": "policy_kwargs",
    "learning_rate": "config",
    "clip_range": "config",
    "clip_range_vf": "config",
    "train_freq": "config",
    "lr_schedule": "none",
    "exploration_schedule": "none",
    "_last_obs": "none",
    "_last_original_obs": "none",
    "_last_episode_starts": "none",
    "ep_info_buffer": "none",
    "ep_success_buffer": "none",
    "rollout_buffer_class": "none",
    "replay_buffer_class": "none",
    "rollout_buffer_kwargs": "none",
    "replay_buffer_kwargs": "none",
    "action_noise": "none",
}

#: SB3's defaults for the "config" fields when no config names them (inference only: a model being
#: watched or evaluated never uses them; a resumed run gets the config's values).
FIELD_DEFAULTS: dict[str, Any] = {"learning_rate": 3e-4, "clip_range": 0.2, "clip_range_vf": None, "train_freq": 4}

#: Which algorithm saved a file, told by keys of its ``data`` that only that algorithm writes (first
#: match wins), and the module its default policy class lives in.
ALGORITHM_FINGERPRINTS: tuple[tuple[str, frozenset[str], str], ...] = (
    ("QRDQN", frozenset({"n_quantiles", "exploration_rate"}), "sb3_contrib.qrdqn.policies"),
    ("DQN", frozenset({"exploration_rate", "target_update_interval"}), "stable_baselines3.dqn.policies"),
    ("PPO", frozenset({"n_epochs", "clip_range", "gae_lambda"}), "stable_baselines3.common.policies"),
    ("A2C", frozenset({"gae_lambda", "n_steps", "normalize_advantage"}), "stable_baselines3.common.policies"),
)

#: Classes a ``policy_kwargs`` entry may name, as SB3 writes them (``<class 'torch.optim.adam.Adam'>``).
_CLASS_REPR = re.compile(r"^<class '(torch\.nn\.modules\.activation|torch\.optim\.\w+)\.(\w+)'>$")
_CLASS_KWARGS = {"activation_fn": "torch.nn.modules.activation", "optimizer_class": "torch.optim"}
_ALLOWED_POLICY_KWARGS = POLICY_KWARGS | {"optimizer_class", "optimizer_kwargs"}


class ModelFileError(ValueError):
    """A model file that will not be loaded, as one line naming the file (the CLI exits with code 2)."""


@dataclass(frozen=True)
class ModelFileInfo:
    """What a model file says about itself, read from its JSON without loading anything."""

    label: str
    data: dict[str, Any]
    algorithm: str | None  # from our metadata, else from the keys it holds; None if unknown
    metadata: dict[str, Any] | None
    observation_shape: tuple[int, ...] | None
    n_actions: int | None

    @property
    def num_timesteps(self) -> int | None:
        value = self.data.get("num_timesteps")
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None

    @property
    def pickled_fields(self) -> list[str]:
        return sorted(k for k, v in self.data.items() if _is_pickled(v))


def _is_pickled(value: Any) -> bool:
    return isinstance(value, dict) and ":serialized:" in value


def _label(source: str | os.PathLike | bytes) -> str:
    return "model" if isinstance(source, (bytes, bytearray)) else str(source)


def _archive(source: str | os.PathLike | bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)


def read_model_info(source: str | os.PathLike | bytes) -> ModelFileInfo:
    """Read a model's ``data`` JSON (nothing unpickled); :class:`ModelFileError` if it is not a model."""
    label = _label(source)
    try:
        with _archive(source) as archive:
            names = set(archive.namelist())
            if "data" not in names or "policy.pth" not in names:
                raise ModelFileError(f"{label}: not a Stable-Baselines3 model (no data or policy.pth inside)")
            for entry in archive.infolist():
                limit = MAX_DATA_BYTES if entry.filename == "data" else MAX_TENSOR_BYTES
                if entry.file_size > limit:
                    raise ModelFileError(f"{label}: {entry.filename} inside is {entry.file_size:,} bytes (limit {limit:,})")
            data = json.loads(archive.read("data").decode("utf-8"))
    except ModelFileError:
        raise
    except FileNotFoundError:
        raise ModelFileError(f"{label}: no such model file") from None
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, ValueError, RuntimeError, EOFError) as e:
        raise ModelFileError(f"{label}: not a readable model .zip ({type(e).__name__}: {_first_line(e)})") from None
    if not isinstance(data, dict):
        raise ModelFileError(f"{label}: the model's data is not a JSON object")
    meta = data.get(METADATA_ATTR)
    meta = meta if isinstance(meta, dict) else None
    return ModelFileInfo(label, data, _algorithm_of(data, meta), meta, _observation_shape(data), _n_actions(data))


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0][:200] if text else ""


def _algorithm_of(data: dict[str, Any], meta: dict[str, Any] | None) -> str | None:
    config = meta.get("config") if meta else None
    if isinstance(config, dict) and isinstance(config.get("algorithm"), str):
        return config["algorithm"].upper()
    return fingerprint_algorithm(data)


def fingerprint_algorithm(data: dict[str, Any]) -> str | None:
    """The algorithm whose keys ``data`` holds (see :data:`ALGORITHM_FINGERPRINTS`), or None."""
    for name, keys, _module in ALGORITHM_FINGERPRINTS:
        if keys <= data.keys():
            return name
    return None


def _observation_shape(data: dict[str, Any]) -> tuple[int, ...] | None:
    space = data.get("observation_space")
    shape = space.get("_shape") if isinstance(space, dict) else None
    if isinstance(shape, list) and all(isinstance(n, int) for n in shape):
        return tuple(shape)
    return None


def _n_actions(data: dict[str, Any]) -> int | None:
    space = data.get("action_space")
    if not isinstance(space, dict) or "Discrete" not in str(space.get(":type:", "")):
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(str(space.get("n")))
    return None


# ------------------------------------------------------------------------------------ loading
def load_model(source: str | os.PathLike | bytes, algorithm: str, env_kwargs: dict[str, Any] | None = None,
               hyperparams: dict[str, Any] | None = None, total_timesteps: int = 1, env: Any = None,
               overrides: dict[str, Any] | None = None) -> Any:
    """An SB3 model of ``algorithm`` from a .zip path or its bytes, with no pickle opened.

    ``env_kwargs``: the ``QWOPEnv`` settings the model must fit (ignored when ``env`` is given);
    ``hyperparams``/``total_timesteps``: the config's, for the few pickled hyperparameters (schedules);
    ``env``: a VecEnv to attach (resume). ``overrides``: plain hyperparameters that replace the file's
    (resume passes the config's :func:`plain_hyperparams`: SB3 would otherwise keep the file's gamma,
    n_steps, ... and silently ignore an edited config). Raises :class:`ModelFileError`
    (one line) for a file that is not a model, holds pickled fields outside :data:`REBUILT_FIELDS`, was
    saved by another algorithm, or whose spaces or network do not match.
    """
    spec = get_spec(algorithm)
    spaces_env = env if env is not None else _spaces_env(env_kwargs or {})
    info = check_model_file(source, spec.name, spaces_env)
    custom = _rebuilt_fields(info, spec.name, spaces_env, hyperparams or {}, total_timesteps)
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    try:
        return spec.cls.load(stream, env=env, device="cpu", custom_objects=custom, print_system_info=False,
                             **(overrides or {}))
    except Exception as e:  # noqa: BLE001 - whatever SB3 or torch raise, the file is the cause
        raise ModelFileError(f"{info.label}: cannot load as a {spec.name} model ({type(e).__name__}: "
                             f"{_first_line(e)})") from None


def plain_hyperparams(algorithm: str, hyperparams: dict[str, Any]) -> dict[str, Any]:
    """The config's hyperparameters SB3 stores as plain JSON values (gamma, n_steps, batch_size, ...).

    Not the schedules or other pickled fields (:data:`REBUILT_FIELDS` rebuilds those from the config
    already) and not ``policy_kwargs`` (the network's shape is the file's).
    """
    kwargs = build_kwargs(algorithm, hyperparams)
    return {k: v for k, v in kwargs.items() if k not in REBUILT_FIELDS}


def changed_hyperparams(info: ModelFileInfo, plain: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``{name: (file's value, config's value)}`` for each plain hyperparameter the config changes."""
    return {k: (info.data[k], v) for k, v in plain.items() if k in info.data and info.data[k] != v}


def check_model_file(source: str | os.PathLike | bytes, algorithm: str, spaces: Any = None,
                     env_kwargs: dict[str, Any] | None = None) -> ModelFileInfo:
    """Everything :func:`load_model` checks, without loading: call it before any work starts.

    ``spaces``: anything with the env's ``observation_space`` and ``action_space`` (else built from
    ``env_kwargs``). Raises :class:`ModelFileError` (one line).
    """
    info = read_model_info(source)
    check_algorithm(info, get_spec(algorithm).name)
    foreign = [k for k in info.pickled_fields if k not in REBUILT_FIELDS]
    if foreign:
        raise ModelFileError(f"{info.label}: refused: field {foreign[0]!r} holds a pickled Python object that"
                             f" QWOP Studio never unpickles (loading it could run code from the file)")
    spaces = spaces if spaces is not None else _spaces_env(env_kwargs or {})
    check_spaces(info, spaces.observation_space, spaces.action_space)
    if "policy_kwargs" in info.pickled_fields:
        policy_kwargs_from_json(info.data["policy_kwargs"], info.label)
    return info


def check_algorithm(info: ModelFileInfo, expected: str) -> None:
    """Refuse a file saved by another algorithm than ``expected`` (by our metadata and by its keys)."""
    found = fingerprint_algorithm(info.data)
    claimed = info.algorithm
    if found is not None and claimed is not None and found != claimed:
        raise ModelFileError(f"{info.label}: inconsistent file: its metadata says {claimed} but it holds {found}'s"
                             f" settings")
    actual = found or claimed
    if actual is None:
        raise ModelFileError(f"{info.label}: cannot tell which algorithm saved this model (expected {expected})")
    if actual != expected:
        raise ModelFileError(f"{info.label}: a {actual} model, but its config says {expected}; "
                             f"use the run's own config.yml or a {expected} checkpoint")
    module = dict((n, m) for n, _k, m in ALGORITHM_FINGERPRINTS).get(actual)
    policy = info.data.get("policy_class")
    declared = policy.get("__module__") if isinstance(policy, dict) else None
    if declared is not None and declared != module:
        raise ModelFileError(f"{info.label}: policy class from {declared!r}, not {actual}'s ({module})")


def check_spaces(info: ModelFileInfo, observation_space: Any, action_space: Any) -> None:
    """Refuse a model whose declared observation shape or action count differ from the env's."""
    wanted_n = int(getattr(action_space, "n", -1))
    if info.observation_shape is not None and tuple(info.observation_shape) != tuple(observation_space.shape):
        raise ModelFileError(f"{info.label}: the model's observation space has shape {info.observation_shape}, the "
                             f"env's {tuple(observation_space.shape)}")
    if info.n_actions is not None and info.n_actions != wanted_n:
        raise ModelFileError(f"{info.label}: the model's action space Discrete({info.n_actions}) does not match the "
                             f"env's Discrete({wanted_n}) (reduced_action_set: 9 actions; full set: 16)")


def _spaces_env(env_kwargs: dict[str, Any]) -> Any:
    from qwop_studio.env import QWOPEnv

    env = QWOPEnv(**{k: v for k, v in env_kwargs.items() if k != "render_mode"})
    env.close()
    return env


def _rebuilt_fields(info: ModelFileInfo, algorithm: str, spaces_env: Any, hyperparams: dict[str, Any],
                    total_timesteps: int) -> dict[str, Any]:
    """``custom_objects`` for SB3: a value of ours for every pickled field of the file."""
    kwargs = build_kwargs(algorithm, hyperparams, total_timesteps)
    custom: dict[str, Any] = {}
    for key in info.pickled_fields:
        kind = REBUILT_FIELDS[key]
        if kind == "env":
            custom[key] = getattr(spaces_env, key)
        elif kind == "policy":
            custom[key] = get_spec(algorithm).cls.policy_aliases["MlpPolicy"]  # the only policy configs allow
        elif kind == "policy_kwargs":
            custom[key] = policy_kwargs_from_json(info.data[key], info.label)
        elif kind == "config":
            custom[key] = kwargs.get(key, FIELD_DEFAULTS.get(key))
        else:
            custom[key] = None
    return custom


def policy_kwargs_from_json(field: dict[str, Any], label: str = "model") -> dict[str, Any]:
    """``policy_kwargs`` rebuilt from the JSON copy SB3 writes beside the pickle; classes only from torch."""
    import torch

    out: dict[str, Any] = {}
    for key, value in field.items():
        if key.startswith(":"):
            continue
        if key not in _ALLOWED_POLICY_KWARGS:
            raise ModelFileError(f"{label}: policy_kwargs.{key} is not a setting QWOP Studio rebuilds")
        if key in _CLASS_KWARGS:
            match = _CLASS_REPR.match(str(value))
            if not match or not match.group(1).startswith(_CLASS_KWARGS[key]):
                raise ModelFileError(f"{label}: policy_kwargs.{key}={str(value)[:80]!r} is not a torch "
                                     f"{'activation' if key == 'activation_fn' else 'optimiser'} class")
            name = match.group(2)
            if key == "activation_fn":
                try:
                    out[key] = parse_activation(name)
                except ValueError as e:
                    raise ModelFileError(f"{label}: policy_kwargs.{key}: {e}") from None
            else:
                optimiser = getattr(torch.optim, name, None)
                if not (isinstance(optimiser, type) and issubclass(optimiser, torch.optim.Optimizer)):
                    raise ModelFileError(f"{label}: policy_kwargs.{key}: torch.optim has no optimiser {name!r}")
                out[key] = optimiser
        elif isinstance(value, str) and value.startswith("<"):
            raise ModelFileError(f"{label}: policy_kwargs.{key} holds an object QWOP Studio does not rebuild")
        else:
            out[key] = value
    return out


# -------------------------------------------------------------------------------- replay buffers
#: The arrays of an SB3 ``ReplayBuffer`` a resume needs (``next_observations`` is None when
#: ``optimize_memory_usage`` is on).
REPLAY_ARRAYS = ("observations", "next_observations", "actions", "rewards", "dones", "timeouts")


def save_replay_buffer(model: Any, path: str | os.PathLike) -> Path:
    """Write ``model.replay_buffer``'s arrays and position to ``path`` (.npz) atomically."""
    buffer = model.replay_buffer
    arrays = {name: getattr(buffer, name) for name in REPLAY_ARRAYS if getattr(buffer, name, None) is not None}
    arrays["pos_full"] = np.array([buffer.pos, int(buffer.full)], dtype=np.int64)
    with atomic_open(path, "wb") as f:
        np.savez(f, **arrays)
    return Path(path)


def load_replay_buffer(model: Any, path: str | os.PathLike) -> str | None:
    """Fill ``model.replay_buffer`` from a .npz written by :func:`save_replay_buffer`.

    Returns None on success, else one line saying why the buffer was left empty (a missing array, a
    shape that does not fit this model's buffer, an unreadable file). Never unpickles.
    """
    buffer = model.replay_buffer
    try:
        with np.load(path, allow_pickle=False) as stored:
            pos, full = (int(v) for v in stored["pos_full"])
            loaded = {}
            for name in REPLAY_ARRAYS:
                mine = getattr(buffer, name, None)
                if mine is None:
                    continue
                theirs = stored[name]
                if theirs.shape != mine.shape or theirs.dtype != mine.dtype:
                    return f"{path}: {name} is {theirs.dtype}{theirs.shape}, this model's buffer {mine.dtype}{mine.shape}"
                loaded[name] = theirs
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError) as e:
        return f"{path}: unreadable replay buffer ({type(e).__name__}: {_first_line(e)})"
    if not (0 <= pos < buffer.buffer_size):
        return f"{path}: position {pos} outside a buffer of {buffer.buffer_size}"
    for name, array in loaded.items():
        getattr(buffer, name)[...] = array
    buffer.pos, buffer.full = pos, bool(full)
    return None
