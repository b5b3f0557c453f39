"""Adapters from the search index and the register to what the consortium builder needs.

`SearchCorpus` wraps the hybrid searcher (fetched lazily, so a re-indexed corpus is picked up) and the
patent store: phrase search returning records, query embedding, and cosines of a query vector to
stored patent vectors (read from the vector index, never recomputed). `register_offers` lists the
register's open offers in the form gap filling uses.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np

from tsunagu.domain.codes import main_group
from tsunagu.domain.patent import Patent
from tsunagu.errors import NotFoundError
from tsunagu.retrieval.searcher import HybridSearcher
from tsunagu.services.consortium.service import OfferView

__all__ = ["SearchCorpus", "register_offers"]


class _Records(Protocol):
    def get_many(self, keys: Sequence[str]) -> list[Patent]: ...

    def iter_rows(self, columns: Sequence[str], batch_size: int = 5000) -> Iterator[dict[str, Any]]: ...

    def revision(self) -> int: ...


class SearchCorpus:
    """Phrase search, embeddings and patent cosines over the live index.

    Args:
        searcher: returns the current `HybridSearcher` (for example ``lambda: app.searcher``).
        records: the patent store.
    """

    def __init__(
        self,
        searcher: Callable[[], HybridSearcher],
        records: _Records,
        *,
        min_vector_score: float = 0.3,
        max_df: float = 0.2,
    ) -> None:
        self._searcher = searcher
        self._records = records
        self.min_vector_score = min_vector_score
        self.max_df = max_df
        self._shares: tuple[int, dict[str, float]] | None = None
        self._lock = threading.Lock()
        self._vectors: dict[tuple[int, str], np.ndarray | None] = {}

    def group_shares(self) -> dict[str, float]:
        """IPC main group → share of corpus documents carrying it (recomputed when the store changes)."""
        with self._lock:
            revision = self._records.revision()
            if self._shares is None or self._shares[0] != revision:
                counts: Counter[str] = Counter()
                n = 0
                for row in self._records.iter_rows(["ipc_codes"]):
                    n += 1
                    counts.update({main_group(c) for c in row["ipc_codes"] if "/" in c})
                self._shares = (revision, {g: c / n for g, c in counts.items()} if n else {})
            return self._shares[1]

    def search(self, phrase: str, k: int) -> list[Patent]:
        """The ``k`` closest corpus patents to ``phrase`` (default hybrid search), best first.

        Only hits with evidence are kept: a hit must contain one of the phrase's content words (a token
        found in at most ``max_df`` of the documents, so that function words such as する do not count)
        or reach a vector cosine of ``min_vector_score``. A phrase the corpus knows nothing about gets no
        patents (and so no fields) rather than the nearest unrelated ones.
        """
        searcher = self._searcher()
        n = len(searcher)
        if n == 0:
            return []
        limit = max(self.max_df * n, 3.0)
        content = np.zeros(n, dtype=bool)
        for token in dict.fromkeys(searcher.analyzer.tokens(phrase)):
            present = searcher.lexical.scores([token]) > 0
            if 0 < int(present.sum()) <= limit:
                content |= present
        vector = self._query_vector(searcher, phrase)
        ranked = searcher.rank(phrase, vector=vector) if vector is not None else searcher.rank(phrase)
        keys = [
            searcher.keys[c.row]
            for c in ranked[:k]
            if content[c.row] or (c.vector_score or 0.0) >= self.min_vector_score
        ]
        found = {p.key: p for p in self._records.get_many(keys)}
        return [found[key] for key in keys if key in found]

    def _query_vector(self, searcher: HybridSearcher, text: str) -> np.ndarray | None:
        """The query vector of ``text`` (kept for the searcher generation, so a phrase embeds once)."""
        cache_key = (id(searcher), text)
        with self._lock:
            if cache_key in self._vectors:
                return self._vectors[cache_key]
        vector = searcher.embed_query(text)
        with self._lock:
            if len(self._vectors) > 256:
                self._vectors.clear()
            self._vectors[cache_key] = vector
        return vector

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors of ``texts`` with the index's embedder (zeros without a vector channel).

        Texts not seen before are embedded in one batch and kept for the next calls.
        """
        searcher = self._searcher()
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if (id(searcher), t) not in self._vectors))
        if missing and searcher.vector is not None and searcher.embedder is not None:
            embed = getattr(searcher.embedder, "embed_queries", None) or searcher.embedder.embed
            batch = np.asarray(embed(missing), dtype=np.float32)
            with self._lock:
                if len(self._vectors) > 256:
                    self._vectors.clear()
                for text, vector in zip(missing, batch, strict=True):
                    self._vectors[(id(searcher), text)] = vector
        rows = [self._query_vector(searcher, t) for t in texts]
        if any(r is None for r in rows):
            return np.zeros((len(texts), 1), dtype=np.float32)
        return (
            np.stack([np.asarray(r, dtype=np.float32) for r in rows])
            if rows
            else np.zeros((0, 1), np.float32)
        )

    def patent_cosines(self, query: np.ndarray, keys: Sequence[str]) -> np.ndarray:
        """Cosine of ``query`` to each stored patent vector (NaN for keys not in the index)."""
        searcher = self._searcher()
        out = np.full(len(keys), np.nan)
        if (
            searcher.vector is None
            or not len(keys)
            or query.shape[0] != getattr(searcher.embedder, "dim", -1)
        ):
            return out
        rows = [searcher.row_of(k) for k in keys]
        have = [i for i, r in enumerate(rows) if r is not None]
        if have:
            ids = np.asarray([rows[i] for i in have], dtype=np.int64)
            out[have] = np.asarray(searcher.vector.scores_of(query, ids), dtype=np.float64)
        return out


def register_offers(registry: Any) -> list[OfferView]:
    """Open offers of the register (`tsunagu.storage.registry.SqlRegistryStore`) for gap filling."""
    holders: dict[int, str] = {}
    out: list[OfferView] = []
    for offer in registry.list_offers(status="open"):
        if offer.licensor_id not in holders:
            try:
                holders[offer.licensor_id] = registry.get_licensor(offer.licensor_id).name
            except NotFoundError:  # a missing licensor must not hide the offer
                holders[offer.licensor_id] = ""
        out.append(
            OfferView(
                ref=f"offer:{offer.id}",
                title=offer.title,
                holder=holders[offer.licensor_id],
                ipc_codes=tuple(offer.ipc_codes),
                patent_numbers=tuple(offer.patent_numbers),
            )
        )
    return out
