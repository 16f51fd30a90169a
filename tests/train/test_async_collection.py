"""Asynchronous rollout collection (``collection: async``): what the learner gets, runs, resumes, failures.

Real envs, real worker processes, real SB3 models and files; nothing of ours is mocked.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from qwop_studio.cli import main

HERE = Path(__file__).parent
TINY_PPO = HERE / "tiny_ppo.yml"
ASYNC = ["--set", "collection=async", "--set", "vec_env=dummy"]
BUFFER_FIELDS = ("observations", "actions", "rewards", "episode_starts", "values", "log_probs", "advantages", "returns")
ENV = {"env_kwargs": {"frames_per_step": 4, "reduced_action_set": True, "start_noop_max": 5}, "wrappers": [],
       "max_episode_steps": 100}


def _collect(kind: str, rollouts: int = 3, n_envs: int = 4, n_steps: int = 64,
             learning_rate: float = 0.0) -> tuple[list[dict], list[tuple]]:
    """Each rollout's buffer as PPO trains on it (by default learning rate 0: the weights never change), and
    the episode ends the callbacks saw, as (step, env, reward). Each buffer dict also holds the model's
    ``ep_info_buffer`` (return, length) at the rollout's end. ``kind``: lockstep, sync or async."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback

    from qwop_studio.env import make_vec_env
    from qwop_studio.train.async_ppo import AsyncPPO, as_async
    from qwop_studio.train.rollout_workers import make_rollout_workers

    class Grab(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.buffers: list[dict] = []
            self.episodes: list[tuple] = []

        def _on_step(self) -> bool:
            for env_index, info in enumerate(self.locals["infos"]):
                if "episode" in info:
                    self.episodes.append((self.num_timesteps, env_index, info["episode"]["r"]))
            return True

        def _on_rollout_end(self) -> None:
            buffer = self.locals["rollout_buffer"]
            self.buffers.append({k: np.array(getattr(buffer, k)) for k in BUFFER_FIELDS})
            self.buffers[-1]["ep_info_buffer"] = [(e["r"], e["l"]) for e in self.model.ep_info_buffer]

    from qwop_studio.train.lean_update import install_lean_update
    from qwop_studio.train.sampling_policy import install_lean_forward

    if kind == "lockstep":
        venv, cls = make_vec_env(n_envs, "dummy", seed=3, **ENV), PPO
    else:
        venv, cls = make_rollout_workers(n_envs, seed=3, n_workers=1, **ENV), AsyncPPO
    try:
        model = cls("MlpPolicy", venv, seed=3, device="cpu", n_steps=n_steps, batch_size=n_steps, n_epochs=1,
                    learning_rate=learning_rate)
        if kind == "lockstep":
            assert install_lean_forward(model.policy)  # as the trainer does: lock-step samples in numpy too
            assert install_lean_update(model)  # ... and learns with the lean update (its fused Adam)
        else:
            model = as_async(model, overlap=kind == "async")
        grab = Grab()
        model.learn(rollouts * n_steps * n_envs, callback=grab)
    finally:
        venv.close()
    return grab.buffers, grab.episodes


def test_async_collection_gives_lockstep_rollouts_bit_for_bit_when_the_weights_stay_fixed():
    """One worker, same seeds, learning rate 0: every rollout (observations, actions, rewards with the
    time-limit bootstrap, episode starts, the stored values and log-probabilities, and the advantages and
    returns computed from them), every episode end the callbacks see and SB3's episode log (``ep_info_buffer``,
    which the studio's charts and the logger read), equal lock-step's."""
    lock_buffers, lock_episodes = _collect("lockstep")
    async_buffers, async_episodes = _collect("async")
    assert len(lock_buffers) == len(async_buffers) == 3
    for k, (lock, other) in enumerate(zip(lock_buffers, async_buffers, strict=True)):
        for name in BUFFER_FIELDS:
            assert np.array_equal(lock[name], other[name]), f"rollout {k}: {name} differs"
        assert lock["ep_info_buffer"] and other["ep_info_buffer"] == lock["ep_info_buffer"], f"rollout {k}"
    assert lock_episodes and async_episodes == lock_episodes


def test_sync_collection_with_one_worker_trains_as_lockstep_bit_for_bit_while_the_weights_change():
    """``collection: sync`` has no policy lag: with one worker and a real learning rate every rollout the
    learner trains on, and so every update, equals lock-step's; async's second rollout (collected with the
    first weights while the learner updated) does not."""
    lock_buffers, lock_episodes = _collect("lockstep", learning_rate=3e-3)
    sync_buffers, sync_episodes = _collect("sync", learning_rate=3e-3)
    async_buffers, _ = _collect("async", learning_rate=3e-3)
    for k, (lock, other) in enumerate(zip(lock_buffers, sync_buffers, strict=True)):
        for name in BUFFER_FIELDS:
            assert np.array_equal(lock[name], other[name]), f"rollout {k}: {name} differs"
    assert lock_episodes and sync_episodes == lock_episodes
    assert np.array_equal(lock_buffers[0]["log_probs"], async_buffers[0]["log_probs"])
    assert not np.array_equal(lock_buffers[2]["advantages"], async_buffers[2]["advantages"])


@pytest.mark.parametrize("net_arch", [[64, 64], {"pi": [32], "vf": [16, 16]}])
def test_the_lean_torch_forward_pass_is_sb3s_bit_for_bit(net_arch):
    """Same actions (the same random draws), values and log-probabilities as ``ActorCriticPolicy.forward``."""
    import torch as th
    from gymnasium import spaces
    from stable_baselines3.common.policies import ActorCriticPolicy

    from qwop_studio.train.lean_policy import LeanActor

    policy = ActorCriticPolicy(spaces.Box(-1, 1, (60,), np.float32), spaces.Discrete(9), lambda _: 0.0,
                               net_arch=net_arch)
    lean = LeanActor(policy)
    obs = th.as_tensor(np.random.default_rng(0).standard_normal((8, 60)).astype(np.float32))
    outputs = []
    for forward in (policy, lean):
        th.manual_seed(5)
        with th.no_grad():
            outputs.append([forward(obs) for _ in range(20)])
    for sb3, ours in zip(*outputs, strict=True):
        assert all(th.equal(a, b) and a.dtype == b.dtype and a.shape == b.shape for a, b in zip(sb3, ours, strict=True))
    with th.no_grad():  # new weights written into the policy's parameters reach the lean pass at once
        th.nn.utils.vector_to_parameters(th.zeros(sum(p.numel() for p in policy.parameters())), policy.parameters())
        assert th.equal(lean(obs)[1], th.zeros(8, 1))
    box_actions = ActorCriticPolicy(spaces.Box(-1, 1, (60,), np.float32), spaces.Box(-1, 1, (2,)), lambda _: 0.0)
    assert not LeanActor.supported(box_actions)


@pytest.mark.parametrize("net_arch, activation", [([64, 64], "Tanh"), ({"pi": [32], "vf": [16, 16]}, "ReLU"),
                                                  ([16], "ELU"), ({"pi": [], "vf": [8]}, "LeakyReLU")])
def test_the_numpy_sampling_pass_draws_from_sb3s_distribution_with_its_values(net_arch, activation):
    """Values and log-probabilities of the actions it draws equal SB3's (float32 rounding apart), the draws
    follow SB3's action probabilities, a seeded draw repeats, and new weights are read at once, whether
    written in whole or changed in place (the optimiser's step); nets of different depths included."""
    import torch as th
    from gymnasium import spaces
    from stable_baselines3.common.policies import ActorCriticPolicy

    from qwop_studio.train.numpy_actor import NumpyActor

    policy = ActorCriticPolicy(spaces.Box(-1, 1, (60,), np.float32), spaces.Discrete(9), lambda _: 0.0,
                               net_arch=net_arch, activation_fn=getattr(th.nn, activation))
    obs = np.random.default_rng(0).standard_normal((8, 60)).astype(np.float32)
    actor = NumpyActor(policy, seed=1)
    actions, values, log_probs = actor(obs)
    assert actions.dtype == np.int64 and values.shape == (8, 1) and log_probs.shape == (8,)
    with th.no_grad():
        sb3_values, sb3_log_probs, _ = policy.evaluate_actions(th.as_tensor(obs), th.as_tensor(actions))
    np.testing.assert_allclose(values, sb3_values.numpy(), rtol=0, atol=1e-5)
    np.testing.assert_allclose(log_probs, sb3_log_probs.numpy(), rtol=0, atol=1e-5)
    one = np.repeat(obs[:1], 20_000, axis=0)  # 20,000 draws for one observation against SB3's probabilities
    counts = np.bincount(actor(one)[0], minlength=9) / len(one)
    with th.no_grad():
        probs = policy.get_distribution(th.as_tensor(obs[:1])).distribution.probs.numpy()[0]
    assert np.all(np.abs(counts - probs) < 5 * np.sqrt(probs * (1 - probs) / len(one)) + 1e-4)
    assert np.array_equal(NumpyActor(policy, seed=7)(obs)[0], NumpyActor(policy, seed=7)(obs)[0])
    th.manual_seed(3)
    first = NumpyActor(policy)(one[:64])[0]
    th.manual_seed(3)  # unseeded: the seed comes from torch's generator, so a seeded run repeats
    assert np.array_equal(first, NumpyActor(policy)(one[:64])[0])
    with th.no_grad():  # an in-place change (as Adam's step makes) reaches it at once
        policy.value_net.bias.add_(1.0)
        expected = policy.predict_values(th.as_tensor(obs)).numpy()
    np.testing.assert_allclose(actor(obs)[1], expected, rtol=0, atol=1e-5)
    with th.no_grad():  # new weights written into the policy's parameters (new tensors) reach it at once
        th.nn.utils.vector_to_parameters(th.zeros(sum(p.numel() for p in policy.parameters())), policy.parameters())
    assert np.array_equal(actor(obs)[1], np.zeros((8, 1), np.float32))


def test_a_policy_numpy_cannot_run_samples_through_torch_as_sb3_does():
    import torch as th
    from gymnasium import spaces
    from stable_baselines3.common.policies import ActorCriticPolicy

    from qwop_studio.train.lean_policy import LeanActor
    from qwop_studio.train.numpy_actor import NumpyActor
    from qwop_studio.train.sampling_policy import rollout_actor

    gelu = ActorCriticPolicy(spaces.Box(-1, 1, (60,), np.float32), spaces.Discrete(9), lambda _: 0.0,
                             activation_fn=th.nn.GELU)
    assert LeanActor.supported(gelu) and not NumpyActor.supported(gelu)
    obs = np.random.default_rng(0).standard_normal((8, 60)).astype(np.float32)
    th.manual_seed(5)
    ours = rollout_actor(gelu)(obs)
    th.manual_seed(5)
    with th.no_grad():
        sb3 = [t.numpy() for t in gelu(th.as_tensor(obs))]
    assert all(np.array_equal(a, b) for a, b in zip(ours, sb3, strict=True))


def test_lockstep_ppo_samples_in_numpy_stores_sb3s_values_repeats_and_saves_as_sb3s():
    """The trainer installs the numpy sampling pass in every PPO policy: the rollout's stored values and
    log-probabilities are SB3's for the actions taken, a run with the same seed ends in the same weights,
    and the model still saves as SB3's MlpPolicy and deep-copies correctly."""
    import copy
    import io

    import torch as th
    from stable_baselines3 import PPO

    from qwop_studio.env import make_vec_env
    from qwop_studio.train.sampling_policy import LeanMlpPolicy, install_lean_forward

    weights = []
    for _ in range(2):
        venv = make_vec_env(2, "dummy", seed=4, **ENV)
        model = PPO("MlpPolicy", venv, seed=4, device="cpu", n_steps=64, batch_size=32, n_epochs=2)
        assert install_lean_forward(model.policy)
        model.learn(2 * 64 * 2)
        weights.append(th.nn.utils.parameters_to_vector(model.policy.parameters()).detach().clone())
        venv.close()
    assert th.equal(weights[0], weights[1])
    assert type(model.policy) is LeanMlpPolicy
    venv = make_vec_env(2, "dummy", seed=4, **ENV)
    model = PPO("MlpPolicy", venv, seed=4, device="cpu", n_steps=64)
    install_lean_forward(model.policy)
    model._setup_learn(10_000, None)
    model.collect_rollouts(venv, model._init_callback(None), model.rollout_buffer, model.n_steps)
    buffer = model.rollout_buffer
    with th.no_grad():
        values, log_probs, _ = model.policy.evaluate_actions(th.as_tensor(buffer.observations.reshape(128, 60)),
                                                             th.as_tensor(buffer.actions.reshape(128)))
    np.testing.assert_allclose(buffer.values.reshape(128), values.numpy().ravel(), rtol=0, atol=1e-5)
    np.testing.assert_allclose(buffer.log_probs.reshape(128), log_probs.numpy(), rtol=0, atol=1e-5)
    venv.close()
    saved = io.BytesIO()
    model.save(saved)
    assert type(PPO.load(io.BytesIO(saved.getvalue()), device="cpu").policy).__name__ == "ActorCriticPolicy"
    fresh = PPO("MlpPolicy", make_vec_env(1, "dummy", seed=4, **ENV), device="cpu").policy
    assert install_lean_forward(fresh)
    obs = th.ones((3, 60))
    with th.no_grad():
        fresh(obs)  # builds its sampling pass, which a deep copy must not share
    twin = copy.deepcopy(fresh)  # (SB3's policies deep-copy only before training)
    with th.no_grad():
        mine, theirs = fresh(obs), twin(obs)  # the copy's generator continues from the same state
    assert all(th.equal(a, b) for a, b in zip(mine, theirs, strict=True))
    with th.no_grad():
        for parameter in twin.parameters():  # the copy's pass uses the copy's weights, not the original's
            parameter.add_(1.0)
        assert not th.equal(twin(obs)[1], fresh(obs)[1])


def test_config_refuses_async_collection_outside_ppo_and_more_workers_than_envs():
    from qwop_studio.train.config import ConfigError, load_config

    assert load_config(TINY_PPO, {"collection": "async"}).collection == "async"
    assert load_config(TINY_PPO, {"collection": "sync"}).collection == "sync"
    assert load_config(TINY_PPO).collection == "lockstep"
    with pytest.raises(ConfigError, match=r"collection: 'sync' is for PPO only"):
        load_config(TINY_PPO, {"collection": "sync", "algorithm": "A2C", "hyperparams": {"n_steps": 16}})
    with pytest.raises(ConfigError, match=r"tiny_ppo\.yml: collection: 'async' is for PPO only") as e:
        load_config(TINY_PPO, {"collection": "async", "algorithm": "A2C", "hyperparams": {"n_steps": 16}})
    assert "\n" not in str(e.value)
    with pytest.raises(ConfigError, match=r"collection_workers: must be <= n_envs \(2\) \(got 3\)"):
        load_config(TINY_PPO, {"collection": "async", "collection_workers": 3})
    with pytest.raises(ConfigError, match=r"collection: .*lockstep.*sync.*async"):
        load_config(TINY_PPO, {"collection": "asynch"})


@pytest.fixture(scope="module")
def async_run(tmp_path_factory) -> Path:
    """The tiny PPO config trained with async collection over 2 worker processes (2,048 steps)."""
    run_dir = tmp_path_factory.mktemp("async") / "run"
    assert main(["train", "--config", str(TINY_PPO), *ASYNC, "--set", "collection_workers=2",
                 "--run-dir", str(run_dir), "--no-progress"]) == 0
    return run_dir


@pytest.mark.slow
def test_async_training_writes_the_lockstep_files_and_a_plain_ppo_model(async_run: Path):
    from stable_baselines3 import PPO
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from qwop_studio.train.async_ppo import STATE_ATTR

    assert (async_run / "checkpoints" / "model_1024_steps.zip").is_file()
    assert (async_run / "checkpoints" / "model_2048_steps.zip").is_file()
    rows = [r.split(",") for r in (async_run / "progress.csv").read_text().splitlines()]
    assert rows[0][0] == "step" and len(rows) > 10
    steps = [int(r[0]) for r in rows[1:]]
    assert steps == sorted(steps) and 0 < steps[0] and steps[-1] <= 2048
    assert {r[2] for r in rows[1:]} == {"0", "1"}, "episodes of both workers' envs reach progress.csv"
    assert (async_run / "reward_weights.csv").read_text().splitlines()[1].startswith("0,")
    final = async_run / "final_model.zip"
    with zipfile.ZipFile(final) as archive:
        assert STATE_ATTR not in json.loads(archive.read("data")), "run-time state leaked into the model file"
    assert type(PPO.load(final, device="cpu")) is PPO and PPO.load(final, device="cpu").num_timesteps == 2048
    events = EventAccumulator(str(next((async_run / "tb" / "PPO").glob("events.*"))))
    events.Reload()
    lags = [e.value for e in events.Scalars("async/policy_lag")]
    assert lags == [0.0, 1.0, 1.0, 1.0], "the first rollout is the start's, every later one an update old"
    assert "train/clip_fraction" in events.Tags()["scalars"]


@pytest.mark.slow
def test_an_async_model_loads_through_the_model_file_loader(async_run: Path):
    model_file = pytest.importorskip("qwop_studio.train.model_file")
    model = model_file.load_model(async_run / "final_model.zip", "PPO", env_kwargs={"reduced_action_set": True})
    assert model.num_timesteps == 2048


@pytest.mark.slow
def test_resume_works_across_collection_modes(async_run: Path, tmp_path):
    from stable_baselines3 import PPO

    run = tmp_path / "run"
    shutil.copytree(async_run, run)
    # an async checkpoint resumed lock-step...
    assert main(["train", "--resume", str(run / "checkpoints" / "model_1024_steps.zip"), "--total-timesteps", "2560",
                 "--set", "collection=lockstep", "--no-progress"]) == 0
    assert "collection: lockstep" in (run / "config.yml").read_text()
    assert PPO.load(run / "final_model.zip", device="cpu").num_timesteps == 2560
    # ...and that lock-step checkpoint resumed async
    assert main(["train", "--resume", str(run / "checkpoints" / "model_2560_steps.zip"), "--total-timesteps", "3072",
                 "--set", "collection=async", "--no-progress"]) == 0
    assert "collection: async" in (run / "config.yml").read_text()
    assert PPO.load(run / "final_model.zip", device="cpu").num_timesteps == 3072
    # ...and on in sync mode, whose every rollout is collected with the current weights
    assert main(["train", "--resume", str(run / "checkpoints" / "model_3072_steps.zip"), "--total-timesteps", "4096",
                 "--set", "collection=sync", "--no-progress"]) == 0
    assert "collection: sync" in (run / "config.yml").read_text()
    assert PPO.load(run / "final_model.zip", device="cpu").num_timesteps == 4096
    steps = [int(r.split(",")[0]) for r in (run / "progress.csv").read_text().splitlines()[1:]]
    assert steps == sorted(steps) and steps[-1] > 3072
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    lags = {}
    for events in sorted((run / "tb").rglob("events.out.tfevents.*")):
        accumulator = EventAccumulator(str(events))
        accumulator.Reload()
        if "async/policy_lag" in accumulator.Tags()["scalars"]:
            lags.update({e.step: e.value for e in accumulator.Scalars("async/policy_lag")})
    assert [lags[step] for step in (3584, 4096)] == [0, 0], "sync: no lag, also in the second rollout"


def _kill_worker_once_training(run_dir: Path, killed: dict) -> None:
    """Wait for a checkpoint past step 0, then SIGKILL rollout worker 0 (a child of this process)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        workers = [p for p in multiprocessing.active_children() if p.name == "qwop-rollout-worker-0"]
        if workers and list((run_dir / "checkpoints").glob("model_*_steps.zip")):
            os.kill(workers[0].pid, signal.SIGKILL)
            killed["pid"] = workers[0].pid
            return
        time.sleep(0.05)


@pytest.mark.slow
def test_a_killed_worker_ends_the_run_in_one_line_and_leaves_a_resumable_checkpoint(tmp_path, capsys):
    run_dir = tmp_path / "run"
    killed: dict = {}
    killer = threading.Thread(target=_kill_worker_once_training, args=(run_dir, killed), daemon=True)
    killer.start()
    code = main(["train", "--config", str(TINY_PPO), *ASYNC, "--set", "total_timesteps=10000000",
                 "--set", "checkpoint_freq=512", "--run-dir", str(run_dir), "--no-progress"])
    killer.join(5)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and "pid" in killed
    assert err[-1].startswith("qwop-studio train: rollout worker 0 (pid ")
    assert "killed by SIGKILL" in err[-1] and "checkpoint saved at step" in err[-1] and "Traceback" not in "\n".join(err)
    saved = Path(err[-1].split("checkpoint saved at step ")[1].split(": ", 1)[1].split(" (continue")[0])
    assert saved.is_file() and saved.parent == run_dir / "checkpoints"
    step = int(saved.name.split("_")[1])
    assert main(["train", "--resume", str(saved), "--total-timesteps", str(step + 1024), "--set", "collection=lockstep",
                 "--no-progress"]) == 0
    assert (run_dir / "checkpoints" / f"model_{step + 1024}_steps.zip").is_file()


@pytest.mark.slow
def test_env_method_reaches_every_workers_envs_while_they_collect():
    """A reward-weight change from a callback, in mid-rollout, reaches the envs of both workers."""
    from stable_baselines3.common.callbacks import BaseCallback

    from qwop_studio.train.async_ppo import AsyncPPO
    from qwop_studio.train.rollout_workers import make_rollout_workers

    class ChangeOnce(BaseCallback):
        seen: list = []

        def _on_step(self) -> bool:
            if self.num_timesteps == 4 * 20:
                self.training_env.env_method("set_reward_weights", posture_weight=0.25)
                ChangeOnce.seen = self.training_env.env_method("get_reward_weights")
            return True

    venv = make_rollout_workers(4, seed=1, n_workers=2, **ENV)
    try:
        model = AsyncPPO("MlpPolicy", venv, seed=1, device="cpu", n_steps=32, batch_size=64, n_epochs=1)
        model.learn(32 * 4, callback=ChangeOnce())
        assert [w["posture_weight"] for w in ChangeOnce.seen] == [0.25] * 4
        assert venv.get_attr("spec", indices=[1, 3]) is not None
    finally:
        venv.close()


@pytest.mark.parametrize("cores, n_envs, expected", [(2, 8, 2), (16, 8, 8), (16, 32, 15), (1, 8, 2), (2, 1, 1),
                                                     (None, 8, 2)])
def test_async_collection_starts_one_worker_per_core_but_the_learners_and_never_fewer_than_two(
        monkeypatch, cores, n_envs, expected):
    """On 2 cores one worker leaves a core idle while it waits for the learner: two are the floor."""
    from qwop_studio.train.rollout_workers import default_worker_count

    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert default_worker_count(n_envs) == expected


@pytest.mark.parametrize("cores, n_envs, expected", [(2, 8, 2), (16, 8, 8), (16, 32, 16), (1, 8, 2), (2, 1, 1)])
def test_sync_collection_starts_one_worker_per_core_as_its_learner_sleeps_while_they_collect(
        monkeypatch, cores, n_envs, expected):
    from qwop_studio.train.rollout_workers import default_worker_count

    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert default_worker_count(n_envs, overlap=False) == expected
