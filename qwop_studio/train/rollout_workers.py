"""``RolloutWorkers``: env worker processes that collect PPO rollouts on their own, with their own policy copy.

Why: in lock-step collection the learner's update and the envs' stepping never overlap (on 2 cores,
~107 core-seconds of env and ~99 of learner per million env steps, one after the other). Here each
worker process holds a share of the envs and a CPU copy of the policy, and collects rollout k+1 while
the learner (the main process) updates on rollout k; the learner's side is
:class:`~qwop_studio.train.async_ppo.AsyncPPO`.

Data paths (only small control messages go through the pipes):

- weights, main -> workers: the policy's parameters as float32 on a shared
  :class:`~qwop_studio.train.rollout_shared.WeightBoard` (a version and two buffers), published by the main
  process when it starts a rollout and read by each worker when it starts collecting it. A rollout is
  collected with one set of weights, at most one update old when the learner uses it; with
  ``async_weights: latest`` the learner also publishes after each update, and the workers switch to the
  new weights between two env steps, so only the steps collected during the update are a version old.
- rollouts, workers -> main: two shared slots (double buffering) of ``n_steps x n_envs`` arrays in
  SB3's ``RolloutBuffer`` layout (observations, actions, rewards, episode starts, the behaviour policy's
  values and log-probabilities, dones, and the last step's values and dones); worker ``w`` writes only
  its own env columns. Episode-end infos (a few per rollout) come back in the "done" message.

It is also a complete SB3 ``VecEnv`` (``reset``, ``step``, ``env_method``/``get_attr``/``set_attr`` with
``indices``), so the callbacks that change reward weights reach every worker's envs, between two of
its env steps, even while it collects. Workers start with ``spawn``, one torch thread each. A worker
that dies raises :class:`RolloutWorkerError` (one line) in whatever call waits on it.
"""
from __future__ import annotations

import multiprocessing as mp
import signal
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing import shared_memory
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.vec_env import VecEnv
from stable_baselines3.common.vec_env.base_vec_env import CloudpickleWrapper, VecEnvIndices

from qwop_studio.env.limits import MAX_EPISODE_STEPS
from qwop_studio.env.sb3_internals import pending_resets
from qwop_studio.train.rollout_collector import worker_main
from qwop_studio.train.rollout_shared import Attachment, PolicyRecipe, RolloutLayout, WeightBoard, close_block

#: How often a waiting main process checks that the workers are alive (s).
LIVENESS_CHECK_S = 0.25
#: Rollout slots: one being collected while the learner reads the other.
N_SLOTS = 2


class RolloutWorkerError(RuntimeError):
    """A rollout worker process ended (killed, crashed): the run cannot go on. One line.

    ``one_line = True`` tells the command line to print it as a single line and exit 1.
    """

    one_line = True


class WorkerCommandError(RolloutWorkerError):
    """A command or a rollout failed inside a rollout worker (the worker lives on, but what it was doing
    is lost); the worker's one-line reason. A :class:`RolloutWorkerError`, so a run ends as for a death."""


@dataclass
class RolloutResult:
    """One finished rollout: the slot's arrays (valid until the slot is reused), the episodes that
    ended in it as ``(step, env, info)`` sorted by step, and what it cost the workers."""

    slot: int
    rollout_id: int
    weights_version: int
    arrays: dict[str, np.ndarray]
    episodes: list[tuple[int, int, dict]]
    collect_s: float  # the slowest worker's collection time
    idle_s: float  # the longest a worker waited for this rollout's start command
    cpu_s: float = 0.0  # CPU time of all workers for this rollout (below collect_s x workers: cores were busy)
    latest_steps: int = 0  # env steps (over all envs) collected with weights newer than the rollout's start


# ------------------------------------------------------------------------------------------ main side
class RolloutWorkers(VecEnv):
    """``len(env_fns)`` envs over ``n_workers`` processes (contiguous shards, sizes differ by <= 1)."""

    def __init__(self, env_fns: list[Callable[[], gym.Env]], n_workers: int = 1, start_method: str = "spawn") -> None:
        if not 1 <= n_workers <= len(env_fns):
            raise ValueError(f"n_workers={n_workers}: expected 1..{len(env_fns)} (one env per worker at least)")
        from qwop_studio.threads import single_threaded_children

        probe = env_fns[0]()
        observation_space, action_space = probe.observation_space, probe.action_space
        probe.close()
        bounds = np.linspace(0, len(env_fns), n_workers + 1).round().astype(int)
        self.shards = [range(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        ctx = mp.get_context(start_method)
        self.processes: list[Any] = []
        self.conns: list[Any] = []
        self._stash: list[list[tuple]] = [[] for _ in self.shards]
        self._blocks: list[shared_memory.SharedMemory] = []
        self._slots: list[dict[str, np.ndarray]] = []
        self._board: WeightBoard | None = None
        self._in_flight: deque[tuple[int, int, int]] = deque()  # (slot, rollout id, weights version), oldest first
        self._next_id = 0
        self.layout: RolloutLayout | None = None
        self.closed = False

        with single_threaded_children():
            for w, shard in enumerate(self.shards):
                parent, child = ctx.Pipe()
                process = ctx.Process(target=worker_main, name=f"qwop-rollout-worker-{w}", daemon=True,
                                      args=(child, CloudpickleWrapper([env_fns[i] for i in shard]), shard.start))
                process.start()
                child.close()
                self.processes.append(process)
                self.conns.append(parent)
        super().__init__(len(env_fns), observation_space, action_space)

    # -------------------------------------------------------------------- rollout collection
    @property
    def attached(self) -> bool:
        return self.layout is not None

    def attach(self, recipe: PolicyRecipe, n_steps: int, rng_state: bytes, seed: int,
               latest_weights: bool = False) -> None:
        """Create the shared slots and weight board, and give every worker its policy copy (once).
        ``latest_weights``: the workers take weights published mid-rollout (:meth:`publish`) at once."""
        if self.layout is not None:
            raise RuntimeError("RolloutWorkers.attach: already attached")
        obs_shape = tuple(self.observation_space.shape or ())
        action_dim = 1 if isinstance(self.action_space, gym.spaces.Discrete) else int(np.prod(self.action_space.shape))
        layout = RolloutLayout(n_steps, self.num_envs, obs_shape, action_dim)
        for _ in range(N_SLOTS):
            block = shared_memory.SharedMemory(create=True, size=max(1, layout.nbytes()))
            self._blocks.append(block)
            self._slots.append(layout.views(block.buf))
        weights = shared_memory.SharedMemory(create=True, size=WeightBoard.nbytes(recipe.n_params))
        self._blocks.append(weights)
        self._board = WeightBoard(weights.buf, recipe.n_params)
        self._board.clear()
        self.layout = layout
        attachment = Attachment(recipe, layout, tuple(b.name for b in self._blocks[:N_SLOTS]), weights.name,
                                rng_state, seed, latest_weights)
        self._ask_all("attach", lambda w: attachment)

    def start_rollout(self, weights: np.ndarray, version: int) -> None:
        """Publish ``weights`` (version = learner updates so far) and start the next rollout in the free slot.

        With one rollout already in flight this queues the next one (both slots in use): each worker starts
        it the moment it has finished its share of the first, so a worker that is done early does not wait
        for the slowest one and the learner's round trip (:mod:`~qwop_studio.train.rollout_collector`). The
        caller promises that it is done with the slot's previous contents. Workers attached with
        ``latest_weights`` switch to ``weights`` at their next step, the others at their next rollout."""
        if len(self._in_flight) >= N_SLOTS:
            raise RuntimeError(f"RolloutWorkers.start_rollout: {N_SLOTS} rollouts are already in flight")
        self.publish(weights, version)
        rollout_id = self._next_id
        slot = rollout_id % N_SLOTS
        self._in_flight.append((slot, rollout_id, version))
        self._next_id += 1
        for w in range(len(self.conns)):
            self._send(w, ("collect", (slot, rollout_id)))

    def publish(self, weights: np.ndarray, version: int) -> None:
        """Publish newer weights while a rollout is collected: workers attached with ``latest_weights``
        switch to them at their next env step (the others at their next rollout)."""
        assert self._board is not None, "attach first"
        self._board.publish(weights, version)

    @property
    def collecting(self) -> bool:
        return bool(self._in_flight)

    @property
    def in_flight(self) -> int:
        """Rollouts started and not yet waited for (0 to :data:`N_SLOTS`)."""
        return len(self._in_flight)

    def wait_rollout(self) -> RolloutResult:
        """Block until every worker has finished the oldest rollout in flight; its result."""
        if not self._in_flight:
            raise RuntimeError("RolloutWorkers.wait_rollout: no rollout is being collected")
        slot, rollout_id, version = self._in_flight[0]
        episodes: list[tuple[int, int, dict]] = []
        collect_s = idle_s = cpu_s = 0.0
        latest_steps = 0
        for w in range(len(self.conns)):
            _, got_slot, got_id, worker_episodes, stats = self._recv(w, want="rollout")
            assert (got_slot, got_id) == (slot, rollout_id), "rollout messages out of order"
            episodes.extend(worker_episodes)
            collect_s, idle_s = max(collect_s, stats["collect_s"]), max(idle_s, stats["idle_s"])
            cpu_s += stats["cpu_s"]
            latest_steps += stats["latest_steps"]
        self._in_flight.popleft()
        episodes.sort(key=lambda e: (e[0], e[1]))
        return RolloutResult(slot, rollout_id, version, self._slots[slot], episodes, collect_s, idle_s, cpu_s,
                             latest_steps)

    def drop_rollout(self) -> None:
        """Wait for the rollouts in flight, if any, and discard them (before a reset)."""
        while self._in_flight:
            self.wait_rollout()

    # ------------------------------------------------------------------------------ VecEnv
    def reset(self):
        self.drop_rollout()
        replies = self._ask_all("reset", lambda w: pending_resets(self, self.shards[w]))
        self.reset_infos = [info for _, infos in replies for info in infos]
        self._reset_seeds()
        self._reset_options()
        return np.concatenate([obs for obs, _ in replies])

    def step_async(self, actions: np.ndarray) -> None:
        self.drop_rollout()
        actions = np.asarray(actions)
        for w, shard in enumerate(self.shards):
            self._send(w, ("step", actions[shard.start:shard.stop]))
        self.waiting = True

    def step_wait(self):
        replies = [self._recv(w) for w in range(len(self.conns))]
        self.waiting = False
        obs, rewards, dones, infos = zip(*replies, strict=True)
        return np.concatenate(obs), np.concatenate(rewards), np.concatenate(dones), [i for part in infos for i in part]

    def env_method(self, method_name: str, *method_args, indices: VecEnvIndices = None, **method_kwargs) -> list[Any]:
        return self._ask_indices("env_method", lambda local: (method_name, method_args, method_kwargs, local), indices)

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        return self._ask_indices("get_attr", lambda local: (attr_name, local), indices)

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        self._ask_indices("set_attr", lambda local: (attr_name, value, local), indices)

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None) -> list[bool]:
        return self._ask_indices("env_is_wrapped", lambda local: (wrapper_class, local), indices)

    def get_images(self) -> Sequence[np.ndarray | None]:
        return [None] * self.num_envs

    def close(self) -> None:
        """Stop the workers (a worker in mid-rollout stops at its next step) and free the shared memory."""
        if self.closed:
            return
        self.closed = True
        for w, process in enumerate(self.processes):
            if process.is_alive():
                try:
                    self.conns[w].send(("close", None))
                except OSError:
                    pass
        for process in self.processes:
            process.join(5)
            if process.is_alive():
                process.terminate()
                process.join(5)
        for conn in self.conns:
            conn.close()
        self._slots.clear()
        if self._board is not None:
            self._board.release()
        for block in self._blocks:
            close_block(block)  # a slot's views may outlive this (an interrupted caller holds a result)
            block.unlink()
        self._blocks.clear()

    # ------------------------------------------------------------------------------ messages
    def _ask_indices(self, cmd: str, make_data: Callable[[list[int]], Any], indices: VecEnvIndices) -> list[Any]:
        """Send ``cmd`` to the workers holding ``indices`` (in the order given); their replies, flattened."""
        pairs: list[tuple[int, list[int]]] = []
        for i in self._get_indices(indices):
            w = next(k for k, shard in enumerate(self.shards) if i in shard)
            if pairs and pairs[-1][0] == w:
                pairs[-1][1].append(i - self.shards[w].start)
            else:
                pairs.append((w, [i - self.shards[w].start]))
        for w, local in pairs:
            self._send(w, (cmd, make_data(local)))
        out: list[Any] = []
        for w, _ in pairs:
            reply = self._recv(w)
            if reply is not None:
                out.extend(reply)
        return out

    def _ask_all(self, cmd: str, make_data: Callable[[int], Any]) -> list[Any]:
        for w in range(len(self.conns)):
            self._send(w, (cmd, make_data(w)))
        return [self._recv(w) for w in range(len(self.conns))]

    def _send(self, w: int, message: tuple[str, Any]) -> None:
        try:
            self.conns[w].send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            raise self._death(w) from None

    def _recv(self, w: int, want: str = "reply") -> Any:
        """The next message of kind ``want`` from worker ``w``; rollout notices that come first are kept."""
        if want == "rollout" and self._stash[w]:
            return self._stash[w].pop(0)
        conn = self.conns[w]
        while True:
            while not conn.poll(LIVENESS_CHECK_S):
                if not self.processes[w].is_alive():
                    raise self._death(w)
            try:
                message = conn.recv()
            except (EOFError, ConnectionResetError):
                raise self._death(w) from None
            kind = message[0]
            if kind == "error":
                raise WorkerCommandError(f"rollout worker {w}: {message[1]}")
            if kind == want:
                return message if kind == "rollout" else message[1]
            if kind == "rollout":
                self._stash[w].append(message)
            else:
                raise RuntimeError(f"rollout worker {w}: unexpected message {kind!r}")

    def _death(self, w: int) -> RolloutWorkerError:
        process = self.processes[w]
        process.join(1)
        code = process.exitcode
        if code is not None and code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exit code {code}"
        return RolloutWorkerError(f"rollout worker {w} (pid {process.pid}, envs {self.shards[w].start}-"
                                  f"{self.shards[w].stop - 1}) ended unexpectedly ({how})")


#: The fewest worker processes async collection starts when the config does not say.
MIN_DEFAULT_WORKERS = 2


def default_worker_count(n_envs: int, overlap: bool = True) -> int:
    """Worker processes when the config does not say: at most ``n_envs``, at least
    :data:`MIN_DEFAULT_WORKERS`; one per core but the learner's when collection overlaps learning
    (``async``), one per core when the learner waits for each rollout (``sync``: it sleeps meanwhile).

    Why at least two: the learner waits while a rollout is collected and the workers wait while it learns,
    so on 2 cores one worker leaves a core idle much of the time; two workers (three busy processes)
    stepped 1.3-1.4x faster than one while learning (``python -m benchmarks.training``, 9th-12th sessions).
    """
    import os

    cores = os.cpu_count() or 2
    return max(1, min(n_envs, max(MIN_DEFAULT_WORKERS, cores - 1 if overlap else cores)))


def make_rollout_workers(n_envs: int, seed: int | None = 0, env_kwargs: dict | None = None,
                         wrappers: list[dict] | None = None, max_episode_steps: int = MAX_EPISODE_STEPS,
                         n_workers: int | None = None, overlap: bool = True) -> RolloutWorkers:
    """``n_envs`` envs built as :func:`~qwop_studio.env.vec.make_vec_env` builds them (env ``i`` seeded
    ``seed + i`` at its first reset), spread over ``n_workers`` processes (default:
    :func:`default_worker_count` for ``overlap``, whether the learner learns while they collect)."""
    from functools import partial

    from qwop_studio.env.vec import make_worker
    from qwop_studio.env.wrappers import check_wrapper_specs

    specs = check_wrapper_specs(wrappers)
    factories = [partial(make_worker, rank, seed, dict(env_kwargs or {}), specs, max_episode_steps, None)
                 for rank in range(n_envs)]
    venv = RolloutWorkers(factories, n_workers or default_worker_count(n_envs, overlap))
    if seed is not None:
        venv.seed(seed)
    return venv


__all__ = ["RolloutWorkers", "RolloutWorkerError", "WorkerCommandError", "PolicyRecipe",
           "RolloutResult", "default_worker_count", "make_rollout_workers"]
