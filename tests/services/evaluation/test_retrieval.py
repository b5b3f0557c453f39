"""Tests of `RetrievalEvaluationService`: the protocol on fixtures, and agreement with the reference."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.retrieval.embedders.hashing import HashingEmbedder
from tsunagu.retrieval.indexer import Indexer
from tsunagu.services.evaluation.retrieval import RetrievalEvaluationService
from tsunagu.services.evaluation.splits import REFERENCE_BUCKET, holdout_bucket
from tsunagu.services.ingestion import IngestionService, read_patents
from tsunagu.storage.sql import SqlPatentStore

DATA = Path(__file__).resolve().parents[2] / "data"


def read(paths: list[Path]) -> list[Patent]:
    return sorted(read_patents(IngestionService(store=None), paths), key=lambda p: p.key)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> SqlPatentStore:
    s = SqlPatentStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    yield s
    s.close()


def test_protocol_on_fixtures(tmp_path: Path, store: SqlPatentStore) -> None:
    records = read([DATA / "jplatpat_csv", DATA / "lens_csv", DATA / "uspto_xml"])
    queries = [p for p in records if p.language == "ja"][:3]
    store.upsert_many([p for p in records if p not in queries])
    indexer = Indexer(store, tmp_path / "index", embedder=HashingEmbedder())
    indexer.update()
    service = RetrievalEvaluationService(store, indexer.load_searcher())
    stored = next(iter(store.iter_all()))
    no_codes = dataclasses.replace(queries[0], key="JP-A-0000000001", ipc_codes=())
    alien = dataclasses.replace(queries[0], key="JP-A-0000000002", ipc_codes=("A99Z99/99",))
    out = service.evaluate([*queries, queries[0], stored, no_codes, alien])
    methods = out["methods"]
    assert isinstance(methods, dict) and set(methods) == {"hybrid", "bm25", "vector"}
    for m in methods.values():
        assert set(m) == {"ndcg@10", "p@10", "mrr", "n"}
        assert m["n"] == 3 and 0 <= m["ndcg@10"] <= 1
    assert out["skipped"] == {"duplicate": 1, "in_corpus": 1, "no_ipc_codes": 1, "no_relevant": 1}
    assert set(out["cross_language"]) == {"hybrid", "bm25", "vector"}  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.shared
def test_bm25_agrees_with_the_reference_split(
    tmp_path: Path, store: SqlPatentStore, shared_data: Path
) -> None:
    """reference_baselines.py: bm25 nDCG@10 0.3272, P@10 0.8084 (n=548) on the held-out bucket 1."""
    records = read([shared_data / "formats" / "jplatpat_csv"])
    corpus = [p for p in records if holdout_bucket(p) != REFERENCE_BUCKET]
    queries = [p for p in records if holdout_bucket(p) == REFERENCE_BUCKET]
    assert (len(corpus), len(queries)) == (4607, 551)
    store.upsert_many(corpus)
    indexer = Indexer(store, tmp_path / "index", embedder=None)
    indexer.update()
    out = RetrievalEvaluationService(store, indexer.load_searcher()).evaluate(queries)
    bm25 = out["methods"]["bm25"]  # type: ignore[index]
    assert bm25["n"] == 548
    assert bm25["ndcg@10"] == pytest.approx(0.3272, abs=0.005)
    assert bm25["p@10"] == pytest.approx(0.8084, abs=0.005)
    assert out["skipped"] == {"no_relevant": 3}
    hybrid = out["methods"]["hybrid"]  # type: ignore[index]
    assert hybrid["ndcg@10"] > bm25["ndcg@10"]  # code feedback helps even without vectors
