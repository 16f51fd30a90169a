"""``ShardedSubprocVecEnv``: a few worker processes, each stepping several envs per message.

SB3's ``SubprocVecEnv`` puts one env in each process and pays one pipe round trip (pickling the
action, the observation and the info dict) per env per step. A QWOP env step costs about 100 µs,
the same order as that round trip, so on 2 cores two ``SubprocVecEnv`` workers barely beat one env
in the main process. Here each of ``n_workers`` processes holds a ``DummyVecEnv`` over its share of
the envs, so one round trip carries several env steps and the two cores do physics, not pickling.
With ``local_shard=True`` (what ``make_vec_env`` uses) the main process steps the first shard itself
while the workers step theirs, and workers (and the main process, waiting for their replies) poll
briefly before sleeping: on this 2-vCPU VM waking a sleeping process cost about as much as the step
it was woken for (unless the cores are oversubscribed, when polling would starve the process waited
for: see :class:`_SpinPolicy`). Messages go through shared memory (``transport="shared_memory"``,
the default; :mod:`shared_channel`), and a step's actions, observations, rewards and dones through
shared arrays, so a step's hand-over costs a few microseconds plus pickling the info dicts;
``transport="pipe"`` keeps plain ``multiprocessing`` pipes (``python -m benchmarks.env`` measures both).
While a process polls, it builds its envs' next reset worlds a piece at a time (:class:`_ResetPreparer`),
so that a reset, which costs about two env steps, holds up the lock-step less often.

It is a standard SB3 ``VecEnv``: auto-reset with ``terminal_observation`` in ``info``, per-env seeds
and options, ``env_method``/``get_attr``/``set_attr`` with ``indices``. Workers start with ``spawn``.
"""
from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.vec_env import VecEnv
from stable_baselines3.common.vec_env.base_vec_env import CloudpickleWrapper, VecEnvIndices

from qwop_studio.env.dummy import FreshInfoDummyVecEnv
from qwop_studio.env.sb3_internals import pending_resets, set_pending_resets
from qwop_studio.env.shared_channel import channel_pair

_STOP = object()
#: How a worker and the main process exchange messages: a ``multiprocessing`` pipe, or a
#: :class:`~qwop_studio.env.shared_channel.SharedMemoryChannel` (the default: no system call per
#: message while both sides poll).
TRANSPORTS = ("shared_memory", "pipe")


def check_transport(transport: str) -> None:
    """Raise a one-line ``ValueError`` naming ``transport`` unless it is one of :data:`TRANSPORTS`."""
    if transport not in TRANSPORTS:
        raise ValueError(f"transport={transport!r}: expected one of {', '.join(TRANSPORTS)}")


#: The VecEnv calls a worker answers for the envs it holds, whatever else it does (see answer_env_query).
ENV_QUERIES = frozenset({"env_method", "get_attr", "set_attr", "env_is_wrapped"})


def answer_env_query(venv: Any, cmd: str, data: Any) -> Any:
    """Carry out one of :data:`ENV_QUERIES` on a worker's own ``DummyVecEnv`` (the data as the main side's
    ``VecEnv`` method packed it); shared by this module's workers and the async rollout workers."""
    if cmd == "env_method":
        name, args, kwargs, indices = data
        return venv.env_method(name, *args, indices=indices, **kwargs)
    if cmd == "get_attr":
        name, indices = data
        return venv.get_attr(name, indices)
    if cmd == "set_attr":
        name, value, indices = data
        return venv.set_attr(name, value, indices)
    wrapper_class, indices = data
    return venv.env_is_wrapped(wrapper_class, indices)


def _serve(venv: FreshInfoDummyVecEnv, cmd: str, data: Any) -> Any:
    """Carry out one command on a shard's ``FreshInfoDummyVecEnv``; the reply to send back (``_STOP`` on close)."""
    if cmd == "step":
        venv.step_async(data)
        obs, rewards, dones, infos = venv.step_wait()
        return obs, rewards, dones, infos, venv.reset_infos
    if cmd == "reset":
        set_pending_resets(venv, *data)
        return venv.reset(), venv.reset_infos
    if cmd in ENV_QUERIES:
        return answer_env_query(venv, cmd, data)
    if cmd == "close":
        venv.close()
        return _STOP
    raise NotImplementedError(f"ShardedSubprocVecEnv worker: unknown command {cmd!r}")


class _StepArrays:
    """Shared arrays for one worker's steps: its actions in; its observations, rewards and dones out.

    Why: with messages in shared memory, pickling these three small numpy arrays each way was the
    largest cost left in a step's hand-over (~5 µs to pickle and ~3 µs to unpickle each, measured),
    so with a ``shared_memory`` transport they are copied straight into shared buffers and only the
    info dicts travel as a message (and the reset infos only when an env was reset).
    """

    def __init__(self, ctx: Any, n_envs: int, observation_space: gym.Space, action_space: gym.Space) -> None:
        action_dtype = np.dtype(np.int64) if isinstance(action_space, gym.spaces.Discrete) else action_space.dtype
        self.specs: dict[str, tuple[tuple[int, ...], np.dtype]] = {
            "actions": ((n_envs, *action_space.shape), np.dtype(action_dtype)),
            "obs": ((n_envs, *observation_space.shape), np.dtype(observation_space.dtype)),
            "rewards": ((n_envs,), np.dtype(np.float32)),  # DummyVecEnv's own dtypes
            "dones": ((n_envs,), np.dtype(bool)),
        }
        self.raw = {name: ctx.RawArray("b", max(1, int(np.prod(shape)) * dtype.itemsize))
                    for name, (shape, dtype) in self.specs.items()}
        self.views = self._make_views()

    @staticmethod
    def supported(observation_space: gym.Space, action_space: gym.Space) -> bool:
        """Box observations and array-like actions; anything else keeps the pickled step."""
        return (isinstance(observation_space, gym.spaces.Box) and observation_space.dtype is not None
                and isinstance(action_space, (gym.spaces.Discrete, gym.spaces.Box, gym.spaces.MultiDiscrete,
                                              gym.spaces.MultiBinary)))

    def _make_views(self) -> dict[str, np.ndarray]:
        """numpy arrays over the shared buffers (views do not pickle: each process makes its own)."""
        return {name: np.frombuffer(self.raw[name], dtype=dtype, count=int(np.prod(shape))).reshape(shape)
                for name, (shape, dtype) in self.specs.items()}

    def __getstate__(self) -> dict[str, Any]:
        return {"specs": self.specs, "raw": self.raw}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.specs, self.raw = state["specs"], state["raw"]
        self.views = self._make_views()


def _serve_shared_step(venv: FreshInfoDummyVecEnv, arrays: _StepArrays) -> tuple[list, list | None]:
    """A step whose actions and results live in ``arrays``; the reply is (infos, reset infos or None)."""
    views = arrays.views
    venv.step_async(views["actions"].copy())
    obs, rewards, dones, infos = venv.step_wait()
    views["obs"][...] = obs
    views["rewards"][...] = rewards
    views["dones"][...] = dones
    return infos, (venv.reset_infos if dones.any() else None)


class _ResetPreparer:
    """Prepares the next reset of a shard's envs in the time its process waits for a message.

    Why: a reset costs about two env steps and falls on one env at a time, so in a lock-step vector
    env it holds up the whole step, while each process waits tens of microseconds per step for the
    other (and a worker waits through the learner's whole forward pass). Called between polls, it
    does one small piece of some env's next reset (``prepare_reset``: one Box2D body or joint,
    a few µs) and returns True, or False when every env is ready. Envs without ``prepare_reset``
    are skipped; the results are bitwise the same with or without it.
    """

    def __init__(self, venv: FreshInfoDummyVecEnv) -> None:
        self._prepare: list[Callable[[], bool]] = [
            getattr(env.unwrapped, "prepare_reset", _nothing_to_prepare) for env in venv.envs]
        self._pending: list[int] = list(range(len(self._prepare)))

    def __call__(self) -> bool:
        pending = self._pending
        while pending:
            if self._prepare[pending[-1]]():
                return True
            pending.pop()
        return False

    def after(self, cmd: str, dones: np.ndarray) -> None:
        """After the shard carried out ``cmd``: the envs it reset have used their prepared worlds.

        ``dones``: the step's dones (an auto-reset followed each); a ``reset`` resets them all.
        """
        if cmd == "reset":
            self._pending = list(range(len(self._prepare)))
        elif cmd == "step" and dones.any():
            self._pending = sorted(set(self._pending).union(np.flatnonzero(dones).tolist()))


def _nothing_to_prepare() -> bool:
    return False


class _SpinPolicy:
    """Poll for the next message before blocking, unless the machine has more busy processes than cores.

    Why poll: between two steps a process waits well under a millisecond; one that blocks is put to
    sleep, and on a virtual machine waking it again costs about as much as the step. Why not always:
    when more processes want the cores than there are (two trainings at once, or a benchmark beside
    a training), a poller burns the time slice that the process it waits for needs. Two sharded
    vector envs stepping at once fell to 2,200 env steps/s each (4,450 together, against 19,600 for
    two single-process ones). So a poll that ends without a message is counted: two such in the last
    eight waits mean the cores are oversubscribed, and the next :data:`BLOCK_WAITS` waits block at
    once (the kernel wakes the waiter when its message comes, and meanwhile its core serves others).
    A lone long wait, such as the learner's update between two rollouts, does not switch.
    """

    #: How long to poll before blocking (s): longer than the gap between two steps.
    SPIN_S: float = 0.002
    #: Waits made blocking after oversubscription is seen, before polling is tried again.
    BLOCK_WAITS: int = 256

    def __init__(self) -> None:
        self._misses = 0  # the last 8 waits' outcomes as bits, 1 = the poll ran out
        self._blocking_left = 0

    @property
    def polling(self) -> bool:
        """False while waits block at once (the cores were found oversubscribed)."""
        return self._blocking_left == 0

    def wait(self, remote, idle: Callable[[], bool] | None = None) -> None:
        """Return when ``remote`` has a message, or when the caller should block in ``recv`` instead.

        While polling, ``idle()`` is called between polls as long as it returns True (it has work
        that takes a few µs a call, such as :class:`_ResetPreparer`).
        """
        if self._blocking_left:
            self._blocking_left -= 1
            return
        deadline = time.perf_counter() + self.SPIN_S
        while not remote.poll():
            if idle is not None and idle():
                continue
            if time.perf_counter() >= deadline:
                self._misses = ((self._misses << 1) | 1) & 0xFF
                if self._misses.bit_count() >= 2:
                    self._misses, self._blocking_left = 0, self.BLOCK_WAITS
                return
        self._misses = (self._misses << 1) & 0xFF


def _worker(remote, parent_remote, env_fns: CloudpickleWrapper, arrays: _StepArrays | None = None) -> None:
    """Serve one shard: a ``DummyVecEnv`` over this worker's envs, one command per message.

    ``remote`` is a pipe end or a :class:`SharedMemoryChannel` end; ``parent_remote`` is the
    parent's pipe end to close here (None for a channel); with ``arrays`` a step's actions and
    results go through them (see :class:`_StepArrays`).
    """
    if parent_remote is not None:
        parent_remote.close()
    venv = FreshInfoDummyVecEnv(env_fns.var)
    spin = _SpinPolicy()
    prepare = _ResetPreparer(venv)
    try:
        while True:
            spin.wait(remote, idle=prepare)
            cmd, data = remote.recv()
            if cmd == "step" and arrays is not None:
                reply = _serve_shared_step(venv, arrays)
            else:
                reply = _serve(venv, cmd, data)
                if reply is _STOP:
                    remote.close()
                    break
            remote.send(reply)
            prepare.after(cmd, venv.buf_dones)  # after the reply: the main process does not wait for this
    except (EOFError, KeyboardInterrupt):
        venv.close()


class _LocalShard:
    """A shard stepped in the main process, behind the same ``send``/``recv`` as a worker's pipe.

    ``send`` only stores the command; ``recv`` carries it out. ``step_wait`` receives from this shard
    first, so the main process steps its own envs while the worker processes step theirs: one core
    fewer waits, and one process fewer must be woken each step.
    """

    def __init__(self, env_fns: list[Callable[[], gym.Env]]) -> None:
        self.venv = FreshInfoDummyVecEnv(env_fns)
        self._pending: tuple[str, Any] | None = None
        #: Idle work for the main process while it waits for the workers: this shard's next resets.
        self.prepare = _ResetPreparer(self.venv)

    def send(self, message: tuple[str, Any]) -> None:
        self._pending = message

    def poll(self, timeout: float = 0.0) -> bool:
        """Always ready: ``recv`` carries out the pending command itself."""
        return True

    def recv(self) -> Any:
        assert self._pending is not None, "recv before send"
        cmd, data = self._pending
        self._pending = None
        reply = _serve(self.venv, cmd, data)
        self.prepare.after(cmd, self.venv.buf_dones)
        return reply

    def close(self) -> None:
        """Close the shard's envs (the pipe's ``close``: the ``("close", None)`` sent before is moot here)."""
        self._pending = None
        self.venv.close()


class ShardedSubprocVecEnv(VecEnv):
    """``len(env_fns)`` envs spread over ``n_workers`` shards (contiguous, sizes differ by <= 1).

    With ``local_shard=True`` the first shard is stepped in the main process itself and only the
    others get a worker process (``n_workers - 1`` processes), so that on a machine with
    ``n_workers`` cores every core steps envs, and the main process does not sleep while they do.
    """

    def __init__(self, env_fns: list[Callable[[], gym.Env]], n_workers: int = 2, start_method: str = "spawn",
                 local_shard: bool = False, transport: str = "shared_memory"):
        if not 1 <= n_workers <= len(env_fns):
            raise ValueError(f"n_workers={n_workers}: expected 1..{len(env_fns)} (one env per worker at least)")
        self.waiting = False
        self.closed = False
        ctx = mp.get_context(start_method)
        bounds = np.linspace(0, len(env_fns), n_workers + 1).round().astype(int)
        self.shards: list[range] = [range(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        check_transport(transport)
        remote_shards = self.shards[1:] if local_shard else self.shards
        local = _LocalShard([env_fns[i] for i in self.shards[0]]) if local_shard else None
        if local is not None:
            observation_space, action_space = local.venv.observation_space, local.venv.action_space
        else:  # the spaces size the shared step arrays, which must exist before the workers start
            probe = env_fns[0]()
            observation_space, action_space = probe.observation_space, probe.action_space
            probe.close()
        use_arrays = transport == "shared_memory" and _StepArrays.supported(observation_space, action_space)
        self.processes = []
        self.remotes: list[Any] = []
        #: per remote: its shared step arrays (None: the step travels pickled in the message).
        self._arrays: list[_StepArrays | None] = []
        for shard in remote_shards:
            fns = CloudpickleWrapper([env_fns[i] for i in shard])
            arrays = _StepArrays(ctx, len(shard), observation_space, action_space) if use_arrays else None
            if transport == "pipe":
                remote, work_remote = ctx.Pipe()
                process = ctx.Process(target=_worker, args=(work_remote, remote, fns), daemon=True)
                process.start()
                work_remote.close()
            else:
                remote, work_remote = channel_pair(ctx)
                process = ctx.Process(target=_worker, args=(work_remote, None, fns, arrays), daemon=True)
                process.start()
                remote.watch(process)
            self.processes.append(process)
            self.remotes.append(remote)
            self._arrays.append(arrays)
        if local is not None:
            self.remotes.insert(0, local)
            self._arrays.insert(0, None)
        self._local = local
        self._spin = _SpinPolicy()
        self._shard_reset_infos: list[list[dict]] = [[{} for _ in shard] for shard in self.shards]
        super().__init__(len(env_fns), observation_space, action_space)

    # ------------------------------------------------------------------------------ stepping
    def step_async(self, actions: np.ndarray) -> None:
        actions = np.asarray(actions)
        for shard, remote, arrays in zip(self.shards, self.remotes, self._arrays, strict=True):
            if arrays is None:
                remote.send(("step", actions[shard.start:shard.stop]))
            else:
                arrays.views["actions"][...] = actions[shard.start:shard.stop]
                remote.send(("step", None))
        self.waiting = True

    def step_wait(self):
        obs, rewards, dones, infos = [], [], [], []
        # the local shard first: it steps while the workers step theirs
        for w, (remote, arrays) in enumerate(zip(self.remotes, self._arrays, strict=True)):
            if remote is not self._local:  # a main process that slept here is slow to wake, as a worker is
                self._spin.wait(remote, idle=self._local.prepare if self._local is not None else None)
            reply = remote.recv()
            if arrays is None:
                shard_obs, shard_rewards, shard_dones, shard_infos, reset_infos = reply
            else:
                views = arrays.views
                shard_obs, shard_rewards, shard_dones = views["obs"], views["rewards"], views["dones"]
                shard_infos, reset_infos = reply
            if reset_infos is not None:
                self._shard_reset_infos[w] = reset_infos
            obs.append(shard_obs)
            rewards.append(shard_rewards)
            dones.append(shard_dones)
            infos.extend(shard_infos)
        self.waiting = False
        self.reset_infos = [info for shard in self._shard_reset_infos for info in shard]
        # concatenate copies: the shared arrays are overwritten by the next step
        return np.concatenate(obs), np.concatenate(rewards), np.concatenate(dones), infos

    def reset(self):
        for shard, remote in zip(self.shards, self.remotes, strict=True):
            remote.send(("reset", pending_resets(self, shard)))
        results = [remote.recv() for remote in self.remotes]
        self._shard_reset_infos = [list(r[1]) for r in results]
        self.reset_infos = [info for shard in self._shard_reset_infos for info in shard]
        self._reset_seeds()
        self._reset_options()
        return np.concatenate([r[0] for r in results])

    def close(self) -> None:
        if self.closed:
            return
        if self.waiting:
            for remote in self.remotes:
                remote.recv()
        for remote in self.remotes:
            remote.send(("close", None))
        for process in self.processes:
            process.join()
        for remote in self.remotes:
            remote.close()
        self.closed = True

    # --------------------------------------------------------------------- per-env access
    def _by_worker(self, indices: VecEnvIndices) -> list[tuple[int, list[int]]]:
        """(worker, local indices) pairs for global ``indices``, in the order the indices were given."""
        wanted = self._get_indices(indices)
        pairs: list[tuple[int, list[int]]] = []
        for i in wanted:
            w = next(k for k, shard in enumerate(self.shards) if i in shard)
            local = i - self.shards[w].start
            if pairs and pairs[-1][0] == w:
                pairs[-1][1].append(local)
            else:
                pairs.append((w, [local]))
        return pairs

    def _ask(self, cmd: str, make_data: Callable[[list[int]], Any], indices: VecEnvIndices) -> list[Any]:
        pairs = self._by_worker(indices)
        for w, local in pairs:
            self.remotes[w].send((cmd, make_data(local)))
        out: list[Any] = []
        for w, _ in pairs:
            out.extend(self.remotes[w].recv())
        return out

    def env_method(self, method_name: str, *method_args, indices: VecEnvIndices = None, **method_kwargs) -> list[Any]:
        return self._ask("env_method", lambda local: (method_name, method_args, method_kwargs, local), indices)

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        return self._ask("get_attr", lambda local: (attr_name, local), indices)

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        pairs = self._by_worker(indices)
        for w, local in pairs:
            self.remotes[w].send(("set_attr", (attr_name, value, local)))
        for w, _ in pairs:
            self.remotes[w].recv()

    def env_is_wrapped(self, wrapper_class: type[gym.Wrapper], indices: VecEnvIndices = None) -> list[bool]:
        return self._ask("env_is_wrapped", lambda local: (wrapper_class, local), indices)

    def get_images(self) -> Sequence[np.ndarray | None]:
        return [None] * self.num_envs
