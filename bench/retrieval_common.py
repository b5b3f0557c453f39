"""Shared by bench/tune_retrieval.py and bench/bench_retrieval.py: corpus loading, caches, splits, scoring.

The corpus is every record under ``../shared/data/formats`` read by the importers (merged per dedupe
key, exactly as an import would store them). Tokens and USE vectors are cached on disk by text hash
(``$TSUNAGU_BENCH_CACHE``, default ``~/.cache/tsunagu/bench``) because embedding 50,000 texts takes
minutes on 2 cores; delete the folder to recompute.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tsunagu.domain.patent import Patent
from tsunagu.retrieval.code_feedback import CodeMatrix
from tsunagu.retrieval.embedders.use import UseEmbedder
from tsunagu.retrieval.indexer import text_hash
from tsunagu.retrieval.lexical.bm25s_index import Bm25sLexicalIndex
from tsunagu.retrieval.ranking import top_k
from tsunagu.retrieval.searcher import HybridSearcher, SearchConfig
from tsunagu.retrieval.text import TextAnalyzer, query_text
from tsunagu.retrieval.vector.numpy_index import NumpyVectorIndex
from tsunagu.services.evaluation.metrics import CodeSetIndex, ndcg_at_k, precision_at_k, reciprocal_rank
from tsunagu.services.evaluation.retrieval import document_language
from tsunagu.services.evaluation.splits import holdout_bucket
from tsunagu.services.ingestion import IngestionService, read_patents

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results"
CACHE = Path(os.environ.get("TSUNAGU_BENCH_CACHE", Path.home() / ".cache" / "tsunagu" / "bench"))


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_records(shared: Path = SHARED) -> list[Patent]:
    """Every record of ``shared/formats``, merged per key (cached as a pickle next to the other caches)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "records.pkl"
    if path.exists():
        with open(path, "rb") as f:
            records: list[Patent] = pickle.load(f)
        return records
    t0 = time.perf_counter()
    records = sorted(read_patents(IngestionService(store=None), [shared / "formats"]), key=lambda p: p.key)  # type: ignore[arg-type]
    log(f"read {len(records):,} records in {time.perf_counter() - t0:.0f} s")
    with open(path, "wb") as f:
        pickle.dump(records, f)
    return records


class VectorCache:
    """USE vectors by text hash, persisted as float16 in ``CACHE/vectors-use.npz``."""

    def __init__(self, embedder: UseEmbedder | None = None) -> None:
        self.path = CACHE / "vectors-use.npz"
        # One BLAS thread: on a shared 2-core machine two spinning BLAS threads are several times slower.
        self.embedder = embedder or UseEmbedder(threads=int(os.environ.get("TSUNAGU_BENCH_THREADS", "1")))
        self.store: dict[int, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as z:
                self.store = dict(zip(z["hashes"].tolist(), z["vectors"], strict=True))

    def save(self) -> None:
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name("vectors-use.tmp.npz")
        hashes = np.fromiter(self.store.keys(), dtype=np.uint64, count=len(self.store))
        vectors = np.stack(list(self.store.values())) if self.store else np.zeros((0, 512), np.float16)
        np.savez(tmp, hashes=hashes, vectors=vectors)
        os.replace(tmp, self.path)

    def vectors(self, texts: Sequence[str], batch: int = 512) -> np.ndarray:
        """Unit float32 vectors of ``texts`` (embedding and caching the missing ones)."""
        hashes = [text_hash(t) for t in texts]
        todo = sorted({h: i for i, h in enumerate(hashes) if h not in self.store}.values())
        t0 = last_save = time.perf_counter()
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            vecs = self.embedder.embed([texts[i] for i in part])
            for i, v in zip(part, vecs, strict=True):
                self.store[hashes[i]] = v.astype(np.float16)
            if time.perf_counter() - last_save > 120 or start + batch >= len(todo):
                self.save()
                last_save = time.perf_counter()
            log(f"embedded {start + len(part):,}/{len(todo):,} ({time.perf_counter() - t0:.0f} s)")
        out = np.stack([self.store[h] for h in hashes]).astype(np.float32) if texts else np.zeros((0, 512))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return out / norms


class TokenCache:
    """Analyzer tokens by text hash, persisted in ``CACHE/tokens.pkl``."""

    def __init__(self, analyzer: TextAnalyzer) -> None:
        self.path = CACHE / f"tokens-{analyzer.version.replace('/', '_')}.pkl"
        self.analyzer = analyzer
        self.store: dict[int, list[str]] = {}
        if self.path.exists():
            with open(self.path, "rb") as f:
                self.store = pickle.load(f)

    def tokens(self, texts: Sequence[str]) -> list[list[str]]:
        n0 = len(self.store)
        out = []
        for t in texts:
            h = text_hash(t)
            toks = self.store.get(h)
            if toks is None:
                toks = self.store[h] = self.analyzer.tokens(t)
            out.append(toks)
        if len(self.store) != n0:
            CACHE.mkdir(parents=True, exist_ok=True)
            with open(self.path, "wb") as f:
                pickle.dump(self.store, f)
        return out


class CachedLexical:
    """A `Bm25sLexicalIndex` that remembers the score array of each query (for parameter sweeps)."""

    def __init__(self, index: Bm25sLexicalIndex) -> None:
        self.index = index
        self._memo: dict[tuple[str, ...], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.index)

    def max_score(self, tokens: Sequence[str]) -> float:
        return self.index.max_score(tokens)

    def coverage(self, tokens: Sequence[str], rows: np.ndarray) -> np.ndarray:
        return self.index.coverage(tokens, rows)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        key = tuple(tokens)
        s = self._memo.get(key)
        if s is None:
            s = self._memo[key] = self.index.scores(tokens)
        return s


class CachedVector:
    """A `NumpyVectorIndex` that remembers the similarity array of each query vector."""

    def __init__(self, index: NumpyVectorIndex) -> None:
        self.index = index
        self._memo: dict[bytes, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.index)

    def _all(self, query: np.ndarray) -> np.ndarray:
        key = np.asarray(query, dtype=np.float32).tobytes()
        s = self._memo.get(key)
        if s is None:
            s = self._memo[key] = self.index.scores(query)
        return s

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return top_k(self._all(query), k)

    def scores_of(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        return self._all(query)[ids]


@dataclass
class Split:
    """A corpus and its held-out query documents."""

    name: str
    corpus: list[Patent]
    queries: list[Patent]


def make_split(records: Sequence[Patent], bucket: int, name: str = "") -> Split:
    """Hold out the J-PlatPat documents of ``bucket`` (sha1 of the 文献番号 % 10) as queries."""
    held = [p for p in records if "jplatpat_csv" in p.sources and holdout_bucket(p) == bucket]
    keys = {p.key for p in held}
    return Split(name or f"bucket{bucket}", [p for p in records if p.key not in keys], held)


@dataclass
class Prepared:
    """A split's indexes and its evaluable queries (with relevance over the whole corpus)."""

    split: Split
    searcher: HybridSearcher
    gains: list[np.ndarray]
    texts: list[str]
    tokens: list[list[str]]
    vectors: np.ndarray
    cross: list[bool]
    row_of_corpus: np.ndarray  # searcher row → corpus row


def prepare(split: Split, tokens: TokenCache, vectors: VectorCache, with_vectors: bool = True) -> Prepared:
    """Build the split's indexes (in memory) and the queries' relevance, like the evaluation service."""
    docs = [p for p in split.corpus if p.text().strip()]
    texts = [p.text() for p in docs]
    lexical = Bm25sLexicalIndex.build(tokens.tokens(texts))
    vec_index = NumpyVectorIndex.build(vectors.vectors(texts), dtype="float32") if with_vectors else None
    codes = CodeMatrix.build(p.ipc_codes for p in docs)
    searcher = HybridSearcher(
        [p.key for p in docs],
        tokens.analyzer,
        vectors.embedder if with_vectors else None,
        CachedLexical(lexical),  # type: ignore[arg-type]
        CachedVector(vec_index) if vec_index is not None else None,
        codes,
    )
    corpus_rows = {p.key: i for i, p in enumerate(split.corpus)}
    code_index = CodeSetIndex([p.ipc_codes for p in split.corpus])
    languages = np.array([document_language(p) for p in split.corpus], dtype=object)
    gains, qtexts, cross = [], [], []
    for q in split.queries:
        text = query_text(q.title, q.abstract)
        if not q.ipc_codes or not text:
            continue
        g = code_index.gains(q.ipc_codes)
        if g.max(initial=0) <= 0:
            continue
        gains.append(g)
        qtexts.append(text)
        other = languages != document_language(q)
        cross.append(float(g[other].sum()) > 0.5 * float(g.sum()))
    qvecs = vectors.vectors(qtexts) if with_vectors else np.zeros((len(qtexts), 1))
    row_map = np.array([corpus_rows[k] for k in searcher.keys], dtype=np.int64)
    return Prepared(split, searcher, gains, qtexts, tokens.tokens(qtexts), qvecs, cross, row_map)


RankFn = Callable[[int], Sequence[int]]


def score_rankings(prep: Prepared, rank: RankFn, only: Sequence[int] | None = None) -> dict[str, float]:
    """Mean nDCG@10, P@10 and MRR of ``rank(query index) → searcher rows`` over the split's queries."""
    rows = []
    for qi in only if only is not None else range(len(prep.gains)):
        ranked = prep.row_of_corpus[np.asarray(rank(qi), dtype=np.int64)].tolist()
        g = prep.gains[qi]
        rows.append((ndcg_at_k(ranked, g), precision_at_k(ranked, g), reciprocal_rank(ranked, g)))
    if not rows:
        return {"ndcg@10": 0.0, "p@10": 0.0, "mrr": 0.0, "n": 0}
    m = np.mean(rows, axis=0)
    return {
        "ndcg@10": round(float(m[0]), 4),
        "p@10": round(float(m[1]), 4),
        "mrr": round(float(m[2]), 4),
        "n": len(rows),
    }


def method_rankers(prep: Prepared, config: SearchConfig | None = None, depth: int = 100) -> dict[str, RankFn]:
    """Rankers for ``bm25``, ``vector`` and ``hybrid`` (the searcher with ``config``)."""
    s = prep.searcher if config is None else prep.searcher.with_config(**config.__dict__)

    def bm25(qi: int) -> Sequence[int]:
        return s.lexical_channel(prep.tokens[qi], depth)[0].ids.tolist()

    def vector(qi: int) -> Sequence[int]:
        return s.vector_channel(prep.vectors[qi], depth).ids.tolist()

    def hybrid(qi: int) -> Sequence[int]:
        return [
            c.row for c in s.rank(prep.texts[qi], tokens=prep.tokens[qi], vector=prep.vectors[qi])[:depth]
        ]

    return {"bm25": bm25, "vector": vector, "hybrid": hybrid}


@dataclass
class SelfQueries:
    """Known-item queries: corpus documents searched by their own text (the document should come first).

    Japanese documents are searched by title + 【課題】 (the evaluation's query form), English ones by
    their title.
    """

    rows: list[int]
    texts: list[str]
    tokens: list[list[str]]
    vectors: np.ndarray


def self_queries(prep: Prepared, vectors: VectorCache, n: int = 200, seed: int = 0) -> SelfQueries:
    rng = np.random.default_rng(seed)
    by_key = {p.key: p for p in prep.split.corpus}
    s = prep.searcher
    ja = [i for i, k in enumerate(s.keys) if by_key[k].language == "ja" and by_key[k].abstract]
    en = [i for i, k in enumerate(s.keys) if by_key[k].language == "en" and by_key[k].abstract]
    rows = [int(i) for i in rng.choice(ja, min(n, len(ja)), replace=False)]
    rows += [int(i) for i in rng.choice(en, min(n, len(en)), replace=False)]
    texts = []
    for r in rows:
        p = by_key[s.keys[r]]
        texts.append(query_text(p.title, p.abstract) if p.language == "ja" else p.title)
    return SelfQueries(rows, texts, [s.analyzer.tokens(t) for t in texts], vectors.vectors(texts))


def self_at_1(
    prep: Prepared, queries: SelfQueries, config: SearchConfig | None, method: str = "hybrid"
) -> float:
    """Share of known-item queries whose own document ranks first."""
    s = prep.searcher if config is None else prep.searcher.with_config(**config.__dict__)
    hits = 0
    for row, text, toks, vec in zip(
        queries.rows, queries.texts, queries.tokens, queries.vectors, strict=True
    ):
        if method == "bm25":
            top = s.lexical_channel(toks, 1)[0].ids
        elif method == "vector":
            top = s.vector_channel(vec, 1).ids
        else:
            top = np.array([c.row for c in s.rank(text, tokens=toks, vector=vec)[:1]])
        hits += int(top.size > 0 and int(top[0]) == row)
    return round(hits / max(1, len(queries.rows)), 4)
