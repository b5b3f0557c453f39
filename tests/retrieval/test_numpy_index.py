"""Tests of `NumpyVectorIndex`: exact top-k, float16 storage, memory-mapped loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tsunagu.errors import StorageError, ValidationError
from tsunagu.retrieval.embedders.common import l2_normalise
from tsunagu.retrieval.vector.numpy_index import NumpyVectorIndex


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    rng = np.random.default_rng(7)
    return l2_normalise(rng.normal(size=(500, 32)))


def test_exact_top_k(vectors: np.ndarray) -> None:
    index = NumpyVectorIndex.build(vectors, dtype="float32")
    q = vectors[17]
    ids, scores = index.search(q, 10)
    expected = np.argsort(-(vectors @ q), kind="stable")[:10]
    assert ids.tolist() == expected.tolist()
    assert ids[0] == 17 and scores[0] == pytest.approx(1.0, abs=1e-6)
    assert list(scores) == sorted(scores, reverse=True)


def test_float16_keeps_the_ranking(vectors: np.ndarray) -> None:
    index = NumpyVectorIndex.build(vectors)
    assert index.vectors.dtype == np.float16
    exact = NumpyVectorIndex.build(vectors, dtype="float32")
    for row in range(0, 500, 50):
        a, _ = index.search(vectors[row], 10)
        b, _ = exact.search(vectors[row], 10)
        assert len(set(a.tolist()) & set(b.tolist())) >= 9


def test_save_load_memory_mapped(tmp_path: Path, vectors: np.ndarray) -> None:
    NumpyVectorIndex.build(vectors).save(tmp_path)
    loaded = NumpyVectorIndex.load(tmp_path)
    assert isinstance(loaded.vectors, np.memmap) and loaded.vectors.dtype == np.float16
    assert len(loaded) == 500 and loaded.dim == 32
    assert loaded.search(vectors[3], 1)[0][0] == 3
    with pytest.raises(StorageError):
        NumpyVectorIndex.load(tmp_path / "none")


def test_chunked_path_equals_in_memory_path(tmp_path: Path, vectors: np.ndarray) -> None:
    NumpyVectorIndex.build(vectors).save(tmp_path)
    small = NumpyVectorIndex.load(tmp_path, max_float32_bytes=0)  # never keeps a float32 copy
    big = NumpyVectorIndex.load(tmp_path)
    q = vectors[42]
    assert np.allclose(small.scores(q), big.scores(q), atol=1e-6)
    assert small._f32 is None
    ids = np.array([5, 42, 7])
    assert np.allclose(small.scores_of(q, ids), big.scores(q)[ids], atol=1e-6)
    assert np.allclose(small.scores_many(vectors[:3]), big.scores_many(vectors[:3]), atol=1e-6)


def test_k_larger_than_corpus_and_validation(vectors: np.ndarray) -> None:
    index = NumpyVectorIndex.build(vectors[:5])
    ids, _ = index.search(vectors[0], 50)
    assert sorted(ids.tolist()) == [0, 1, 2, 3, 4]
    with pytest.raises(ValidationError):
        NumpyVectorIndex(np.zeros(3))
    with pytest.raises(ValidationError):
        NumpyVectorIndex.build(vectors, dtype="int8")
