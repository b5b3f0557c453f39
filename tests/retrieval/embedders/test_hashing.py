"""Tests of `HashingEmbedder` and the embedder factory."""

from __future__ import annotations

import numpy as np
import pytest

from tsunagu.errors import ConfigurationError
from tsunagu.retrieval.base import Embedder
from tsunagu.retrieval.embedders import EMBEDDER_NAMES, make_embedder
from tsunagu.retrieval.embedders.hashing import HashingEmbedder


def test_unit_vectors_deterministic_and_similar_texts_closer() -> None:
    e = HashingEmbedder(dim=128)
    texts = ["運転者の眠気を検出する装置", "運転者の眠気を検知する装置", "pizza dough with tomato sauce", ""]
    v = e.embed(texts)
    assert v.shape == (4, 128) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1.0)
    assert not v[3].any()
    assert np.array_equal(v, HashingEmbedder(dim=128).embed(texts))
    assert v[0] @ v[1] > v[0] @ v[2]


def test_factory() -> None:
    assert EMBEDDER_NAMES == ("use", "e5", "hashing")
    e = make_embedder("hashing", dim=16)
    assert isinstance(e, Embedder) and e.dim == 16
    use = make_embedder("use")
    assert use.name == "use" and use.dim == 512
    assert getattr(use, "_model", None) is None  # nothing loaded before the first embed
    with pytest.raises(ConfigurationError):
        make_embedder("word2vec")
