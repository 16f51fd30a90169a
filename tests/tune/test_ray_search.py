"""Ray's side of the study, without starting Ray: what its searcher stores in the Optuna study."""
from __future__ import annotations

from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")
pytest.importorskip("ray.tune.search.optuna")

from qwop_studio.train.config import load_config  # noqa: E402
from qwop_studio.tune.ray_runner import NUMBER_KEY, _searcher_class  # noqa: E402
from qwop_studio.tune.space import load_space  # noqa: E402

HERE = Path(__file__).parent


def test_ray_trials_are_claimed_and_an_early_stop_is_stored_as_pruned_at_its_last_report(tmp_path):
    space = load_space(HERE / "tiny_space.yml", load_config(HERE / "tiny_tune.yml"))
    url = f"sqlite:///{tmp_path / 'study.db'}"
    searcher = _searcher_class()(space=space.suggest, metric="objective", mode="min", study_name="s",
                                 storage=optuna.storages.RDBStorage(url), sampler=optuna.samplers.TPESampler(seed=0))
    stopped = searcher.suggest("a")
    assert stopped[NUMBER_KEY] == 0
    assert isinstance(stopped["hyperparams.policy_kwargs.net_arch"], list)  # decoded, ready for the config
    searcher.on_trial_result("a", {"objective": 150.0, "training_iteration": 1})
    searcher.on_trial_complete("a", {"objective": 150.0, "final": False, "training_iteration": 1, "success_rate": 0.0})
    finished = searcher.suggest("b")
    searcher.on_trial_complete("b", {"objective": 120.0, "final": True, "training_iteration": 2, "success_rate": 0.5})

    study = optuna.load_study(study_name="s", storage=url)
    first, second = study.get_trials()
    assert (first.state.name, first.value, first.intermediate_values) == ("PRUNED", 150.0, {1: 150.0})
    assert (second.state.name, second.value) == ("COMPLETE", 120.0)
    assert second.user_attrs["success_rate"] == 0.5 and second.user_attrs["mode"] == "ray"
    assert first.user_attrs["pid"] > 0 and finished[NUMBER_KEY] == 1


def test_ray_runs_the_queued_baseline_trial_with_the_base_values_only(tmp_path):
    base = load_config(HERE / "tiny_tune.yml")
    space = load_space(HERE / "tiny_space.yml", base)
    url = f"sqlite:///{tmp_path / 'study.db'}"
    study = optuna.create_study(storage=url, study_name="s")
    values = {"hyperparams.learning_rate": 3.0e-4, "hyperparams.n_epochs": 1}  # a base value for two of the keys
    study.enqueue_trial(values, user_attrs={"baseline": sorted(values)})
    searcher = _searcher_class()(space=space.suggest, metric="objective", mode="min", study_name="s",
                                 storage=optuna.storages.RDBStorage(url), sampler=optuna.samplers.TPESampler(seed=0))
    first = searcher.suggest("a")
    assert {k: v for k, v in first.items() if k != NUMBER_KEY} == values  # nothing sampled beside them
    assert set(searcher.suggest("b")) == set(space.params) | {NUMBER_KEY}
