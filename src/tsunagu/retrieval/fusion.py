"""Fusion of ranked lists from several retrieval channels.

Two families, both pure functions over row ids and scores:

* `rrf` — reciprocal rank fusion: ``Σ_c w_c / (k + rank_c(d))`` over the channels that ranked ``d``;
  uses ranks only, so it needs no score calibration.
* `score_fusion` — a weighted sum of per-channel scores rescaled to [0, 1] over each channel's own top
  list (`rescale`): keeps how *much* better one document is than the next, which ranks discard.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["ChannelRanking", "rescale", "rrf", "score_fusion"]


class ChannelRanking:
    """One channel's top list: row ids best first, their scores, and the channel's fusion weight.

    Args:
        ids: row ids, best first.
        scores: the channel's raw scores of ``ids`` (same length).
        weight: the channel's weight in the fused score.
    """

    def __init__(self, ids: np.ndarray, scores: np.ndarray, weight: float = 1.0) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self.scores = np.asarray(scores, dtype=np.float64)
        if self.ids.shape != self.scores.shape:
            raise ValueError("ids and scores must have the same length")
        self.weight = float(weight)

    def ranks(self) -> dict[int, int]:
        """1-based rank of each row id."""
        return {int(i): r for r, i in enumerate(self.ids.tolist(), start=1)}


def rrf(channels: Mapping[str, ChannelRanking], k: float = 60.0) -> dict[int, float]:
    """Weighted reciprocal rank fusion.

    Args:
        channels: name → ranking; a document absent from a channel's list gets nothing from it.
        k: the rank offset (60 in the original paper); larger values flatten the rank curve.

    Returns:
        Row id → fused score, for every row in any list.
    """
    fused: dict[int, float] = {}
    for ch in channels.values():
        for r, i in enumerate(ch.ids.tolist(), start=1):
            fused[i] = fused.get(i, 0.0) + ch.weight / (k + r)
    return fused


def rescale(scores: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Min–max rescale ``scores`` onto [0, 1] using the range of ``reference`` (default: ``scores``).

    Values outside the reference range are clipped. A constant reference maps every positive score to 1.
    """
    s = np.asarray(scores, dtype=np.float64)
    ref = s if reference is None else np.asarray(reference, dtype=np.float64)
    if ref.size == 0:
        return np.zeros_like(s)
    lo, hi = float(ref.min()), float(ref.max())
    if hi - lo <= 1e-12:
        return (s > 0).astype(np.float64) if hi > 0 else np.zeros_like(s)
    return np.clip((s - lo) / (hi - lo), 0.0, 1.0)


def score_fusion(
    candidates: np.ndarray,
    channel_scores: Mapping[str, np.ndarray],
    channels: Mapping[str, ChannelRanking],
    floors: Mapping[str, float] | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Weighted sum of rescaled channel scores over a candidate set.

    Each channel's raw scores of ``candidates`` are rescaled with the range of that channel's own top
    list (its best score → 1, its last listed score → 0; lower scores clip to 0), then weighted.

    Args:
        candidates: row ids to score.
        channel_scores: name → raw score of each candidate (aligned with ``candidates``).
        channels: name → the channel's top list (for the rescaling range) and weight.
        floors: optional name → raw score mapped to 0 instead of the list's last score (for example
            0 for BM25, whose scores are already anchored at zero).

    Returns:
        The fused score of each candidate, and each channel's weighted contribution (name → array).
    """
    total = np.zeros(len(candidates), dtype=np.float64)
    parts: dict[str, np.ndarray] = {}
    for name, ch in channels.items():
        raw = np.asarray(channel_scores[name], dtype=np.float64)
        ref = ch.scores
        if floors and name in floors and ref.size:
            ref = np.array([floors[name], float(ref.max())])
        part = ch.weight * rescale(raw, ref)
        parts[name] = part
        total += part
    return total, parts
