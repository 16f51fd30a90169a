"""The registry: names to classes, schedules as RL-Zoo strings, and every shipped config trains."""
from __future__ import annotations

import pytest

from qwop_studio.train.algorithms import ALGORITHMS, build_kwargs, get_spec, parse_schedule
from qwop_studio.train.config import load_config, shipped_config_names


def test_registry_knows_four_algorithms_and_their_kind():
    assert {name: spec.off_policy for name, spec in ALGORITHMS.items()} == {
        "QRDQN": True, "DQN": True, "PPO": False, "A2C": False}
    assert get_spec("ppo").cls.__name__ == "PPO"
    with pytest.raises(KeyError, match="unknown algorithm 'SAC'"):
        get_spec("SAC")


def test_lin_schedule_decays_from_its_start_to_zero():
    schedule = parse_schedule("lin_3e-4")
    assert schedule(1.0) == pytest.approx(3e-4) and schedule(0.5) == pytest.approx(1.5e-4)
    assert schedule(0.0) == pytest.approx(0.0)
    assert parse_schedule(0.001) == 0.001
    with pytest.raises(ValueError, match="lin_<number>"):
        parse_schedule("cos_1e-3")


def test_step_schedule_follows_straight_lines_between_env_steps_whatever_the_total():
    points = [[0, 3e-4], [11_000_000, 3e-4], [17_000_000, 3e-5]]
    for total in (16_760_000, 20_000_000):  # a time budget or a --total-timesteps must not move the decay
        schedule = parse_schedule(points, total)

        def at(step: int, schedule=schedule, total=total) -> float:
            return schedule(1.0 - step / total)  # SB3 passes the progress remaining
        assert at(0) == at(11_000_000) == pytest.approx(3e-4)
        assert at(14_000_000) == pytest.approx(1.65e-4)
        assert at(16_760_000) == pytest.approx(3e-4 + (3e-5 - 3e-4) * 5.76 / 6)
    assert parse_schedule(points, 20_000_000)(0.0) == pytest.approx(3e-5)  # constant after the last point


@pytest.mark.parametrize("bad, reason", [
    ([], "non-empty list"),
    ([[0, 3e-4], [10]], "point 1 is not an"),
    ([[0, 3e-4], [100, "fast"]], "point 1 is not an"),
    ([[100, 3e-4], [50, 1e-4]], "point 1: env steps must not decrease"),
    ([[0, 0.0]], "point 0: the value must be above 0"),
    ([[0, float("nan")]], "point 0 needs a finite"),
])
def test_bad_step_schedules_say_which_point_is_wrong(bad, reason):
    with pytest.raises(ValueError, match=reason):
        parse_schedule(bad, 1000)


def test_build_kwargs_turns_yaml_into_constructor_arguments():
    import torch.nn as nn

    kwargs = build_kwargs("PPO", {"learning_rate": "lin_1e-3", "policy_kwargs": {"activation_fn": "nn.Tanh"}})
    assert callable(kwargs["learning_rate"]) and kwargs["policy_kwargs"]["activation_fn"] is nn.Tanh
    assert build_kwargs("DQN", {"train_freq": [4, "step"]})["train_freq"] == (4, "step")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["train_qrdqn", "train_dqn", "train_ppo", "train_a2c"])
def test_every_shipped_config_trains_briefly(name, tmp_path):
    from qwop_studio.train.trainer import run_training

    config = load_config(name)
    small = {"n_envs": 2, "checkpoint_freq": 0}
    if config.spec.off_policy:
        small.update({"total_timesteps": 400, "hyperparams.buffer_size": 1000, "hyperparams.learning_starts": 100})
    else:
        small["total_timesteps"] = 2 * int(config.hyperparams.get("n_steps", 2048))
    final = run_training(load_config(name, small), tmp_path / name, progress=False)
    assert final.is_file() and (tmp_path / name / "progress.csv").is_file()
    assert name in shipped_config_names()
