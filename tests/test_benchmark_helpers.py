"""The arithmetic behind the benchmarks' ratios: interleaved rounds, paired ratios, host steal."""
from __future__ import annotations

import sys

import pytest

from benchmarks.common import cpu_jiffies, interleaved_runs, median_ratio, ratio_range, steal_share


def test_interleaved_runs_measure_each_once_per_round_and_rotate_the_order() -> None:
    calls: list[str] = []

    def measure(name: str, value: float):
        def run() -> float:
            calls.append(name)
            return value
        return run

    values = interleaved_runs(3, {"a": measure("a", 1.0), "b": measure("b", 2.0), "c": measure("c", 3.0)})
    assert calls == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert values == {"a": [1.0] * 3, "b": [2.0] * 3, "c": [3.0] * 3}


def test_median_ratio_pairs_values_of_the_same_round() -> None:
    # per round b/a = 0.5, 2.0, 1.0: the median is 1.0; the ratio of the medians would be 1.5
    values = {"a": [10.0, 20.0, 30.0], "b": [5.0, 40.0, 30.0]}
    assert median_ratio(values, "b", "a") == pytest.approx(1.0)
    assert ratio_range(values, "b", "a") == "0.50-2.00"


def test_median_ratio_refuses_rounds_of_different_lengths() -> None:
    with pytest.raises(ValueError):
        median_ratio({"a": [1.0, 2.0], "b": [1.0]}, "b", "a")


def test_steal_share_is_the_stolen_part_of_the_cpu_time_between_readings() -> None:
    assert steal_share((1000, 40), (1200, 50)) == "5.0 %"
    assert steal_share(None, (1200, 50)) == "unknown"
    assert steal_share((1200, 50), (1200, 50)) == "unknown"  # no time passed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/stat is Linux's")
def test_cpu_jiffies_reads_this_machine() -> None:
    reading = cpu_jiffies()
    assert reading is not None
    total, stolen = reading
    assert total > 0 and 0 <= stolen <= total


def test_the_bare_worlds_two_readings_read_the_same_states() -> None:
    """The yardstick (pybox2d's attributes) and the floor (gathered) differ in speed only."""
    import numpy as np

    from benchmarks.physics import BARE_READINGS
    from qwop_studio.sim.world import QWOPWorld

    world = QWOPWorld(record_contacts=False)
    for _ in range(40):
        world.step()
    plain, gathered = (BARE_READINGS[name](world) for name in ("plain", "gathered"))
    assert plain.shape == gathered.shape == (14, 6)
    assert np.array_equal(plain, gathered)
    assert not np.array_equal(plain, QWOPWorld().read_states())  # a state 40 ticks on, not the spawn pose


def _run_dir(tmp_path, name: str, episodes: list[tuple[int, float, bool]], checkpoints: list[int],
             final: bool = True):
    """A run folder as the trainer leaves it: progress.csv rows (step, wall s, success) and checkpoints."""
    from qwop_studio.train.progress_log import PROGRESS, PROGRESS_COLUMNS

    run = tmp_path / name
    (run / "checkpoints").mkdir(parents=True)
    lines = [",".join(PROGRESS_COLUMNS)]
    lines += [f"{step},{wall},0,1.0,100,10.0,30.0,0.3,{int(ok)}" for step, wall, ok in episodes]
    (run / PROGRESS).write_text("\n".join(lines) + "\n")
    for step in checkpoints:
        (run / "checkpoints" / f"model_{step}_steps.zip").write_bytes(b"")
    if final:
        (run / "final_model.zip").write_bytes(b"")
    return run


def test_compare_runs_stands_the_last_model_saved_by_each_minute_for_it(tmp_path) -> None:
    from benchmarks.compare_runs import points_of

    # one episode a minute, 1,000 steps a minute; checkpoints at 2,000 / 4,500 / 9,000 steps (minutes
    # 2, 5 and 9 by the first episode at or after them); the final model at the last episode (minute 10)
    episodes = [(1000 * m, 60.0 * m, m == 7) for m in range(1, 11)]
    run = _run_dir(tmp_path, "r", episodes, [2000, 4500, 9000])
    points = {p.mark: (p.model.name, p.minute) for p in points_of("arm", run, [1, 3, 5, 10, 15])}
    assert points == {3: ("model_2000_steps.zip", 2.0), 5: ("model_4500_steps.zip", 5.0),
                      10: ("final_model.zip", 10.0)}  # nothing saved by minute 1; minute 15 is past the run


def test_compare_runs_reads_the_first_finish_and_refuses_a_folder_without_progress(tmp_path) -> None:
    import argparse

    from benchmarks.compare_runs import parse_arm
    from benchmarks.learning_speed import minute_of_step

    run = _run_dir(tmp_path, "r", [(1000, 60.0, False), (2000, 150.0, True), (3000, 200.0, True)], [])
    assert minute_of_step(run / "progress.csv")[2] == pytest.approx(2.5)
    assert parse_arm(f"a={run}") == ("a", [run])
    with pytest.raises(argparse.ArgumentTypeError, match="not a run directory"):
        parse_arm(f"a={run},{tmp_path / 'missing'}")


def test_idle_share_is_the_idle_part_of_the_cpu_time_between_two_readings() -> None:
    from benchmarks.common import cpu_idle_jiffies, idle_share

    assert idle_share((100, 1000), (130, 1200)) == pytest.approx(0.15)  # 30 idle of 200 jiffies
    assert idle_share(None, (1, 2)) is None and idle_share((5, 10), (5, 10)) is None
    if sys.platform.startswith("linux"):
        reading = cpu_idle_jiffies()
        assert reading is not None and 0 <= reading[0] <= reading[1]


def test_train_stats_reads_each_tags_median_per_wall_clock_window_from_real_tensorboard_files(tmp_path, capsys):
    import json

    from torch.utils.tensorboard import SummaryWriter

    from benchmarks.train_stats import main, run_scalars, windowed_medians

    writer = SummaryWriter(str(tmp_path / "run" / "tb" / "PPO_1"))
    start = 1_700_000_000.0
    # minute 0: clip fractions 0.1, 0.2, 0.9 (median 0.2); minute 1: 0.3 (and no policy lag logged at all)
    for seconds, value in ((0, 0.1), (20, 0.9), (50, 0.2), (70, 0.3)):
        writer.add_scalar("train/clip_fraction", value, global_step=int(seconds), walltime=start + seconds)
    writer.close()
    scalars = run_scalars(tmp_path / "run")
    assert set(scalars) == {"train/clip_fraction"}
    assert windowed_medians(scalars["train/clip_fraction"], 60) == pytest.approx({0: 0.2, 1: 0.3})
    out = tmp_path / "stats.json"
    assert main([str(tmp_path / "run"), "--window", "1", "--json", str(out)]) == 0
    saved = json.loads(out.read_text())["medians"][str(tmp_path / "run")]
    assert saved["train/clip_fraction"] == pytest.approx({"0": 0.2, "1": 0.3})
    assert main([str(tmp_path)]) == 2  # a folder without tb/
    assert "no TensorBoard log folder" in capsys.readouterr().err


def test_training_throughput_can_start_from_a_trained_policy_whose_envs_run_whole_races() -> None:
    """``benchmarks.training --policy``: a fresh policy falls within ~30 steps, so its envs keep
    resetting; started from the shipped runner's weights the learner's envs run races of ~400 steps,
    as a real run's do after its first minutes. Fails if the weights are not loaded."""
    from qwop_studio.resources import shipped_model
    from qwop_studio.train.benchmark import training_throughput
    from qwop_studio.train.config import load_config

    config = load_config("train_ppo_upright", {"env.observation": "extended", "env.reduced_action_set": False,
                                               "collection": "lockstep", "vec_env": "dummy", "n_envs": 2,
                                               "hyperparams.n_steps": 512})
    result = training_throughput(config, 0.5, shipped_model("qwop_runner"))
    assert result.mean_episode_steps > 300


def test_the_training_benchmark_accounts_the_cpu_of_its_measured_window_only() -> None:
    """``benchmarks.training``'s CPU table: the probe is read when the measured window starts and when it
    ends (not around the model's start-up), the learner's CPU is this process's over the same window, and
    the machine's CPU per env step counts at least the learner's (it is all the busy time). Fails if the
    readings are taken around the whole call or the learner's time is left out."""
    from benchmarks.common import cpu_idle_jiffies
    from benchmarks.training import window_cpu
    from qwop_studio.train.benchmark import configured_env_throughput, training_throughput
    from qwop_studio.train.config import load_config

    config = load_config("train_ppo_upright", {"collection": "lockstep", "vec_env": "dummy", "n_envs": 2,
                                               "hyperparams.n_steps": 256})
    readings: list[tuple[int, int] | None] = []

    def probe():
        readings.append(cpu_idle_jiffies())
        return readings[-1]

    result = training_throughput(config, 1.0, probe=probe)
    assert result.probes is not None and result.probes[0] is readings[0] and result.probes[1] is readings[-1]
    assert result.steps > 0 and 0 < result.learner_cpu_s <= result.seconds * 1.05  # one thread: at most wall time
    total_us, learner_us, idle = window_cpu(result)
    assert learner_us == pytest.approx(result.learner_cpu_s / result.steps * 1e6)
    assert total_us >= 0.8 * learner_us  # jiffies are 10 ms: a little slack
    assert idle is not None and 0.0 <= idle <= 1.0
    assert configured_env_throughput(config, 0.2).label.startswith("train_ppo_upright env")


def test_the_training_benchmark_refuses_a_model_that_does_not_fit_before_measuring(capsys) -> None:
    from benchmarks.training import main

    # the shipped runner reads 76 observations; train_ppo's env gives qwop-gym's 60
    assert main(["--config", "train_ppo", "--policy", "qwop_runner", "--runs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("benchmarks.training:") and "observation space" in err and "\n" not in err
    assert main(["--policy", "no_such_model.zip"]) == 2
    assert "no_such_model.zip" in capsys.readouterr().err


def test_the_training_benchmark_measures_sync_with_the_update_on_every_core_beside_the_default(monkeypatch) -> None:
    """``benchmarks.training`` measures what sync's idle worker cores would buy the update: a sync arm with
    ``learner_threads`` = cores beside the default, on a machine with more than one core, unless
    ``--set learner_threads`` fixes the count for every arm."""
    import os

    from benchmarks.training import borrowed_threads_label, measures

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert borrowed_threads_label(2, 2) in measures("train_ppo_upright", 1.0, [2], 2)
    assert borrowed_threads_label(2, 2) not in measures("train_ppo_upright", 1.0, [2], 2, {"learner_threads": 2})
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not any("update on" in name for name in measures("train_ppo_upright", 1.0, [2], 2))


def test_the_versions_benchmark_measures_this_tree_against_a_revision_and_cleans_up(capsys) -> None:
    """``benchmarks.versions``: both trees measured in the same rounds, the ratio printed, the temporary
    worktree removed; a revision that is not a commit is one line and exit 2 before any work."""
    import subprocess

    from benchmarks.versions import REPO, main

    assert main(["--base", "no-such-revision", "--runs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no-such-revision" in err and "\n" not in err
    before = subprocess.run(["git", "worktree", "list"], cwd=REPO, capture_output=True, text=True).stdout
    assert main(["--base", "HEAD", "--runs", "1", "--steps", "50"]) == 0
    out = capsys.readouterr().out
    assert "this tree / base:" in out and "base HEAD" in out
    assert subprocess.run(["git", "worktree", "list"], cwd=REPO, capture_output=True, text=True).stdout == before


def test_the_versions_benchmark_compares_the_default_config_learning_in_both_trees(capsys) -> None:
    """``--workload learning``: each tree's default config learns in its own process (spawned rollout workers
    included) and the ratio of their env steps/s is printed."""
    from benchmarks.versions import main

    assert main(["--base", "HEAD", "--runs", "1", "--workload", "learning", "--seconds", "3"]) == 0
    out = capsys.readouterr().out
    assert "learning from a fresh policy" in out and "this tree / base:" in out
    rates = [float(line.split()[2].replace(",", "")) for line in out.splitlines() if "env steps/s" in line]
    assert len(rates) == 2 and all(rate > 0 for rate in rates)  # a rollout (4,096 steps) lands within 3 s
