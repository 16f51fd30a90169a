"""The runner's look: colours and shapes of the 12 parts, as data, and how to draw them.

Our own drawing (no sprites from the original game): each part is its Box2D box (spec §2.3) drawn
as a rounded box with a dark outline, split along its length into coloured bands (shorts, skin,
sock, shoe ...), with a highlight strip on the side that faces the light and a shadow strip on the
other side, so limbs read as round. The far side of the body (the ``left*`` parts, drawn behind the
torso in the original's depth order) is darkened for depth. The head is a face with hair, eye, nose
and moustache.

Everything is built once in each part's local frame (:mod:`qwop_studio.render.geometry`); per frame
the points of one part are rotated and translated in a single numpy operation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pygame

from qwop_studio.render import geometry as geo
from qwop_studio.sim import spec

Colour = tuple[int, int, int]

# ------------------------------------------------------------------------------- palette (RGB)
PALETTE: dict[str, Colour] = {
    "skin": (236, 184, 140),
    "hand": (222, 166, 122),
    "singlet": (246, 244, 236),
    "stripe_red": (214, 48, 49),
    "stripe_blue": (40, 84, 170),
    "shorts": (204, 44, 50),
    "sock": (250, 250, 250),
    "shoe": (245, 245, 245),
    "shoe_stripe": (214, 48, 49),
    "sole": (52, 52, 64),
    "hair": (58, 38, 30),
    "eye": (30, 24, 24),
    "outline": (52, 34, 28),
}
#: Brightness of the far-side (left) parts relative to the near side.
FAR_SIDE_SHADE = 0.80
#: Highlight and shadow strips: colour factor and how far across the part (fraction of half-height).
HIGHLIGHT_FACTOR, HIGHLIGHT_FROM = 1.12, -0.30
SHADOW_FACTOR, SHADOW_FROM = 0.84, 0.45
#: Outline thickness and corner radius, in Box2D units / fraction of the half-height.
OUTLINE_U = 0.14
CORNER_FRAC = 0.75
#: Light comes from the upper left of the screen (unit vector, +y down).
LIGHT_DIR = (-0.45, -0.89)


@dataclass(frozen=True)
class PartLook:
    """Bands along a part from its joint end (u = 0) to its free end (u = 1): (u0, u1, palette key)."""

    bands: tuple[tuple[float, float, str], ...]
    #: Extra flat shapes on the +y side (the shoe's sole): (from fraction of half-height, palette key).
    sole: str | None = None


#: Per part, from the joint that attaches it to its parent (the torso from the neck down).
PART_LOOKS: dict[str, PartLook] = {
    "torso": PartLook(((0.0, 0.17, "singlet"), (0.17, 0.27, "stripe_red"), (0.27, 0.35, "stripe_blue"),
                       (0.35, 0.86, "singlet"), (0.86, 1.0, "shorts"))),
    "leftThigh": PartLook(((0.0, 0.62, "shorts"), (0.62, 1.0, "skin"))),
    "rightThigh": PartLook(((0.0, 0.62, "shorts"), (0.62, 1.0, "skin"))),
    "leftCalf": PartLook(((0.0, 0.70, "skin"), (0.70, 1.0, "sock"))),
    "rightCalf": PartLook(((0.0, 0.70, "skin"), (0.70, 1.0, "sock"))),
    "leftArm": PartLook(((0.0, 1.0, "skin"),)),
    "rightArm": PartLook(((0.0, 1.0, "skin"),)),
    "leftForearm": PartLook(((0.0, 0.78, "skin"), (0.78, 1.0, "hand"))),
    "rightForearm": PartLook(((0.0, 0.78, "skin"), (0.78, 1.0, "hand"))),
    "leftFoot": PartLook(((0.0, 0.30, "shoe"), (0.30, 0.48, "shoe_stripe"), (0.48, 1.0, "shoe")), sole="sole"),
    "rightFoot": PartLook(((0.0, 0.30, "shoe"), (0.30, 0.48, "shoe_stripe"), (0.48, 1.0, "shoe")), sole="sole"),
}
#: The head, in fractions of its half-extents (local +x = the way the runner faces).
HEAD_HAIR_LINE = ((0.75, -0.40), (-0.55, 0.55))  # two points; the hair is above/behind this line
HEAD_EYE = (0.42, -0.12, 0.11)  # x, y fractions and radius in units
HEAD_NOSE = ((0.86, -0.10), (1.16, 0.20), (0.86, 0.30))
HEAD_MOUSTACHE = ((0.30, 0.36), (0.95, 0.36), (0.92, 0.52), (0.30, 0.50))
HEAD_EAR = (-0.20, 0.10, 0.20, 0.26)  # x, y fractions and radii in units


def _joint_end_sign(name: str) -> float:
    """+1 if the joint that attaches ``name`` to its parent lies at local +x, else -1 (spawn pose)."""
    part = spec.PART_BY_NAME[name]
    if name == "torso":
        anchor = next(j.world_b for j in spec.JOINTS if j.name == "neck")
    else:
        anchor = next(j.world_a for j in spec.JOINTS if j.body_a == name)
    dx, dy = anchor[0] - part.x, anchor[1] - part.y
    local_x = math.cos(part.angle) * dx + math.sin(part.angle) * dy
    return 1.0 if local_x >= 0.0 else -1.0


@dataclass
class PartDrawing:
    """One part's polygons in its local frame, with colours; two variants for the two lit sides."""

    name: str
    row: int  # row in ``QWOPGame.body_states()``
    points: tuple[np.ndarray, np.ndarray]  # all polygons' points stacked, per variant (lit -y, lit +y)
    polys: tuple[tuple[tuple[int, int, Colour], ...], ...]  # per variant: (start, stop, colour)
    outline: tuple[int, int]  # the outline polygon's slice (same in both variants)


def _add(pts: list[np.ndarray], polys: list[tuple[int, int, Colour]], count: list[int],
         poly: np.ndarray, colour: Colour) -> None:
    if len(poly) >= 3:
        pts.append(poly)
        polys.append((count[0], count[0] + len(poly), colour))
        count[0] += len(poly)


def _limb(name: str, shade: float) -> tuple[list, list]:
    box = spec.PART_BY_NAME[name]
    look = PART_LOOKS[name]
    hw, hh = box.half_w, box.half_h
    sign = _joint_end_sign(name)
    outer = geo.rounded_rect(hw, hh, CORNER_FRAC * hh)
    inner = geo.rounded_rect(hw - OUTLINE_U, hh - OUTLINE_U, CORNER_FRAC * (hh - OUTLINE_U))
    hin = hh - OUTLINE_U
    variants = []
    for lit in (-1.0, 1.0):  # lit side: local -y or +y
        pts: list[np.ndarray] = []
        polys: list[tuple[int, int, Colour]] = []
        count = [0]
        _add(pts, polys, count, outer, geo.scale_colour(PALETTE["outline"], shade))
        for u0, u1, key in look.bands:
            x0, x1 = sign * hw * (1 - 2 * u0), sign * hw * (1 - 2 * u1)
            band = geo.clip_x_band(inner, x0, x1)
            base = geo.scale_colour(PALETTE[key], shade)
            _add(pts, polys, count, band, base)
            # highlight: the strip beyond |HIGHLIGHT_FROM| * hin on the lit side
            hi = geo.clip_half_plane(band, 0.0, -lit, HIGHLIGHT_FROM * hin)
            _add(pts, polys, count, hi, geo.scale_colour(base, HIGHLIGHT_FACTOR))
            lo = geo.clip_half_plane(band, 0.0, lit, -SHADOW_FROM * hin)
            _add(pts, polys, count, lo, geo.scale_colour(base, SHADOW_FACTOR))
        if look.sole:
            sole = geo.clip_half_plane(inner, 0.0, -1.0, -0.45 * hin)
            _add(pts, polys, count, sole, geo.scale_colour(PALETTE[look.sole], shade))
        variants.append((np.concatenate(pts), tuple(polys)))
    return variants


def _head(shade: float) -> list:
    box = spec.PART_BY_NAME["head"]
    hw, hh = box.half_w, box.half_h
    outer = geo.ellipse(0.0, 0.0, hw, hh, 24)
    face = geo.ellipse(0.0, 0.0, hw - OUTLINE_U, hh - OUTLINE_U, 24)
    (ax, ay), (bx, by) = HEAD_HAIR_LINE
    p, q = (ax * hw, ay * hh), (bx * hw, by * hh)
    nx, ny = (q[1] - p[1]), -(q[0] - p[0])  # normal of the hair line, pointing down/forward
    hair = geo.clip_half_plane(outer, nx, ny, nx * p[0] + ny * p[1])  # keep the side above/behind
    skin = geo.scale_colour(PALETTE["skin"], shade)
    ex, ey, er = HEAD_EYE
    erx, ery, err_x, err_y = HEAD_EAR
    variants = []
    for _lit in (-1.0, 1.0):
        pts: list[np.ndarray] = []
        polys: list[tuple[int, int, Colour]] = []
        count = [0]
        nose = np.array([(x * hw, y * hh) for x, y in HEAD_NOSE])
        _add(pts, polys, count, outer, geo.scale_colour(PALETTE["outline"], shade))
        _add(pts, polys, count, nose, geo.scale_colour(PALETTE["outline"], shade))
        _add(pts, polys, count, face, skin)
        _add(pts, polys, count, nose * 0.93 + np.array([0.0, 0.01]), skin)
        cheek = geo.clip_half_plane(face, 0.0, 1.0, -0.2 * hh)
        _add(pts, polys, count, cheek, geo.scale_colour(skin, HIGHLIGHT_FACTOR))
        _add(pts, polys, count, hair, geo.scale_colour(PALETTE["hair"], shade))
        _add(pts, polys, count, geo.ellipse(erx * hw, ery * hh, err_x, err_y, 10), geo.scale_colour(skin, 0.9))
        _add(pts, polys, count, geo.ellipse(ex * hw, ey * hh, er, er, 8), PALETTE["eye"])
        _add(pts, polys, count, np.array([(x * hw, y * hh) for x, y in HEAD_MOUSTACHE]),
             geo.scale_colour(PALETTE["hair"], shade))
        variants.append((np.concatenate(pts), tuple(polys)))
    return variants


def _build() -> tuple[PartDrawing, ...]:
    drawings = []
    for box in sorted(spec.PARTS, key=lambda b: b.depth):
        name = box.name
        shade = FAR_SIDE_SHADE if name.startswith("left") else 1.0
        variants = _head(shade) if name == "head" else _limb(name, shade)
        drawings.append(PartDrawing(
            name=name, row=spec.OBSERVATION_ORDER.index(name),
            points=(variants[0][0], variants[1][0]), polys=(variants[0][1], variants[1][1]),
            outline=variants[0][1][0][:2],
        ))
    return tuple(drawings)


#: The parts in the original's depth order (back to front).
DRAWINGS: tuple[PartDrawing, ...] = _build()

#: Every colour a runner pixel can have away from its edges (tests look for these).
BODY_COLOURS: frozenset[Colour] = frozenset(
    c for d in DRAWINGS for variant in d.polys for (_s, _e, c) in variant
)
#: The flat colour at the centre of the torso (the singlet, between highlight and shadow).
TORSO_CENTRE_COLOUR: Colour = PALETTE["singlet"]


def draw_runner(surface: pygame.Surface, states: np.ndarray, scale: float, left_px: float, top_px: float) -> None:
    """Draw the 12 parts of ``states`` (``QWOPGame.body_states()``) back to front.

    ``scale`` is screen px per original px; ``left_px``/``top_px`` are the world px at the
    surface's top-left corner.
    """
    k = spec.PX_PER_UNIT * scale
    lx, ly = LIGHT_DIR
    draw_polygon = pygame.draw.polygon
    for d in DRAWINGS:
        x, y, a = states[d.row, 0], states[d.row, 1], states[d.row, 2]
        c, s = math.cos(a), math.sin(a)
        # local -y in world is (sin a, -cos a): lit side is -y if it faces the light
        variant = 0 if (s * lx - c * ly) >= 0.0 else 1
        local = d.points[variant]
        rot = np.array(((c * k, s * k), (-s * k, c * k)))
        screen = local @ rot
        screen[:, 0] += x * k - left_px * scale
        screen[:, 1] += y * k - top_px * scale
        pts = screen.tolist()
        for start, stop, colour in d.polys[variant]:
            draw_polygon(surface, colour, pts[start:stop])
        o0, o1 = d.outline
        pygame.draw.aalines(surface, d.polys[variant][0][2], True, pts[o0:o1])
