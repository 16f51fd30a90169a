"""The search space file and the objective: data checked before any trial, one line per mistake."""
from __future__ import annotations

from pathlib import Path

import pytest

from qwop_studio.cli import main
from qwop_studio.train.config import load_config
from qwop_studio.tune.objective import objective_s
from qwop_studio.tune.space import DEFAULT_SPACE, SpaceError, apply_params, load_space, set_dotted

HERE = Path(__file__).parent
TINY = HERE / "tiny_tune.yml"


def _episode(success: bool, time: float = 0.0, distance: float = 100.0) -> dict:
    return {"is_success": success, "time": time, "distance": distance}


def test_the_shipped_space_loads_against_the_default_config():
    space = load_space(DEFAULT_SPACE, load_config("train_ppo_upright"))
    assert "hyperparams.learning_rate" in space.params
    assert "reward_schedule.0.at_step" in space.params
    assert space.settings.pruner.type == "median"


def test_the_baseline_trial_fixes_the_base_values_the_space_can_hold_and_samples_nothing_else(tmp_path):
    optuna = pytest.importorskip("optuna")
    space_file = tmp_path / "space.yml"
    space_file.write_text(
        "params:\n"
        "  hyperparams.learning_rate: {type: float, low: 1.0e-4, high: 1.0e-3, log: true}\n"   # base 3e-4: held
        "  hyperparams.n_epochs: {type: int, low: 2, high: 6, step: 2}\n"                     # base 1: outside
        "  hyperparams.gamma: {type: float, low: 0.9, high: 0.99}\n"                          # base: unset
        "  hyperparams.policy_kwargs.net_arch: {type: categorical, choices: [[16], [16, 16]]}\n"
        "  reward_schedule.0.at_step: {type: int, low: 50000, high: 150000, step: 50000}\n")
    base = load_config(TINY)
    space = load_space(space_file, base)
    values = space.base_values(base.to_dict())
    assert values == {"hyperparams.learning_rate": 3.0e-4, "hyperparams.policy_kwargs.net_arch": "[16, 16]",
                      "reward_schedule.0.at_step": 100000}

    study = optuna.create_study()
    study.enqueue_trial(values, user_attrs={"baseline": sorted(values)})
    params = space.suggest(study.ask())
    assert params == {"hyperparams.learning_rate": 3.0e-4, "hyperparams.policy_kwargs.net_arch": [16, 16],
                      "reward_schedule.0.at_step": 100000}  # n_epochs and gamma stay as the base has them
    assert apply_params(base, params).to_dict() == base.to_dict()
    assert set(space.suggest(study.ask())) == set(space.params)  # an ordinary trial samples every key


def test_sampled_values_land_in_the_config_including_list_items():
    base = load_config(TINY)
    config = apply_params(base, {"hyperparams.policy_kwargs.net_arch": [8], "reward_schedule.0.set.velocity_weight": 0.2,
                                 "env.frames_per_step": 5})
    assert config.hyperparams["policy_kwargs"] == {"net_arch": [8]}
    assert config.reward_schedule[0].set == {"velocity_weight": 0.2}
    assert config.env.frames_per_step == 5
    with pytest.raises(KeyError, match="no item '2'"):
        set_dotted(base.to_dict(), "reward_schedule.2.at_step", 5)


@pytest.mark.parametrize("body, expected", [
    ("params: {hyperparams.gama: {type: float, low: 0.9, high: 0.99}}",
     "params.hyperparams.gama: value 0.9: hyperparams.gama: not a PPO hyperparameter; did you mean 'gamma'?"),
    ("params: {env.frames_per_stp: {type: int, low: 3, high: 5}}",
     "params.env.frames_per_stp: value 3: env.frames_per_stp: unknown key; did you mean 'frames_per_step'?"),
    ("params: {hyperparams.gamma: {type: float, low: 0.99, high: 0.9}}",
     "params.hyperparams.gamma: low (0.99) must be below high (0.9)"),
    ("params: {hyperparams.gamma: {type: float, low: 0.9, high: 1.5}}",
     "params.hyperparams.gamma: value 1.5: hyperparams.gamma: must be <= 1 (got 1.5)"),
    ("params: {hyperparams.gamma: {type: float, lo: 0.9, high: 0.99}}",
     "params.hyperparams.gamma.lo: unknown key; did you mean 'low'?"),
    ("params: {reward_schedule.3.at_step: {type: int, low: 3, high: 5}}",
     "params.reward_schedule.3.at_step: reward_schedule has 1 item(s) in the base config; no item '3'"),
    ("settings: {evaluaton: {}}\nparams: {hyperparams.gamma: {type: float, low: 0.9, high: 0.99}}",
     "settings.evaluaton: unknown key; did you mean 'evaluation'?"),
    ("params: {max_minutes: {type: float, low: 1, high: 2}}", "params.max_minutes: set by the sweep itself"),
])
def test_a_bad_space_file_fails_in_one_line_naming_the_key_before_any_trial(tmp_path, monkeypatch, capsys, body,
                                                                            expected):
    monkeypatch.chdir(tmp_path)
    space = tmp_path / "space.yml"
    space.write_text(body + "\n")
    code = main(["tune", "--config", str(TINY), "--trials", "1", "--trial-minutes", "0.1", "--space", str(space)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"qwop-studio tune: {space}: ")
    assert expected in err
    assert not (tmp_path / "saves").exists()  # nothing created


def test_load_space_raises_space_error_for_broken_yaml(tmp_path):
    space = tmp_path / "space.yml"
    space.write_text("params: [1\n")
    with pytest.raises(SpaceError, match=r"space.yml: line 2, column 1: not valid YAML"):
        load_space(space, load_config(TINY))


def test_a_bad_base_config_or_unwritable_output_is_refused_before_any_trial(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QWOP_STUDIO_SAVES", raising=False)
    bad = tmp_path / "bad.yml"
    bad.write_text(TINY.read_text().replace("n_envs: 2", "n_env: 2"))
    assert main(["tune", "--config", str(bad), "--trials", "1", "--trial-minutes", "0.1"]) == 2
    assert "bad.yml: n_env: unknown key; did you mean 'n_envs'?" in capsys.readouterr().err
    (tmp_path / "saves").write_text("a file where the saves folder should be")
    assert main(["tune", "--config", str(TINY), "--trials", "1", "--trial-minutes", "0.1",
                 "--space", str(HERE / "tiny_space.yml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the sweep's folder saves/sweeps/tiny_tune: it lies under saves, which is a file" in err
    assert main(["tune", "--config", str(TINY), "--trials", "0", "--trial-minutes", "0.1"]) == 2
    assert "--trials 0: must be >= 1" in capsys.readouterr().err


def test_objective_ranks_finishing_above_falling_and_far_falls_above_near_ones():
    limit = 133.3
    finisher = objective_s([_episode(True, 60.0)] * 9 + [_episode(False, distance=80.0)], limit)
    assert finisher == pytest.approx(0.9 * 60.0 + 0.1 * (limit + 20.0))
    slow_sure = objective_s([_episode(True, 120.0)] * 10, limit)
    near_fall = objective_s([_episode(False, distance=20.0)] * 10, limit)
    far_fall = objective_s([_episode(False, distance=60.0)] * 10, limit)
    backwards = objective_s([_episode(False, distance=-5.0)] * 10, limit)
    assert finisher < slow_sure < limit < far_fall < near_fall < backwards == pytest.approx(limit + 100.0)


def test_a_ray_address_where_no_cluster_answers_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    pytest.importorskip("ray.tune")
    monkeypatch.chdir(tmp_path)
    assert main(["tune", "--config", str(TINY), "--trials", "1", "--trial-minutes", "0.1", "--ray", "127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--ray 127.0.0.1:1: no Ray cluster answers there" in err
    assert not (tmp_path / "saves").exists()
