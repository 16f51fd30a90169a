"""Config errors reach the user as one line naming the file and the key, exit code 2, nothing created."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qwop_studio.cli import main
from qwop_studio.train.config import (
    DEFAULT_CONFIG,
    ConfigError,
    TrainConfig,
    load_config,
    shipped_config_names,
)

TINY = Path(__file__).parent / "tiny_qrdqn.yml"
BASE = yaml.safe_load(TINY.read_text())


def write(tmp_path: Path, data, name: str = "cfg.yml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def with_change(dotted: str, value):
    data = yaml.safe_load(TINY.read_text())
    *parents, last = dotted.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return data


def run_cli_in(tmp_path: Path, argv: list[str], capsys) -> tuple[int, str]:
    """Run the CLI with tmp_path as working directory; return (exit code, stderr)."""
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        code = main(argv)
    finally:
        os.chdir(old)
    return code, capsys.readouterr().err


def assert_one_line_exit_2(tmp_path: Path, config: Path | str, capsys, *expected: str) -> str:
    code, err = run_cli_in(tmp_path, ["train", "--config", str(config), "--no-progress"], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for text in expected:
        assert text in lines[0], lines[0]
    assert not (tmp_path / "saves").exists(), "a run directory was created for a bad config"
    return lines[0]


def test_every_shipped_config_loads_and_the_default_follows_the_design_summary():
    assert {"train_qrdqn", "train_dqn", "train_ppo", "train_a2c"} <= set(shipped_config_names())
    for name in shipped_config_names():
        assert isinstance(load_config(name), TrainConfig)
    c = load_config("train_qrdqn")
    h = c.hyperparams
    assert (c.algorithm, c.n_envs, c.env.frames_per_step, c.env.reduced_action_set) == ("QRDQN", 4, 4, True)
    assert (h["buffer_size"], h["gamma"], h["target_update_interval"]) == (100_000, 0.997, 512)
    assert (h["exploration_initial_eps"], h["exploration_final_eps"], h["exploration_fraction"]) == (0.2, 0.0, 0.3)


def test_unknown_key_names_file_key_and_suggests_the_right_one(tmp_path, capsys):
    cfg = write(tmp_path, with_change("env.frames_per_stp", 4))
    line = assert_one_line_exit_2(tmp_path, cfg, capsys, "cfg.yml", "env.frames_per_stp", "unknown key",
                                  "frames_per_step")
    assert line.startswith("qwop-studio train: ")


def test_unknown_hyperparameter_is_reported_with_the_algorithm(tmp_path, capsys):
    cfg = write(tmp_path, with_change("hyperparams.gama", 0.99))
    assert_one_line_exit_2(tmp_path, cfg, capsys, "hyperparams.gama", "QRDQN", "gamma")


def test_wrong_type(tmp_path, capsys):
    cfg = write(tmp_path, with_change("n_envs", "four"))
    assert_one_line_exit_2(tmp_path, cfg, capsys, "cfg.yml", "n_envs", "integer", "'four'")


def test_out_of_range(tmp_path, capsys):
    cfg = write(tmp_path, with_change("hyperparams.gamma", 1.5))
    assert_one_line_exit_2(tmp_path, cfg, capsys, "hyperparams.gamma", "<= 1", "1.5")


def test_unknown_algorithm(tmp_path, capsys):
    cfg = write(tmp_path, with_change("algorithm", "SAC"))
    assert_one_line_exit_2(tmp_path, cfg, capsys, "algorithm", "unknown algorithm 'SAC'", "QRDQN, DQN, PPO, A2C")


def test_missing_file(tmp_path, capsys):
    assert_one_line_exit_2(tmp_path, tmp_path / "nope.yml", capsys, "nope.yml", "no such config", "train_qrdqn")


def test_bad_yaml_names_the_line(tmp_path, capsys):
    cfg = write(tmp_path, "algorithm: QRDQN\nenv: {frames_per_step: 4\nn_envs: 2\n")
    assert_one_line_exit_2(tmp_path, cfg, capsys, "cfg.yml", "line", "not valid YAML")


def test_a_file_that_is_not_a_mapping(tmp_path, capsys):
    assert_one_line_exit_2(tmp_path, write(tmp_path, "- 1\n- 2\n"), capsys, "cfg.yml", "mapping")


def test_unknown_reward_weight_and_wrapper(tmp_path, capsys):
    cfg = write(tmp_path, with_change("env.reward_weights", {"sped_weight": 0.1}))
    assert_one_line_exit_2(tmp_path, cfg, capsys, "env.reward_weights", "speed_weight")
    cfg = write(tmp_path, with_change("wrappers", [{"name": "NoSuchWrapper"}]), "cfg2.yml")
    assert_one_line_exit_2(tmp_path, cfg, capsys, "cfg2.yml", "wrappers.0", "NoSuchWrapper")


def test_a_bad_schedule_and_policy_kwargs(tmp_path, capsys):
    cfg = write(tmp_path, with_change("hyperparams.learning_rate", "exp_3e-4"))
    assert_one_line_exit_2(tmp_path, cfg, capsys, "hyperparams.learning_rate", "lin_")
    cfg = write(tmp_path, with_change("hyperparams.learning_rate", [[0, 3e-4], [-5, 1e-4]]), "cfg3.yml")
    assert_one_line_exit_2(tmp_path, cfg, capsys, "hyperparams.learning_rate", "point 1")
    cfg = write(tmp_path, with_change("hyperparams.policy_kwargs", {"n_quantile": 25}), "cfg2.yml")
    assert_one_line_exit_2(tmp_path, cfg, capsys, "hyperparams.policy_kwargs", "n_quantiles")


def test_yaml_exponent_numbers_are_numbers(tmp_path):
    text = TINY.read_text().replace("buffer_size: 5000", "buffer_size: 5000\n  learning_rate: 3e-4")
    assert load_config(write(tmp_path, text, "exp.yml")).hyperparams["learning_rate"] == pytest.approx(3e-4)


def test_resume_without_checkpoint_exits_2(tmp_path, capsys):
    (tmp_path / "empty_run").mkdir()
    code, err = run_cli_in(tmp_path, ["train", "--resume", "empty_run", "--no-progress"], capsys)
    assert code == 2 and "no checkpoints" in err and len(err.strip().splitlines()) == 1


TOP_LEVEL = sorted(TrainConfig.model_fields)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.from_regex(r"[a-z][a-z_]{2,15}", fullmatch=True).filter(lambda k: k not in TOP_LEVEL))
def test_any_unknown_top_level_key_is_named(tmp_path, key):
    data = dict(BASE, **{key: 1})
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, data, "h.yml"))
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(f"{tmp_path / 'h.yml'}: {key}: unknown key")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["n_envs", "total_timesteps", "max_episode_steps", "env.frames_per_step",
                            "hyperparams.buffer_size", "hyperparams.batch_size", "hyperparams.target_update_interval"]),
       value=st.integers(max_value=0))
def test_any_non_positive_count_is_out_of_range(tmp_path, key, value):
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, with_change(key, value), "h.yml"))
    assert "\n" not in str(e.value) and f": {key}: must be" in str(e.value)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["seed", "n_envs", "env.reduced_action_set", "vec_env", "hyperparams.gamma",
                            "hyperparams.exploration_fraction"]),
       value=st.one_of(st.text(min_size=1, max_size=5).filter(lambda s: s not in ("subproc", "dummy")),
                       st.lists(st.integers(), max_size=2)))
def test_any_wrong_type_is_named(tmp_path, key, value):
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path, with_change(key, value), "h.yml"))
    assert "\n" not in str(e.value) and f": {key}: " in str(e.value)


def test_overrides_are_validated_like_the_file():
    with pytest.raises(ConfigError, match="total_timesteps: must be"):
        load_config(TINY, {"total_timesteps": 0})
    assert load_config(TINY, {"env.frames_per_step": 2}).env.frames_per_step == 2


@pytest.mark.parametrize(("schedule", "message"), [
    ([{"at_step": 100, "set": {"posture_weight": 0.5}}, {"at_step": 50, "set": {"time_cost": 1}}],
     "reward_schedule: at_step values must increase strictly"),
    ([{"at_step": 100, "set": {"posture": 0.5}}], "reward_schedule.0.set: unknown reward weight 'posture'"),
    ([{"at_step": 0, "set": {"posture_weight": 0.5}}], "reward_schedule.0.at_step"),
    ([{"at_step": 100, "set": {}}], "reward_schedule.0.set"),
    ([{"at_step": 100, "set": {"velocity_exponent": 11}}], "velocity_exponent"),
])
def test_a_bad_reward_schedule_is_one_line_naming_the_entry(schedule, message, tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump({"algorithm": "PPO", "total_timesteps": 1000, "reward_schedule": schedule}))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert message in text and "\n" not in text and str(path) in text


def test_the_default_config_has_a_curriculum_in_step_order():
    config = load_config(DEFAULT_CONFIG)
    assert config.reward_schedule and config.env.reward_weights["posture_weight"] > 0


def test_the_default_collects_async_with_latest_weights_and_still_switches_to_sync_or_lockstep():
    """The default collects async with each update's weights (25th session); ``--set collection=sync`` or
    ``lockstep`` on it must give those modes as measured, not an error and not a half-latest hybrid."""
    default = load_config(DEFAULT_CONFIG)
    assert (default.collection, default.async_weights) == ("async", "latest")
    assert default.switches_to_latest_weights
    for mode in ("sync", "lockstep"):
        other = load_config(DEFAULT_CONFIG, {"collection": mode})
        assert other.collection == mode and not other.switches_to_latest_weights
    assert not load_config(DEFAULT_CONFIG, {"async_weights": "rollout"}).switches_to_latest_weights
