"""Discovery evaluation: protocol A baselines agree with the reference implementation; protocol B."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from tsunagu.domain.patent import Patent
from tsunagu.retrieval.embedders.hashing import HashingEmbedder
from tsunagu.retrieval.indexer import Indexer
from tsunagu.services.discovery.model import DiscoveryConfig
from tsunagu.services.discovery.service import DiscoveryService
from tsunagu.services.discovery.stats import FieldStats
from tsunagu.services.evaluation.discovery import (
    DiscoveryEvaluationService,
    average_precision,
    knn_ranking,
    protocol_a_query,
    protocol_b,
)
from tsunagu.services.evaluation.splits import REFERENCE_BUCKET, holdout_bucket
from tsunagu.services.ingestion import IngestionService, read_patents
from tsunagu.storage.sql import SqlPatentStore

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def reference_split(
    tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> tuple[SqlPatentStore, list[Patent], Indexer]:
    """The reference baselines' split: J-PlatPat records, bucket 1 held out as queries."""
    records = read_patents(IngestionService(store=None), [shared_data / "formats" / "jplatpat_csv"])  # type: ignore[arg-type]
    queries = [p for p in records if holdout_bucket(p) == REFERENCE_BUCKET]
    corpus = [p for p in records if holdout_bucket(p) != REFERENCE_BUCKET]
    folder = tmp_path_factory.mktemp("eval-discovery")
    store = SqlPatentStore(f"sqlite:///{folder / 't.db'}")
    store.upsert_many(corpus)
    indexer = Indexer(store, folder / "index", embedder=HashingEmbedder())
    indexer.update()
    return store, queries, indexer


@pytest.mark.slow
def test_protocol_a_baselines_agree_with_reference(
    reference_split: tuple[SqlPatentStore, list[Patent], Indexer],
) -> None:
    store, queries, indexer = reference_split
    searcher = indexer.load_searcher()
    stats = FieldStats.build_from_store(store)
    ev = DiscoveryEvaluationService(store, searcher, stats, discovery=None)
    chosen, skipped = ev.select_queries(queries)
    out = ev.protocol_a(chosen)["methods"]
    # reference_baselines.py output on this split (corpus 4,607, 551 queries): n=461, n_novel=57,
    # cooc 0.8798 / 0.0, bm25_knn 0.9207 / 0.3363
    assert stats.n_docs == 4607 and len(chosen) == 461
    assert out["cooc"]["n"] == 461 and out["cooc"]["n_novel"] == 57  # type: ignore[index]
    assert out["cooc"]["recall@10"] == pytest.approx(0.8798, abs=0.005)  # type: ignore[index]
    assert out["cooc"]["novel_recall@10"] == 0.0  # type: ignore[index]
    assert out["bm25_knn"]["recall@10"] == pytest.approx(0.9207, abs=0.01)  # type: ignore[index]
    assert out["bm25_knn"]["novel_recall@10"] == pytest.approx(0.3363, abs=0.02)  # type: ignore[index]
    assert skipped["single_section"] > 0


@pytest.mark.slow
def test_system_is_evaluated_through_discover(
    reference_split: tuple[SqlPatentStore, list[Patent], Indexer],
) -> None:
    from tsunagu.services.discovery.index import DiscoveryIndex

    store, queries, indexer = reference_split
    searcher = indexer.load_searcher()
    index = DiscoveryIndex(store, lambda: searcher, indexer.folder / "discovery")
    service = DiscoveryService(store, index)
    ev = DiscoveryEvaluationService(
        store, searcher, index.stats(), service, ablations={"boldness=0": DiscoveryConfig(boldness=0.0)}
    )
    doc = ev.evaluate(queries[:60], t_year=2015)
    assert set(doc["methods"]) == {"system", "cooc", "bm25_knn", "vector_knn"}  # type: ignore[arg-type]
    for m in doc["methods"].values():  # type: ignore[union-attr]
        assert set(m) == {"recall@10", "novel_recall@10", "mrr", "n", "n_novel"}
        assert 0 <= m["recall@10"] <= 1
    assert "boldness=0" in doc["ablations"]  # type: ignore[operator]
    b = doc["protocol_b"]
    names = {"text", "common_neighbours", "adamic_adar", "preferential_attachment"}
    assert set(b["predictors"]) >= names  # type: ignore[index]
    assert doc["skipped"]["single_section"] > 0  # type: ignore[index]


def test_protocol_a_query_rules() -> None:
    rows = [
        ("A", ["A61B5/18", "B60W40/08"]),
        ("B", ["B60W40/08", "G08G1/16"]),
        ("C", ["G08G1/16", "A61B5/00"]),
    ]
    from tsunagu.services.discovery.stats import StatsRow

    stats = FieldStats.build([StatsRow(k, tuple(c), 2010) for k, c in rows])
    # sections A, B, G each hold one group: the tie goes to the section of the first code
    q = protocol_a_query(["G08G1/16", "B60W40/08", "A61B5/18"], stats)
    assert q is not None and q.home == "G" and q.home_groups == ("G08G1/00",)
    assert q.targets == {"A61B5/00", "B60W40/00"}
    # cooc(t) = max over home groups (n(h,t)+1)/(n(h)+G): B60W40/00 and A61B5/00 both co-occur once
    assert q.cooc_ranking[:2] == ("A61B5/00", "B60W40/00")
    assert q.surprising == frozenset()  # fewer than 20 groups: nothing is surprising
    assert protocol_a_query(["A61B5/18", "A61B5/00"], stats) is None


def test_knn_ranking_votes_then_cooc_fallback() -> None:
    groups = [["A61B5/00", "B60W40/00"], [], ["G08G1/00"], ["B60W40/00", "H04N7/00"]]
    rows = np.array([0, 1, 2, 3])
    scores = np.array([3.0, 2.5, 2.0, 1.0])
    ranking = knn_ranking(rows, scores, groups, home="B", fallback=["Z", "G08G1/00", "Y"], k=2)
    # row 1 has no codes and does not count toward k; row 3 is beyond k
    assert ranking == ["A61B5/00", "G08G1/00", "Z", "Y"]


def test_average_precision() -> None:
    assert average_precision(np.array([0.9, 0.8, 0.7]), np.array([True, False, True])) == pytest.approx(
        (1 + 2 / 3) / 2
    )
    assert average_precision(np.array([0.1, 0.2]), np.array([False, False])) == 0.0


def test_protocol_b_counts_and_predictors() -> None:
    # subclasses: A61B, B60W, G08G, H04N, A63B (documents: subclasses, year, vector row)
    docs = [
        (("A61B", "B60W"), 2010, 0),
        (("B60W", "G08G"), 2011, 1),
        (("G08G", "H04N"), 2012, 2),
        (("A63B",), 2012, 3),
        (("A61B", "G08G"), 2016, 4),
        (("A61B", "G08G"), 2017, 5),
        (("A63B", "H04N"), 2016, 6),  # only once after T: not a positive
    ]
    vecs = np.eye(7, dtype=np.float32)

    out = protocol_b(docs, lambda rows: vecs[np.asarray(rows)], t_year=2015)
    subs = ["A61B", "A63B", "B60W", "G08G", "H04N"]
    edges = {frozenset(p) for d in docs if d[1] < 2015 for p in itertools.combinations(d[0], 2)}
    cand = [
        (a, b) for a, b in itertools.combinations(subs, 2) if a[0] != b[0] and frozenset((a, b)) not in edges
    ]
    future = Counter(frozenset(d[0]) for d in docs if 2015 <= d[1] < 2020 and len(d[0]) == 2)
    positives = [c for c in cand if future[frozenset(c)] >= 2]
    assert out["candidates"] == len(cand) and out["positives"] == len(positives) == 1
    preds = out["predictors"]
    names = {"text", "text_centroid", "common_neighbours", "adamic_adar", "preferential_attachment"}
    assert set(preds) == names  # type: ignore[arg-type]
    # A61B–G08G share the neighbour B60W: common neighbours ranks the positive first
    assert preds["common_neighbours"]["auc_pr"] == 1.0  # type: ignore[index]
    assert preds["common_neighbours"]["mean_p@5"] > 0  # type: ignore[index]
