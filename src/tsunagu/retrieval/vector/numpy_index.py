"""Exact nearest-neighbour search over a float16 matrix kept as a ``.npy`` file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tsunagu.errors import StorageError, ValidationError
from tsunagu.retrieval.ranking import top_k

__all__ = ["NumpyVectorIndex"]

_FILE = "vectors.npy"
_CHUNK = 16384


class NumpyVectorIndex:
    """Exact cosine search (dot product of unit vectors) with float32 accumulation.

    Vectors are stored as float16 (half the disk and memory of float32, no measurable loss in ranking).
    NumPy has no fast float16 matrix product, so the first search converts the matrix to float32 once
    and keeps it in memory when that copy is at most ``max_float32_bytes`` (a 50,000 × 512 corpus needs
    100 MB and scans in under 10 ms); larger matrices are converted chunk by chunk on every search (slow
    at a million rows: use `tsunagu.retrieval.vector.usearch_index.UsearchVectorIndex` there).

    Args:
        vectors: ``(n, dim)`` array of unit vectors (any float dtype; memory maps are kept as they are).
        max_float32_bytes: the largest float32 copy kept in memory.
    """

    def __init__(self, vectors: np.ndarray, *, max_float32_bytes: int = 1 << 30) -> None:
        if vectors.ndim != 2:
            raise ValidationError(f"vectors must be a 2-d array, got shape {vectors.shape}")
        self.vectors = vectors
        self.max_float32_bytes = max_float32_bytes
        self._f32: np.ndarray | None = vectors if vectors.dtype == np.float32 else None

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @classmethod
    def build(cls, vectors: np.ndarray, *, dtype: str = "float16") -> NumpyVectorIndex:
        """An index over ``vectors`` stored as ``dtype`` (``"float16"`` or ``"float32"``)."""
        if dtype not in ("float16", "float32"):
            raise ValidationError(f"vector dtype must be float16 or float32, not {dtype!r}")
        return cls(np.ascontiguousarray(vectors, dtype=dtype))

    def save(self, folder: str | Path) -> None:
        """Write the matrix as ``folder/vectors.npy``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / _FILE, np.asarray(self.vectors))

    @classmethod
    def load(
        cls, folder: str | Path, *, mmap: bool = True, max_float32_bytes: int = 1 << 30
    ) -> NumpyVectorIndex:
        """Load ``folder/vectors.npy`` (memory-mapped unless ``mmap`` is False)."""
        try:
            m = np.load(Path(folder) / _FILE, mmap_mode="r" if mmap else None)
        except (OSError, ValueError) as exc:
            raise StorageError(f"cannot read the vector index in {folder}: {exc}") from exc
        return cls(m, max_float32_bytes=max_float32_bytes)

    def _matrix32(self) -> np.ndarray | None:
        if self._f32 is None and self.vectors.size * 4 <= self.max_float32_bytes:
            self._f32 = np.asarray(self.vectors, dtype=np.float32)
        return self._f32

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of every row with the unit vector ``query`` (float32)."""
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        m = self._matrix32()
        if m is not None:
            return m @ q
        out = np.empty(len(self), dtype=np.float32)
        for s in range(0, len(self), _CHUNK):
            np.dot(np.asarray(self.vectors[s : s + _CHUNK], dtype=np.float32), q, out=out[s : s + _CHUNK])
        return out

    def scores_many(self, queries: np.ndarray) -> np.ndarray:
        """``(n_queries, n)`` cosine similarities (for batch evaluation)."""
        q = np.asarray(queries, dtype=np.float32)
        m = self._matrix32()
        if m is not None:
            return q @ m.T
        return np.stack([self.scores(row) for row in q])

    def scores_of(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Cosine similarity of the rows ``ids`` only."""
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        return np.asarray(self.vectors[np.asarray(ids, dtype=np.int64)], dtype=np.float32) @ q

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` (row ids, cosine scores), best first."""
        return top_k(self.scores(query), k)
