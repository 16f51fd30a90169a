"""The inside of a rollout worker process: its envs, its policy copy, and the loop that fills a shared slot.

Started by :class:`~qwop_studio.train.rollout_workers.RolloutWorkers` (``spawn``). A rollout step is SB3's
``OnPolicyAlgorithm.collect_rollouts`` step, line for line (policy forward, step, bootstrap of time-limit
truncations with the value of the terminal observation, ``gamma`` as the learner's), written into the
worker's env columns of the slot instead of a ``RolloutBuffer``: so with the same weights and the same
torch RNG state a single worker stores bit for bit what lock-step collection would.

Between two env steps the worker answers commands (``env_method`` and the like: reward-weight changes
take effect at the worker's next step), and a ``close`` ends it at once. A ``collect`` for the next rollout
that arrives meanwhile is kept and started the moment this one is done: the learner queues rollout k+1
before it waits for k, so a worker that finishes its share early goes straight on instead of idling until
the slowest worker is done too. Ctrl+C is left to the main process (which saves a checkpoint and then
closes the workers).
"""
from __future__ import annotations

import select
import signal
import time
from multiprocessing import shared_memory
from typing import Any

import numpy as np

from qwop_studio.env.sb3_internals import set_pending_resets
from qwop_studio.env.sharded import ENV_QUERIES, answer_env_query
from qwop_studio.train.rollout_shared import Attachment, WeightBoard, close_block
from qwop_studio.train.sampling_policy import rollout_actor


class _ClosedError(Exception):
    """``close`` arrived: leave the serve loop."""


class Collector:
    """One worker's state: a ``FreshInfoDummyVecEnv`` over its envs (global indices from ``env_start``),
    the last observations and episode starts (carried from rollout to rollout), the policy copy."""

    def __init__(self, conn: Any, venv: Any, env_start: int) -> None:
        self.conn = conn
        #: whether a command is waiting, asked between every two env steps: a ``select.poll`` registered once
        #: costs ~1 us a question against ~4 us for ``Connection.poll`` (which builds a selector each time)
        self.commands = select.poll()
        self.commands.register(conn.fileno(), select.POLLIN)
        self.venv = venv
        self.env_start = env_start
        self.n_envs = venv.num_envs
        self.policy: Any = None
        self.actor: Any = None
        self.attachment: Attachment | None = None
        self.blocks: list[shared_memory.SharedMemory] = []
        self.slots: list[dict[str, np.ndarray]] = []
        self.board: WeightBoard | None = None
        self.loaded_version = -1
        self.last_obs: np.ndarray | None = None
        self.last_episode_starts = np.ones((self.n_envs,), dtype=bool)
        self.idle_since = time.perf_counter()
        #: "collect" commands that arrived while a rollout was being collected (the learner queues rollout
        #: k+1 before it waits for k): started as soon as the rollout in hand is done, without a round trip.
        self.queued_collects: list[tuple[int, int]] = []

    # ------------------------------------------------------------------------------ serving
    def serve(self) -> None:
        try:
            while True:
                if self.queued_collects:
                    self._reply_errors(self.collect, *self.queued_collects.pop(0))
                    continue
                cmd, data = self.conn.recv()
                if cmd == "close":
                    return
                if cmd == "collect":
                    self._reply_errors(self.collect, *data)
                else:
                    self.answer(cmd, data)
        except _ClosedError:
            return

    def answer(self, cmd: str, data: Any) -> None:
        """Carry out a command and send ``("reply", value)``, or ``("error", one line)`` if it raised."""
        self._reply_errors(self._send_reply, cmd, data)

    def _send_reply(self, cmd: str, data: Any) -> None:
        self.conn.send(("reply", self.handle(cmd, data)))

    def _reply_errors(self, work: Any, *args: Any) -> None:
        try:
            work(*args)
        except _ClosedError:
            raise
        except Exception as e:  # noqa: BLE001 - the main process decides; this worker lives on
            text = f"{type(e).__name__}: {e}".strip().splitlines()[0]
            self.conn.send(("error", text))

    def handle(self, cmd: str, data: Any) -> Any:
        venv = self.venv
        if cmd == "attach":
            return self.attach(data)
        if cmd == "reset":
            set_pending_resets(venv, *data)
            self.last_obs = venv.reset()
            self.last_episode_starts = np.ones((self.n_envs,), dtype=bool)
            return self.last_obs, list(venv.reset_infos)
        if cmd == "step":
            venv.step_async(data)
            obs, rewards, dones, infos = venv.step_wait()
            self.last_obs, self.last_episode_starts = obs, dones
            return obs, rewards, dones, infos
        if cmd in ENV_QUERIES:
            return answer_env_query(venv, cmd, data)
        raise ValueError(f"unknown command {cmd!r}")

    # ------------------------------------------------------------------------------ attaching
    def attach(self, attachment: Attachment) -> None:
        """Open the shared slots and weights; build the policy copy; take the RNG state (see Attachment)."""
        import torch

        recipe = attachment.recipe
        self.blocks = [shared_memory.SharedMemory(name=name) for name in (*attachment.slot_names, attachment.weights_name)]
        self.slots = [attachment.layout.views(block.buf) for block in self.blocks[:-1]]
        self.board = WeightBoard(self.blocks[-1].buf, recipe.n_params)
        policy = recipe.policy_class(recipe.observation_space, recipe.action_space, _zero_schedule, use_sde=False,
                                     **recipe.policy_kwargs)
        n_params = sum(p.numel() for p in policy.parameters())
        if n_params != recipe.n_params or list(policy.buffers()):
            raise ValueError(f"the policy copy has {n_params} parameters, the learner's {recipe.n_params}")
        policy.set_training_mode(False)
        self.policy = policy
        self.attachment = attachment
        if self.env_start == 0:
            torch.set_rng_state(torch.frombuffer(bytearray(attachment.rng_state), dtype=torch.uint8))
        else:
            torch.manual_seed(attachment.seed + self.env_start)
        # after the RNG state: a numpy sampler seeds itself from torch's generator, as lock-step's does
        self.actor = rollout_actor(policy)

    # ------------------------------------------------------------------------------ collecting
    def collect(self, slot: int, rollout_id: int) -> None:
        """Fill this worker's columns of ``slot`` with ``n_steps`` env steps, then report ``("rollout", ...)``."""
        import torch as th
        from gymnasium import spaces
        from stable_baselines3.common.utils import obs_as_tensor

        if self.attachment is None or self.last_obs is None:
            raise RuntimeError("collect before attach and reset")
        idle_s = time.perf_counter() - self.idle_since
        start, start_cpu = time.perf_counter(), time.process_time()
        policy, venv, conn, commands = self.policy, self.venv, self.conn, self.commands
        board = self.board
        start_version = self._load_weights()
        switch = self.attachment.latest_weights
        latest_steps = 0
        arrays = self.slots[slot]
        a, b = self.env_start, self.env_start + self.n_envs
        obs_buf, act_buf, rew_buf = arrays["observations"], arrays["actions"], arrays["rewards"]
        start_buf, val_buf, logp_buf, done_buf = (arrays["episode_starts"], arrays["values"], arrays["log_probs"],
                                                  arrays["dones"])
        gamma = self.attachment.recipe.gamma
        discrete = isinstance(policy.action_space, spaces.Discrete)
        box = isinstance(policy.action_space, spaces.Box)
        episodes: list[tuple[int, int, dict]] = []
        last_obs, last_starts = self.last_obs, self.last_episode_starts
        new_obs = dones = None
        for t in range(self.attachment.layout.n_steps):
            while commands.poll(0):  # commands between two env steps (reward weights, attributes)
                cmd, data = conn.recv()
                if cmd == "close":
                    raise _ClosedError
                if cmd == "collect":
                    self.queued_collects.append(data)
                else:
                    self.answer(cmd, data)
            if switch and board.latest() != self.loaded_version:  # the learner's update ended: its weights
                self._load_weights()
            if self.loaded_version != start_version:
                latest_steps += self.n_envs
            actions, values, log_probs = self.actor(last_obs)
            clipped = np.clip(actions, policy.action_space.low, policy.action_space.high) if box else actions
            new_obs, rewards, dones, infos = venv.step(clipped)
            for idx in np.flatnonzero(dones).tolist():  # the envs whose episode ended
                if (infos[idx].get("terminal_observation") is not None
                        and infos[idx].get("TimeLimit.truncated", False)):  # SB3's time-limit bootstrap (#633)
                    terminal_obs = policy.obs_to_tensor(infos[idx]["terminal_observation"])[0]
                    with th.no_grad():
                        terminal_value = policy.predict_values(terminal_obs)[0]
                    rewards[idx] += gamma * terminal_value
                info = {k: v for k, v in infos[idx].items() if k != "terminal_observation"}
                episodes.append((t, a + idx, info))
            obs_buf[t, a:b] = last_obs
            act_buf[t, a:b] = actions.reshape(-1, 1) if discrete else actions.reshape(self.n_envs, -1)
            rew_buf[t, a:b] = rewards
            start_buf[t, a:b] = last_starts
            val_buf[t, a:b] = values.ravel()
            logp_buf[t, a:b] = log_probs
            done_buf[t, a:b] = dones
            last_obs, last_starts = new_obs, dones
        with th.no_grad():
            last_values = policy.predict_values(obs_as_tensor(new_obs, policy.device))
        arrays["last_values"][a:b] = last_values.numpy().ravel()
        arrays["last_dones"][a:b] = dones
        self.last_obs, self.last_episode_starts = last_obs, last_starts
        conn.send(("rollout", slot, rollout_id, episodes,
                   {"collect_s": time.perf_counter() - start, "cpu_s": time.process_time() - start_cpu,
                    "idle_s": idle_s, "latest_steps": latest_steps}))
        self.idle_since = time.perf_counter()

    def _load_weights(self) -> int:
        """Load the weights published last into the policy copy (the numpy actor reads the same tensors)."""
        import torch as th
        from torch.nn.utils import vector_to_parameters

        assert self.board is not None
        self.loaded_version, weights = self.board.copy_latest()
        vector_to_parameters(th.from_numpy(weights), self.policy.parameters())
        return self.loaded_version

    def close(self) -> None:
        self.slots.clear()
        if self.board is not None:
            self.board.release()
        for block in self.blocks:
            close_block(block)
        self.venv.close()


def _zero_schedule(_progress_remaining: float) -> float:
    """The policy copy's learning rate: it never learns (its optimiser is never stepped)."""
    return 0.0


def worker_main(conn: Any, env_fns: Any, env_start: int) -> None:
    """A rollout worker process: one torch thread, Ctrl+C ignored (the main process handles it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from qwop_studio.env.dummy import FreshInfoDummyVecEnv
    from qwop_studio.train.torch_setup import prepare_torch_process

    prepare_torch_process()
    collector = Collector(conn, FreshInfoDummyVecEnv(env_fns.var), env_start)
    try:
        collector.serve()
    except (EOFError, BrokenPipeError, ConnectionResetError):
        pass  # the main process is gone
    finally:
        collector.close()
