"""``QWOPEnv``: the QWOP runner as a Gymnasium environment, compatible with qwop-gym's interface.

Headless by default; ``render_mode`` imports ``qwop_studio.render.scene`` (and so pygame) only when
``render()`` is first called.
"""
from __future__ import annotations

import math
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from qwop_studio.env.actions import FULL_MASKS, REDUCED_MASKS, check_action
from qwop_studio.env.extended_observation import EXTENDED_OBS_SIZE, extended
from qwop_studio.env.limits import MAX_EPISODE_STEPS, MAX_FRAMES_PER_STEP, MAX_START_NOOP
from qwop_studio.env.observation import OBS_SIZE, normalise
from qwop_studio.env.reward import TERM_NAMES, RewardWeights, StepOutcome, joint_limit_proximity, reward_terms
from qwop_studio.sim import QWOPGame, spec

# ------------------------------------------------------------------------------ episode limits
#: The episode ends when the torso leaves [-10 m, 105 m] (qwop-gym's bounds), in Box2D units.
TORSO_X_MIN: float = -10.0 * spec.UNITS_PER_METRE
TORSO_X_MAX: float = 105.0 * spec.UNITS_PER_METRE
#: With ``success_rule="torso"``, an episode that ends with the torso beyond this distance (game m) is
#: a success (qwop-gym's rule).
SUCCESS_DISTANCE_M: float = 100.0
#: How an ending counts as a success: "landing" is the original game's finish (the left foot lands
#: past 100 m after the jump trigger, or a fall after the trigger; also leaving the world forwards);
#: "torso" is qwop-gym's (the torso beyond 100 m when the episode ends, whatever ended it).
SUCCESS_RULES: tuple[str, ...] = ("landing", "torso")
#: ``info`` keys present after every ``reset`` and ``step``.
INFO_KEYS: tuple[str, ...] = ("distance", "time", "avg_speed", "fallen", "jumped", "landed", "is_success",
                              "nonfinite", "reward_terms")
RENDER_SIZE_PX: tuple[int, int] = (640, 400)


def episode_over(game: QWOPGame) -> bool:
    """The env's episode-end rule (``terminated``): the game ended (a fall or a landing) or the torso left
    [``TORSO_X_MIN``, ``TORSO_X_MAX``] (a non-finite torso x counts as having left).

    :meth:`QWOPEnv.step` ends an env step early by it, and the studio's live runner, which shows an env
    step frame by frame, ends its episodes by it. Truncation (:data:`MAX_EPISODE_STEPS`) is not part of it.
    """
    return game.game_ended or game.fallen or game.landed or not TORSO_X_MIN <= game.torso_x <= TORSO_X_MAX


#: Action types :meth:`QWOPEnv.action_mask` indexes its key table with directly (after a range check): what
#: SB3's vector envs and Python callers pass. Anything else goes through ``actions.check_action``.
_PLAIN_INDEX_TYPES: frozenset[type] = frozenset({int, np.int64, np.int32})


#: The observations on offer and their sizes: qwop-gym's 60 values (``observation.py``, the default, what
#: ``QWOP-v0`` always gives) or the extended 76 (``extended_observation.py``: relative positions,
#: angular velocities, keys held).
OBSERVATIONS: dict[str, int] = {"qwop-gym": OBS_SIZE, "extended": EXTENDED_OBS_SIZE}


class QWOPEnv(gym.Env):
    """
    ## Description
    Bennett Foddy's QWOP: a runner on a 100 m track, driven by four keys. Q and W swing the thighs
    (and arms) one way or the other, O and P the calves. The physics is the original HTML5 game's,
    frame for frame (``qwop_studio.sim``: one 0.04 s Box2D step per frame of the original's
    ``update(1/30)``, in its order). The interface follows
    qwop-gym (observation, action order, reward), so its users can move over.

    ## Action Space
    ``Discrete(16)``: every combination of held keys, in qwop-gym's order (0 none, 1 Q, 2 W, 3 O,
    4 P, 5 QW, 6 QO, 7 QP, 8 WO, 9 WP, 10 OP, 11 QWO, 12 QWP, 13 QOP, 14 WOP, 15 QWOP). With
    ``reduced_action_set=True``, ``Discrete(9)``: qwop-gym's reduced list (none, Q, W, O, P, QW, QP,
    WO, OP). Q beats W and O beats P, so QW acts as Q and OP as O. ``env.actions.keys_to_action``
    maps any key state to the nearest action. Anything else raises ``ValueError``.

    ## Observation Space
    ``Box(-1, 1, (60,), float32)``: for each of 12 parts (torso, head, leftArm, leftCalf, leftFoot,
    leftForearm, leftThigh, rightArm, rightCalf, rightFoot, rightForearm, rightThigh), its x, y,
    angle, vx, vy in Box2D units (y down), mapped from qwop-gym's ranges x [-10, 1050],
    y [-10, 10], angle [-6, 6], vx [-20, 60], vy [-25, 60] to [-1, 1] and clipped.

    ## Rewards
    qwop-gym's model by default: ``0.01 * ds/dt`` (speed; ds in game m, dt in qwop-gym's time unit of
    1/300 per frame) ``- 1/30`` per step (time cost) ``+ 50`` on success ``- 10`` on any other end.
    Optional shaping (posture, energy, joint limits, velocity incentive) is off by default. Every
    weight lives in one :class:`RewardWeights` (``env.reward_weights``), changeable while training
    runs with :meth:`set_reward_weights`; ``info["reward_terms"]`` gives each term of the step's
    reward, and they sum to it. See ``qwop_studio.env.reward`` for the formulas.

    ## Starting State
    The original's reset: the spawn pose, then one frame with no keys. With ``start_noop_max = n``
    a further 0..n no-key frames follow, drawn from the env's seeded ``np_random``: the game is
    deterministic, so this is what varies the starts. The same seed gives the same episode, bit for bit.

    ## Episode End
    Terminated when the runner falls (head, arm or forearm touches the track: failure), lands the
    jump past 100 m, or its torso leaves [-10 m, 105 m]. Success (``info["is_success"]``) is, by default,
    the original game's finish: the landing (or leaving the world forwards). qwop-gym judges it on the
    torso instead (distance > 100 m at the end), which fails most real finishes: a runner whose left
    foot lands past 100 m usually has its torso a little behind the line. ``success_rule="torso"``
    gives qwop-gym's rule. A non-finite physics state (NaN, overflow)
    (or a reward that overflows) also terminates, with ``info["nonfinite"] = True``, the last finite
    observation and only the failure cost as reward, so nothing non-finite reaches the learner; the
    env must then be reset.
    Truncation is left to ``TimeLimit``: ``gymnasium.make("qwop_studio:QWOP-v0")`` ends episodes
    after ``env.limits.MAX_EPISODE_STEPS`` (1000) steps.

    ``info`` after every step: ``distance`` (game m, torso x / 10), ``time`` (the original's clock in
    s, 1/30 per frame; its end screen shows a tenth of it), ``avg_speed`` (distance / time, game m per
    clock second), ``fallen``, ``jumped``, ``landed``, ``is_success``, ``nonfinite``, ``reward_terms``.

    ## Arguments
    ```python
    import gymnasium
    env = gymnasium.make("qwop_studio:QWOP-v0", render_mode=None, frames_per_step=4,
                         reduced_action_set=False, start_noop_max=0, reward_weights=None)
    ```
    * ``render_mode``: ``None``, ``"rgb_array"`` (a (400, 640, 3) uint8 frame) or ``"human"``.
    * ``frames_per_step``: game frames (physics ticks of 0.04 s, 1/30 s on the original's clock) per
      env step, with the action's keys held. If the game ends mid-step, the remaining ticks are skipped.
    * ``reduced_action_set``: qwop-gym's 9 actions instead of 16.
    * ``start_noop_max``: most no-key frames after a reset (0 = none).
    * ``reward_weights``: a ``RewardWeights``, a dict of its field names, or ``None`` for the defaults.
    * ``success_rule``: ``"landing"`` (the original's finish, default) or ``"torso"`` (qwop-gym's).
    * ``observation``: ``"qwop-gym"`` (the 60 values above, default) or ``"extended"`` (76 values: each
      part relative to the torso, angular velocities, the keys held; ``extended_observation.py``).
      ``QWOPExtended-v0`` is ``QWOP-v0`` with ``observation="extended"``.

    ## Version History
    * v0: first version (QWOP Studio 0.1); the ``observation`` argument added, its default unchanged.
    """

    metadata = {"render_modes": ["human", "rgb_array"], "render_fps": 30}

    def __init__(self, render_mode: str | None = None, frames_per_step: int = 4, reduced_action_set: bool = False,
                 start_noop_max: int = 0, reward_weights: RewardWeights | dict | None = None,
                 success_rule: str = "landing", observation: str = "qwop-gym") -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode={render_mode!r}: expected None, 'human' or 'rgb_array'")
        self.frames_per_step = _bounded_int("frames_per_step", frames_per_step, 1, MAX_FRAMES_PER_STEP)
        self.start_noop_max = _bounded_int("start_noop_max", start_noop_max, 0, MAX_START_NOOP)
        if not isinstance(reduced_action_set, (bool, np.bool_)):  # bool("no") would be True
            raise ValueError(f"reduced_action_set={reduced_action_set!r}: expected True or False")
        self.reduced_action_set = bool(reduced_action_set)
        if success_rule not in SUCCESS_RULES:
            raise ValueError(f"success_rule={success_rule!r}: expected one of {', '.join(SUCCESS_RULES)}")
        self.success_rule = success_rule
        if observation not in OBSERVATIONS:
            raise ValueError(f"observation={observation!r}: expected one of {', '.join(OBSERVATIONS)}")
        self.observation = observation
        self.render_mode = render_mode
        self.reward_weights = RewardWeights.from_any(reward_weights)
        self.game = QWOPGame()
        #: The key mask of every frame of the episode before the last reset (no-key start frames
        #: included): replayed on a fresh ``QWOPGame`` it is that episode, bit for bit.
        self.last_episode_keys: bytes | None = None
        masks = REDUCED_MASKS if self.reduced_action_set else FULL_MASKS
        self._masks: tuple[int, ...] = tuple(int(m) for m in masks)
        self._n_actions = len(self._masks)
        self.action_space = spaces.Discrete(len(self._masks))
        self.observation_space = spaces.Box(-1.0, 1.0, (OBSERVATIONS[observation],), np.float32)
        self._window = None
        self._begin_episode()

    # ------------------------------------------------------------------------ reward weights
    def set_reward_weights(self, **changes: float) -> dict[str, float]:
        """Change reward weights by name (all or none); the next step uses them. Returns all weights.

        Raises a one-line ``ValueError`` naming the field for an unknown name, a non-number, NaN or inf.
        """
        return self.reward_weights.update(**changes)

    def get_reward_weights(self) -> dict[str, float]:
        """All current reward weights as a plain dict."""
        return self.reward_weights.as_dict()

    # ------------------------------------------------------------------------------ episode
    def prepare_reset(self) -> bool:
        """A few microseconds of the next reset's work, for idle time; False when none is left.

        Vector envs call it while they wait (see ``env.sharded``); the next reset is then cheaper
        and its episode bitwise the same (``QWOPGame.prepare_reset``).
        """
        return self.game.prepare_reset()

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[np.ndarray, dict]:
        """The original's reset, then 0..``start_noop_max`` no-key frames drawn from ``np_random``."""
        super().reset(seed=seed)
        game = self.game
        self.last_episode_keys = game.key_history()
        game.reset()
        if self.start_noop_max:
            for _ in range(int(self.np_random.integers(0, self.start_noop_max + 1))):
                game.step(0)
                if game.game_ended:
                    break
        self._begin_episode()
        if self.render_mode == "human":
            self.render()
        return self._last_obs.copy(), self._info(False, False, dict.fromkeys(TERM_NAMES, 0.0))

    def _begin_episode(self) -> None:
        states = self.game.body_states()
        if not np.isfinite(states).all():
            raise RuntimeError("QWOPEnv.reset: the reset game state is not finite (a bug in qwop_studio.sim)")
        self._last_obs = self._observe(states)
        self._last_distance = self.game.distance
        self._last_time = self.game.time
        self._prev_mask = 0
        self._needs_reset = False

    def step(self, action) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Hold the action's keys for ``frames_per_step`` frames (fewer if the game ends) and score it."""
        if self._needs_reset:
            raise RuntimeError("QWOPEnv.step: the episode ended on a non-finite physics state; call reset()")
        mask = self.action_mask(action)
        game = self.game
        nonfinite = False
        try:
            for _ in range(self.frames_per_step):  # tick()'s work, the mask already checked
                game.step_mask(mask)
                if episode_over(game):
                    break
        except (ValueError, OverflowError):
            # The game's rules round the torso x; a NaN or inf there raises. Only a broken state is ours.
            if np.isfinite(game.body_states()).all():
                raise
            nonfinite = True
        states = game.body_states(copy=False)
        # one reduction instead of two: a finite sum means every value is finite; only a non-finite one
        # (or an overflow of huge finite values) asks the exact question
        if nonfinite or (not math.isfinite(states.sum()) and not np.isfinite(states).all()):
            return self._nonfinite_end()

        w = self.reward_weights
        distance, clock = game.distance, game.time
        torso_x = states[0, 0]
        terminated = bool(episode_over(game))
        if self.success_rule == "landing":
            success = terminated and (game.landed or torso_x > TORSO_X_MAX)
        else:
            success = terminated and distance > SUCCESS_DISTANCE_M
        outcome = StepOutcome(
            ds_m=distance - self._last_distance,
            dt_clock_s=clock - self._last_time,
            frames_per_step=self.frames_per_step,
            terminated=terminated,
            success=success,
            torso_y=float(states[0, 1]),
            changed_keys=(self._prev_mask ^ mask).bit_count(),
            joint_proximity=joint_limit_proximity(game.joint_angles(), game.joint_limits()) if w.joint_weight else 0.0,
        )
        terms = reward_terms(w, outcome)
        reward = sum(terms.values())
        if not math.isfinite(reward):  # finite but extreme states or weights overflowed a term
            return self._nonfinite_end()
        self._last_obs = obs = self._observe(states)
        self._last_distance, self._last_time, self._prev_mask = distance, clock, mask
        if self.render_mode == "human":
            self.render()
        return obs, float(reward), terminated, False, self._info(success, False, terms)

    def _observe(self, states: np.ndarray) -> np.ndarray:
        return normalise(states) if self.observation == "qwop-gym" else extended(states, self.game.keys)

    def start_from(self, snapshot: Any) -> tuple[np.ndarray, dict]:
        """Begin an episode from a game state taken with ``game.snapshot()`` instead of the start line.

        For reference-state initialisation (``env.wrappers.ReferenceStartWrapper``): practising the
        late race and the hurdle as often as the start. The state is set directly (the solver starts
        cold), so the episode is close to, not bitwise, the one the snapshot came from.
        """
        self.game.restore(snapshot)
        self._begin_episode()
        return self._last_obs.copy(), self._info(False, False, dict.fromkeys(TERM_NAMES, 0.0))

    def observe(self) -> np.ndarray:
        """The observation of the game as it stands now (what :meth:`step` would return for this state).

        For callers that step the game tick by tick (:meth:`tick`), such as the studio's live runner.
        """
        return self._observe(self.game.body_states())

    def action_mask(self, action) -> int:
        """The key mask (Q=1, W=2, O=4, P=8) that ``action`` holds in this env's action set.

        Raises ``ValueError`` naming ``action`` if it is not an index of the set (``actions.check_action``).
        """
        if type(action) in _PLAIN_INDEX_TYPES and 0 <= action < self._n_actions:  # the hot path: a plain index
            return self._masks[action]
        return self._masks[check_action(action, self.reduced_action_set)]

    def tick(self, mask: int) -> bool:
        """One physics tick of an env step holding ``mask``; True when the episode is over (:func:`episode_over`).

        :meth:`step` is ``frames_per_step`` of these (fewer when one says the episode is over), then the
        reward. For callers that show an env step frame by frame, such as the studio's live runner;
        the reward and ``info`` bookkeeping of :meth:`step` are not done here.
        """
        self.game.step(mask)
        return episode_over(self.game)

    def _nonfinite_end(self) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """End the episode on a broken physics state: last finite observation, failure cost only."""
        self._needs_reset = True
        terms = dict.fromkeys(TERM_NAMES, 0.0)
        terms["failure"] = -self.reward_weights.failure_cost
        return self._last_obs.copy(), float(sum(terms.values())), True, False, self._info(False, True, terms)

    def _info(self, success: bool, nonfinite: bool, terms: dict[str, float]) -> dict[str, Any]:
        game = self.game
        distance, clock = self._last_distance, self._last_time
        return {
            "distance": distance,
            "time": clock,
            "avg_speed": distance / clock if clock > 0.0 else 0.0,
            "fallen": game.fallen,
            "jumped": game.jumped,
            "landed": game.landed,
            "is_success": bool(success),
            "nonfinite": nonfinite,
            "reward_terms": terms,
        }

    # ------------------------------------------------------------------------------- render
    def render(self) -> np.ndarray | None:
        """``"rgb_array"``: a (400, 640, 3) uint8 frame; ``"human"``: show the game in a window at 30 fps.

        ``qwop_studio.render.scene`` (and pygame) are imported here, on first use: headless training
        never imports them.
        """
        if self.render_mode is None:
            gym.logger.warn("QWOPEnv.render: no render_mode was given; pass render_mode='rgb_array' or 'human'")
            return None
        from qwop_studio.render import scene

        if self.render_mode == "rgb_array":
            width, height = RENDER_SIZE_PX
            return scene.render_rgb_array(self.game, width=width, height=height)
        if self._window is None:
            self._window = scene.HumanWindow(size=RENDER_SIZE_PX, fps=self.metadata["render_fps"])
        self._window.show(self.game)
        return None

    def close(self) -> None:
        """Close the window, if one was opened (safe to call twice)."""
        if self._window is not None:
            self._window.close()
            self._window = None


def _bounded_int(name: str, value, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not minimum <= value <= maximum:
        raise ValueError(f"{name}={value!r}: expected an integer from {minimum} to {maximum}")
    return int(value)


if __name__ == "__main__":
    # Demo: random keys until the runner falls; prints the episode's end.
    env = QWOPEnv()
    obs, info = env.reset(seed=0)
    total, steps, done = 0.0, 0, False
    while not done and steps < MAX_EPISODE_STEPS:
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        total, steps, done = total + reward, steps + 1, terminated or truncated
    print(f"{steps} steps, return {total:.2f}, distance {info['distance']:.2f} m, "
          f"time {info['time']:.2f} s, success {info['is_success']}")
