"""Tests of `HybridSearcher` over real fixture records (hashing embedder: no model needed)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pytest

from tsunagu.domain.patent import Patent
from tsunagu.errors import ValidationError
from tsunagu.retrieval.base import SearchFilters, SearchHit
from tsunagu.retrieval.code_feedback import CodeMatrix
from tsunagu.retrieval.embedders.hashing import HashingEmbedder
from tsunagu.retrieval.lexical.bm25s_index import Bm25sLexicalIndex
from tsunagu.retrieval.searcher import HybridSearcher, SearchConfig
from tsunagu.retrieval.text import TextAnalyzer
from tsunagu.retrieval.vector.numpy_index import NumpyVectorIndex


@pytest.fixture(scope="module")
def parts(fixture_patents: list[Patent]) -> tuple[list[Patent], HybridSearcher]:
    docs = [p for p in fixture_patents if p.text().strip()]
    analyzer = TextAnalyzer()
    embedder = HashingEmbedder()
    lexical = Bm25sLexicalIndex.build([analyzer.tokens(p.text()) for p in docs])
    vector = NumpyVectorIndex.build(embedder.embed([p.text() for p in docs]))
    codes = CodeMatrix.build(p.ipc_codes for p in docs)
    searcher = HybridSearcher([p.key for p in docs], analyzer, embedder, lexical, vector, codes)
    return docs, searcher


def test_hits_carry_their_breakdown(parts: tuple[list[Patent], HybridSearcher]) -> None:
    docs, searcher = parts
    target = next(p for p in docs if p.language == "ja" and p.abstract)
    hits = searcher.search(target.title, k=5)
    assert 0 < len(hits) <= 5
    assert all(isinstance(h, SearchHit) for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].key == target.key or target.key in [h.key for h in hits[:3]]
    top = hits[0]
    assert top.lexical_rank is not None and top.lexical_score is not None and top.lexical_score > 0
    assert set(top.explain) <= {"lexical", "vector", "codes", "all_terms"} and "lexical" in top.explain
    assert sum(top.explain.values()) == pytest.approx(top.score)
    for h in hits:
        assert (h.vector_rank is None) == (h.vector_score is None)


def test_english_query(parts: tuple[list[Patent], HybridSearcher]) -> None:
    docs, searcher = parts
    target = next(p for p in docs if p.language == "en" and "jet" in p.title.lower())
    hits = searcher.search(target.title, k=3)
    assert target.key in [h.key for h in hits]


def test_code_feedback_changes_the_order_only_through_codes(
    parts: tuple[list[Patent], HybridSearcher],
) -> None:
    _, searcher = parts
    query = "運転者の状態を推定する装置"
    plain = searcher.with_config(code_weight=0.0).rank(query)
    fed = searcher.rank(query)
    assert {c.row for c in plain} == {c.row for c in fed}  # same candidates
    assert all("codes" not in c.parts for c in plain)
    assert any(c.parts.get("codes", 0) > 0 for c in fed)
    assert searcher.config.code_weight > 0  # the default uses code feedback


def test_calibrated_fusion_parts(parts: tuple[list[Patent], HybridSearcher]) -> None:
    _, searcher = parts
    s = searcher.with_config(fusion="calibrated", vector_weight=0.3, code_weight=0.0, all_terms_first=False)
    query = "jet engine fan"
    tokens = s.analyzer.tokens(query)
    bound = s.lexical.max_score(tokens)
    vector = s.embed_query(query)
    assert vector is not None
    for c in s.rank(query)[:5]:
        assert c.parts["lexical"] == pytest.approx(s.lexical.scores(tokens)[c.row] / bound, rel=1e-5)
        cos = float(s.vector.scores_of(vector, np.array([c.row]))[0])  # type: ignore[union-attr]
        assert c.parts["vector"] == pytest.approx(0.3 * max(cos, 0.0), rel=1e-5)
        assert c.score == pytest.approx(c.parts["lexical"] + c.parts["vector"])


def test_rrf_fusion_option(parts: tuple[list[Patent], HybridSearcher]) -> None:
    _, searcher = parts
    rrf = searcher.with_config(fusion="rrf", code_weight=0.0, all_terms_first=False)
    cands = rrf.rank("engine fan blade")
    assert cands
    top = cands[0]
    expected = 0.0
    if top.lexical_rank:
        expected += rrf.config.lexical_weight / (rrf.config.rrf_k + top.lexical_rank)
    if top.vector_rank:
        expected += rrf.config.vector_weight / (rrf.config.rrf_k + top.vector_rank)
    assert top.score == pytest.approx(expected)


def test_filters_use_the_hook_and_deepen(parts: tuple[list[Patent], HybridSearcher]) -> None:
    docs, searcher = parts
    english = {p.key for p in docs if p.language == "en"}
    calls: list[int] = []

    def only_english(keys: Sequence[str], filters: SearchFilters) -> Collection[str]:
        assert filters.language == "en"
        calls.append(len(keys))
        return [k for k in keys if k in english]

    shallow = searcher.with_config(lexical_depth=2, vector_depth=2)
    shallow.key_filter = only_english
    hits = shallow.search("運転者の状態", k=4, filters=SearchFilters(language="en"))
    assert hits and all(h.key in english for h in hits)
    assert len(calls) >= 2 and calls[-1] > calls[0]  # candidate lists were deepened
    with pytest.raises(ValidationError):
        searcher.search("x", filters=SearchFilters(language="en"))


def test_empty_queries_and_lexical_only(parts: tuple[list[Patent], HybridSearcher]) -> None:
    docs, searcher = parts
    assert searcher.search("   ") == []
    assert searcher.search("zzzz qqqq", k=0) == []
    lexical_only = HybridSearcher(searcher.keys, searcher.analyzer, None, searcher.lexical)
    hits = lexical_only.search(docs[0].title, k=3)
    assert hits and all(h.vector_rank is None for h in hits)
    assert lexical_only.search("qqqqzzzz") == []


def test_rows_must_align(parts: tuple[list[Patent], HybridSearcher]) -> None:
    _, searcher = parts
    with pytest.raises(ValidationError):
        HybridSearcher(searcher.keys[:-1], searcher.analyzer, None, searcher.lexical)
    with pytest.raises(ValidationError):
        HybridSearcher(searcher.keys, searcher.analyzer, None, searcher.lexical, searcher.vector)
    with pytest.raises(ValidationError):
        SearchConfig(fusion="max")


def test_row_lookup(parts: tuple[list[Patent], HybridSearcher]) -> None:
    docs, searcher = parts
    assert searcher.row_of(docs[3].key) == 3
    assert searcher.row_of("nope") is None
    assert np.isclose(np.linalg.norm(searcher.embed_query("abc")), 1.0)


def test_documents_with_every_query_token_come_first(parts: tuple[list[Patent], HybridSearcher]) -> None:
    docs, searcher = parts
    for p in docs:
        if p.language != "ja" or not p.abstract:
            continue
        query = p.title
        hits = searcher.search(query, k=5)
        assert hits[0].key == p.key or "all_terms" in hits[0].explain  # the own document or a full match
        tokens = searcher.analyzer.tokens(query)
        full = [h for h in hits if "all_terms" in h.explain]
        rest = [h for h in hits if "all_terms" not in h.explain]
        assert all(a.score > b.score for a in full for b in rest)
        cov = searcher.lexical.coverage(
            tokens, np.array([searcher.row_of(h.key) for h in full], dtype=np.int64)
        )
        assert (cov >= 0.999).all()
    off = searcher.with_config(all_terms_first=False)
    assert all("all_terms" not in c.parts for c in off.rank(docs[0].title))


def test_neighbour_median_uses_the_nearest_known_values_in_text_order() -> None:
    from tsunagu.retrieval.searcher import _neighbour_median

    text = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    part = np.array([5.0, 0.0, 3.0, 1.0, 0.0, 2.0])
    missing = np.array([False, True, False, False, True, False])
    got = _neighbour_median(text, part, missing, 2)
    # row 1 sits between rows 0 and 2 → median of 5 and 3; row 4 between rows 3 and 5 → median of 1 and 2
    assert got[1] == pytest.approx(4.0) and got[4] == pytest.approx(1.5)
    assert _neighbour_median(text, part, missing, 10)[1] == pytest.approx(np.median([5.0, 3.0, 1.0, 2.0]))


def test_uncoded_neighbours_lifts_a_record_without_codes(fixture_patents: list[Patent]) -> None:
    docs = [p for p in fixture_patents if p.text().strip() and p.ipc_codes]
    target = next(p for p in docs if p.language == "en" and len(p.title.split()) >= 3)
    analyzer, embedder = TextAnalyzer(), HashingEmbedder()
    lexical = Bm25sLexicalIndex.build([analyzer.tokens(p.text()) for p in docs])
    vector = NumpyVectorIndex.build(embedder.embed([p.text() for p in docs]))
    # the target's codes are unknown (as for many older US grants)
    codes = CodeMatrix.build(() if p.key == target.key else p.ipc_codes for p in docs)
    searcher = HybridSearcher([p.key for p in docs], analyzer, embedder, lexical, vector, codes)

    def rank_of(cfg_searcher: HybridSearcher) -> tuple[int, dict[str, float]]:
        hits = cfg_searcher.search(target.title + " " + target.abstract[:200], k=len(docs))
        at = [h.key for h in hits].index(target.key)
        return at + 1, hits[at].explain

    off_rank, off_parts = rank_of(searcher.with_config(all_terms_first=False))  # the default: off
    on_rank, on_parts = rank_of(searcher.with_config(uncoded_neighbours=6, all_terms_first=False))
    assert "codes_estimated" not in off_parts and off_parts.get("codes", 0.0) == 0.0
    assert on_parts["codes_estimated"] > 0 and on_parts["codes"] == 0.0
    assert on_rank < off_rank
    assert on_rank <= 3  # its own text and abstract: among the first, as the text channels rank it
