"""Tests of `tsunagu.retrieval.fusion` on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from tsunagu.retrieval.fusion import ChannelRanking, rescale, rrf, score_fusion


def test_rrf_hand_computed() -> None:
    lexical = ChannelRanking(np.array([10, 20, 30]), np.array([9.0, 5.0, 1.0]))
    vector = ChannelRanking(np.array([20, 40]), np.array([0.9, 0.8]), weight=0.5)
    fused = rrf({"lexical": lexical, "vector": vector}, k=60)
    assert fused[10] == pytest.approx(1 / 61)
    assert fused[20] == pytest.approx(1 / 62 + 0.5 / 61)
    assert fused[30] == pytest.approx(1 / 63)
    assert fused[40] == pytest.approx(0.5 / 62)
    assert max(fused, key=fused.__getitem__) == 20


def test_rescale() -> None:
    assert rescale(np.array([2.0, 4.0, 6.0])).tolist() == [0.0, 0.5, 1.0]
    # against a reference range, with clipping
    assert rescale(np.array([0.0, 3.0, 10.0]), np.array([2.0, 6.0])).tolist() == [0.0, 0.25, 1.0]
    assert rescale(np.array([5.0, 5.0])).tolist() == [1.0, 1.0]
    assert rescale(np.array([0.0, 0.0])).tolist() == [0.0, 0.0]
    assert rescale(np.array([])).size == 0


def test_score_fusion_hand_computed() -> None:
    lexical = ChannelRanking(np.array([1, 2]), np.array([10.0, 4.0]), weight=1.0)
    vector = ChannelRanking(np.array([3, 1]), np.array([0.9, 0.5]), weight=0.5)
    candidates = np.array([1, 2, 3])
    raw = {"lexical": np.array([10.0, 4.0, 2.0]), "vector": np.array([0.5, 0.3, 0.9])}
    total, parts = score_fusion(
        candidates, raw, {"lexical": lexical, "vector": vector}, floors={"lexical": 0.0}
    )
    # lexical: floor 0 → 10 maps to 1, 4 to 0.4, 2 to 0.2; vector: range [0.5, 0.9] → 0, 0 (clipped), 1
    assert parts["lexical"].tolist() == pytest.approx([1.0, 0.4, 0.2])
    assert parts["vector"].tolist() == pytest.approx([0.0, 0.0, 0.5])
    assert total.tolist() == pytest.approx([1.0, 0.4, 0.7])


def test_channel_ranking_validation() -> None:
    with pytest.raises(ValueError):
        ChannelRanking(np.array([1, 2]), np.array([1.0]))
    assert ChannelRanking(np.array([7, 3]), np.array([2.0, 1.0])).ranks() == {7: 1, 3: 2}
