"""The hybrid searcher: BM25 + vector channels, fused, then re-ranked by classification-code feedback.

Pipeline of `HybridSearcher.search` (parameters in `SearchConfig`, tuned by ``bench/tune_retrieval.py``):

1. lexical channel: BM25 over `TextAnalyzer` tokens, top ``lexical_depth`` rows;
2. vector channel: cosine over embedder vectors, top ``vector_depth`` rows;
3. text fusion over the union of both lists (``calibrated`` by default: BM25 over the query's best
   possible BM25 plus a weighted raw cosine; or `score_fusion` of rescaled scores, or `rrf`);
4. code feedback (when the index has a `CodeMatrix`): the ``feedback_depth`` best fused rows are taken
   as pseudo-relevant seeds, and each candidate gains ``code_weight`` × its expected IPC-set overlap
   with them (`CodeMatrix.expected_overlap`, rescaled so the best candidate gets 1), times the share
   of seed weight on seeds that carry codes (corpora without codes are left to the text channels).
   A candidate without any code (a quarter of the demo corpus: older US grants, some CN/KR records)
   gets no code part, so strong code agreement among the seeds can rank coded records above it.
   ``uncoded_neighbours`` would give it the median code part of its coded text-order neighbours
   instead; it is off by default because it did not help on held-out queries, even with a quarter of
   the codes hidden and judged by their true codes (``bench/ablation_uncoded.py``);
5. documents holding every query token come first (``all_terms_first``; order inside each group
   unchanged): a search for a patent's own title and problem statement finds it, which code feedback
   alone would bury under its classification neighbours;
6. filters: the caller's ``key_filter`` hook keeps the allowed keys (candidate lists are deepened
   until ``k`` hits survive or the whole index was seen).

Every hit carries its lexical and vector rank and score and the named parts of its fused score.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from tsunagu.errors import ValidationError
from tsunagu.retrieval.base import Embedder, SearchFilters, SearchHit
from tsunagu.retrieval.code_feedback import CodeMatrix
from tsunagu.retrieval.fusion import ChannelRanking, rrf, score_fusion
from tsunagu.retrieval.lexical.bm25s_index import Bm25sLexicalIndex
from tsunagu.retrieval.ranking import top_k
from tsunagu.retrieval.text import TextAnalyzer

__all__ = ["Candidate", "HybridSearcher", "KeyFilter", "SearchConfig", "SearchVectorIndex"]

#: Coverage from which a candidate counts as holding every query token (float tolerance).
FULL_COVERAGE = 0.999

#: Score parts shown on a hit only where they apply.
_SPARSE = frozenset({"all_terms", "codes_estimated"})


def _neighbour_median(text: np.ndarray, part: np.ndarray, missing: np.ndarray, n: int) -> np.ndarray:
    """For every candidate, the median ``part`` of the ``n`` candidates with ``part`` known (``~missing``)
    nearest to it in text-score order (ties by position); values for known candidates are unused."""
    order = np.argsort(-text, kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    known_pos = np.sort(position[~missing])  # text-order positions of the known candidates
    known_val = part[order[known_pos]]
    k = min(n, len(known_pos))
    # the window of k known candidates around each position: start at the insertion point minus k/2
    start = np.clip(np.searchsorted(known_pos, position) - k // 2, 0, len(known_pos) - k)
    windows = known_val[start[:, None] + np.arange(k)[None, :]]
    return np.median(windows, axis=1)

#: Hook from the caller (usually backed by the store): which of these keys pass the filters.
KeyFilter = Callable[[Sequence[str], SearchFilters], Collection[str]]


class SearchVectorIndex(Protocol):
    """What the searcher needs of a vector index (see `NumpyVectorIndex`, `UsearchVectorIndex`)."""

    def __len__(self) -> int: ...

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` (row ids, cosine scores), best first."""
        ...

    def scores_of(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Cosine similarity of the rows ``ids``."""
        ...


@dataclass(frozen=True)
class SearchConfig:
    """Parameters of the default hybrid search.

    The defaults are the configuration chosen by ``bench/tune_retrieval.py`` on a validation split
    (held-out J-PlatPat documents against every shared export; see ``bench/results/retrieval_tuning.md``).

    Attributes:
        lexical_depth: rows taken from the BM25 channel.
        vector_depth: rows taken from the vector channel.
        fusion: ``"calibrated"`` (BM25 divided by the query's `Bm25sLexicalIndex.max_score`, plus the
            raw cosine: both comparable across queries, so a weak channel stays weak), ``"score"``
            (each channel min–max rescaled over its own top list) or ``"rrf"`` (reciprocal ranks).
        rrf_k: rank offset of RRF.
        lexical_weight: weight of the BM25 channel.
        vector_weight: weight of the vector channel.
        code_weight: weight of the code-feedback component (0 turns it off).
        feedback_depth: number of top fused rows used as pseudo-relevant seeds.
        feedback_k: seed at rank r weighs ``1 / (feedback_k + r)``.
        all_terms_first: candidates holding every query token (their `Bm25sLexicalIndex.coverage`
            ≥ 0.999) rank above the others (an ``all_terms`` part larger than any other score).
        uncoded_neighbours: a candidate without codes gets the median code part of this many coded
            candidates nearest to it in text order (0, the default: no code part at all).
    """

    lexical_depth: int = 200
    vector_depth: int = 200
    fusion: str = "calibrated"
    rrf_k: float = 60.0
    lexical_weight: float = 1.0
    vector_weight: float = 0.2
    code_weight: float = 8.0
    feedback_depth: int = 40
    feedback_k: float = 5.0
    all_terms_first: bool = True
    uncoded_neighbours: int = 0

    def __post_init__(self) -> None:
        if self.fusion not in ("calibrated", "score", "rrf"):
            raise ValidationError(f"fusion must be 'calibrated', 'score' or 'rrf', not {self.fusion!r}")
        if self.lexical_depth < 1 or self.vector_depth < 0 or self.feedback_depth < 0:
            raise ValidationError("search depths must be positive")


@dataclass
class Candidate:
    """One ranked row with its score breakdown (internal form of `SearchHit`)."""

    row: int
    score: float
    lexical_rank: int | None = None
    vector_rank: int | None = None
    lexical_score: float | None = None
    vector_score: float | None = None
    parts: dict[str, float] = field(default_factory=dict)


class HybridSearcher:
    """Hybrid search over row-aligned indexes.

    Args:
        keys: the dedupe key of each row.
        analyzer: tokenises queries for the lexical channel (same rules as the indexed documents).
        embedder: embeds queries for the vector channel (same model as the indexed vectors); may be
            None when there is no vector index.
        lexical: the BM25 index.
        vector: the vector index, or None (lexical-only search).
        codes: the document × code matrix for code feedback, or None.
        config: search parameters.
        key_filter: hook applying `SearchFilters` to keys (needed only when filters are used).
    """

    def __init__(
        self,
        keys: Sequence[str],
        analyzer: TextAnalyzer,
        embedder: Embedder | None,
        lexical: Bm25sLexicalIndex,
        vector: SearchVectorIndex | None = None,
        codes: CodeMatrix | None = None,
        config: SearchConfig | None = None,
        key_filter: KeyFilter | None = None,
    ) -> None:
        n = len(keys)
        if (
            len(lexical) != n
            or (vector is not None and len(vector) != n)
            or (codes is not None and len(codes) != n)
        ):
            raise ValidationError("keys, lexical, vector and code indexes must have the same rows")
        if vector is not None and embedder is None:
            raise ValidationError("a vector index needs an embedder for the queries")
        self.keys = list(keys)
        self.analyzer = analyzer
        self.embedder = embedder
        self.lexical = lexical
        self.vector = vector
        self.codes = codes
        self.config = config or SearchConfig()
        self.key_filter = key_filter
        self._rows: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def row_of(self, key: str) -> int | None:
        """Row of ``key`` in the indexes, or None."""
        if self._rows is None:
            self._rows = {k: i for i, k in enumerate(self.keys)}
        return self._rows.get(key)

    def with_config(self, **changes: object) -> HybridSearcher:
        """A searcher over the same indexes with some `SearchConfig` fields changed."""
        other = HybridSearcher.__new__(HybridSearcher)
        other.__dict__.update(self.__dict__)
        other.config = replace(self.config, **changes)  # type: ignore[arg-type]
        return other

    # -- channels ---------------------------------------------------------------------------------

    def embed_query(self, query: str) -> np.ndarray | None:
        """The query vector, or None without a vector channel.

        Uses the embedder's ``embed_queries`` when it has one (models with query prefixes, like E5).
        """
        if self.vector is None or self.embedder is None:
            return None
        embed = getattr(self.embedder, "embed_queries", None) or self.embedder.embed
        return np.asarray(embed([query]), dtype=np.float32)[0]

    def lexical_channel(self, tokens: Sequence[str], depth: int) -> tuple[ChannelRanking, np.ndarray]:
        """Top ``depth`` BM25 rows (documents scoring 0 left out) and the full BM25 score array."""
        scores = self.lexical.scores(tokens)
        ids, vals = top_k(scores, depth)
        keep = vals > 0
        return ChannelRanking(ids[keep], vals[keep], self.config.lexical_weight), scores

    def vector_channel(self, vector: np.ndarray, depth: int) -> ChannelRanking:
        """Top ``depth`` rows by cosine similarity."""
        assert self.vector is not None
        ids, vals = self.vector.search(vector, depth)
        return ChannelRanking(ids, vals, self.config.vector_weight)

    # -- ranking ----------------------------------------------------------------------------------

    def rank(
        self,
        query: str,
        *,
        tokens: Sequence[str] | None = None,
        vector: np.ndarray | None = None,
        scale: int = 1,
    ) -> list[Candidate]:
        """All candidates of ``query``, best first (no filters, no cut-off).

        Args:
            query: the query text.
            tokens: precomputed query tokens (default: analysed from ``query``).
            vector: precomputed query vector (default: embedded from ``query``).
            scale: multiplies both channel depths (used to deepen filtered searches).
        """
        cfg = self.config
        n = len(self)
        if n == 0:
            return []
        toks = self.analyzer.tokens(query) if tokens is None else tokens
        lex, lex_all = self.lexical_channel(toks, min(n, cfg.lexical_depth * scale))
        channels: dict[str, ChannelRanking] = {"lexical": lex}
        qv = None
        if self.vector is not None and cfg.vector_depth > 0:
            qv = self.embed_query(query) if vector is None else vector
            if qv is not None and np.any(qv):
                channels["vector"] = self.vector_channel(qv, min(n, cfg.vector_depth * scale))
        cand = np.unique(np.concatenate([c.ids for c in channels.values()]))
        if cand.size == 0:
            return []
        raw = {"lexical": lex_all[cand].astype(np.float64)}
        if "vector" in channels:
            assert self.vector is not None and qv is not None
            raw["vector"] = np.asarray(self.vector.scores_of(qv, cand), dtype=np.float64)
        if cfg.fusion == "calibrated":
            bound = self.lexical.max_score(toks)
            parts = {
                "lexical": cfg.lexical_weight * raw["lexical"] / bound if bound > 0 else 0 * raw["lexical"]
            }
            if "vector" in raw:
                parts["vector"] = cfg.vector_weight * np.clip(raw["vector"], 0.0, None)
            text = sum(parts.values(), np.zeros(len(cand)))
        elif cfg.fusion == "rrf":
            fused = rrf(channels, cfg.rrf_k)
            text = np.array([fused[int(i)] for i in cand])
            parts = {}
            for name, ch in channels.items():
                rank_of = ch.ranks()
                parts[name] = np.array([ch.weight / (cfg.rrf_k + rank_of.get(int(i), np.inf)) for i in cand])
        else:
            text, parts = score_fusion(cand, raw, channels, floors={"lexical": 0.0})
        total = text.copy()
        if self.codes is not None and cfg.code_weight > 0 and cfg.feedback_depth > 0:
            top = np.argsort(-text, kind="stable")[: cfg.feedback_depth]
            weights = 1.0 / (cfg.feedback_k + np.arange(1, len(top) + 1))
            overlap = self.codes.expected_overlap(cand[top], weights, cand)
            peak = float(overlap.max())
            # scaled by the share of seed weight that carries codes: little code evidence, little say
            strength = cfg.code_weight * self.codes.coverage(cand[top], weights)
            code_part = strength * (overlap / peak if peak > 0 else overlap)
            parts["codes"] = code_part
            if cfg.uncoded_neighbours > 0:
                uncoded = self.codes.sizes[cand] == 0
                if uncoded.any() and not uncoded.all():
                    estimate = _neighbour_median(text, code_part, uncoded, cfg.uncoded_neighbours)
                    parts["codes_estimated"] = np.where(uncoded, estimate, 0.0)
                    code_part = np.where(uncoded, estimate, code_part)
            total += code_part
        if cfg.all_terms_first and toks:
            full = self.lexical.coverage(toks, cand) >= FULL_COVERAGE
            if full.any():
                tier = 1.0 + cfg.lexical_weight + cfg.vector_weight + cfg.code_weight
                parts["all_terms"] = tier * full
                total += parts["all_terms"]
        ranks = {name: ch.ranks() for name, ch in channels.items()}
        order = np.lexsort((cand, -total))
        out: list[Candidate] = []
        for j in order.tolist():
            row = int(cand[j])
            lr = ranks["lexical"].get(row)
            vr = ranks["vector"].get(row) if "vector" in ranks else None
            out.append(
                Candidate(
                    row=row,
                    score=float(total[j]),
                    lexical_rank=lr,
                    vector_rank=vr,
                    lexical_score=float(raw["lexical"][j]) if lr is not None else None,
                    vector_score=float(raw["vector"][j]) if vr is not None else None,
                    parts={name: float(p[j]) for name, p in parts.items() if name not in _SPARSE or p[j] > 0},
                )
            )
        return out

    def search(
        self,
        query: str,
        k: int = 10,
        filters: SearchFilters | None = None,
        *,
        vector: np.ndarray | None = None,
    ) -> list[SearchHit]:
        """The ``k`` best hits for ``query`` that pass ``filters``.

        Args:
            vector: the query vector when the caller already has it (the web server encodes concurrent
                queries together); default: embedded here.

        Raises:
            ValidationError: when filters are given but the searcher has no ``key_filter`` hook.
        """
        filters = filters or SearchFilters()
        if not query.strip() or k <= 0:
            return []
        if filters.is_empty():
            return [self._hit(c) for c in self.rank(query, vector=vector)[:k]]
        if self.key_filter is None:
            raise ValidationError("this searcher cannot apply filters (no key filter was given)")
        vector = self.embed_query(query) if vector is None else vector
        tokens = self.analyzer.tokens(query)
        scale = 1
        while True:
            cands = self.rank(query, tokens=tokens, vector=vector, scale=scale)
            allowed = self.key_filter([self.keys[c.row] for c in cands], filters)
            hits = [self._hit(c) for c in cands if self.keys[c.row] in allowed]
            deepest = self.config.lexical_depth * scale >= len(self) and (
                self.vector is None or self.config.vector_depth * scale >= len(self)
            )
            if len(hits) >= k or deepest:
                return hits[:k]
            scale *= 4

    def _hit(self, c: Candidate) -> SearchHit:
        return SearchHit(
            key=self.keys[c.row],
            score=c.score,
            lexical_rank=c.lexical_rank,
            vector_rank=c.vector_rank,
            lexical_score=c.lexical_score,
            vector_score=c.vector_score,
            explain=dict(c.parts),
        )
