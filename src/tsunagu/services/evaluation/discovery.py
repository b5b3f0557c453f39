"""Discovery evaluation: protocol A (held-out cross-field) and protocol B (temporal link prediction).

Protocol A, exactly as the 用途探索 issue defines it (and as ``shared/tools/reference_baselines.py``
implements its baselines):

* codes are IPC only (`Patent.ipc_codes`: IPC/IPCR plus FI mapped to IPC, never CPC); a field is an
  IPC main group;
* queries: documents read from files (never stored), counted once per dedupe key, not in the corpus,
  whose codes span two or more IPC sections; input = title + the whole cleaned abstract;
* home section = the section holding most of the query's distinct main groups (ties: the section of
  its first code in the export's order); home groups = its main groups there; targets = its main
  groups in other sections;
* ``cooc(t) = max_h (n(h,t) + 1) / (n(h) + G)`` over corpus documents; surprising targets = targets
  not among the 20 highest-cooc groups outside the home section;
* every method ranks main groups; home-section groups are removed; recall@10, novel recall@10 (over
  queries with surprising targets) and MRR over targets;
* methods: ``system`` (`DiscoveryService.discover` with default settings; the cards' groups then the
  further candidates), ``cooc`` (sees the true home groups), ``bm25_knn`` and ``vector_knn`` (the 50
  nearest corpus documents carrying an IPC code by the foundation's ``bm25`` / ``vector`` channels,
  each voting its score for its main groups; groups without votes follow in cooc order).

Protocol B (corpus only): subclass graph before year T; candidate pairs in different sections, both
present before T and never co-classified before T; positives co-classified in at least 2 documents
dated in ``[T, T + 5)``; predictors ``text`` (text links: how often documents of one subclass are
among the nearest texts of the other's, recent ones weighing more — `knn_links`), ``text_centroid``
(cosine of the subclasses' mean document vectors before T, the issue's plain definition),
``common_neighbours``, ``adamic_adar``, ``preferential_attachment``; AUC-PR (average precision),
P@100 and mean P@5 over subclasses with a positive pair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tsunagu.domain.codes import main_group
from tsunagu.domain.patent import Patent
from tsunagu.retrieval.searcher import HybridSearcher
from tsunagu.services.discovery.model import DiscoveryConfig, DiscoveryRequest
from tsunagu.services.discovery.service import DiscoveryService
from tsunagu.services.discovery.stats import FieldStats
from tsunagu.storage.base import PatentStore

__all__ = [
    "METHODS",
    "DiscoveryEvaluationService",
    "ProtocolAQuery",
    "average_precision",
    "knn_ranking",
    "protocol_a_query",
    "protocol_b",
    "query_input",
]

METHODS: tuple[str, ...] = ("system", "cooc", "bm25_knn", "vector_knn")
ProgressFn = Callable[[int, int, str], None]
KNN = 50
SURPRISE_TOP = 20
#: Protocol B text predictor: neighbours per document and recency time constant (years), chosen on
#: T = 2005 and T = 2010 (see docs/discovery.md), never on the reported T = 2015.
TEXT_K = 10
TEXT_TAU = 5.0


def query_input(p: Patent) -> tuple[str, str]:
    """(title, text) given to discovery for a query document: its title and whole cleaned abstract."""
    return p.title, p.abstract


def query_groups(codes: Sequence[str]) -> list[str]:
    """Distinct main groups of a code list, sorted (as the reference does)."""
    return sorted({main_group(c) for c in codes if c and "/" in c})


@dataclass(frozen=True)
class ProtocolAQuery:
    """One protocol-A query: its home, targets, surprising targets and the cooc ranking."""

    home: str
    home_groups: tuple[str, ...]
    targets: frozenset[str]
    surprising: frozenset[str]
    cooc_ranking: tuple[str, ...]


def protocol_a_query(codes: Sequence[str], stats: FieldStats) -> ProtocolAQuery | None:
    """The protocol-A view of a query's codes, or None when they span fewer than two sections."""
    groups = query_groups(codes)
    if len({g[0] for g in groups}) < 2:
        return None
    per = Counter(g[0] for g in groups)
    top = max(per.values())
    home = next(c[0] for c in codes if c and "/" in c and per[c[0]] == top)
    home_groups = [g for g in groups if g[0] == home]
    targets = frozenset(g for g in groups if g[0] != home)
    cooc = _cooc_vector(home_groups, stats)
    names = stats.groups
    outside = np.asarray([i for i, n in enumerate(names) if n[0] != home], dtype=np.int64)
    order = outside[np.lexsort((outside, -cooc[outside]))] if outside.size else outside
    ranking = tuple(names[i] for i in order.tolist())
    surprising = targets - set(ranking[:SURPRISE_TOP])
    return ProtocolAQuery(home, tuple(home_groups), targets, frozenset(surprising), ranking)


def _cooc_vector(home_groups: Sequence[str], stats: FieldStats) -> np.ndarray:
    """``max_h (n(h,t) + 1) / (n(h) + G)`` for every corpus group t."""
    g_count = stats.n_groups
    out = np.full(g_count, -np.inf)
    for h in home_groups:
        out = np.maximum(out, (stats.cooc_row(h) + 1.0) / (stats.docs(h) + g_count))
    if not home_groups:
        out = np.zeros(g_count)
    return out


def knn_ranking(
    rows: np.ndarray,
    scores: np.ndarray,
    row_groups: Sequence[Sequence[str]],
    home: str,
    fallback: Sequence[str],
    k: int = KNN,
) -> list[str]:
    """The kNN vote ranking of the baselines.

    The first ``k`` rows (in the given order) that carry at least one IPC code vote their score for
    each of their main groups outside ``home``; groups by votes (ties in order of first vote), then
    the groups without votes in ``fallback`` (cooc) order.
    """
    votes: dict[str, float] = {}
    taken = 0
    for r, s in zip(rows.tolist(), scores.tolist(), strict=True):
        groups = row_groups[r]
        if not groups:
            continue
        for g in groups:
            if g[0] != home:
                votes[g] = votes.get(g, 0.0) + float(s)
        taken += 1
        if taken == k:
            break
    ranked = [g for g, _ in sorted(votes.items(), key=lambda kv: -kv[1])]
    seen = set(ranked)
    return ranked + [g for g in fallback if g not in seen]


def _metrics(ranking: Sequence[str], q: ProtocolAQuery, k: int = 10) -> tuple[float, float | None, float]:
    ranked = [g for g in ranking if g[0] != q.home]
    top = set(ranked[:k])
    recall = len(q.targets & top) / len(q.targets)
    novel = len(q.surprising & top) / len(q.surprising) if q.surprising else None
    mrr = next((1.0 / (i + 1) for i, g in enumerate(ranked) if g in q.targets), 0.0)
    return recall, novel, mrr


def _summary(rows: list[tuple[float, float | None, float]]) -> dict[str, object]:
    if not rows:
        return {"recall@10": None, "novel_recall@10": None, "mrr": None, "n": 0, "n_novel": 0}
    novel = [r[1] for r in rows if r[1] is not None]
    return {
        "recall@10": round(float(np.mean([r[0] for r in rows])), 4),
        "novel_recall@10": round(float(np.mean(novel)), 4) if novel else None,
        "mrr": round(float(np.mean([r[2] for r in rows])), 4),
        "n": len(rows),
        "n_novel": len(novel),
    }


class DiscoveryEvaluationService:
    """Runs protocols A and B over a store, its searcher and its field statistics.

    Args:
        store: the corpus.
        searcher: the default searcher over the corpus (its ``bm25`` and ``vector`` channels are the
            baselines' channels).
        stats: corpus field statistics (``n(g)``, ``n(g, h)``, ``G``).
        discovery: the discovery service evaluated as ``system`` (default configuration).
        ablations: further discovery configurations reported under ``"ablations"``.
    """

    def __init__(
        self,
        store: PatentStore,
        searcher: HybridSearcher,
        stats: FieldStats,
        discovery: DiscoveryService | None,
        ablations: Mapping[str, DiscoveryConfig] | None = None,
    ) -> None:
        self.store = store
        self.searcher = searcher
        self.stats = stats
        self.discovery = discovery
        self.ablations = dict(ablations or {})
        codes = searcher.codes
        self._row_groups = [
            query_groups(codes.codes(i)) if codes is not None else [] for i in range(len(searcher))
        ]

    def select_queries(self, queries: Iterable[Patent]) -> tuple[list[Patent], Counter[str]]:
        """Queries counted once per dedupe key, not in the corpus, with codes in two or more sections."""
        skipped: Counter[str] = Counter()
        chosen: list[Patent] = []
        seen: set[str] = set()
        corpus_keys = set(self.store.keys())
        for q in queries:
            if q.key in seen:
                skipped["duplicate"] += 1
                continue
            seen.add(q.key)
            if q.key in corpus_keys:
                skipped["in_corpus"] += 1
            elif not q.ipc_codes:
                skipped["no_ipc_codes"] += 1
            elif len({g[0] for g in query_groups(q.ipc_codes)}) < 2:
                skipped["single_section"] += 1
            elif not (q.title.strip() or q.abstract.strip()):
                skipped["no_text"] += 1
            else:
                chosen.append(q)
        return chosen, skipped

    def protocol_a(self, queries: Sequence[Patent], progress: ProgressFn | None = None) -> dict[str, object]:
        """Protocol A over already selected queries (see `select_queries`)."""
        s = self.searcher
        per: dict[str, list[tuple[float, float | None, float]]] = {m: [] for m in METHODS}
        abl: dict[str, list[tuple[float, float | None, float]]] = {m: [] for m in self.ablations}
        services = {
            name: DiscoveryService(
                self.discovery.store,
                self.discovery._retrieval,
                config=cfg,
                extractor=self.discovery.extractor,
            )
            for name, cfg in self.ablations.items()
            if self.discovery is not None
        }
        embed = None
        if s.vector is not None and s.embedder is not None:
            embed = getattr(s.embedder, "embed_queries", None) or s.embedder.embed
        for done, q in enumerate(queries, start=1):
            view = protocol_a_query(q.ipc_codes, self.stats)
            if view is None:
                continue
            title, text = query_input(q)
            qtext = f"{title} {text}".strip()
            rankings: dict[str, list[str]] = {"cooc": list(view.cooc_ranking)}
            lex = s.lexical.scores(s.analyzer.tokens(qtext))
            order = np.argsort(-lex, kind="stable")
            order = order[lex[order] > 0]
            rankings["bm25_knn"] = knn_ranking(
                order, lex[order], self._row_groups, view.home, view.cooc_ranking
            )
            if embed is not None and s.vector is not None:
                v = np.asarray(embed([qtext]), dtype=np.float32)[0]
                full = getattr(s.vector, "scores", None)
                vs = np.asarray(
                    full(v) if full is not None else s.vector.scores_of(v, np.arange(len(s))),
                    dtype=np.float32,
                )
                vo = np.argsort(-vs, kind="stable")
                rankings["vector_knn"] = knn_ranking(
                    vo, vs[vo], self._row_groups, view.home, view.cooc_ranking
                )
            if self.discovery is not None:
                rankings["system"] = self._system(self.discovery, title, text)
            for name, ranking in rankings.items():
                per[name].append(_metrics(ranking, view))
            for name, svc in services.items():
                abl[name].append(_metrics(self._system(svc, title, text), view))
            if progress:
                progress(done, len(queries), "用途探索の評価 / protocol A")
        methods = {m: _summary(per[m]) for m in METHODS if per[m]}
        return {"methods": methods, "ablations": {m: _summary(v) for m, v in abl.items()}}

    @staticmethod
    def _system(service: DiscoveryService, title: str, text: str) -> list[str]:
        result = service.discover(
            DiscoveryRequest(text=text, title=title, candidates=100, explain=False, label="evaluation")
        )
        return result.ranked_fields()

    def protocol_b(self, t_year: int = 2015, window: int = 5) -> dict[str, object]:
        """Protocol B over the corpus (see `protocol_b`)."""
        s = self.searcher
        years: dict[str, int | None] = {}
        iter_rows = getattr(self.store, "iter_rows", None)
        if iter_rows is not None:
            for row in iter_rows(["year"]):
                years[row["key"]] = row["year"]
        else:
            for p in self.store.iter_all():
                years[p.key] = p.year
        codes = s.codes
        docs: list[tuple[tuple[str, ...], int, int]] = []
        for row, key in enumerate(s.keys):
            y = years.get(key)
            if y is None or codes is None:
                continue
            subs = tuple(sorted({c[:4] for c in codes.codes(row) if len(c) >= 4}))
            if subs:
                docs.append((subs, int(y), row))
        vectors: Callable[[Sequence[int]], np.ndarray] | None = None
        if s.vector is not None and getattr(s.vector, "vectors", None) is not None:

            def vectors(rows: Sequence[int]) -> np.ndarray:
                return _rows_matrix(s, rows)

        return protocol_b(docs, vectors, t_year=t_year, window=window)

    def evaluate(
        self,
        queries: Iterable[Patent],
        progress: ProgressFn | None = None,
        *,
        t_year: int = 2015,
        with_protocol_b: bool = True,
    ) -> dict[str, object]:
        """Both protocols: ``{"methods", "ablations", "protocol_b", "skipped", "corpus", "queries"}``."""
        chosen, skipped = self.select_queries(queries)
        out = self.protocol_a(chosen, progress)
        doc: dict[str, object] = {"methods": out["methods"]}
        if self.ablations:
            doc["ablations"] = out["ablations"]
        if with_protocol_b:
            doc["protocol_b"] = self.protocol_b(t_year)
        doc["skipped"] = dict(sorted(skipped.items()))
        doc["corpus"] = {
            "documents": self.store.count(),
            "documents_with_codes": self.stats.n_docs,
            "main_groups": self.stats.n_groups,
        }
        doc["queries"] = len(chosen)
        return doc


def _rows_matrix(searcher: HybridSearcher, rows: Sequence[int]) -> np.ndarray:
    vec = searcher.vector
    assert vec is not None
    matrix = getattr(vec, "vectors", None)
    if matrix is not None:
        return np.asarray(matrix[np.asarray(rows, dtype=np.int64)], dtype=np.float32)
    raise ValueError("the vector index does not expose its vectors")


def average_precision(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the precision–recall curve as average precision (ties broken by position)."""
    if labels.sum() == 0:
        return 0.0
    order = np.argsort(-scores, kind="stable")
    hits = labels[order].astype(np.float64)
    precision = np.cumsum(hits) / np.arange(1, hits.size + 1)
    return float((precision * hits).sum() / hits.sum())


def protocol_b(
    docs: Sequence[tuple[tuple[str, ...], int, int]],
    vectors: Callable[[Sequence[int]], np.ndarray] | None,
    *,
    t_year: int = 2015,
    window: int = 5,
) -> dict[str, object]:
    """Temporal link prediction between IPC subclasses.

    Args:
        docs: ``(subclasses, year, vector row)`` of each corpus document with codes and a year.
        vectors: returns document vectors for rows (None: no ``text`` predictor).
        t_year: T; the graph uses documents dated before T.
        window: positives are co-classified in at least 2 documents dated in ``[T, T + window)``.
    """
    before = [d for d in docs if d[1] < t_year]
    after = [d for d in docs if t_year <= d[1] < t_year + window]
    subs = sorted({s for d in before for s in d[0]})
    sid = {s: i for i, s in enumerate(subs)}
    n = len(subs)
    adj = np.zeros((n, n), dtype=bool)
    for d in before:
        ids = [sid[s] for s in d[0]]
        for a in ids:
            for b in ids:
                if a != b:
                    adj[a, b] = True
    future: Counter[tuple[int, int]] = Counter()
    for d in after:
        ids = sorted(sid[s] for s in d[0] if s in sid)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                future[a, b] += 1
    sec = np.asarray([s[0] for s in subs])
    iu, ju = np.triu_indices(n, k=1)
    cand = (sec[iu] != sec[ju]) & ~adj[iu, ju]
    ci, cj = iu[cand], ju[cand]
    labels = np.asarray(
        [future.get((int(a), int(b)), 0) >= 2 for a, b in zip(ci, cj, strict=True)], dtype=bool
    )
    a_f = adj.astype(np.float64)
    degree = a_f.sum(axis=1)
    cn = a_f @ a_f
    inv_log = np.where(degree > 1, 1.0 / np.log(np.maximum(degree, 2.0)), 0.0)
    aa = (a_f * inv_log) @ a_f
    predictors: dict[str, np.ndarray] = {
        "common_neighbours": cn[ci, cj],
        "adamic_adar": aa[ci, cj],
        "preferential_attachment": (degree[ci] * degree[cj]),
    }
    if vectors is not None and n:
        rows_by_sub: dict[int, list[int]] = {}
        for d in before:
            for s in d[0]:
                rows_by_sub.setdefault(sid[s], []).append(d[2])
        dim_probe = vectors([before[0][2]]).shape[1] if before else 1
        centroids = np.zeros((n, dim_probe), dtype=np.float64)
        for i, rows in rows_by_sub.items():
            m = vectors(rows).astype(np.float64).mean(axis=0)
            norm = np.linalg.norm(m)
            centroids[i] = m / norm if norm > 0 else m
        predictors["text_centroid"] = np.einsum("ij,ij->i", centroids[ci], centroids[cj])
        links = knn_links(before, vectors, sid, t_year, k=TEXT_K, tau=TEXT_TAU)
        predictors["text"] = links[ci, cj]
    out: dict[str, object] = {
        "t": t_year,
        "window": window,
        "subclasses": n,
        "candidates": int(cand.sum()),
        "positives": int(labels.sum()),
        "base_rate": round(float(labels.mean()), 6) if labels.size else None,
        "predictors": {},
    }
    preds: dict[str, object] = {}
    for name in ("text", "text_centroid", "common_neighbours", "adamic_adar", "preferential_attachment"):
        if name not in predictors:
            continue
        scores = predictors[name]
        preds[name] = {
            "auc_pr": round(average_precision(scores, labels), 4),
            "p@100": round(_precision_at(scores, labels, 100), 4),
            "mean_p@5": round(_mean_p_at_5(scores, labels, ci, cj), 4),
        }
    out["predictors"] = preds
    return out


def knn_links(
    before: Sequence[tuple[tuple[str, ...], int, int]],
    vectors: Callable[[Sequence[int]], np.ndarray],
    sid: Mapping[str, int],
    t_year: int,
    *,
    k: int = 10,
    tau: float = 5.0,
    chunk: int = 1000,
) -> np.ndarray:
    """Text links between subclasses: how often documents of one are among the nearest texts of the other.

    Every document dated before T finds its ``k`` nearest documents before T by cosine of their
    vectors; each such neighbour pair adds ``w`` to every (subclass of the document, subclass of the
    neighbour) pair in different sections, with ``w = exp(-(T - 1 - year) / tau)`` of the older of
    the two (recent text matters more). The matrix is symmetrised. This is discovery's own signal
    (fields whose documents describe similar functions) at subclass level.

    Returns:
        ``S × S`` link weights, indexed like ``sid``.
    """
    n = len(sid)
    links = np.zeros((n, n), dtype=np.float64)
    m = len(before)
    if m < 2:
        return links
    x = np.asarray(vectors([d[2] for d in before]), dtype=np.float32)
    years = np.asarray([d[1] for d in before], dtype=np.float64)
    recency = np.exp(-(t_year - 1 - years) / tau)
    subs = [[sid[s] for s in d[0]] for d in before]
    sections = {i: s[0] for s, i in sid.items()}
    kk = min(k, m - 1)
    for start in range(0, m, chunk):
        sims = x[start : start + chunk] @ x.T
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = -np.inf  # not its own neighbour
        nearest = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        for r, neighbours in enumerate(nearest.tolist()):
            i = start + r
            for j in neighbours:
                w = min(recency[i], recency[j])
                for a in subs[i]:
                    for b in subs[j]:
                        if sections[a] != sections[b]:
                            links[a, b] += w
    return links + links.T


def _precision_at(scores: np.ndarray, labels: np.ndarray, k: int) -> float:
    if not labels.size:
        return 0.0
    order = np.argsort(-scores, kind="stable")[:k]
    return float(labels[order].sum()) / min(k, labels.size)


def _mean_p_at_5(scores: np.ndarray, labels: np.ndarray, ci: np.ndarray, cj: np.ndarray) -> float:
    """For each subclass with a positive pair: precision at 5 of its candidate pairs; the mean."""
    values: list[float] = []
    nodes = set(ci[labels].tolist()) | set(cj[labels].tolist())
    for node in sorted(nodes):
        mask = (ci == node) | (cj == node)
        s, lab = scores[mask], labels[mask]
        order = np.argsort(-s, kind="stable")[:5]
        values.append(float(lab[order].sum()) / min(5, lab.size))
    return float(np.mean(values)) if values else 0.0
