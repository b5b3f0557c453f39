"""`DiscoveryIndex`: keeps discovery's derived artefacts in step with the store and the search index.

Discovery needs, besides the searcher's own indexes, the corpus `FieldStats` (saved under
``<index folder>/discovery/``, stamped with the store revision) and each index row's main groups
(derived from the searcher's code matrix in memory). `DiscoveryIndex` is a callable returning the
current `Retrieval`: it rebuilds the statistics when the store revision changed and the row groups when
the searcher changed (a new index generation). Call `refresh` after an import to pay the cost then.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from tsunagu.retrieval.searcher import HybridSearcher
from tsunagu.services.discovery.service import Retrieval
from tsunagu.services.discovery.stats import FieldStats, ProgressFn
from tsunagu.storage.base import PatentStore

__all__ = ["DiscoveryIndex"]


class DiscoveryIndex:
    """The current `Retrieval` for discovery (thread-safe, rebuilt only when its inputs changed).

    Args:
        store: the patent store.
        searcher: returns the current hybrid searcher (for example ``lambda: app.searcher``).
        folder: where the field statistics are saved (for example ``$TSUNAGU_HOME/index/discovery``).
    """

    def __init__(
        self, store: PatentStore, searcher: Callable[[], HybridSearcher], folder: str | Path
    ) -> None:
        self.store = store
        self._searcher = searcher
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._stats: FieldStats | None = None
        self._retrieval: Retrieval | None = None

    def stats(self, progress: ProgressFn | None = None) -> FieldStats:
        """Field statistics of the store's current revision (loaded, or rebuilt and saved)."""
        revision = self.store.revision()
        stats = self._stats
        if stats is None or stats.revision != revision:
            stats = FieldStats.load_or_build(self.store, self.folder, progress)
            self._stats = stats
        return stats

    def refresh(self, progress: ProgressFn | None = None) -> FieldStats:
        """Bring the saved statistics up to date now (after an import); returns them."""
        with self._lock:
            return self.stats(progress)

    def is_current(self) -> bool:
        """True when saved statistics reflect the store's current revision."""
        return FieldStats.saved_revision(self.folder) == self.store.revision()

    def __call__(self) -> Retrieval:
        with self._lock:
            searcher = self._searcher()
            stats = self.stats()
            r = self._retrieval
            if r is None or r.searcher is not searcher or r.stats is not stats:
                r = Retrieval(searcher, stats)
                self._retrieval = r
            return r
