"""Text similarity between descriptions (products, know-how) and patents, for suggestions only."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from tsunagu.domain.patent import Patent
from tsunagu.services.landscape.docmap import tfidf_vectors
from tsunagu.services.landscape.terms import JAPANESE, Tokenizer, label_terms

__all__ = ["EmbeddingSimilarity", "TextSimilarity", "TfidfSimilarity"]


class TextSimilarity:
    """Base: ``similarity(queries, patents)`` → ``(len(queries), len(patents))`` cosine matrix."""

    method = ""

    def __call__(self, queries: Sequence[str], patents: Sequence[Patent]) -> np.ndarray:
        raise NotImplementedError


class TfidfSimilarity(TextSimilarity):
    """Cosine of TF-IDF vectors of the texts' content terms (nouns for Japanese, words for English).

    Args:
        tokenizer: Japanese noun tokenizer.
    """

    method = "cosine similarity of TF-IDF vectors of content terms"

    def __init__(self, tokenizer: Tokenizer | None) -> None:
        self.tokenizer = tokenizer

    def __call__(self, queries: Sequence[str], patents: Sequence[Patent]) -> np.ndarray:
        texts = [*queries, *(p.text() for p in patents)]
        terms = [label_terms(t, "ja" if JAPANESE.search(t) else "en", self.tokenizer) for t in texts]
        x = tfidf_vectors(terms, max_terms=5000) if texts else np.zeros((0, 1))
        # tfidf_vectors keeps terms seen at least twice: a query term found in one patent still counts.
        return x[: len(queries)] @ x[len(queries) :].T


class EmbeddingSimilarity(TextSimilarity):
    """Cosine of embeddings, e.g. the multilingual USE embedder (Japanese ↔ English).

    Patents take their vectors from the search index when ``vectors`` finds them (embedding long
    abstracts again would cost seconds per hundred records); the rest are embedded by title.

    Args:
        embed: texts → ``(n, dim)`` unit vectors.
        name: the embedder's name, for the method note.
        vectors: keys → index vectors (zero rows when missing), or None.
    """

    def __init__(
        self,
        embed: Callable[[Sequence[str]], np.ndarray],
        name: str = "",
        vectors: Callable[[Sequence[str]], np.ndarray | None] | None = None,
    ) -> None:
        self.embed = embed
        self.vectors = vectors
        self.method = f"cosine similarity of {name or 'text'} embeddings"

    def __call__(self, queries: Sequence[str], patents: Sequence[Patent]) -> np.ndarray:
        if not queries or not patents:
            return np.zeros((len(queries), len(patents)))
        q = np.asarray(self.embed(list(queries)), dtype=np.float32)
        d = self.vectors([p.key for p in patents]) if self.vectors is not None else None
        if d is None:
            d = np.zeros((len(patents), q.shape[1]), dtype=np.float32)
        d = np.asarray(d, dtype=np.float32)
        missing = [i for i in range(len(patents)) if not np.any(d[i])]
        if missing:
            d[missing] = np.asarray(
                self.embed([patents[i].title or patents[i].text()[:200] for i in missing])
            )
        return q @ d.T
