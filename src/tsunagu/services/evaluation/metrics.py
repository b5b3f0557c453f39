"""Ranking metrics with graded relevance, and classification-overlap relevance over a whole corpus.

Relevance of a corpus document to a query document is the Jaccard overlap of their sets of full IPC
symbols (``|Q ∩ D| / |Q ∪ D|``). `CodeSetIndex` computes it against every corpus document at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

__all__ = [
    "CodeSetIndex",
    "jaccard",
    "mean_metrics",
    "ndcg_at_k",
    "precision_at_k",
    "reciprocal_rank",
]


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """Jaccard overlap of two code sets (0 when either is empty)."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def ndcg_at_k(ranking: Sequence[int], gains: np.ndarray, k: int = 10) -> float:
    """nDCG@k with linear gains; the ideal ranking is taken over every document of ``gains``.

    Args:
        ranking: document rows, best first.
        gains: relevance of every corpus document (row-indexed).
        k: cut-off.

    Returns:
        DCG of the ranking's first ``k`` rows (gain / log2(rank + 1)) over the ideal DCG; 0 when no
        document is relevant.
    """
    ideal = np.sort(np.asarray(gains, dtype=np.float64))[::-1][:k]
    idcg = float(sum(g / math.log2(r + 2) for r, g in enumerate(ideal)))
    if idcg <= 0:
        return 0.0
    dcg = sum(float(gains[i]) / math.log2(r + 2) for r, i in enumerate(ranking[:k]))
    return dcg / idcg


def precision_at_k(ranking: Sequence[int], gains: np.ndarray, k: int = 10) -> float:
    """Share of the first ``k`` positions holding a document with positive relevance (divided by ``k``)."""
    return sum(1 for i in ranking[:k] if gains[i] > 0) / k


def reciprocal_rank(ranking: Sequence[int], gains: np.ndarray) -> float:
    """1 / rank of the first document with positive relevance in ``ranking`` (0 when there is none)."""
    for r, i in enumerate(ranking):
        if gains[i] > 0:
            return 1.0 / (r + 1)
    return 0.0


def mean_metrics(
    rows: Sequence[Mapping[str, float]], names: Sequence[str] = ("ndcg@10", "p@10", "mrr")
) -> dict[str, float]:
    """Mean of each metric over ``rows`` (rounded to 4 decimals) plus ``n``, the number of rows."""
    out: dict[str, float] = {}
    for name in names:
        out[name] = round(float(np.mean([r[name] for r in rows])), 4) if rows else 0.0
    out["n"] = len(rows)
    return out


class CodeSetIndex:
    """Code sets of a corpus, for Jaccard relevance against all documents at once.

    Args:
        code_sets: the set of full IPC symbols of each corpus document, row-indexed.
    """

    def __init__(self, code_sets: Sequence[Iterable[str]]) -> None:
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        sizes = np.zeros(len(code_sets), dtype=np.int32)
        for row, codes in enumerate(code_sets):
            unique = set(codes)
            sizes[row] = len(unique)
            for c in unique:
                cols.append(vocab.setdefault(c, len(vocab)))
                rows.append(row)
        self.vocab = vocab
        self.sizes = sizes
        order = np.argsort(np.asarray(cols, dtype=np.int64), kind="stable")
        self._docs = np.asarray(rows, dtype=np.int64)[order]
        counts = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocab))
        self._ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def __len__(self) -> int:
        return int(self.sizes.shape[0])

    def postings(self, code: str) -> np.ndarray:
        """Rows of the documents carrying ``code``."""
        c = self.vocab.get(code)
        if c is None:
            return np.empty(0, dtype=np.int64)
        return self._docs[self._ptr[c] : self._ptr[c + 1]]

    def gains(self, query_codes: Iterable[str]) -> np.ndarray:
        """Jaccard overlap of ``query_codes`` with every document's code set (float64, row-indexed)."""
        q = set(query_codes)
        out = np.zeros(len(self), dtype=np.float64)
        if not q:
            return out
        hits = [self.postings(c) for c in q]
        if not any(h.size for h in hits):
            return out
        inter = np.bincount(np.concatenate(hits), minlength=len(self)).astype(np.float64)
        nz = inter > 0
        out[nz] = inter[nz] / (len(q) + self.sizes[nz] - inter[nz])
        return out
