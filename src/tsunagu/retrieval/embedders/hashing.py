"""A tiny deterministic embedder (hashed character n-grams), for tests and model-free setups.

It needs no model file and gives the same vectors on every machine and process, so tests of the
indexer, the searcher and the services can run in milliseconds. It captures surface similarity only.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence

import numpy as np

from tsunagu.retrieval.embedders.common import l2_normalise

__all__ = ["HashingEmbedder"]

_SPACE = re.compile(r"\s+")


class HashingEmbedder:
    """Signed feature hashing of character 2- and 3-grams (NFKC, lower-cased).

    Args:
        dim: vector dimension.
        max_chars: only the first ``max_chars`` characters of each text are used.
    """

    name = "hashing"

    def __init__(self, dim: int = 256, max_chars: int = 2000) -> None:
        self.dim = dim
        self.max_chars = max_chars

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into an ``(n, dim)`` float32 array of unit vectors (zero rows for empty texts)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            s = _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "")[: self.max_chars].lower()).strip()
            for n in (2, 3):
                for i in range(len(s) - n + 1):
                    h = zlib.crc32(s[i : i + n].encode("utf-8"))
                    out[row, h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        return l2_normalise(out)
