"""Text similarity between descriptions (products, know-how) and patents, for suggestions only."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from tsunagu.services.landscape.docmap import tfidf_vectors
from tsunagu.services.landscape.terms import JAPANESE, Tokenizer, label_terms

__all__ = ["EmbeddingSimilarity", "TextSimilarity", "TfidfSimilarity"]


class TextSimilarity:
    """Base: ``similarity(queries, documents)`` → ``(len(queries), len(documents))`` cosine matrix."""

    method = ""

    def __call__(self, queries: Sequence[str], documents: Sequence[str]) -> np.ndarray:
        raise NotImplementedError


class TfidfSimilarity(TextSimilarity):
    """Cosine of TF-IDF vectors of the texts' content terms (nouns for Japanese, words for English).

    Args:
        tokenizer: Japanese noun tokenizer.
    """

    method = "cosine similarity of TF-IDF vectors of content terms"

    def __init__(self, tokenizer: Tokenizer | None) -> None:
        self.tokenizer = tokenizer

    def __call__(self, queries: Sequence[str], documents: Sequence[str]) -> np.ndarray:
        texts = [*queries, *documents]
        terms = [label_terms(t, "ja" if JAPANESE.search(t) else "en", self.tokenizer) for t in texts]
        x = tfidf_vectors(terms, max_terms=5000) if texts else np.zeros((0, 1))
        # tfidf_vectors keeps terms seen at least twice: a query term found in one patent still counts.
        return x[: len(queries)] @ x[len(queries) :].T


class EmbeddingSimilarity(TextSimilarity):
    """Cosine of embeddings (``embed`` returns unit vectors), e.g. the multilingual USE embedder.

    Args:
        embed: texts → ``(n, dim)`` unit vectors.
        name: the embedder's name, for the method note.
    """

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray], name: str = "") -> None:
        self.embed = embed
        self.method = f"cosine similarity of {name or 'text'} embeddings"

    def __call__(self, queries: Sequence[str], documents: Sequence[str]) -> np.ndarray:
        if not queries or not documents:
            return np.zeros((len(queries), len(documents)))
        q = np.asarray(self.embed(list(queries)), dtype=np.float32)
        d = np.asarray(self.embed(list(documents)), dtype=np.float32)
        return q @ d.T
