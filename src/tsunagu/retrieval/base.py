"""Retrieval protocols and result types shared by indexes, the searcher and services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Embedder", "LexicalIndex", "SearchFilters", "SearchHit", "VectorIndex"]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class LexicalIndex(Protocol):
    """A keyword index over document ids (positions 0..n-1 in the index's own id list)."""

    def search(self, tokens: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` (row ids, scores), best first."""
        ...


@runtime_checkable
class VectorIndex(Protocol):
    """A nearest-neighbour index over L2-normalised vectors (cosine = dot product)."""

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` (row ids, cosine scores), best first."""
        ...


@dataclass(frozen=True)
class SearchFilters:
    """Filters applied to search results. Empty means no filter.

    ``ipc_prefix`` matches IPC or CPC codes by prefix (``"B60W"``, ``"A61B5/18"``); ``applicant``
    matches a normalised substring of any applicant; years are inclusive on the record's `Patent.year`.
    """

    ipc_prefix: str = ""
    applicant: str = ""
    year_from: int | None = None
    year_to: int | None = None
    language: str = ""
    source: str = ""

    def is_empty(self) -> bool:
        return not (self.ipc_prefix or self.applicant or self.year_from or self.year_to
                    or self.language or self.source)


@dataclass(frozen=True)
class SearchHit:
    """One search result with its score breakdown.

    Attributes:
        key: the patent's dedupe key.
        score: the fused score that orders the hits.
        lexical_rank: 1-based rank in the lexical channel (None when not in its top list).
        vector_rank: 1-based rank in the vector channel (None when not in its top list).
        lexical_score: raw BM25 score, when ranked.
        vector_score: cosine similarity, when ranked.
        explain: further named components of ``score`` (for example a classification-feedback term).
    """

    key: str
    score: float
    lexical_rank: int | None = None
    vector_rank: int | None = None
    lexical_score: float | None = None
    vector_score: float | None = None
    explain: dict[str, float] = field(default_factory=dict)
