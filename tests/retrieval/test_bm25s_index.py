"""Tests of `Bm25sLexicalIndex`: same scores as bm25s, save/load, edge cases."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import pytest

from tsunagu.domain.patent import Patent
from tsunagu.errors import StorageError, ValidationError
from tsunagu.retrieval.lexical.bm25s_index import Bm25sLexicalIndex
from tsunagu.retrieval.text import TextAnalyzer


@pytest.fixture(scope="module")
def corpus_tokens(fixture_patents: list[Patent]) -> list[list[str]]:
    analyzer = TextAnalyzer()
    return [analyzer.tokens(p.text()) for p in fixture_patents]


def test_scores_equal_bm25s(corpus_tokens: list[list[str]]) -> None:
    mine = Bm25sLexicalIndex.build(corpus_tokens)
    ref = bm25s.BM25()  # defaults: lucene, k1 1.5, b 0.75
    ref.index(corpus_tokens, show_progress=False)
    queries = [toks[:8] for toks in corpus_tokens] + [["運転者", "運転者", "装置"], ["engine", "jet"]]
    for q in queries:
        assert np.allclose(mine.scores(q), ref.get_scores(q), rtol=0, atol=1e-5), q
    # single-token columns are bit-identical
    for token in list(mine.vocab)[:200]:
        assert np.array_equal(mine.scores([token]), ref.get_scores([token]))


def test_other_methods_go_through_bm25s(corpus_tokens: list[list[str]]) -> None:
    mine = Bm25sLexicalIndex.build(corpus_tokens, method="robertson")
    ref = bm25s.BM25(method="robertson")
    ref.index(corpus_tokens, show_progress=False)
    q = corpus_tokens[0][:5]
    assert np.allclose(mine.scores(q), ref.get_scores(q), atol=1e-5)
    with pytest.raises(ValidationError):
        Bm25sLexicalIndex.build(corpus_tokens, method="bm25+")


def test_search_best_first_and_self_retrieval(corpus_tokens: list[list[str]]) -> None:
    index = Bm25sLexicalIndex.build(corpus_tokens)
    for row, toks in enumerate(corpus_tokens):
        ids, scores = index.search(toks, 5)
        assert list(scores) == sorted(scores, reverse=True)
        assert row in ids[:2] or scores[0] == index.scores(toks)[row]  # itself is (one of) the best


def test_unknown_and_empty_queries(corpus_tokens: list[list[str]]) -> None:
    index = Bm25sLexicalIndex.build(corpus_tokens)
    ids, scores = index.search(["zzz-unknown-token"], 10)
    assert ids.size == 0 and scores.size == 0
    assert not index.scores([]).any()


def test_empty_corpus_and_empty_documents() -> None:
    empty = Bm25sLexicalIndex.build([])
    assert len(empty) == 0
    assert empty.search(["x"], 3)[0].size == 0
    index = Bm25sLexicalIndex.build([["a", "b"], [], ["b", "c", "c"]])
    ids, _ = index.search(["c"], 3)
    assert ids.tolist() == [2]


def test_save_and_load(tmp_path: Path, corpus_tokens: list[list[str]]) -> None:
    index = Bm25sLexicalIndex.build(corpus_tokens)
    index.save(tmp_path / "lex")
    loaded = Bm25sLexicalIndex.load(tmp_path / "lex")
    assert len(loaded) == len(index)
    q = corpus_tokens[3][:6]
    assert np.array_equal(loaded.scores(q), index.scores(q))
    assert isinstance(loaded._data, np.memmap)
    with pytest.raises(StorageError):
        Bm25sLexicalIndex.load(tmp_path / "missing")


def test_build_from_ids_matches_build(corpus_tokens: list[list[str]]) -> None:
    vocab: dict[str, int] = {}
    ids = [vocab.setdefault(t, len(vocab)) for toks in corpus_tokens for t in toks]
    ptr = np.cumsum([0] + [len(t) for t in corpus_tokens])
    a = Bm25sLexicalIndex.build_from_ids(ptr, np.array(ids), list(vocab))
    b = Bm25sLexicalIndex.build(corpus_tokens)
    q = corpus_tokens[5][:10]
    assert np.array_equal(a.scores(q), b.scores(q))


def test_max_score_bounds_every_document(corpus_tokens: list[list[str]]) -> None:
    index = Bm25sLexicalIndex.build(corpus_tokens)
    for toks in corpus_tokens[:20]:
        q = toks[:12]
        assert index.scores(q).max() <= index.max_score(q) + 1e-6
    # an unknown token raises the bound by the idf of a token no document holds
    q = corpus_tokens[0][:3]
    n = len(index)
    assert index.max_score([*q, "zzz-unknown"]) == pytest.approx(
        index.max_score(q) + np.log(1 + (n + 0.5) / 0.5)
    )
    assert index.max_score([]) == 0.0


def test_coverage_hand_computed() -> None:
    index = Bm25sLexicalIndex.build([["a", "b"], ["a", "c", "c"], ["d"], ["b", "c"]])
    # "a" and "c" occur in two documents each: equal idf, so each is half the query's mass
    assert index.coverage(["a", "c"], np.array([3, 0, 1, 2])).tolist() == pytest.approx([0.5, 0.5, 1.0, 0.0])
    # an unknown token is part of the mass but never covered
    assert index.coverage(["a", "zz"], np.array([0]))[0] < 0.5
    assert index.coverage([], np.array([0])).tolist() == [0.0]
