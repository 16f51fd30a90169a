"""Where a sweep's study lives, how it is opened, and how trials of a killed sweep are recovered.

A study is Optuna's: by default an SQLite file, ``saves/sweeps/<study>/study.db``, so a sweep killed
at any moment resumes by running the same command again; any database URL Optuna accepts
(``postgresql://...``, ``mysql://...``) lets several machines share one study (``--study`` names it
on each). Every finished trial stays in the database. A trial that was running when its process died
is marked failed and queued again with the same values (Optuna's retry callback), up to
``retries`` times:

- a trial of *this* machine, as soon as a new sweep starts here and finds its process gone (each
  trial records its host name and process id as user attributes);
- a trial of another machine, once its heartbeat (written every ``interval_s`` by the process that
  runs it) is older than ``grace_s``.

The study remembers what it was started with (base config, trial minutes, search space) and refuses
to go on with different ones: its trials would no longer compare.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import warnings
from pathlib import Path
from typing import Any

import yaml

from qwop_studio.train.config import ConfigError
from qwop_studio.tune.space import SweepSettings

#: The study file's name under ``saves/sweeps/<study>/``.
STUDY_DB = "study.db"
#: Study names double as folder names.
STUDY_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
HOST = socket.gethostname()


class SweepError(ConfigError):
    """A sweep that cannot start (bad storage, a study started with other settings): one line, exit 2."""


def sweeps_root() -> Path:
    """``<saves root>/sweeps`` (``qwop_studio.saves``: ``--saves``/``$QWOP_STUDIO_SAVES``/``./saves``)."""
    from qwop_studio.saves import sweeps_dir

    return sweeps_dir()


def default_storage_url(study_dir: Path) -> str:
    return f"sqlite:///{(study_dir / STUDY_DB).absolute()}"


def open_storage(url: str, settings: SweepSettings, heartbeat: bool = True) -> Any:
    """An Optuna ``RDBStorage`` with heartbeats and retries; :class:`SweepError` if it cannot be opened.

    ``heartbeat=False`` for Ray's driver: it asks and tells (no ``optimize`` loop records heartbeats),
    and its trials are recovered through their process id instead.
    """
    import optuna

    retry = _retry_callback(settings.retries)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # heartbeats are "experimental"
            if not heartbeat:
                return optuna.storages.RDBStorage(url)
            return optuna.storages.RDBStorage(
                url, heartbeat_interval=settings.heartbeat.interval_s, grace_period=settings.heartbeat.grace_s,
                heartbeat_stale_trial_callback=retry)
    except Exception as e:  # noqa: BLE001 - a bad URL, a missing driver, an unreachable server
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise SweepError(f"--storage {hide_password(url)}: cannot open the study database ({first})") from None


def hide_password(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def _retry_callback(retries: int) -> Any:
    import optuna

    cls = getattr(optuna.storages, "RetryHeartbeatStaleTrialCallback", None) or optuna.storages.RetryFailedTrialCallback
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "experimental"
        return cls(max_retry=retries)


def build_sampler(settings: SweepSettings) -> Any:
    import optuna

    return optuna.samplers.TPESampler(n_startup_trials=settings.sampler.startup_trials)


def build_pruner(settings: SweepSettings) -> Any:
    """Optuna's pruner from the settings. Report steps are 1-based (the first intermediate evaluation is 1)."""
    import optuna

    p = settings.pruner
    if p.type == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=p.startup_trials, n_warmup_steps=p.warmup_reports + 1)
    if p.type == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=p.reduction_factor)
    return optuna.pruners.NopPruner()


def identity(config_source: str, config_text: str, trial_minutes: float, space_fingerprint: str) -> dict[str, Any]:
    """What a study is started with and must be resumed with (stored as its user attribute ``sweep``).

    The base config by its file's data (comments and layout aside), the space by its parsed params.
    """
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    data = yaml.safe_load(config_text)
    return {"config": config_source, "config_digest": digest(json.dumps(data, sort_keys=True, default=str)),
            "trial_minutes": trial_minutes, "space_digest": digest(space_fingerprint)}


def open_study(storage: Any, name: str, ident: dict[str, Any], settings: SweepSettings) -> Any:
    """Create the study, or load it and check it was started with ``ident``; :class:`SweepError` if not."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(storage=storage, study_name=name, direction="minimize", load_if_exists=True,
                                sampler=build_sampler(settings), pruner=build_pruner(settings))
    before = study.user_attrs.get("sweep")
    if before is None:
        study.set_user_attr("sweep", ident)
        return study
    # the config by content: the same file named by another path (or its shipped name) is the same base
    for key, flag in (("config_digest", "--config"), ("trial_minutes", "--trial-minutes"), ("space_digest", "--space")):
        if before.get(key) != ident[key]:
            was = {"config_digest": f" ({before.get('config')}, as it was then)",
                   "trial_minutes": f" {before.get(key)}"}.get(key, "")
            raise SweepError(f"--study {name}: this study was started with another {flag}{was} (its trials would not "
                             f"compare); pass the same, or name a new study with --study")
    return study


def claim(trial: Any, **extra: Any) -> None:
    """Record which process runs ``trial`` (host, pid), so a later sweep can tell when it died."""
    trial.set_user_attr("host", HOST)
    trial.set_user_attr("pid", os.getpid())
    for key, value in extra.items():
        trial.set_user_attr(key, value)


def retry_of(study: Any, trial: Any) -> int | None:
    """The number of the interrupted trial that ``trial`` runs again, or None."""
    return study._storage.get_trial(trial._trial_id).system_attrs.get("failed_trial")


def _process_alive(pid: Any) -> bool:
    """Whether process ``pid`` runs on this machine (False for a missing or malformed pid)."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted(study: Any, retries: int) -> list[int]:
    """Fail and requeue this machine's running trials whose process is gone; return their numbers."""
    from optuna.trial import TrialState

    retry = _retry_callback(retries)
    recovered = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        attrs = trial.user_attrs
        mine_and_dead = attrs.get("host") == HOST and (attrs.get("pid") == os.getpid()
                                                        or not _process_alive(attrs.get("pid")))
        if not mine_and_dead:  # another machine's (its heartbeat decides), or a live sweep's on this one
            continue
        try:
            if not study._storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL):
                continue
        except Exception:  # noqa: BLE001 - another process finished or failed it first
            continue
        retry(study, study._storage.get_trial(trial._trial_id))
        recovered.append(trial.number)
    return recovered


def requeue(study: Any, number: int, retries: int) -> None:
    """Queue trial ``number`` again with its values (a Ctrl+C'd trial: Optuna has marked it failed)."""
    storage = study._storage
    trial_id = storage.get_trial_id_from_study_id_trial_number(study._study_id, number)
    _retry_callback(retries)(study, storage.get_trial(trial_id))


def queue_baseline(study: Any, values: dict[str, Any]) -> bool:
    """Queue the base config's own ``values`` as a trial unless the study has one; True if queued.

    Optuna's queue (``enqueue_trial``): the next trial asked for, by this process, another machine
    or Ray's searcher, runs them. Its user attribute ``baseline`` lists the keys it fixes, so
    :meth:`SearchSpace.suggest` samples nothing else for it.
    """
    if any(t.user_attrs.get("baseline") for t in study.get_trials(deepcopy=False)):
        return False
    study.enqueue_trial(values, user_attrs={"baseline": sorted(values)}, skip_if_exists=True)
    return True


def count_states(study: Any) -> dict[str, int]:
    """Trials by state name (``COMPLETE``, ``PRUNED``, ``FAIL``, ``RUNNING``, ``WAITING``)."""
    counts: dict[str, int] = {}
    for trial in study.get_trials(deepcopy=False):
        counts[trial.state.name] = counts.get(trial.state.name, 0) + 1
    return counts


def finished_count(study: Any) -> int:
    """Trials that count towards ``--trials``: completed or pruned (failed ones are retried or not counted)."""
    counts = count_states(study)
    return counts.get("COMPLETE", 0) + counts.get("PRUNED", 0)


__all__ = ["SweepError", "sweeps_root", "default_storage_url", "open_storage", "open_study", "identity", "claim", "retry_of",
           "recover_interrupted", "requeue", "queue_baseline", "finished_count", "count_states", "build_pruner", "build_sampler", "STUDY_NAME_RE"]
