"""Convex shapes in a part's local frame, built once at import and transformed every frame.

The runner's parts are boxes in Box2D (spec §2.3); to look like limbs they are drawn as rounded
boxes split into coloured bands (shorts, skin, sock ...) with a highlight and a shadow strip. All of
that is static in the part's own frame, so it is computed here once, as numpy arrays of points in
Box2D units, and :mod:`qwop_studio.render.scene` only rotates and translates them per frame.

Local frame: +x along the box's half-width axis, +y along its half-height axis (Box2D's, +y down on
screen when the angle is 0).
"""
from __future__ import annotations

import math

import numpy as np

Polygon = np.ndarray  # shape (n, 2), float64, convex, in Box2D units


def rounded_rect(half_w: float, half_h: float, radius: float, corner_points: int = 4) -> Polygon:
    """A convex rounded rectangle centred on the origin; ``radius`` is clamped to the shorter side."""
    r = max(0.0, min(radius, half_w, half_h))
    cx, cy = half_w - r, half_h - r
    pts: list[tuple[float, float]] = []
    # corners in order: (+,+) (-,+) (-,-) (+,-); each sweeps a quarter turn
    for (sx, sy), start in (((1, 1), 0.0), ((-1, 1), 0.5 * math.pi), ((-1, -1), math.pi), ((1, -1), 1.5 * math.pi)):
        for k in range(corner_points + 1):
            a = start + 0.5 * math.pi * k / corner_points
            pts.append((sx * cx + r * math.cos(a), sy * cy + r * math.sin(a)))
    return np.array(pts, dtype=np.float64)


def ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 20) -> Polygon:
    """A convex ``n``-gon approximating an ellipse."""
    a = np.linspace(0.0, 2.0 * math.pi, n, endpoint=False)
    return np.stack([cx + rx * np.cos(a), cy + ry * np.sin(a)], axis=1)


def clip_half_plane(poly: Polygon, nx: float, ny: float, d: float) -> Polygon:
    """The part of convex ``poly`` where ``nx*x + ny*y <= d`` (Sutherland-Hodgman, one edge)."""
    out: list[tuple[float, float]] = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        dp, dq = nx * p[0] + ny * p[1] - d, nx * q[0] + ny * q[1] - d
        if dp <= 0.0:
            out.append((p[0], p[1]))
        if (dp < 0.0) != (dq < 0.0) and dp != dq:
            t = dp / (dp - dq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return np.array(out, dtype=np.float64).reshape(-1, 2)


def clip_x_band(poly: Polygon, x0: float, x1: float) -> Polygon:
    """The part of ``poly`` with ``x0 <= x <= x1``."""
    lo, hi = min(x0, x1), max(x0, x1)
    return clip_half_plane(clip_half_plane(poly, 1.0, 0.0, hi), -1.0, 0.0, -lo)


def scale_colour(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    """``colour`` brightened (factor > 1) or darkened (< 1), clamped to 0..255."""
    return tuple(max(0, min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


def mix_colour(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    """``a`` blended towards ``b`` by ``t`` (0 = a, 1 = b)."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]
