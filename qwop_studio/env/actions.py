"""The discrete actions of QWOP: which keys an action holds, and back (spec §3.2, §5.4).

Two tables, both in qwop-gym's index order so that its users' policies and logs carry over:

* ``FULL_ACTIONS`` (16): every key combination, built like qwop-gym's ``itertools.combinations`` over
  the key order Q, W, O, P.
* ``REDUCED_ACTIONS`` (9): qwop-gym's reduced list. QW behaves as Q and OP as O (Q beats W, O beats
  P), so it holds only 7 distinct motor commands and cannot express Q+O or W+P.

:func:`keys_to_action` maps any key state to the *nearest* action (the studio needs it when a human
takes over a policy's env). "Nearest" is, in order of priority:

1. the fewest differing motor commands, scored per chain (arm/hip chain Q-W, knee chain O-P): the same
   command 0, one side idle 1, opposite directions 2. A key state whose command the set can express
   maps to an action with exactly that command;
2. then the fewest differing keys (so the exact key set wins when the set has it: OP -> OP, not O);
3. then the lowest index.

In the full set every key state is an action, so the mapping is exact. In the reduced set every key
state the set holds maps to itself; the others (computed into :data:`KEYS_TO_REDUCED`): QO -> Q,
QWO -> QW, QOP -> OP, QWOP -> QW (command Q+O: the set has no such action, one chain kept), WP -> W
(command W+P, likewise), QWP -> QP and WOP -> WO (same command).
"""
from __future__ import annotations

from itertools import combinations

import numpy as np

from qwop_studio.sim.keys import KEY_LETTERS, MOTOR_COMMANDS, key_mask, key_string

#: qwop-gym's full action set: index -> keys held ("" = none).
FULL_ACTIONS: tuple[str, ...] = tuple(
    "".join(combo) for n in range(len(KEY_LETTERS) + 1) for combo in combinations(KEY_LETTERS, n)
)
#: qwop-gym's ``reduced_action_set=True`` list: index -> keys held.
REDUCED_ACTIONS: tuple[str, ...] = ("", "Q", "W", "O", "P", "QW", "QP", "WO", "OP")


def motor_command(mask: int) -> tuple[str, str]:
    """The (arm chain, knee chain) command a key mask gives: ``("Q"|"W"|"", "O"|"P"|"")``.

    The sim's rule (:func:`qwop_studio.sim.keys.motor_command`: Q beats W, O beats P), with ``""`` for
    an idle chain.
    """
    arm, leg = MOTOR_COMMANDS[mask]
    return arm or "", leg or ""


def _chain_distance(a: str, b: str) -> int:
    """0 for the same command, 1 when one side is idle, 2 for opposite directions."""
    if a == b:
        return 0
    return 1 if "" in (a, b) else 2


def _nearest(mask: int, actions: tuple[str, ...]) -> int:
    arm, leg = motor_command(mask)

    def cost(index: int) -> tuple[int, int, int]:
        other = key_mask(actions[index])
        o_arm, o_leg = motor_command(other)
        command = _chain_distance(arm, o_arm) + _chain_distance(leg, o_leg)
        return command, bin(mask ^ other).count("1"), index

    return min(range(len(actions)), key=cost)


#: key mask (0..15) -> nearest action index, precomputed for both sets.
KEYS_TO_FULL: tuple[int, ...] = tuple(_nearest(m, FULL_ACTIONS) for m in range(16))
KEYS_TO_REDUCED: tuple[int, ...] = tuple(_nearest(m, REDUCED_ACTIONS) for m in range(16))
#: action index -> key mask, as arrays for fast lookup in the env's step.
FULL_MASKS: np.ndarray = np.array([key_mask(k) for k in FULL_ACTIONS], dtype=np.int64)
REDUCED_MASKS: np.ndarray = np.array([key_mask(k) for k in REDUCED_ACTIONS], dtype=np.int64)


def action_table(reduced: bool) -> tuple[str, ...]:
    """The action set's keys by index: :data:`REDUCED_ACTIONS` or :data:`FULL_ACTIONS`."""
    return REDUCED_ACTIONS if reduced else FULL_ACTIONS


def check_action(action, reduced: bool) -> int:
    """``action`` as a plain ``int`` index; raises ``ValueError`` naming it if it is not a valid index.

    Accepts Python and numpy integers and integer arrays of one element (what vector envs pass);
    rejects bools, floats and anything out of range.
    """
    n = len(REDUCED_ACTIONS if reduced else FULL_ACTIONS)
    value = action
    if isinstance(value, np.ndarray) and value.size == 1 and np.issubdtype(value.dtype, np.integer):
        value = value.reshape(()).item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"action {action!r}: expected an integer index in 0..{n - 1}, "
                         f"got {type(action).__name__}")
    if not 0 <= value < n:
        set_name = "reduced (9)" if reduced else "full (16)"
        raise ValueError(f"action {action!r}: out of range for the {set_name} action set, expected 0..{n - 1}")
    return int(value)


def action_to_keys(index: int, reduced: bool = False) -> str:
    """The keys action ``index`` holds, as letters in QWOP order (``""`` = none).

    Raises ``ValueError`` naming the index if it is not an action of the set.
    """
    return action_table(reduced)[check_action(index, reduced)]


def keys_to_action(keys: str | int, reduced: bool = False) -> int:
    """The nearest action index for a key state (letters or mask 0..15); see the module docstring.

    Raises ``ValueError`` naming ``keys`` if it is not a key state.
    """
    mask = key_mask(keys)
    return (KEYS_TO_REDUCED if reduced else KEYS_TO_FULL)[mask]


__all__ = ["FULL_ACTIONS", "REDUCED_ACTIONS", "KEYS_TO_FULL", "KEYS_TO_REDUCED", "action_table",
           "action_to_keys", "keys_to_action", "check_action", "motor_command", "key_string"]
