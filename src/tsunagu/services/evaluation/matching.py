"""Matching evaluation (`tsunagu eval matching`): an honest proxy for "which offers fit this company".

No public record of SME licence deals exists, so the corpus stands in for one (the definition of the
matching issue; see ``docs/benchmarks.md``):

- Date of a record: filing, else priority, else publication. T = 2015 by default, horizon 5 years.
- Names: applicants compared by `tsunagu.domain.matching.normalise_name` (NFKC, case folding, no
  white space); nothing else is merged. Codes: IPC only (``ipc_codes``), at main-group level.
- Companies: applicants with 1–20 records dated before T and at least one dated in [T, T+5). Profile =
  their records before T (nothing after T is used anywhere, the field statistics included).
- Offers: records dated before T with IPC codes; above 5,000, the 5,000 with the smallest SHA-1 of their
  dedupe key (the normalised number), drawn once for all companies. For a company, offers it is an
  applicant of are left out of its ranking.
- Relevant: the company has a record in [T, T+5) in one of the offer's main groups in which it had no
  record before T (it entered a field new to it). Companies with no relevant offer are left out and
  counted.
- Every offer is ranked for each company; MAP and recall@10 are reported for ``system`` (the matcher
  exactly as `tsunagu match` scores: field proximity + capability fit; no needs exist here) and, in the
  same run, ``ipc_overlap`` (share of the offer's IPC subclasses already in the profile) and ``bm25``
  (BM25 of the profile text against offer text). Ties are broken by offer order (the SHA-1 draw).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from tsunagu.domain.codes import main_group
from tsunagu.domain.matching import normalise_name
from tsunagu.retrieval.lexical.bm25s_index import Bm25sLexicalIndex
from tsunagu.retrieval.text import TextAnalyzer
from tsunagu.services.matching.fields import FieldGraph, OfferFieldMatrix
from tsunagu.services.matching.scoring import DEFAULT_WEIGHTS, MatchWeights, combine
from tsunagu.services.matching.text import TfidfChannel, VectorChannel

__all__ = [
    "METHODS",
    "MatchingEvalConfig",
    "MatchingEvaluationService",
    "VectorLookup",
    "average_precision",
]

METHODS: tuple[str, ...] = ("system", "ipc_overlap", "bm25")
ProgressFn = Callable[[int, int, str], None]
#: ``vectors(keys)`` → ``(len(keys), dim)`` unit vectors, zero rows for keys without one.
VectorLookup = Callable[[Sequence[str]], np.ndarray]

_COLUMNS = (
    "title",
    "abstract",
    "applicants",
    "ipc_codes",
    "filing_date",
    "priority_date",
    "publication_date",
)


class RowSource(Protocol):
    def iter_rows(self, columns: Sequence[str], batch_size: int = 5000) -> Iterator[dict[str, Any]]: ...


@dataclass(frozen=True)
class MatchingEvalConfig:
    """Parameters of the proxy (defaults are the issue's definition)."""

    year: int = 2015
    horizon: int = 5
    min_docs: int = 1
    max_docs: int = 20
    max_offers: int = 5000


def average_precision(
    scores: np.ndarray, relevant: np.ndarray, candidates: np.ndarray
) -> tuple[float, float]:
    """AP over the full ranking of ``candidates`` by ``scores`` (ties by position), and recall@10."""
    idx = np.flatnonzero(candidates)
    order = idx[np.lexsort((idx, -scores[idx]))]
    rel = relevant[order].astype(np.float64)
    total = rel.sum()
    if total == 0:
        return 0.0, 0.0
    hits = np.cumsum(rel)
    precision = hits / np.arange(1, rel.shape[0] + 1)
    return float((precision * rel).sum() / total), float(rel[:10].sum() / total)


@dataclass
class _Doc:
    key: str
    year: int | None
    applicants: tuple[str, ...]
    groups: tuple[str, ...]
    subclasses: tuple[str, ...]
    text: str
    has_ipc: bool


def _year(row: dict[str, Any]) -> int | None:
    for name in ("filing_date", "priority_date", "publication_date"):
        value = str(row.get(name) or "")
        if value[:4].isdigit():
            return int(value[:4])
    return None


class MatchingEvaluationService:
    """Runs the matching proxy over a store (see the module docstring).

    Args:
        store: the patent store (anything with ``iter_rows``).
        analyzer: tokeniser for the text channels and BM25.
        vectors: the corpus vectors of the search index, when built (adds the vector channel to the
            system's capability fit, as in `tsunagu match`); None = TF-IDF only.
        weights: component weights of the system.
    """

    def __init__(
        self,
        store: RowSource,
        analyzer: TextAnalyzer,
        *,
        vectors: VectorLookup | None = None,
        weights: MatchWeights = DEFAULT_WEIGHTS,
    ) -> None:
        self.store = store
        self.analyzer = analyzer
        self.vectors = vectors
        self.weights = weights

    def _load(self) -> list[_Doc]:
        docs: list[_Doc] = []
        for row in self.store.iter_rows(_COLUMNS):
            codes = [c for c in row["ipc_codes"] if "/" in c]
            docs.append(
                _Doc(
                    key=row["key"],
                    year=_year(row),
                    applicants=tuple(
                        dict.fromkeys(k for k in (normalise_name(a) for a in row["applicants"]) if k)
                    ),
                    groups=tuple(sorted({main_group(c) for c in codes})),
                    subclasses=tuple(sorted({c[:4] for c in row["ipc_codes"] if len(c) >= 4})),
                    text=f"{row['title'] or ''} {row['abstract'] or ''}".strip(),
                    has_ipc=bool(row["ipc_codes"]),
                )
            )
        return docs

    def evaluate(
        self, config: MatchingEvalConfig | None = None, *, progress: ProgressFn | None = None
    ) -> dict[str, Any]:
        """Run the proxy; returns ``{"methods": {...}, ...}`` (see the module docstring)."""
        cfg = config or MatchingEvalConfig()
        t, end = cfg.year, cfg.year + cfg.horizon
        docs = self._load()
        before: dict[str, list[int]] = {}
        after: dict[str, list[int]] = {}
        for i, d in enumerate(docs):
            if d.year is None:
                continue
            target = before if d.year < t else after if d.year < end else None
            if target is None:
                continue
            for a in d.applicants:
                target.setdefault(a, []).append(i)
        companies = sorted(
            a for a, ids in before.items() if cfg.min_docs <= len(ids) <= cfg.max_docs and a in after
        )
        offer_rows = [i for i, d in enumerate(docs) if d.year is not None and d.year < t and d.has_ipc]
        drawn = len(offer_rows)
        offer_rows.sort(key=lambda i: hashlib.sha1(docs[i].key.encode("utf-8")).hexdigest())
        offer_rows = offer_rows[: cfg.max_offers]
        offers = [docs[i] for i in offer_rows]
        n = len(offers)

        graph = FieldGraph.fit((d.groups, d.applicants) for d in docs if d.year is not None and d.year < t)
        matrix = OfferFieldMatrix(graph, [o.groups for o in offers])
        offer_tokens = [self.analyzer.tokens(o.text) for o in offers]
        tfidf = TfidfChannel(offer_tokens)
        bm25 = Bm25sLexicalIndex.build(offer_tokens)
        subclass_ids: dict[str, int] = {}
        offer_subs = [[subclass_ids.setdefault(s, len(subclass_ids)) for s in o.subclasses] for o in offers]
        vector_channel: VectorChannel | None = None
        if self.vectors is not None:
            vector_channel = VectorChannel(self.vectors([o.key for o in offers]))
        group_of_offer: dict[str, list[int]] = {}
        for j, o in enumerate(offers):
            for g in o.groups:
                group_of_offer.setdefault(g, []).append(j)
        offer_applicants: dict[str, list[int]] = {}
        for j, o in enumerate(offers):
            for a in o.applicants:
                offer_applicants.setdefault(a, []).append(j)

        per_method: dict[str, list[tuple[float, float]]] = {m: [] for m in METHODS}
        left_out = 0
        for number, company in enumerate(companies, start=1):
            home_docs = [docs[i] for i in before[company]]
            home = {g for d in home_docs for g in d.groups}
            entered = {g for i in after[company] for g in docs[i].groups} - home
            candidates = np.ones(n, dtype=bool)
            candidates[offer_applicants.get(company, [])] = False
            relevant = np.zeros(n, dtype=bool)
            for g in entered:
                relevant[group_of_offer.get(g, [])] = True
            relevant &= candidates
            if progress is not None:
                progress(number, len(companies), "企業ごとの順位付け / ranking offers per company")
            if not relevant.any():
                left_out += 1
                continue
            # each record tokenised on its own (the analyser reads at most a few thousand characters)
            profile_tokens = [t for d in home_docs for t in self.analyzer.tokens(d.text)]
            # system: exactly the matcher's components and weights
            field, _known = matrix.scores(graph.proximity(home))
            channels = [np.clip(tfidf.scores(profile_tokens), 0.0, 1.0)]
            if vector_channel is not None:
                profile = self.vectors([d.key for d in home_docs]).mean(axis=0) if self.vectors else None
                if profile is not None and np.any(profile):
                    channels.append(vector_channel.scores(profile / np.linalg.norm(profile)))
            capability = np.mean(channels, axis=0)
            system = combine({"capability_fit": capability, "field_proximity": field}, self.weights)
            per_method["system"].append(average_precision(system, relevant, candidates))
            # ipc_overlap baseline
            own = np.zeros(len(subclass_ids), dtype=bool)
            own[[subclass_ids[s] for d in home_docs for s in d.subclasses if s in subclass_ids]] = True
            overlap = np.array([own[s].mean() if s else 0.0 for s in offer_subs], dtype=np.float64)
            per_method["ipc_overlap"].append(average_precision(overlap, relevant, candidates))
            # bm25 baseline
            ids, values = bm25.search(profile_tokens, n)
            scores = np.zeros(n, dtype=np.float64)
            scores[ids] = values
            per_method["bm25"].append(average_precision(scores, relevant, candidates))

        methods = {
            m: {
                "map": round(float(np.mean([v[0] for v in vals])), 4) if vals else 0.0,
                "recall@10": round(float(np.mean([v[1] for v in vals])), 4) if vals else 0.0,
                "n": len(vals),
            }
            for m, vals in per_method.items()
        }
        return {
            "methods": methods,
            "year": t,
            "horizon": cfg.horizon,
            "companies": len(companies),
            "companies_without_relevant_offer": left_out,
            "offers": n,
            "offers_eligible": drawn,
            "corpus": len(docs),
            "text_channels": ["tfidf", "vector"] if vector_channel is not None else ["tfidf"],
            "weights": self.weights.to_dict(),
        }
