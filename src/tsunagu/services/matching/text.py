"""Text similarity channels used by the matcher: TF-IDF cosine over tokens and embedding cosine.

Both are symmetric and bounded (0–1 after clipping), so the same number reads the same whichever side
asks (offers for a company, companies for an offer). The lexical channel works within one language;
the vector channel (multilingual embeddings) lets a Japanese company profile meet an English offer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = ["TfidfChannel", "VectorChannel"]


class TfidfChannel:
    """Cosine similarity of TF-IDF vectors (``1 + log tf`` times smoothed idf, L2-normalised).

    Args:
        token_lists: the tokens of each document of the collection searched (row order is kept).
    """

    def __init__(self, token_lists: Sequence[Sequence[str]]) -> None:
        self.n = len(token_lists)
        df: Counter[str] = Counter()
        counts = [Counter(tokens) for tokens in token_lists]
        for c in counts:
            df.update(c.keys())
        self.vocab = {t: i for i, t in enumerate(sorted(df))}
        self.idf = np.zeros(len(self.vocab), dtype=np.float64)
        for t, i in self.vocab.items():
            self.idf[i] = math.log((1 + self.n) / (1 + df[t])) + 1.0
        postings: list[list[tuple[int, float]]] = [[] for _ in self.vocab]
        for row, c in enumerate(counts):
            weights = {self.vocab[t]: (1.0 + math.log(k)) * self.idf[self.vocab[t]] for t, k in c.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for i, w in weights.items():
                postings[i].append((row, w / norm))
        self._rows = [np.asarray([r for r, _ in p], dtype=np.int64) for p in postings]
        self._weights = [np.asarray([w for _, w in p], dtype=np.float64) for p in postings]

    def query_weights(self, tokens: Sequence[str]) -> dict[int, float]:
        """The normalised TF-IDF weights of a query (tokens unknown to the collection are dropped)."""
        c = Counter(t for t in tokens if t in self.vocab)
        weights = {self.vocab[t]: (1.0 + math.log(k)) * self.idf[self.vocab[t]] for t, k in c.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {i: w / norm for i, w in weights.items()}

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Cosine of the query with every document of the collection."""
        out = np.zeros(self.n, dtype=np.float64)
        for i, w in self.query_weights(tokens).items():
            out[self._rows[i]] += w * self._weights[i]  # rows are unique within one posting list
        return out


class VectorChannel:
    """Cosine of unit vectors: a collection matrix against one query vector.

    Args:
        matrix: ``(n, dim)`` unit vectors (zero rows for documents without a vector).
    """

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = np.asarray(matrix, dtype=np.float32)
        self.n = self.matrix.shape[0]
        self.present = np.linalg.norm(self.matrix, axis=1) > 0

    def scores(self, vector: np.ndarray | None) -> np.ndarray:
        """Cosine with every row (0 where either side has no vector)."""
        if vector is None or not np.any(vector):
            return np.zeros(self.n, dtype=np.float64)
        return np.clip(self.matrix @ np.asarray(vector, dtype=np.float32), 0.0, 1.0).astype(np.float64)
