"""Helpers shared by embedders."""

from __future__ import annotations

import numpy as np

__all__ = ["l2_normalise"]


def l2_normalise(matrix: np.ndarray) -> np.ndarray:
    """Rows of ``matrix`` scaled to unit length, as float32 (zero rows stay zero)."""
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim == 1:
        norm = float(np.linalg.norm(m))
        return m / norm if norm > 0 else m
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms
