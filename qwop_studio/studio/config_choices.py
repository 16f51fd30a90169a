"""The configs the studio offers to start, and what each starts with: read through ``train/config.py``,
imported only when asked (so opening the window does not wait for the config machinery)."""
from __future__ import annotations

from pathlib import Path

from qwop_studio.saves import SWEEP_BEST_CONFIG


def reward_weights_of(name: str) -> dict[str, float] | None:
    """The starting reward weights of a config (None if it cannot be read, e.g. a resume label)."""
    from qwop_studio.env.reward import RewardWeights
    from qwop_studio.train.config import ConfigError, load_config

    try:
        return RewardWeights(**load_config(name).env.reward_weights).as_dict()
    except (ConfigError, OSError, ValueError, TypeError):
        return None


def config_names() -> list[str]:
    """The shipped configs' names, for the toolbar's picker."""
    from qwop_studio.train.config import shipped_config_names

    return shipped_config_names()


def sweep_best_configs(sweeps: Path) -> dict[str, str]:
    """``best of sweep <study>`` -> the path of its best config, for every study under ``sweeps`` that has one.

    Listed by name only (a glob, no parsing): a broken file is refused with one line when it is started.
    """
    try:
        found = sorted(sweeps.glob(f"*/{SWEEP_BEST_CONFIG}"))
    except OSError:
        return {}
    return {f"best of sweep {path.parent.name}": str(path) for path in found if path.is_file()}


def default_config() -> str:
    """The config the picker starts on."""
    from qwop_studio.train.config import DEFAULT_CONFIG

    return DEFAULT_CONFIG
