"""Pseudo-relevance feedback in classification-code space.

Documents that answer the same technical problem share classification codes. Given the top documents
of a text search (the "seeds"), `CodeMatrix.expected_overlap` scores each candidate by the weighted
mean Jaccard overlap between its IPC symbol set and the seeds' sets: an estimate of how well the
candidate's codes match the codes the query itself would get, learned from the corpus's own
classification. The searcher adds this as a third component of the fused score.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from tsunagu.errors import StorageError

__all__ = ["CodeMatrix"]

_FILE = "codes.npz"


class CodeMatrix:
    """Sparse document × code incidence (CSR), row-aligned with the other indexes.

    Args:
        indptr: ``n + 1`` offsets into ``indices``.
        indices: code ids of each row, row after row.
        vocab: code symbol of each code id.
    """

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, vocab: Sequence[str]) -> None:
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices, dtype=np.int32)
        self.vocab = list(vocab)
        self.sizes = np.diff(self.indptr).astype(np.int32)

    def __len__(self) -> int:
        return int(self.indptr.shape[0] - 1)

    @classmethod
    def build(cls, code_lists: Iterable[Iterable[str]]) -> CodeMatrix:
        """Incidence of each row's distinct codes (order and repeats do not matter)."""
        ids: dict[str, int] = {}
        indptr = [0]
        indices: list[int] = []
        for codes in code_lists:
            row = sorted({ids.setdefault(c, len(ids)) for c in codes if c})
            indices.extend(row)
            indptr.append(len(indices))
        vocab = [""] * len(ids)
        for c, i in ids.items():
            vocab[i] = c
        return cls(np.asarray(indptr), np.asarray(indices, dtype=np.int32), vocab)

    def codes(self, row: int) -> list[str]:
        """Code symbols of ``row``."""
        return [self.vocab[i] for i in self.indices[self.indptr[row] : self.indptr[row + 1]]]

    def save(self, folder: str | Path) -> None:
        """Write ``folder/codes.npz``."""
        np.savez(
            Path(folder) / _FILE,
            indptr=self.indptr,
            indices=self.indices,
            vocab=np.asarray(self.vocab, dtype=str),
        )

    @classmethod
    def load(cls, folder: str | Path) -> CodeMatrix:
        """Read ``folder/codes.npz``."""
        try:
            with np.load(Path(folder) / _FILE) as z:
                return cls(z["indptr"], z["indices"], z["vocab"].tolist())
        except (OSError, ValueError, KeyError) as exc:
            raise StorageError(f"cannot read the code matrix in {folder}: {exc}") from exc

    def _gather(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The code ids of ``rows`` concatenated, and the position in ``rows`` each one belongs to."""
        lens = self.sizes[rows].astype(np.int64)
        owner = np.repeat(np.arange(len(rows)), lens)
        # index of each entry: the row's start plus its offset inside the row
        offsets = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        return self.indices[self.indptr[rows][owner] + offsets], owner

    def jaccard(self, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        """``(len(rows_a), len(rows_b))`` Jaccard overlaps of the rows' code sets (0 for empty sets).

        Vectorised: only codes that occur in ``rows_a`` can be shared, so both incidence matrices are
        built over those columns alone (a few hundred at most for a search's seeds).
        """
        rows_a = np.asarray(rows_a, dtype=np.int64)
        rows_b = np.asarray(rows_b, dtype=np.int64)
        out = np.zeros((len(rows_a), len(rows_b)), dtype=np.float64)
        codes_a, owner_a = self._gather(rows_a)
        if codes_a.size == 0 or rows_b.size == 0:
            return out
        used = np.unique(codes_a)
        a = np.zeros((len(rows_a), len(used)), dtype=np.float32)
        a[owner_a, np.searchsorted(used, codes_a)] = 1.0
        codes_b, owner_b = self._gather(rows_b)
        pos = np.searchsorted(used, codes_b)
        shared = pos < len(used)
        shared[shared] = used[pos[shared]] == codes_b[shared]
        b = np.zeros((len(rows_b), len(used)), dtype=np.float32)
        b[owner_b[shared], pos[shared]] = 1.0
        inter = (a @ b.T).astype(np.float64)
        union = self.sizes[rows_a][:, None] + self.sizes[rows_b][None, :] - inter
        return np.divide(inter, union, out=out, where=union > 0)

    def expected_overlap(self, seeds: np.ndarray, weights: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """Weighted mean Jaccard overlap of each candidate with the seed rows that carry codes.

        Args:
            seeds: rows of the pseudo-relevant documents.
            weights: non-negative weight of each seed (normalised over the seeds with codes).
            candidates: rows to score.

        Returns:
            One value in [0, 1] per candidate (all zeros when no seed carries codes).
        """
        seeds = np.asarray(seeds, dtype=np.int64)
        w = np.asarray(weights, dtype=np.float64) * (self.sizes[seeds] > 0)
        if seeds.size == 0 or w.sum() <= 0 or len(candidates) == 0:
            return np.zeros(len(candidates), dtype=np.float64)
        return (w / w.sum()) @ self.jaccard(seeds, candidates)

    def coverage(self, seeds: np.ndarray, weights: np.ndarray) -> float:
        """Share of the seeds' total weight on seeds that carry codes (how much code evidence there is)."""
        seeds = np.asarray(seeds, dtype=np.int64)
        w = np.asarray(weights, dtype=np.float64)
        total = float(w.sum())
        return float(w[self.sizes[seeds] > 0].sum()) / total if total > 0 else 0.0
