"""Geometry for charts: a squarified treemap and a force-directed graph layout (pure NumPy)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["Rect", "force_layout", "squarify"]

Rect = tuple[float, float, float, float]  # x, y, width, height


def _worst(row: Sequence[float], side: float) -> float:
    s = sum(row)
    if s <= 0 or side <= 0:
        return math.inf
    return max(max(side * side * r / (s * s), (s * s) / (side * side * r)) for r in row)


def squarify(
    values: Sequence[float], x: float = 0.0, y: float = 0.0, w: float = 1.0, h: float = 1.0
) -> list[Rect]:
    """Squarified treemap (Bruls, Huizing, van Wijk) of ``values`` (sorted descending) in a rectangle.

    Returns one rectangle per value, in the same order; zero values get empty rectangles.
    """
    total = float(sum(values))
    if total <= 0:
        return [(x, y, 0.0, 0.0) for _ in values]
    scale = w * h / total
    areas = [v * scale for v in values]
    rects: list[Rect] = []
    i = 0
    while i < len(areas):
        side = min(w, h)
        row = [areas[i]]
        j = i + 1
        while j < len(areas) and _worst([*row, areas[j]], side) <= _worst(row, side):
            row.append(areas[j])
            j += 1
        s = sum(row)
        if w >= h:  # lay the row out as a column on the left
            cw = s / h if h else 0.0
            cy = y
            for a in row:
                rh = a / cw if cw else 0.0
                rects.append((x, cy, cw, rh))
                cy += rh
            x, w = x + cw, w - cw
        else:  # as a row at the bottom
            rh = s / w if w else 0.0
            cx = x
            for a in row:
                rw = a / rh if rh else 0.0
                rects.append((cx, y, rw, rh))
                cx += rw
            y, h = y + rh, h - rh
        i = j
    return rects


def force_layout(
    n: int, edges: Sequence[tuple[int, int, float]], *, seed: int = 0, iterations: int = 300
) -> np.ndarray:
    """Fruchterman–Reingold layout of ``n`` nodes; ``edges`` are ``(i, j, weight)``.

    Returns ``(n, 2)`` coordinates scaled to [0, 1].

    Deterministic for a given seed (nodes start on a circle with a small seeded jitter).
    """
    if n == 0:
        return np.zeros((0, 2))
    if n == 1:
        return np.array([[0.5, 0.5]])
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pos = np.c_[np.cos(angles), np.sin(angles)] * 0.5 + rng.normal(0, 0.01, (n, 2))
    k = math.sqrt(1.0 / n)
    wmax = max((w for _, _, w in edges), default=1.0) or 1.0
    ei = np.array([(i, j) for i, j, _ in edges], dtype=np.int64).reshape(-1, 2)
    ew = np.array([w / wmax for _, _, w in edges], dtype=np.float64)
    temp = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.linalg.norm(delta, axis=2) + 1e-9
        disp = ((k * k / dist**2)[:, :, None] * delta).sum(axis=1)
        if len(ei):
            d = pos[ei[:, 0]] - pos[ei[:, 1]]
            dl = np.linalg.norm(d, axis=1) + 1e-9
            f = (dl * dl / k * (0.2 + np.sqrt(ew)))[:, None] * d / dl[:, None]
            np.add.at(disp, ei[:, 0], -f)
            np.add.at(disp, ei[:, 1], f)
        disp -= pos * 0.3  # gravity keeps weakly linked nodes in view
        length = np.linalg.norm(disp, axis=1) + 1e-9
        pos += disp / length[:, None] * np.minimum(length, temp)[:, None]
        temp = max(temp * 0.985, 0.002)
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    return (pos - lo) / span
