"""Tests of the ranking metrics and Jaccard relevance on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tsunagu.services.evaluation.metrics import (
    CodeSetIndex,
    jaccard,
    mean_metrics,
    ndcg_at_k,
    precision_at_k,
    reciprocal_rank,
)


def test_jaccard() -> None:
    assert jaccard({"A", "B"}, {"B", "C"}) == pytest.approx(1 / 3)
    assert jaccard({"A"}, {"A"}) == 1.0
    assert jaccard(set(), {"A"}) == 0.0


def test_ndcg_hand_computed() -> None:
    gains = np.array([0.0, 1.0, 0.5, 0.0, 0.25])
    # ranking [2, 1, 3]: DCG = 0.5/log2(2) + 1/log2(3) + 0 ; ideal over the corpus: 1, 0.5, 0.25
    dcg = 0.5 + 1 / math.log2(3)
    idcg = 1 + 0.5 / math.log2(3) + 0.25 / math.log2(4)
    assert ndcg_at_k([2, 1, 3], gains, k=10) == pytest.approx(dcg / idcg)
    assert ndcg_at_k([1, 2, 4], gains) == pytest.approx(1.0)
    # the cut-off applies to both the ranking and the ideal
    assert ndcg_at_k([2, 1], gains, k=1) == pytest.approx(0.5)
    assert ndcg_at_k([0, 3], np.zeros(5)) == 0.0


def test_precision_and_mrr() -> None:
    gains = np.array([0.0, 1.0, 0.5, 0.0])
    assert precision_at_k([0, 1, 2, 3], gains, k=10) == pytest.approx(0.2)  # divided by k, not by length
    assert precision_at_k([1, 2], gains, k=2) == 1.0
    assert reciprocal_rank([0, 3, 2], gains) == pytest.approx(1 / 3)
    assert reciprocal_rank([0, 3], gains) == 0.0


def test_mean_metrics() -> None:
    rows = [{"ndcg@10": 0.5, "p@10": 0.1, "mrr": 1.0}, {"ndcg@10": 0.25, "p@10": 0.3, "mrr": 0.5}]
    assert mean_metrics(rows) == {"ndcg@10": 0.375, "p@10": 0.2, "mrr": 0.75, "n": 2}
    assert mean_metrics([]) == {"ndcg@10": 0.0, "p@10": 0.0, "mrr": 0.0, "n": 0}


def test_code_set_index_gains() -> None:
    index = CodeSetIndex([("A", "B"), ("B",), (), ("C", "D"), ("A", "B", "C")])
    g = index.gains({"A", "B"})
    assert g.tolist() == pytest.approx([1.0, 0.5, 0.0, 0.0, 2 / 3])
    assert index.gains(["Z"]).tolist() == [0.0] * 5
    assert index.gains([]).tolist() == [0.0] * 5
    assert sorted(index.postings("B").tolist()) == [0, 1, 4]
    for codes in ({"A"}, {"B", "C"}, {"D", "A", "B"}):
        expected = [jaccard(codes, d) for d in [("A", "B"), ("B",), (), ("C", "D"), ("A", "B", "C")]]
        assert index.gains(codes).tolist() == pytest.approx(expected)
