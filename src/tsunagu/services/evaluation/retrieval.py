"""Retrieval evaluation: how well search finds documents that share the query's IPC codes.

Protocol (the same as ``shared/tools/reference_baselines.py``):

* queries are patent documents read from files (never stored) that carry IPC codes and whose dedupe
  key is not in the corpus (the store); each dedupe key counts once;
* query text = title + the abstract's 【課題】 part (the whole abstract when it has none);
* relevance of a corpus document = Jaccard overlap of the full IPC symbol sets (query vs document),
  the ideal ranking being taken over every document of the corpus; queries without any document of
  positive relevance are skipped (and counted);
* methods: ``hybrid`` (exactly the default search), ``bm25`` (the lexical channel alone) and
  ``vector`` (cosine over the default embedder's title + abstract vectors); each over its top 100;
* metrics: nDCG@10 (linear gains), P@10 (relevance > 0), MRR, n;
* ``cross_language``: the same metrics over the queries for which more than half of the total
  relevance lies on documents in another language than the query's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from tsunagu.domain.patent import Patent
from tsunagu.retrieval.searcher import HybridSearcher
from tsunagu.retrieval.text import is_japanese, query_text
from tsunagu.services.evaluation.metrics import (
    CodeSetIndex,
    mean_metrics,
    ndcg_at_k,
    precision_at_k,
    reciprocal_rank,
)
from tsunagu.storage.base import PatentStore

__all__ = ["METHODS", "RetrievalEvaluationService", "document_language"]

METHODS: tuple[str, ...] = ("hybrid", "bm25", "vector")
ProgressFn = Callable[[int, int, str], None]


def document_language(p: Patent) -> str:
    """The record's language code; guessed from the script of its text when the record has none."""
    if p.language:
        return p.language.lower()
    return "ja" if is_japanese(p.text()) else "en"


@dataclass
class _Corpus:
    keys: dict[str, int]
    codes: CodeSetIndex
    languages: np.ndarray


class RetrievalEvaluationService:
    """Evaluates the searcher over a store with held-out query documents.

    Args:
        store: the corpus.
        searcher: the searcher over the store's indexes (its default configuration is ``hybrid``).
        depth: length of each evaluated ranking (MRR looks this deep).
        k: the cut-off of nDCG and precision.
    """

    def __init__(
        self, store: PatentStore, searcher: HybridSearcher, *, depth: int = 100, k: int = 10
    ) -> None:
        self.store = store
        self.searcher = searcher
        self.depth = depth
        self.k = k

    def _corpus(self) -> _Corpus:
        keys: dict[str, int] = {}
        code_sets: list[tuple[str, ...]] = []
        languages: list[str] = []
        iter_rows = getattr(self.store, "iter_rows", None)
        if iter_rows is not None:  # light scan without building records
            for row in iter_rows(["ipc_codes", "language", "title", "abstract"]):
                keys[row["key"]] = len(code_sets)
                code_sets.append(tuple(row["ipc_codes"] or ()))
                lang = (row["language"] or "").lower()
                languages.append(lang or ("ja" if is_japanese(f"{row['title']} {row['abstract']}") else "en"))
        else:
            for p in self.store.iter_all():
                keys[p.key] = len(code_sets)
                code_sets.append(p.ipc_codes)
                languages.append(document_language(p))
        return _Corpus(keys, CodeSetIndex(code_sets), np.asarray(languages, dtype=object))

    def evaluate(self, queries: Iterable[Patent], progress: ProgressFn | None = None) -> dict[str, object]:
        """Run the evaluation.

        Returns:
            ``{"methods": {name: {"ndcg@10", "p@10", "mrr", "n"}}, "cross_language": {name: {…}},
            "skipped": {reason: count}, "corpus": N, "queries": n}``.
        """
        corpus = self._corpus()
        skipped: Counter[str] = Counter()
        chosen: list[Patent] = []
        seen: set[str] = set()
        for q in queries:
            if q.key in seen:
                skipped["duplicate"] += 1
                continue
            seen.add(q.key)
            if not q.ipc_codes:
                skipped["no_ipc_codes"] += 1
            elif q.key in corpus.keys:
                skipped["in_corpus"] += 1
            elif not query_text(q.title, q.abstract):
                skipped["no_text"] += 1
            else:
                chosen.append(q)
        texts = [query_text(q.title, q.abstract) for q in chosen]
        vectors = self._query_vectors(texts, progress)
        row_map = np.array([corpus.keys.get(k, -1) for k in self.searcher.keys], dtype=np.int64)
        per_method: dict[str, list[dict[str, float]]] = {m: [] for m in METHODS}
        cross: dict[str, list[dict[str, float]]] = {m: [] for m in METHODS}
        for done, (q, text) in enumerate(zip(chosen, texts, strict=True), start=1):
            gains = corpus.codes.gains(q.ipc_codes)
            if gains.max(initial=0.0) <= 0:
                skipped["no_relevant"] += 1
                continue
            vec = vectors[done - 1] if vectors is not None else None
            rankings = self._rankings(text, vec)
            other = corpus.languages != document_language(q)
            is_cross = float(gains[other].sum()) > 0.5 * float(gains.sum())
            for name, rows in rankings.items():
                ranked = [int(r) for r in row_map[rows] if r >= 0]
                m = {
                    "ndcg@10": ndcg_at_k(ranked, gains, self.k),
                    "p@10": precision_at_k(ranked, gains, self.k),
                    "mrr": reciprocal_rank(ranked, gains),
                }
                per_method[name].append(m)
                if is_cross:
                    cross[name].append(m)
            if progress:
                progress(done, len(chosen), "評価 / evaluating")
        names = list(METHODS) if self.searcher.vector is not None else ["hybrid", "bm25"]
        return {
            "methods": {m: mean_metrics(per_method[m]) for m in names},
            "cross_language": {m: mean_metrics(cross[m]) for m in names},
            "skipped": dict(sorted(skipped.items())),
            "corpus": len(corpus.keys),
            "queries": len(per_method["hybrid"]),
        }

    def _query_vectors(self, texts: list[str], progress: ProgressFn | None) -> np.ndarray | None:
        s = self.searcher
        if s.vector is None or s.embedder is None or not texts:
            return None
        embed = getattr(s.embedder, "embed_queries", None) or s.embedder.embed
        out = []
        for start in range(0, len(texts), 256):
            out.append(np.asarray(embed(texts[start : start + 256]), dtype=np.float32))
            if progress:
                progress(min(start + 256, len(texts)), len(texts), "クエリのベクトル化 / embedding queries")
        return np.concatenate(out)

    def _rankings(self, text: str, vector: np.ndarray | None) -> dict[str, np.ndarray]:
        s = self.searcher
        tokens = s.analyzer.tokens(text)
        lexical, _ = s.lexical_channel(tokens, self.depth)
        out = {"bm25": lexical.ids}
        if vector is not None:
            out["vector"] = s.vector_channel(vector, self.depth).ids
        hybrid = s.rank(text, tokens=tokens, vector=vector)[: self.depth]
        out["hybrid"] = np.array([c.row for c in hybrid], dtype=np.int64)
        return out
