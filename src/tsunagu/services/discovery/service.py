"""`DiscoveryService`: 用途探索 — other-field applications of a technology, grounded in patents.

Wiring (done by `tsunagu.app.App`): the patent store, a provider of the current `HybridSearcher`
(its analyzer, embedder, BM25 and vector indexes and per-row IPC codes), a provider of the current
`FieldStats`, and optionally an `OfferProvider` and a `RationalePhraser`. The method is described in
`tsunagu.services.discovery.engine` and ``docs/discovery.md``.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from tsunagu.domain.fields import field_name, section_name, wipo_field
from tsunagu.domain.patent import Patent
from tsunagu.errors import NotFoundError
from tsunagu.retrieval.phrases import PhraseAnalysis, PhraseExtractor, split_passages
from tsunagu.retrieval.searcher import HybridSearcher
from tsunagu.services.discovery.engine import (
    Aggregate,
    FieldScore,
    FieldScoring,
    ItemHits,
    QueryItem,
    RowGroups,
    aggregate,
    channel_top,
    empty_hits,
    home_from_codes,
    query_items,
    score_fields,
    select_cards,
)
from tsunagu.services.discovery.model import (
    CandidateField,
    DiscoveryConfig,
    DiscoveryRequest,
    DiscoveryResult,
    Evidence,
    HomeField,
    IdeaCard,
    Rationale,
    ScoreBreakdown,
)
from tsunagu.services.discovery.offers import NoOffers, OfferProvider
from tsunagu.services.discovery.rationale import (
    PhrasingError,
    RationaleFacts,
    RationalePhraser,
    assemble_rationale,
)
from tsunagu.services.discovery.stats import FieldStats
from tsunagu.storage.base import PatentStore

__all__ = ["DiscoveryService", "Retrieval"]

_WORD = re.compile(r"\w+")


class Retrieval:
    """The searcher's indexes seen by discovery, with each row's main groups (cached per searcher).

    Args:
        searcher: the hybrid searcher over the current index generation.
        stats: the corpus field statistics.
    """

    def __init__(self, searcher: HybridSearcher, stats: FieldStats) -> None:
        self.searcher = searcher
        self.stats = stats
        codes = searcher.codes
        lists = (
            [codes.codes(i) for i in range(len(codes))] if codes is not None else [[] for _ in searcher.keys]
        )
        self.row_groups = RowGroups(lists, stats)
        self._token_max: np.ndarray | None = None

    def token_max(self) -> np.ndarray | None:
        """Best BM25 score of each vocabulary token in any document (None when the index hides it)."""
        if self._token_max is None:
            lex = self.searcher.lexical
            data = getattr(lex, "_data", None)
            indptr = getattr(lex, "_indptr", None)
            if data is None or indptr is None:
                return None
            data = np.asarray(data, dtype=np.float32)
            indptr = np.asarray(indptr, dtype=np.int64)
            out = np.zeros(indptr.shape[0] - 1, dtype=np.float32)
            nonempty = np.flatnonzero(indptr[1:] > indptr[:-1])
            if nonempty.size:
                out[nonempty] = np.maximum.reduceat(data, indptr[nonempty])
            self._token_max = out
        return self._token_max

    def lexical_bound(self, tokens: Sequence[str]) -> float:
        """The BM25 score a document matching every query token as well as any document could.

        Sum over the query tokens (repeats counted, as BM25 does) of each token's best score in any
        document; a token no document contains counts with the score it would have in one document
        (BM25 idf at document frequency 0 with a term frequency of 1: ``ln(1 + (N + 0.5) / 0.5)``), so
        an input whose distinctive words the corpus lacks gets little lexical evidence.
        """
        maxes = self.token_max()
        lex = self.searcher.lexical
        token_ids = getattr(lex, "token_ids", None)
        if maxes is None or token_ids is None:
            return 0.0
        vocab = getattr(lex, "vocab", None)
        ids = np.asarray(token_ids(tokens), dtype=np.int64)
        known = float(maxes[ids].sum()) if ids.size else 0.0
        unknown = sum(1 for t in tokens if vocab is not None and t not in vocab)
        n = max(1, len(self.searcher))
        return known + unknown * math.log(1.0 + (n + 0.5) / 0.5)

    def embed(self, texts: Sequence[str]) -> np.ndarray | None:
        """Vectors of ``texts`` with the searcher's embedder (None without a vector index)."""
        s = self.searcher
        if s.vector is None or s.embedder is None or not texts:
            return None
        embed = getattr(s.embedder, "embed_queries", None) or s.embedder.embed
        return np.asarray(embed(list(texts)), dtype=np.float32)

    def search(
        self, items: Sequence[QueryItem], config: DiscoveryConfig, depth: int | None = None
    ) -> list[ItemHits]:
        """Top rows of each item in both channels, among rows that carry IPC codes."""
        s = self.searcher
        allowed = self.row_groups.coded
        out: list[ItemHits] = []
        vectors = self.embed([it.text for it in items]) if config.vector_weight > 0 else None
        vec_scores: np.ndarray | None = None
        if vectors is not None and s.vector is not None:
            many = getattr(s.vector, "scores_many", None)
            if many is not None:
                vec_scores = np.asarray(many(vectors), dtype=np.float32)
            else:
                full = getattr(s.vector, "scores", None)
                vec_scores = np.stack(
                    [
                        np.asarray(
                            full(v) if full is not None else s.vector.scores_of(v, np.arange(len(s))),
                            np.float32,
                        )
                        for v in vectors
                    ]
                )
        for n, item in enumerate(items):
            k = depth or (config.doc_depth if item.kind == "whole" else config.passage_depth)
            if k <= 0:
                out.append(empty_hits())
                continue
            hits = empty_hits()
            if config.lexical_weight > 0:
                tokens = s.analyzer.tokens(item.text)
                scores = s.lexical.scores(tokens)
                hits.lex_rows, hits.lex_scores = channel_top(scores, allowed, k, positive=True)
                hits.lex_bound = self.lexical_bound(tokens)
            if vec_scores is not None and np.any(vectors[n]):  # type: ignore[index]
                hits.vec_rows, hits.vec_scores = channel_top(vec_scores[n], allowed, k, positive=False)
            out.append(hits)
        return out


class DiscoveryService:
    """Discovers other-field applications of a technology (free text, patents or a company).

    Args:
        store: the patent store (evidence records, input patents).
        retrieval: returns the current `Retrieval` (searcher + statistics); called per discovery so
            a re-indexed corpus is picked up.
        config: discovery parameters (defaults: the tuned configuration).
        extractor: phrase extractor (default: a new `PhraseExtractor`).
        offers: licensable offers per field (default: none).
        phraser: optional language-model phraser of rationales (default: off).
    """

    def __init__(
        self,
        store: PatentStore,
        retrieval: Callable[[], Retrieval],
        *,
        config: DiscoveryConfig | None = None,
        extractor: PhraseExtractor | None = None,
        offers: OfferProvider | None = None,
        phraser: RationalePhraser | None = None,
    ) -> None:
        self.store = store
        self._retrieval = retrieval
        self.config = config or DiscoveryConfig()
        self.extractor = extractor or PhraseExtractor()
        self.offers: OfferProvider = offers or NoOffers()
        self.phraser = phraser
        self._lock = threading.Lock()

    # -- public -----------------------------------------------------------------------------------

    def with_phraser(self, phraser: RationalePhraser | None) -> DiscoveryService:
        """The same service with another rationale phraser (None: off)."""
        return DiscoveryService(
            self.store,
            self._retrieval,
            config=self.config,
            extractor=self.extractor,
            offers=self.offers,
            phraser=phraser,
        )

    def with_config(self, config: DiscoveryConfig) -> DiscoveryService:
        """The same service with another configuration (evaluations, ablations)."""
        return DiscoveryService(
            self.store,
            self._retrieval,
            config=config,
            extractor=self.extractor,
            offers=self.offers,
            phraser=self.phraser,
        )

    def discover(self, request: DiscoveryRequest) -> DiscoveryResult:
        """Home fields and idea cards for ``request`` (see the module docstring).

        Raises:
            NotFoundError: an input patent key is not in the store.
        """
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        cfg = self.config
        boldness = cfg.boldness if request.boldness is None else request.boldness
        retrieval = self._retrieval()
        inputs = self._input_patents(request.patents)
        analysis = self._analyse(request, inputs)
        items = query_items(analysis, cfg, extra_texts=[p.text() for p in inputs] if len(inputs) > 1 else ())
        timings["analyse"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        hits = retrieval.search(items, cfg)
        timings["search"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        agg = aggregate(items, hits, cfg)
        if inputs:
            agg = _without_rows(agg, {retrieval.searcher.row_of(p.key) for p in inputs})
        home = home_from_codes([p.ipc_codes for p in inputs]) if inputs else None
        scoring = score_fields(
            agg,
            retrieval.row_groups,
            retrieval.stats,
            cfg,
            boldness,
            home if home and home[1] else None,
            request.exclude,
        )
        chosen = select_cards(scoring, cfg, request.ideas or cfg.ideas)
        chosen_set = {f.group for f in chosen}
        rest = [f for f in scoring.fields if not f.excluded and f.group not in chosen_set]
        candidates = tuple(
            CandidateField(f.group, f.score, f.relevance, f.novelty, f.supporting)
            for f in rest[: max(request.candidates, 0)]
        )
        timings["score"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        if request.explain:
            cards = self._cards(chosen, scoring, agg, items, analysis, retrieval, inputs)
        else:
            cards = [self._bare_card(i, f, scoring) for i, f in enumerate(chosen, start=1)]
        timings["cards"] = time.perf_counter() - t3
        timings["total"] = time.perf_counter() - t0
        notes: list[str] = []
        if not scoring.fields:
            notes.append(
                "コーパス内に根拠となる特許が見つかりませんでした / "
                "no supporting patents were found in the corpus"
            )
        stats = retrieval.stats
        return DiscoveryResult(
            request=request,
            boldness=boldness,
            analysis=analysis.to_dict(),
            home_section=scoring.home_section,
            home_fields=self._home_fields(scoring),
            cards=tuple(cards),
            candidates=candidates,
            corpus={
                "documents_with_codes": stats.n_docs,
                "main_groups": stats.n_groups,
                "revision": stats.revision,
                "data_end_year": stats.data_end_year,
                "indexed_rows": len(retrieval.searcher),
            },
            timings=timings,
            notes=tuple(notes),
        )

    # -- steps ------------------------------------------------------------------------------------

    def _input_patents(self, keys: Sequence[str]) -> list[Patent]:
        if not keys:
            return []
        found = {p.key: p for p in self.store.get_many(list(keys))}
        missing = [k for k in keys if k not in found]
        if missing:
            raise NotFoundError(f"特許が見つかりません / patents not in the corpus: {', '.join(missing)}")
        return [found[k] for k in keys]

    def _analyse(self, request: DiscoveryRequest, inputs: Sequence[Patent]) -> PhraseAnalysis:
        text = request.text
        title = request.title
        if inputs:
            parts = [text] if text.strip() else []
            parts += [f"{p.title}。{p.abstract}" if p.abstract else p.title for p in inputs]
            text = "\n".join(parts)
            if not title and len(inputs) == 1 and not request.text.strip():
                title, text = inputs[0].title, inputs[0].abstract or ""
        return self.extractor.analyse(text, title)

    def _home_fields(self, scoring: FieldScoring) -> tuple[HomeField, ...]:
        out = []
        for sub, conf in sorted(scoring.home_subclasses.items(), key=lambda kv: (-kv[1], kv[0])):
            w = wipo_field(sub)
            out.append(
                HomeField(
                    sub, conf, scoring.home_source, field_name(sub).to_dict(), w.to_dict() if w else None
                )
            )
        return tuple(out)

    def _bare_card(self, rank: int, f: FieldScore, scoring: FieldScoring) -> IdeaCard:
        w = wipo_field(f.group)
        return IdeaCard(
            rank=rank,
            field=f.group,
            subclass=f.group[:4],
            field_name=field_name(f.group).to_dict(),
            subclass_name=field_name(f.group[:4]).to_dict(),
            wipo=w.to_dict() if w else None,
            function="",
            function_kind="",
            score=f.score,
            relevance=self._relevance(f),
            novelty=self._novelty(f, scoring),
            momentum=self._momentum(f),
            evidence_strength=self._strength(f),
            evidence=(),
            applicants=(),
            offers=(),
            little_evidence=f.supporting < self.config.little_evidence,
            notes=(),
            rationale=Rationale(""),
        )

    def _relevance(self, f: FieldScore) -> ScoreBreakdown:
        return ScoreBreakdown(
            min(1.0, f.share),
            {
                "evidence_share": round(f.share, 4),
                "prior_adjusted": round(f.relevance, 6),
                "best_match": round(f.best_weight, 4),
            },
        )

    def _novelty(self, f: FieldScore, scoring: FieldScoring) -> ScoreBreakdown:
        return ScoreBreakdown(
            f.novelty,
            {
                "cooc_rank": f.cooc_rank,
                "rank_threshold": self.config.novelty_rank,
                "cooc_with_home": f.cooc_with_home,
                "home_documents": f.home_docs,
                "hierarchy_distance": round(f.distance, 4),
                "in_home_section": f.in_home_section,
                "home_section": scoring.home_section,
            },
        )

    def _momentum(self, f: FieldScore) -> ScoreBreakdown:
        return ScoreBreakdown(
            f.momentum,
            {
                "recent_filings": f.recent,
                "prior_filings": f.prior,
                "years": self.config.momentum_years,
                "relative_to": "corpus growth over the same windows",
            },
        )

    def _strength(self, f: FieldScore) -> ScoreBreakdown:
        return ScoreBreakdown(
            f.strength, {"supporting_patents": f.supporting, "best_match": round(f.best_weight, 4)}
        )

    def _cards(
        self,
        chosen: Sequence[FieldScore],
        scoring: FieldScoring,
        agg: Aggregate,
        items: Sequence[QueryItem],
        analysis: PhraseAnalysis,
        retrieval: Retrieval,
        inputs: Sequence[Patent],
    ) -> list[IdeaCard]:
        cfg = self.config
        keys = retrieval.searcher.keys
        row_pos = {int(r): j for j, r in enumerate(agg.rows.tolist())}
        wanted: list[str] = []
        for f in chosen:
            wanted += [keys[r] for r in f.rows[: cfg.evidence_per_card]]
        records = {p.key: p for p in self.store.get_many(list(dict.fromkeys(wanted)))}
        matches = self._matched_passages(chosen, agg, items, analysis, retrieval, records, row_pos)
        home_label = ", ".join(sorted(scoring.home_subclasses)) or section_name(scoring.home_section)
        lang = analysis.language
        cards: list[IdeaCard] = []
        for rank, f in enumerate(chosen, start=1):
            evidence: list[Evidence] = []
            for r in f.rows[: cfg.evidence_per_card]:
                p = records.get(keys[r])
                if p is None:
                    continue
                j = row_pos[r]
                inp, matched, how = matches.get(r, ("", "", ""))
                vec = float(agg.vector[j])
                evidence.append(
                    Evidence(
                        key=p.key,
                        number=p.publication_number or p.key,
                        title=p.title,
                        applicants=p.applicants,
                        year=p.year,
                        similarity=float(agg.weight[j]),
                        lexical=float(agg.lexical[j]) if agg.lexical[j] > 0 else None,
                        vector=None if np.isnan(vec) else vec,
                        input_passage=inp,
                        matched_passage=matched,
                        match_method=how,
                        codes=tuple(c for c in p.ipc_codes if c.split("/")[0] == f.group.split("/")[0]),
                    )
                )
            function, kind = self._function_of(f, agg, items, analysis, row_pos)
            little = f.supporting < cfg.little_evidence
            notes: list[str] = []
            if little:
                notes.append(
                    f"根拠が少ない分野です（支持する特許 {f.supporting} 件） / little evidence in the corpus "
                    f"for this field ({f.supporting} supporting patent(s))"
                )
            fname = field_name(f.group)
            if fname.fallback:
                notes.append(
                    f"{f.group} は IPC 2019.01 にないため上位 {fname.title_code} の名称を表示 / "
                    f"{f.group} is not in IPC 2019.01: named by its parent {fname.title_code}"
                )
            top = evidence[0] if evidence else None
            facts = RationaleFacts(
                language=lang,
                function=function,
                field=f.group,
                field_label=fname.label(lang) if lang == "ja" else fname.title_en,
                supporting=f.supporting,
                closest_number=top.number if top else "",
                closest_title=top.title if top else "",
                closest_applicant=top.applicants[0] if top and top.applicants else "",
                closest_year=top.year if top else None,
                home_label=home_label,
                cooc_with_home=f.cooc_with_home,
                home_docs=f.home_docs,
                cooc_rank=max(f.cooc_rank, 0),
                in_home_section=f.in_home_section,
                recent=f.recent,
                prior=f.prior,
                years=cfg.momentum_years,
                little_evidence=little,
            )
            rationale = self._rationale(assemble_rationale(facts), lang)
            offers = tuple(self.offers.offers_in_field(f.group, limit=3))
            w = wipo_field(f.group)
            cards.append(
                IdeaCard(
                    rank=rank,
                    field=f.group,
                    subclass=f.group[:4],
                    field_name=fname.to_dict(),
                    subclass_name=field_name(f.group[:4]).to_dict(),
                    wipo=w.to_dict() if w else None,
                    function=function,
                    function_kind=kind,
                    score=f.score,
                    relevance=self._relevance(f),
                    novelty=self._novelty(f, scoring),
                    momentum=self._momentum(f),
                    evidence_strength=self._strength(f),
                    evidence=tuple(evidence),
                    applicants=tuple(retrieval.stats.top_applicants(f.group, 5)),
                    offers=offers,
                    little_evidence=little,
                    notes=tuple(notes),
                    rationale=rationale,
                )
            )
        return cards

    def _rationale(self, text: str, language: str) -> Rationale:
        if self.phraser is None:
            return Rationale(text)
        try:
            phrased = self.phraser.phrase(text, language)
        except PhrasingError:
            return Rationale(text)
        return Rationale(text, phrased=phrased, machine_phrased=True, model=self.phraser.model)

    def _function_of(
        self,
        f: FieldScore,
        agg: Aggregate,
        items: Sequence[QueryItem],
        analysis: PhraseAnalysis,
        row_pos: dict[int, int],
    ) -> tuple[str, str]:
        """The input phrase whose own search best supports the field's evidence."""
        rows = set(f.rows)
        best, best_v = None, 0.0
        for n, item in enumerate(items):
            if item.kind != "phrase" or item.phrase is None:
                continue
            v = sum(c for r, c in agg.item_support[n].items() if r in rows)
            if v > best_v:
                best, best_v = item.phrase, v
        if best is not None:
            ph = analysis.phrases[best]
            return ph.text, ph.kind
        # no phrase search found it: a phrase of the input passage that found the best evidence
        for r in f.rows[:1]:
            item = items[int(agg.best_item[row_pos[r]])]
            for ph in analysis.phrases:
                if item.passage is not None and ph.passage == item.passage:
                    return ph.text, ph.kind
        return "", ""

    def _matched_passages(
        self,
        chosen: Sequence[FieldScore],
        agg: Aggregate,
        items: Sequence[QueryItem],
        analysis: PhraseAnalysis,
        retrieval: Retrieval,
        records: dict[str, Patent],
        row_pos: dict[int, int],
    ) -> dict[int, tuple[str, str, str]]:
        """For each evidence row: (input passage, its closest sentence in the patent, method).

        The input passage is the one whose search found the patent best (for the whole input: the
        passage sharing most character bigrams with the patent). The matched sentence is the patent's
        sentence sharing most character bigrams with it (``"lexical"``), or, when none shares any
        (another language), the one closest by the embedder (``"vector"``).
        """
        keys = retrieval.searcher.keys
        input_passages = [p.text for p in analysis.passages] or [analysis.text]
        in_grams = [_bigrams(t) for t in input_passages]
        out: dict[int, tuple[str, str, str]] = {}
        pending: list[tuple[int, str, list[str]]] = []
        for f in chosen:
            for r in f.rows[: self.config.evidence_per_card]:
                if r in out or keys[r] not in records:
                    continue
                p = records[keys[r]]
                item = items[int(agg.best_item[row_pos[r]])]
                if item.kind == "whole":
                    doc = _bigrams(p.text())
                    k = max(range(len(in_grams)), key=lambda i: (len(in_grams[i] & doc), -i))
                    inp = input_passages[k]
                else:
                    inp = item.text
                sentences = [s.text for s in split_passages(p.text(), title_length=len(p.title))] or [p.title]
                grams = _bigrams(inp)
                overlaps = [len(grams & _bigrams(s)) for s in sentences]
                if max(overlaps, default=0) > 0:
                    out[r] = (inp, sentences[int(np.argmax(overlaps))], "lexical")
                else:
                    pending.append((r, inp, sentences))
        if pending:
            texts = [inp for _, inp, _ in pending] + [s for _, _, ss in pending for s in ss]
            vecs = retrieval.embed(texts)
            pos = len(pending)
            for n, (r, inp, sentences) in enumerate(pending):
                if vecs is None:
                    out[r] = (inp, sentences[0], "title")
                    continue
                sims = vecs[pos : pos + len(sentences)] @ vecs[n]
                pos += len(sentences)
                out[r] = (inp, sentences[int(np.argmax(sims))], "vector")
        return out


def _bigrams(text: str) -> set[str]:
    """Character bigrams of the word characters of ``text`` (lower-cased): a cheap overlap measure."""
    t = "".join(_WORD.findall(text.lower()))
    return {t[i : i + 2] for i in range(len(t) - 1)}


def _without_rows(agg: Aggregate, rows: set[int | None]) -> Aggregate:
    """The aggregate without some rows (input patents are never their own evidence)."""
    drop = {r for r in rows if r is not None}
    if not drop:
        return agg
    keep = np.asarray([int(r) not in drop for r in agg.rows.tolist()], dtype=bool)
    return replace(
        agg,
        rows=agg.rows[keep],
        weight=agg.weight[keep],
        best_item=agg.best_item[keep],
        lexical=agg.lexical[keep],
        vector=agg.vector[keep],
    )


def describe_config(config: DiscoveryConfig) -> dict[str, Any]:
    """The configuration as a dict (for JSON output and benchmarks)."""
    return dict(config.__dict__)
