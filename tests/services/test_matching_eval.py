"""The matching evaluation: average precision by hand, and the proxy on a real subset of the corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matching_corpus import SHARED

from tsunagu.retrieval.text import TextAnalyzer
from tsunagu.services.evaluation.matching import (
    MatchingEvalConfig,
    MatchingEvaluationService,
    average_precision,
)
from tsunagu.services.ingestion import IngestionService, read_patents
from tsunagu.storage.sql import SqlPatentStore


def test_average_precision_and_recall_by_hand() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    relevant = np.array([True, False, True, False, False])
    candidates = np.ones(5, dtype=bool)
    ap, r10 = average_precision(scores, relevant, candidates)
    assert ap == pytest.approx((1 / 1 + 2 / 3) / 2) and r10 == 1.0
    # An excluded offer (the company's own) is not ranked at all.
    candidates[0] = False
    ap, _ = average_precision(scores, relevant, candidates)
    assert ap == pytest.approx(1 / 2)
    # Ties are broken by offer order.
    ap, _ = average_precision(np.zeros(3), np.array([False, False, True]), np.ones(3, dtype=bool))
    assert ap == pytest.approx(1 / 3)


@pytest.mark.shared
@pytest.mark.slow
def test_matcher_beats_both_baselines_on_a_real_subset(tmp_path: Path) -> None:
    if not SHARED.is_dir():
        pytest.skip(f"real data folder {SHARED} is absent")
    store = SqlPatentStore(f"sqlite:///{tmp_path / 'eval.db'}")
    files = [
        SHARED / "formats" / "jplatpat_csv",
        SHARED / "formats" / "lens_csv" / "antontruly_lens-export_jet_engine.csv.gz",
    ]
    store.upsert_many(read_patents(IngestionService(store=None), files))  # type: ignore[arg-type]
    doc = MatchingEvaluationService(store, TextAnalyzer()).evaluate(MatchingEvalConfig(year=2015))
    methods = doc["methods"]
    assert set(methods) == {"system", "ipc_overlap", "bm25"}
    assert (
        methods["system"]["n"]
        == methods["bm25"]["n"]
        == doc["companies"] - doc["companies_without_relevant_offer"]
    )
    assert methods["system"]["n"] > 100 and doc["offers"] <= 5000
    assert methods["system"]["map"] > methods["ipc_overlap"]["map"]
    assert methods["system"]["map"] > methods["bm25"]["map"]
    store.close()
