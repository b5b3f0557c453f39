"""Embedders: text → L2-normalised float32 vectors. Chosen by name with `make_embedder`."""

from __future__ import annotations

from typing import Any

from tsunagu.errors import ConfigurationError
from tsunagu.retrieval.base import Embedder

__all__ = ["EMBEDDER_NAMES", "make_embedder"]

#: Names accepted by `make_embedder` (and by the ``TSUNAGU_EMBEDDER`` setting).
EMBEDDER_NAMES: tuple[str, ...] = ("use", "e5", "hashing")


def make_embedder(name: str, **options: Any) -> Embedder:
    """Build the embedder called ``name`` (``"use"``, ``"e5"`` or ``"hashing"``); loads no model yet.

    Raises:
        ConfigurationError: for an unknown name.
    """
    if name == "use":
        from tsunagu.retrieval.embedders.use import UseEmbedder

        return UseEmbedder(**options)
    if name == "e5":
        from tsunagu.retrieval.embedders.e5 import E5Embedder

        return E5Embedder(**options)
    if name == "hashing":
        from tsunagu.retrieval.embedders.hashing import HashingEmbedder

        return HashingEmbedder(**options)
    raise ConfigurationError(f"unknown embedder {name!r}; choose one of {', '.join(EMBEDDER_NAMES)}")
