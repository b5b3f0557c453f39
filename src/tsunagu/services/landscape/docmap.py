"""A 2-D map of documents: clusters in the embedding space, a PCA projection for display, and
cluster labels from each cluster's distinctive terms.

Clustering runs on the full vectors (spherical k-means with k-means++ seeding and a fixed seed,
so a map is reproducible); the 2-D coordinates come from `anchored_layout` (plain PCA for a
single cluster). When no
vectors are given, TF-IDF vectors of the documents' label terms stand in for them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tsunagu.domain.patent import Patent
from tsunagu.services.landscape.fields import FieldNamer, fields_of, no_names
from tsunagu.services.landscape.terms import Tokenizer, distinctive_terms, document_language, label_terms

__all__ = [
    "Cluster",
    "DocumentMap",
    "MapPoint",
    "anchored_layout",
    "choose_k",
    "document_map",
    "kmeans",
    "pca_2d",
    "tfidf_vectors",
]


@dataclass(frozen=True)
class MapPoint:
    """One document on the map."""

    key: str
    publication_number: str
    title: str
    applicant: str
    year: int | None
    x: float
    y: float
    cluster: int


@dataclass(frozen=True)
class Cluster:
    """A cluster of the map.

    Attributes:
        id: 0-based, largest cluster first.
        size: documents in it.
        label: its top terms joined (``"眠気 / 心拍 / 覚醒"``).
        terms: ``(term, score)`` pairs behind the label (class-based TF-IDF).
        language: the majority language of its documents, in which the terms are given.
        top_fields: its most frequent IPC subclasses with counts.
        x: mean map x of its documents.
        y: mean map y of its documents.
    """

    id: int
    size: int
    label: str
    terms: list[tuple[str, float]]
    language: str
    top_fields: list[tuple[str, int]]
    x: float
    y: float


@dataclass(frozen=True)
class DocumentMap:
    """Documents on a plane with labelled clusters.

    Attributes:
        points: one per mapped document.
        clusters: largest first.
        method: how the map was made, in words (shown under the chart).
        explained_variance: share of the variance kept by each of the two axes.
        unmapped: documents left out (no text and no vector).
    """

    points: list[MapPoint]
    clusters: list[Cluster]
    method: str
    explained_variance: tuple[float, float] = (0.0, 0.0)
    unmapped: int = 0
    field_names: dict[str, str] = field(default_factory=dict)


def pca_2d(x: np.ndarray, *, seed: int = 0) -> tuple[np.ndarray, tuple[float, float]]:
    """First two principal components of the rows of ``x`` and their shares of the variance.

    Uses a randomised range finder with power iterations (Halko et al.), so a few thousand
    documents with hundreds or thousands of dimensions project in a fraction of a second; signs are
    fixed so that results are stable.
    """
    xc = x - x.mean(axis=0, keepdims=True)
    n, d = xc.shape
    if n < 2 or d == 0:
        return np.zeros((n, 2), dtype=np.float64), (0.0, 0.0)
    rank = min(n, d, 12)
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(xc @ rng.standard_normal((d, rank)))
    for _ in range(4):
        q, _ = np.linalg.qr(xc.T @ q)
        q, _ = np.linalg.qr(xc @ q)
    _, s, vt = np.linalg.svd(q.T @ xc, full_matrices=False)
    comps = vt[:2].copy()
    for i in range(comps.shape[0]):
        j = int(np.argmax(np.abs(comps[i])))
        if comps[i, j] < 0:
            comps[i] = -comps[i]
    coords = xc @ comps.T
    if coords.shape[1] < 2:
        coords = np.hstack([coords, np.zeros((n, 2 - coords.shape[1]))])
    total = float((xc**2).sum()) or 1.0
    ev = [float(v**2 / total) for v in s[:2]] + [0.0, 0.0]
    return coords, (ev[0], ev[1])


def anchored_layout(x: np.ndarray, labels: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """Cluster-anchored 2-D layout: clusters where their centroids' cosine distances put them,
    documents around their cluster's place by the cluster's own two principal axes.

    1. Cluster centroids are placed by classical multidimensional scaling of their cosine
       distances, then pushed apart until their discs (radius ∝ √size) no longer overlap.
    2. Each document sits at its cluster's place plus its coordinates on the cluster's first two
       principal components, scaled so that 90% of the cluster falls inside its disc.

    Distances between clusters are therefore meaningful in rank, distances inside a cluster show
    its internal spread, and no cluster hides another (unlike a single global projection).
    """
    ids = sorted(set(labels.tolist()))
    k = len(ids)
    if k < 2:
        return pca_2d(x, seed=seed)[0]
    sizes = np.array([(labels == c).sum() for c in ids], dtype=np.float64)
    cents = np.stack([x[labels == c].mean(axis=0) for c in ids])
    cents /= np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-12)
    d2 = np.clip(2.0 - 2.0 * (cents @ cents.T), 0.0, None)  # squared chord distances
    j = np.eye(k) - 1.0 / k
    b = -0.5 * j @ d2 @ j
    evals, evecs = np.linalg.eigh(b)
    top = np.argsort(-evals)[:2]
    centre = evecs[:, top] * np.sqrt(np.clip(evals[top], 1e-12, None))
    spread = float(np.abs(centre).max()) or 1.0
    centre = centre / spread
    radius = 0.12 + 0.28 * np.sqrt(sizes / sizes.max())
    for _ in range(300):  # separate overlapping discs, keeping them near their MDS places
        moved = False
        for a in range(k):
            for c in range(a + 1, k):
                delta = centre[c] - centre[a]
                dist = float(np.linalg.norm(delta))
                need = (radius[a] + radius[c]) * 1.05
                if dist < need:
                    direction = delta / dist if dist > 1e-9 else np.array([np.cos(a + c), np.sin(a + c)])
                    push = (need - dist) / 2
                    centre[a] -= direction * push
                    centre[c] += direction * push
                    moved = True
        if not moved:
            break
    coords = np.zeros((x.shape[0], 2))
    for i, c in enumerate(ids):
        rows = np.flatnonzero(labels == c)
        if len(rows) > 2:
            local = pca_2d(x[rows], seed=seed)[0]
            r = np.linalg.norm(local, axis=1)
            scale = float(np.quantile(r, 0.9)) or 1.0
            local = local / scale * radius[i]
        else:
            local = np.zeros((len(rows), 2))
        coords[rows] = centre[i] + local
    return coords


def choose_k(n: int) -> int:
    """Number of clusters for ``n`` documents: about √(n/8), between 2 and 12 (1 for tiny sets)."""
    if n < 6:
        return 1
    return max(2, min(12, round(math.sqrt(n / 8))))


def kmeans(x: np.ndarray, k: int, *, seed: int = 0, iterations: int = 40) -> np.ndarray:
    """Spherical k-means (cosine) with k-means++ seeding; returns a label per row.

    Rows of ``x`` should be unit vectors. Deterministic for a given ``seed``.
    """
    n = x.shape[0]
    k = max(1, min(k, n))
    rng = np.random.default_rng(seed)
    centres = np.empty((k, x.shape[1]), dtype=np.float64)
    first = int(rng.integers(n))
    centres[0] = x[first]
    d2 = np.maximum(0.0, 2.0 - 2.0 * (x @ centres[0]))
    for c in range(1, k):
        total = float(d2.sum())
        idx = int(rng.choice(n, p=d2 / total)) if total > 0 else int(rng.integers(n))
        centres[c] = x[idx]
        d2 = np.minimum(d2, np.maximum(0.0, 2.0 - 2.0 * (x @ centres[c])))
    labels = np.full(n, -1, dtype=np.int64)
    for _ in range(iterations):
        new = np.argmax(x @ centres.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        for c in range(k):
            members = x[labels == c]
            if len(members) == 0:
                # Re-seed an empty cluster with the point farthest from its centre.
                far = int(np.argmin(np.max(x @ centres.T, axis=1)))
                centres[c] = x[far]
                continue
            m = members.sum(axis=0)
            norm = float(np.linalg.norm(m))
            centres[c] = m / norm if norm > 0 else members[0]
    return labels


def tfidf_vectors(doc_terms: Sequence[set[str]], max_terms: int = 1500) -> np.ndarray:
    """Unit-length TF-IDF vectors (binary term weights) over the ``max_terms`` most frequent terms."""
    df: Counter[str] = Counter()
    for ts in doc_terms:
        df.update(ts)
    vocab = [t for t, c in sorted(df.items(), key=lambda kv: (-kv[1], kv[0])) if c >= 2][:max_terms]
    index = {t: i for i, t in enumerate(vocab)}
    n = len(doc_terms)
    x = np.zeros((n, max(len(vocab), 1)), dtype=np.float64)
    for r, ts in enumerate(doc_terms):
        for t in ts:
            j = index.get(t)
            if j is not None:
                x[r, j] = math.log(1 + n / df[t])
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def document_map(
    patents: Sequence[Patent],
    vectors: np.ndarray | None = None,
    *,
    tokenizer: Tokenizer | None = None,
    k: int | None = None,
    seed: int = 0,
    namer: FieldNamer = no_names,
    vector_name: str = "",
) -> DocumentMap:
    """Map ``patents`` on a plane and label their clusters.

    Args:
        patents: the documents.
        vectors: their embeddings, row ``i`` for ``patents[i]`` (unit vectors; zero rows are left
            out). None: TF-IDF vectors of the label terms are used.
        tokenizer: Japanese tokenizer for label terms (English needs none).
        k: clusters (default `choose_k`).
        seed: k-means seed.
        namer: field names for the clusters' top fields.
        vector_name: name of the embedding, for the method note.
    """
    langs = [document_language(p) for p in patents]
    doc_terms = [label_terms(p.text(), lang, tokenizer) for p, lang in zip(patents, langs, strict=True)]
    if vectors is None:
        x = tfidf_vectors(doc_terms)
        source = "TF-IDF of the documents' terms"
    else:
        x = np.asarray(vectors, dtype=np.float64)
        source = f"{vector_name or 'document'} embeddings"
    keep = np.flatnonzero(np.linalg.norm(x, axis=1) > 0) if len(x) else np.zeros(0, dtype=np.int64)
    unmapped = len(patents) - len(keep)
    if len(keep) == 0:
        return DocumentMap([], [], "no document has text or a vector", unmapped=unmapped)
    xk = x[keep]
    kk = k or choose_k(len(keep))
    labels = kmeans(xk, kk, seed=seed) if kk > 1 else np.zeros(len(keep), dtype=np.int64)
    # Renumber clusters largest first.
    sizes = Counter(labels.tolist())
    order = [c for c, _ in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))]
    renum = {c: i for i, c in enumerate(order)}
    labels = np.array([renum[int(c)] for c in labels], dtype=np.int64)
    if len(order) >= 2:
        coords, ev = anchored_layout(xk, labels, seed=seed), (0.0, 0.0)
    else:
        coords, ev = pca_2d(xk, seed=seed)
    groups_all: list[list[int]] = [[] for _ in order]
    for row, c in enumerate(labels.tolist()):
        groups_all[c].append(int(keep[row]))
    clusters: list[Cluster] = []
    for cid, members in enumerate(groups_all):
        lang = Counter(langs[i] for i in members).most_common(1)[0][0]
        same = [i for i in members if langs[i] == lang]
        pool = [i for i, lg in enumerate(langs) if lg == lang]
        # Terms are scored against the documents of the same language only.
        local = {i: j for j, i in enumerate(pool)}
        terms = distinctive_terms([[local[i] for i in same]], [doc_terms[i] for i in pool], top=4)[0]
        fcount: Counter[str] = Counter()
        for i in members:
            fcount.update(fields_of(patents[i], "subclass"))
        rows = np.flatnonzero(labels == cid)
        clusters.append(
            Cluster(
                id=cid,
                size=len(members),
                label=" / ".join(t for t, _ in terms[:3]) or f"#{cid + 1}",
                terms=[(t, round(s, 4)) for t, s in terms],
                language=lang,
                top_fields=sorted(fcount.items(), key=lambda kv: (-kv[1], kv[0]))[:3],
                x=float(coords[rows, 0].mean()),
                y=float(coords[rows, 1].mean()),
            )
        )
    points = []
    for row, i in enumerate(keep.tolist()):
        p = patents[i]
        points.append(
            MapPoint(
                key=p.key,
                publication_number=p.publication_number,
                title=p.title,
                applicant=p.applicants[0] if p.applicants else "",
                year=p.year,
                x=round(float(coords[row, 0]), 5),
                y=round(float(coords[row, 1]), 5),
                cluster=int(labels[row]),
            )
        )
    axes = (
        "cluster-anchored layout (clusters placed by MDS of centroid distances, documents by "
        "each cluster's own principal axes)"
        if len(order) >= 2
        else f"first two principal components ({ev[0]:.0%} + {ev[1]:.0%} of variance)"
    )
    method = (
        f"{source}; spherical k-means (k={len(order)}, seed {seed}); axes = {axes}; "
        "labels = each cluster's distinctive terms (p·log(p/p_all))"
    )
    names = {f: namer(f) for c in clusters for f, _ in c.top_fields}
    return DocumentMap(points, clusters, method, ev, unmapped, {f: n for f, n in names.items() if n})
