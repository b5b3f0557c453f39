"""Tests of `UseEmbedder` with the real multilingual USE model (slow: loads the model)."""

from __future__ import annotations

import numpy as np
import pytest

from tsunagu.retrieval.embedders.use import UseEmbedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def use() -> UseEmbedder:
    return UseEmbedder(batch_size=2)


def test_shape_norm_and_batches(use: UseEmbedder) -> None:
    texts = ["運転者の眠気を検出する装置", "A device that detects driver drowsiness", "", "pizza oven", "x"]
    v = use.embed(texts)
    assert v.shape == (5, 512) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[[0, 1, 3, 4]], axis=1), 1.0, atol=1e-5)
    assert not v[2].any()  # empty text → zero vector
    one_by_one = np.stack([use.embed([t])[0] for t in texts])
    assert np.allclose(v, one_by_one, atol=1e-5)  # batching does not change vectors


def test_cross_language_neighbours(use: UseEmbedder) -> None:
    ja, en, other = use.embed(
        [
            "運転者の眠気を検出する装置",
            "A device that detects driver drowsiness",
            "A pizza oven with a rotating stone",
        ]
    )
    assert ja @ en > ja @ other + 0.1


def test_long_text_is_cut(use: UseEmbedder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(use, "max_chars", 20)
    long_text = "driver drowsiness " * 200
    assert np.allclose(use.embed([long_text])[0], use.embed([long_text[:20]])[0], atol=1e-6)


def test_small_batches_run_on_one_blas_thread() -> None:
    """Queries (small batches) use one BLAS thread; large batches the configured count; same vectors."""
    from threadpoolctl import threadpool_info

    from tsunagu.retrieval.embedders.use import SMALL_BATCH

    emb = UseEmbedder(threads=2, batch_size=64)
    model = emb._load()
    seen: list[int] = []
    encode = model.encode

    def spy(batch: list[str]) -> np.ndarray:
        seen.append(max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"), default=0))
        return encode(batch)

    model.encode = spy
    texts = [f"運転者の眠気を検出する装置 {i}" for i in range(SMALL_BATCH)]
    alone = emb.embed(texts[:1])
    together = emb.embed(texts)
    assert seen[0] == 1 and seen[1] == 2
    assert emb.threads_for(1) == 1 and emb.threads_for(SMALL_BATCH) == 2
    assert np.allclose(alone[0], together[0], atol=1e-5)
