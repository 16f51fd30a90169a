"""``AsyncPPO``: SB3's PPO whose rollouts are collected by worker processes while it learns (or, in
``collection: sync``, between its updates: see :func:`as_async`).

Why: with lock-step collection the learner's update and the envs' stepping take turns, each leaving the
other's core idle. Here :class:`~qwop_studio.train.rollout_workers.RolloutWorkers` collect rollout k+1
while ``PPO.train`` updates on rollout k. Only ``collect_rollouts`` is replaced: losses, optimiser,
schedules, logging, callbacks and the saved ``.zip`` are SB3's own, and a saved model is a plain PPO
file (``PPO.load`` and our ``model_file.load_model`` read it; a lock-step run resumes it, and this one
resumes a lock-step checkpoint).

What changes for PPO: a rollout is collected with the weights the learner had when it was started, so
the learner, one update further, trains on data from a policy one update old (``async/policy_lag``,
logged every rollout: 0 for the first, 1 after). With ``async_weights: latest`` the learner publishes its
weights after every update and the workers take them between two env steps: only the part of the rollout
collected while the update ran is a version old (``async/latest_weights_share`` logs the rest), as Sample
Factory's and PufferLib's actors always act with the newest policy they have. The ratio and the advantages use what the workers
stored with every step: the behaviour policy's log-probabilities and values, as PPO's ratio already does
(APPO/IMPALA's actors). Plain PPO's ratio against that older policy clips about 4x as many samples as
in lock-step (twelfth session: clip fraction 0.07-0.10 against 0.02), so each update moves the policy less.
With ``async_correction: decoupled`` (the default) the update is *decoupled PPO* (Hilton et al. 2021,
"Batch size-invariance for policy optimization"): the ratio and its clip are taken around the proximal
policy (the learner's weights before this update, computed once per update on the whole rollout), and the
lag from the behaviour policy is corrected by a per-sample importance weight proximal / behaviour,
truncated at :data:`BEHAVIOUR_WEIGHT_CAP` as V-trace truncates its weights. A rollout without lag (sync,
and async's first) is trained as plain PPO, bit for bit.

Callbacks see the rollout after it was collected: for each of its steps, in order, ``num_timesteps`` grows
by ``n_envs`` and ``on_step`` runs with ``infos`` and ``dones`` in its locals, as SB3 gives them (``infos``
hold the episode-end dicts; a step without an episode end gets empty dicts). So progress.csv rows,
checkpoints, the studio's events and the time budget work unchanged. A reward-weight change made from a
callback (``env_method``) reaches the workers at once, between two of their env steps, so it takes
effect in the rollout being collected: up to one rollout after the step it is logged at.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch as th
from stable_baselines3 import PPO
from stable_baselines3.common.buffers import RolloutBuffer
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import VecEnv
from torch.nn.utils import parameters_to_vector

from qwop_studio.threads import torch_threads
from qwop_studio.train.lean_policy import LeanActor
from qwop_studio.train.lean_update import LeanPPO, evaluate_actions
from qwop_studio.train.rollout_shared import PolicyRecipe
from qwop_studio.train.rollout_workers import RolloutResult, RolloutWorkers

#: The instance attribute holding the run-time state (never saved in a model file).
STATE_ATTR = "_async_collection"
#: The buffer fields copied from a finished rollout slot.
_BUFFER_FIELDS = ("observations", "actions", "rewards", "episode_starts", "values", "log_probs")
#: Decoupled PPO's importance weight (proximal / behaviour probability of the action) is cut to this:
#: a one-update lag keeps nearly all weights near 1 (``async/behaviour_weight_capped`` logs the share
#: cut); the cap bounds what an action the behaviour policy almost never took can add to the variance.
BEHAVIOUR_WEIGHT_CAP = 2.0


@dataclass
class _AsyncState:
    """What the learner keeps between rollouts."""

    updates: int = 0  # PPO.train calls so far: the version of the weights a rollout is started with
    overlap: bool = True  # collect rollout k+1 while learning on k (async); False: with the current weights (sync)
    decoupled: bool = True  # train a lagged rollout with decoupled PPO (False: PPO's ratio against the behaviour)
    rollout_lag: int = 0  # updates between the weights that collected the rollout in the buffer and now
    update_threads: int = 1  # torch threads for PPO.train (config learner_threads)
    latest_weights: bool = False  # publish after every update; workers switch mid-rollout (async_weights: latest)
    learner_wait_s: float = 0.0  # the last rollout's
    learner_wait_total_s: float = 0.0
    empty_infos: list[dict] = field(default_factory=list)


class AsyncPPO(LeanPPO):
    """PPO that collects with :class:`RolloutWorkers` when its env is one (and as SB3 does otherwise)."""

    def _excluded_save_params(self) -> list[str]:
        return [*super()._excluded_save_params(), STATE_ATTR]

    def _async(self) -> _AsyncState:
        state = self.__dict__.get(STATE_ATTR)
        if state is None:
            state = _AsyncState()
            self.__dict__[STATE_ATTR] = state
        return state

    def train(self) -> None:
        state = self._async()
        with torch_threads(state.update_threads):
            super().train()
        state.updates += 1
        env = self.env
        if state.latest_weights and isinstance(env, RolloutWorkers) and env.collecting:
            env.publish(self._weights(), state.updates)  # the rollout in flight goes on with these

    def collect_rollouts(self, env: VecEnv, callback: BaseCallback, rollout_buffer: RolloutBuffer,
                         n_rollout_steps: int) -> bool:
        state = self._async()
        state.rollout_lag = 0
        if not isinstance(env, RolloutWorkers):
            return super().collect_rollouts(env, callback, rollout_buffer, n_rollout_steps)
        self._attach(env, n_rollout_steps)
        if not env.collecting:  # the first rollout, after a reset, and always in sync mode: start it now
            env.start_rollout(self._weights(), state.updates)
        if state.overlap and env.in_flight == 1:
            # rollout k+1, collected while we learn on k, queued before we wait for k: a worker done with
            # its share of k early goes straight on (same weights as after the wait: no update between)
            env.start_rollout(self._weights(), state.updates)
        waited = time.perf_counter()
        result = env.wait_rollout()
        state.learner_wait_s = time.perf_counter() - waited
        state.learner_wait_total_s += state.learner_wait_s
        dones = self._fill_buffer(rollout_buffer, result)
        state.rollout_lag = state.updates - result.weights_version
        self.policy.set_training_mode(False)
        callback.on_rollout_start()
        if not self._replay_steps(env, callback, rollout_buffer, result, dones):
            return False
        rollout_buffer.compute_returns_and_advantage(last_values=th.as_tensor(result.arrays["last_values"]).clone(),
                                                     dones=result.arrays["last_dones"].copy())
        self._log_collection(state, result)
        callback.update_locals({"rollout_buffer": rollout_buffer, "dones": dones[-1]})
        callback.on_rollout_end()
        return True

    def _decouple(self, data: dict[str, th.Tensor], actor: LeanActor) -> th.Tensor | None:
        """Decoupled PPO for a lagged rollout (module docstring): ``data["log_probs"]`` becomes the
        proximal policy's; returns the truncated behaviour weights. None (plain PPO) without lag."""
        state = self._async()
        if not state.decoupled or state.rollout_lag == 0:
            return None
        with th.no_grad():
            _, proximal, _ = evaluate_actions(actor, data["observations"], data["actions"])
            raw = th.exp(proximal - data["log_probs"])
        data["log_probs"] = proximal
        self.logger.record("async/behaviour_weight_mean", raw.mean().item())
        self.logger.record("async/behaviour_weight_capped", (raw > BEHAVIOUR_WEIGHT_CAP).float().mean().item())
        return th.clamp(raw, max=BEHAVIOUR_WEIGHT_CAP)

    # -------------------------------------------------------------------------------- helpers
    def _attach(self, env: RolloutWorkers, n_rollout_steps: int) -> None:
        if env.attached:
            if env.layout is None or env.layout.n_steps != n_rollout_steps:
                raise ValueError(f"n_steps changed from {env.layout.n_steps if env.layout else '?'} to "
                                 f"{n_rollout_steps}: the rollout workers keep their slot size")
            return
        if self.use_sde:
            raise ValueError("async collection does not support use_sde (its noise would live in the workers)")
        n_params = sum(p.numel() for p in self.policy.parameters())
        recipe = PolicyRecipe(self.policy_class, self.observation_space, self.action_space, dict(self.policy_kwargs),
                              n_params, float(self.gamma))
        env.attach(recipe, n_rollout_steps, th.get_rng_state().numpy().tobytes(), int(self.seed or 0),
                   self._async().latest_weights)

    def _weights(self) -> np.ndarray:
        with th.no_grad():
            return parameters_to_vector(self.policy.parameters()).numpy()

    def _fill_buffer(self, buffer: RolloutBuffer, result: RolloutResult) -> np.ndarray:
        """Copy the finished slot into SB3's buffer (as ``add`` would have, step by step); the step dones."""
        buffer.reset()
        for name in _BUFFER_FIELDS:
            getattr(buffer, name)[...] = result.arrays[name]
        buffer.pos, buffer.full = buffer.buffer_size, True
        return result.arrays["dones"].copy()

    def _replay_steps(self, env: RolloutWorkers, callback: BaseCallback, buffer: RolloutBuffer,
                      result: RolloutResult, dones: np.ndarray) -> bool:
        """Each collected step through the callbacks, as SB3's loop calls them; False if one stops training."""
        n_envs = env.num_envs
        state = self._async()
        if len(state.empty_infos) != n_envs:
            state.empty_infos = [{} for _ in range(n_envs)]
        ends: dict[int, list[tuple[int, dict]]] = {}
        for step, env_index, info in result.episodes:
            ends.setdefault(step, []).append((env_index, info))
        for step in range(buffer.buffer_size):
            infos = state.empty_infos
            if step in ends:
                infos = [{} for _ in range(n_envs)]
                for env_index, info in ends[step]:
                    infos[env_index] = info
            step_dones = dones[step]
            self.num_timesteps += n_envs
            callback.update_locals({"infos": infos, "dones": step_dones, "rewards": buffer.rewards[step],
                                    "actions": buffer.actions[step], "values": buffer.values[step],
                                    "log_probs": buffer.log_probs[step], "n_steps": step, "env": env,
                                    "rollout_buffer": buffer})
            if not callback.on_step():
                return False
            if step in ends:  # only episode ends carry infos SB3 keeps; the empty steps were 2/3 of the replay
                self._update_info_buffer(infos, step_dones)
        return True

    def _log_collection(self, state: _AsyncState, result: RolloutResult) -> None:
        self.logger.record("async/policy_lag", state.rollout_lag)
        if state.latest_weights:  # the share of the rollout collected after the update it overlapped
            self.logger.record("async/latest_weights_share", result.latest_steps / result.arrays["rewards"].size)
        self.logger.record("async/learner_wait_s", state.learner_wait_s)
        self.logger.record("async/worker_collect_s", result.collect_s)
        self.logger.record("async/worker_idle_s", result.idle_s)
        self.logger.record("async/worker_cpu_s", result.cpu_s)


def learner_wait_s(model: AsyncPPO) -> float:
    """Seconds the learner has waited for rollouts so far: the collection time the overlap did not hide."""
    return model._async().learner_wait_total_s


def as_async(model: PPO, overlap: bool = True, decoupled: bool = True, update_threads: int = 1,
             latest_weights: bool = False) -> AsyncPPO:
    """The same model as an :class:`AsyncPPO` (shares its policy, optimiser and counters; ``model`` is
    not to be used after). Why: models are built or loaded as plain PPO (``model_file.load_model``), and
    the collection mode is a run-time choice, not something a model file records.

    ``overlap=False`` is ``collection: sync``: the workers still collect whole rollouts on their own (no
    barrier on every env step, so a third process on the machine, such as the studio's window, stalls
    nothing), but each rollout starts after the update, with the learner's current weights: no policy
    lag, PPO exactly as in lock-step; the learner waits while they collect. ``decoupled``: how a lagged
    rollout is trained (module docstring; config ``async_correction``). ``update_threads``: torch threads
    for each update (config ``learner_threads``: in sync the workers' cores are idle while it runs).
    ``latest_weights`` (config ``async_weights: latest``): the workers switch to each update's weights as
    soon as it ends, mid-rollout, so only the steps collected during the update lag (module docstring)."""
    if type(model) not in (PPO, LeanPPO, AsyncPPO):
        raise TypeError(f"collection through rollout workers needs a PPO model, not {type(model).__name__}")
    if isinstance(model, AsyncPPO):
        converted = model
    else:
        converted = AsyncPPO.__new__(AsyncPPO)
        converted.__dict__.update(model.__dict__)
    converted._async().overlap = overlap
    converted._async().decoupled = decoupled
    converted._async().update_threads = update_threads
    converted._async().latest_weights = latest_weights
    return converted
