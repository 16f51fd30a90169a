"""Key states: which of Q, W, O and P are held.

A key state is a 4-bit mask (Q=1, W=2, O=4, P=8). The sim accepts it as an ``int``, a
:class:`Keys` flag, or a string of the letters ``QWOP`` (either case; ``""`` means no key), and
rejects anything else with a ``ValueError`` that names the bad input.
"""
from __future__ import annotations

import enum
from functools import lru_cache


class Keys(enum.IntFlag):
    """The four keys as bits of one small integer."""

    NONE = 0
    Q = 1
    W = 2
    O = 4  # noqa: E741 (the key's name)
    P = 8


KEY_LETTERS = "QWOP"
ALL_KEYS_MASK = 0b1111


@lru_cache(maxsize=64)
def _mask_of_string(text: str) -> int:
    mask = 0
    for ch in text:
        i = KEY_LETTERS.find(ch.upper())
        if i < 0:
            raise ValueError(f"keys {text!r}: {ch!r} is not one of Q, W, O, P")
        mask |= 1 << i
    return mask


def key_mask(keys: str | int | Keys) -> int:
    """The 4-bit mask of ``keys``; raises ``ValueError`` naming the input if it is not a key state."""
    if type(keys) is int and 0 <= keys <= ALL_KEYS_MASK:  # the hot path: an env's action mask
        return keys
    if isinstance(keys, str):
        return _mask_of_string(keys)
    if isinstance(keys, (int,)) and not isinstance(keys, bool):
        if 0 <= keys <= ALL_KEYS_MASK:
            return int(keys)
        raise ValueError(f"keys {keys!r}: a key mask must be in 0..15 (Q=1, W=2, O=4, P=8)")
    raise ValueError(f"keys {keys!r}: expected a string of Q/W/O/P letters or a mask 0..15, "
                     f"got {type(keys).__name__}")


def key_string(mask: int) -> str:
    """The letters of a mask, in QWOP order: ``key_string(9) == "QP"``."""
    return "".join(letter for i, letter in enumerate(KEY_LETTERS) if mask >> i & 1)


def motor_command(mask: int) -> tuple[str | None, str | None]:
    """The (arm chain, knee chain) command a key mask gives, ``None`` for an idle chain.

    The game's rule: Q beats W and O beats P (a chain obeys one key; with both held, Q or O wins),
    so ``motor_command(Keys.Q | Keys.W) == ("Q", None)``. The sim drives the motors by it, and the
    env's action sets and demonstrations compare key states by it.
    """
    arm = "Q" if mask & Keys.Q else ("W" if mask & Keys.W else None)
    leg = "O" if mask & Keys.O else ("P" if mask & Keys.P else None)
    return arm, leg


#: :func:`motor_command` of every mask 0..15, for the sim's per-frame lookup.
MOTOR_COMMANDS: tuple[tuple[str | None, str | None], ...] = tuple(motor_command(m) for m in range(ALL_KEYS_MASK + 1))
