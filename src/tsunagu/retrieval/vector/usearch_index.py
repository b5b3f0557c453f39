"""Approximate nearest-neighbour search (HNSW) with ``usearch`` — for corpora of a million documents.

Optional (extra ``tsunagu[ann]``). The HNSW graph holds the vectors quantised to ``i8`` (or ``f16``);
exact cosine scores of a few given rows (`scores_of`, used by the hybrid searcher to score lexical
candidates) come from the float16 matrix kept beside it, memory-mapped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tsunagu.errors import MissingDependencyError, StorageError, ValidationError

__all__ = ["UsearchVectorIndex"]

_GRAPH = "vectors.usearch"
_META = "usearch.json"
_MATRIX = "vectors.npy"


def _usearch() -> Any:
    try:
        import usearch.index as ui
    except ImportError as exc:
        raise MissingDependencyError(
            "the approximate vector index needs usearch: pip install 'tsunagu[ann]'"
        ) from exc
    return ui


def _callback(progress: Callable[[int, int], bool]) -> Callable[[int, int], bool]:
    """``progress`` with the evaluated annotations usearch checks (this module's are strings)."""

    def call(done: int, total: int) -> bool:
        return bool(progress(done, total))

    call.__annotations__ = {"done": int, "total": int, "return": bool}
    return call


class UsearchVectorIndex:
    """HNSW cosine search over unit vectors, rows numbered 0..n-1.

    Args:
        index: a ``usearch.index.Index`` whose keys are row numbers.
        matrix: the ``(n, dim)`` float16 vectors (for exact scores of given rows).
        expansion_search: HNSW search breadth (higher: better recall, slower); usearch searches at
            least as broadly as the number of hits asked for. 256 gave recall@10 0.95 of the nearest
            source documents on a million replicated patent vectors (bench/bench_retrieval.py).
        threads: threads per query (0: usearch's default).
    """

    def __init__(
        self, index: Any, matrix: np.ndarray, *, expansion_search: int = 256, threads: int = 1
    ) -> None:
        if len(index) != matrix.shape[0]:
            raise ValidationError("the HNSW graph and the vector matrix have different row counts")
        self.index = index
        self.matrix = matrix
        self.threads = threads
        self.index.expansion_search = expansion_search

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        *,
        dtype: str = "i8",
        connectivity: int = 16,
        expansion_add: int = 128,
        expansion_search: int = 256,
        threads: int = 0,
        progress: Callable[[int, int], bool] | None = None,
    ) -> UsearchVectorIndex:
        """Build the graph over ``vectors`` (rows = keys 0..n-1).

        Args:
            vectors: ``(n, dim)`` unit vectors.
            dtype: storage of the graph's vectors: ``"i8"`` (a quarter of float32) or ``"f16"``.
            connectivity: HNSW links per node.
            expansion_add: breadth of the search while inserting.
            expansion_search: breadth of the search at query time.
            threads: build threads (0: all).
            progress: ``progress(done, total) -> keep going`` during the build.
        """
        if dtype not in ("i8", "f16"):
            raise ValidationError(f"usearch dtype must be i8 or f16, not {dtype!r}")
        ui = _usearch()
        matrix = np.ascontiguousarray(vectors, dtype=np.float16)
        index = ui.Index(
            ndim=matrix.shape[1],
            metric="cos",
            dtype=dtype,
            connectivity=connectivity,
            expansion_add=expansion_add,
            expansion_search=expansion_search,
        )
        if len(matrix):
            index.add(
                np.arange(len(matrix), dtype=np.uint64),
                matrix,
                threads=threads,
                progress=_callback(progress) if progress else None,
            )
        return cls(index, matrix, expansion_search=expansion_search)

    def save(self, folder: str | Path) -> None:
        """Write the graph (``vectors.usearch``) and the float16 matrix (``vectors.npy``) into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.index.save(os.fspath(folder / _GRAPH))
        np.save(folder / _MATRIX, np.asarray(self.matrix))
        meta = {"rows": len(self), "dim": self.dim, "expansion_search": int(self.index.expansion_search)}
        (folder / _META).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path, *, view: bool = True, threads: int = 1) -> UsearchVectorIndex:
        """Open an index written by `save` (the graph memory-mapped when ``view``)."""
        ui = _usearch()
        folder = Path(folder)
        try:
            meta = json.loads((folder / _META).read_text(encoding="utf-8"))
            index = ui.Index.restore(os.fspath(folder / _GRAPH), view=view)
            matrix = np.load(folder / _MATRIX, mmap_mode="r")
        except (OSError, ValueError, RuntimeError) as exc:
            raise StorageError(f"cannot read the usearch index in {folder}: {exc}") from exc
        if index is None:
            raise StorageError(f"cannot read the usearch index in {folder}")
        return cls(index, matrix, expansion_search=int(meta.get("expansion_search", 256)), threads=threads)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Approximate top ``k`` (row ids, cosine scores), best first."""
        k = min(k, len(self))
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        q = np.asarray(query, dtype=np.float16).reshape(-1)
        m = self.index.search(q, k, threads=self.threads)
        ids = np.asarray(m.keys, dtype=np.int64)
        scores = self.scores_of(query, ids)
        order = np.argsort(-scores, kind="stable")  # re-rank the quantised hits by exact cosine
        return ids[order], scores[order]

    def scores_of(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Exact cosine similarity of the rows ``ids`` (from the float16 matrix)."""
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        rows = np.asarray(ids, dtype=np.int64)
        order = np.argsort(rows)  # sorted reads are kinder to a memory map
        out = np.empty(len(rows), dtype=np.float32)
        out[order] = np.asarray(self.matrix[rows[order]], dtype=np.float32) @ q
        return out
