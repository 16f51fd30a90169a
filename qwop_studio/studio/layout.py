"""Where each part of the studio's window goes, for any window size (pixels)."""
from __future__ import annotations

import pygame

DEFAULT_SIZE = (1280, 800)
MIN_SIZE = (960, 600)

# ---------------------------------------------------------------------------------- layout (px)
MARGIN, GAP, TOOLBAR_H, CARD_HEADER_H = 12, 10, 56, 38
RIGHT_COLUMN_W = (340, 420)   # min, max
RIGHT_COLUMN_FRACTION = 0.31
STATUS_CARD_H = (190, 226)   # min, max
STATUS_CARD_FRACTION = 0.3
CHART_ROW_H = (180, 250)      # min, max
CHART_ROW_FRACTION = 0.29



def compute_layout(size: tuple[int, int]) -> dict[str, pygame.Rect]:
    """Rectangles of every part for a window of ``size``; they never overlap."""
    w, h = max(size[0], MIN_SIZE[0]), max(size[1], MIN_SIZE[1])
    right_w = int(min(max(w * RIGHT_COLUMN_FRACTION, RIGHT_COLUMN_W[0]), RIGHT_COLUMN_W[1]))
    top = TOOLBAR_H + MARGIN
    bottom = h - MARGIN
    left_w = w - 2 * MARGIN - GAP - right_w
    chart_h = int(min(max((bottom - top) * CHART_ROW_FRACTION, CHART_ROW_H[0]), CHART_ROW_H[1]))
    runner = pygame.Rect(MARGIN, top, left_w, bottom - top - GAP - chart_h)
    chart_w = (left_w - GAP) // 2
    status_h = int(min(max((bottom - top) * STATUS_CARD_FRACTION, STATUS_CARD_H[0]), STATUS_CARD_H[1]))
    right_x = MARGIN + left_w + GAP
    return {
        "toolbar": pygame.Rect(0, 0, w, TOOLBAR_H),
        "runner": runner,
        "scene": pygame.Rect(runner.left + 1, runner.top + CARD_HEADER_H, runner.w - 2, runner.h - CARD_HEADER_H - 1),
        "chart0": pygame.Rect(MARGIN, runner.bottom + GAP, chart_w, chart_h),
        "chart1": pygame.Rect(MARGIN + chart_w + GAP, runner.bottom + GAP, left_w - chart_w - GAP, chart_h),
        "status": pygame.Rect(right_x, top, right_w, status_h),
        "sliders": pygame.Rect(right_x, top + status_h + GAP, right_w, bottom - top - status_h - GAP),
    }
