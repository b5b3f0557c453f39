"""Tests of `UsearchVectorIndex` (skipped when the optional usearch package is absent)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tsunagu.errors import StorageError, ValidationError
from tsunagu.retrieval.embedders.common import l2_normalise
from tsunagu.retrieval.vector.numpy_index import NumpyVectorIndex

pytest.importorskip("usearch")

from tsunagu.retrieval.vector.usearch_index import UsearchVectorIndex


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    rng = np.random.default_rng(3)
    centers = rng.normal(size=(20, 48))
    return l2_normalise(centers[rng.integers(0, 20, 2000)] + 0.3 * rng.normal(size=(2000, 48)))


@pytest.mark.parametrize("dtype", ["i8", "f16"])
def test_recall_against_exact(vectors: np.ndarray, dtype: str) -> None:
    ann = UsearchVectorIndex.build(vectors, dtype=dtype, threads=1)
    exact = NumpyVectorIndex.build(vectors, dtype="float32")
    recall = []
    for row in range(0, 2000, 40):
        a, scores = ann.search(vectors[row], 10)
        b, _ = exact.search(vectors[row], 10)
        recall.append(len(set(a.tolist()) & set(b.tolist())) / 10)
        assert list(scores) == sorted(scores, reverse=True)
        assert np.allclose(scores, exact.scores_of(vectors[row], a), atol=2e-3)
    assert np.mean(recall) >= (0.9 if dtype == "i8" else 0.95)


def test_save_load_and_scores_of(tmp_path: Path, vectors: np.ndarray) -> None:
    UsearchVectorIndex.build(vectors[:300], threads=1).save(tmp_path)
    loaded = UsearchVectorIndex.load(tmp_path)
    assert len(loaded) == 300 and loaded.dim == 48
    assert loaded.search(vectors[5], 1)[0][0] == 5
    ids = np.array([9, 2, 250])
    assert np.allclose(loaded.scores_of(vectors[2], ids), vectors[ids] @ vectors[2], atol=2e-3)
    with pytest.raises(StorageError):
        UsearchVectorIndex.load(tmp_path / "none")
    with pytest.raises(ValidationError):
        UsearchVectorIndex.build(vectors, dtype="b1")
