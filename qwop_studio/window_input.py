"""What a desktop window takes from its user: the Q/W/O/P keys as key bits, and ``--size WxH``.

Shared by manual play (``play.py``) and the studio (``studio/app.py``, the live runner in
``studio/live_runner.py``), so that both read the keyboard and a window size the same way.
"""
from __future__ import annotations

import pygame

from qwop_studio.sim.keys import Keys

#: pygame key -> bit of the key mask (Q=1, W=2, O=4, P=8: :class:`qwop_studio.sim.keys.Keys`).
KEY_BITS: dict[int, int] = {pygame.K_q: int(Keys.Q), pygame.K_w: int(Keys.W), pygame.K_o: int(Keys.O),
                            pygame.K_p: int(Keys.P)}


def parse_size(text: str, minimum: tuple[int, int] = (160, 100), example: str = "960x600") -> tuple[int, int]:
    """``"960x600"`` -> (960, 600), at least ``minimum``; raises ``ValueError`` with a one-line message
    (naming ``example``) otherwise."""
    try:
        w, h = (int(v) for v in str(text).lower().split("x"))
    except ValueError:
        raise ValueError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. {example}") from None
    if w < minimum[0] or h < minimum[1]:
        raise ValueError(f"--size {text!r}: at least {minimum[0]}x{minimum[1]}")
    return w, h
