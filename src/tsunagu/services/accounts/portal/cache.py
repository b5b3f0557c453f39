"""Per-process helpers for expensive reads: a small LRU cache keyed by the index generation, and a gate
that bounds how many CPU-heavy requests (searches, discoveries) run at once in one worker.

Searches and discoveries are pure functions of their input and of the live index generation, so a
result is reused only while the generation it was computed on is still live (an import that changes
the corpus starts a new generation and so empties the cache in effect). The gate keeps the query
encoder's matrix work from oversubscribing the cores when many requests arrive together; waiting
requests queue in arrival order.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["CpuGate", "ResultCache"]

T = TypeVar("T")


class ResultCache:
    """A thread-safe LRU cache with hit and miss counts.

    Args:
        maxsize: entries kept (0 disables the cache).
    """

    def __init__(self, maxsize: int = 1024) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, else ``compute()`` (stored; errors are not cached)."""
        if self.maxsize <= 0:
            return compute()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                value: T = self._items[key]
                return value
            self.misses += 1
        value = compute()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"size": len(self._items), "hits": self.hits, "misses": self.misses}


class CpuGate:
    """At most ``slots`` CPU-heavy calls at once in this process."""

    def __init__(self, slots: int = 1) -> None:
        self._sem = threading.BoundedSemaphore(max(1, slots))

    def run(self, fn: Callable[[], T]) -> T:
        with self._sem:
            return fn()
