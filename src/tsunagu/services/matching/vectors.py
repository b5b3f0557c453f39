"""Embeddings of offers, cached on disk by offer id and text hash (so `tsunagu match` stays fast)."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from tsunagu.domain.matching import Offer

__all__ = ["Embed", "OfferVectorCache", "ProgressFn"]

#: ``embed(texts)`` → ``(len(texts), dim)`` unit vectors.
Embed = Callable[[Sequence[str]], np.ndarray]
ProgressFn = Callable[[int, int, str], None]

_BATCH = 128


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


class OfferVectorCache:
    """Offer vectors kept in one ``.npz`` file; only new or changed offer texts are embedded.

    Args:
        path: the cache file (its folder is created on first write); None keeps vectors in memory only.
        embed: the embedder function.
        name: the embedder's name (a cache made by another embedder is ignored).
    """

    def __init__(self, path: Path | None, embed: Embed, name: str) -> None:
        self.path = path
        self.embed = embed
        self.name = name
        self._lock = threading.Lock()
        self._memory: dict[tuple[int, str], np.ndarray] | None = None

    def _load(self) -> dict[tuple[int, str], np.ndarray]:
        if self._memory is not None:
            return self._memory
        out: dict[tuple[int, str], np.ndarray] = {}
        if self.path is not None and self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    if str(data["embedder"]) == self.name:
                        for i, h, v in zip(
                            data["ids"].tolist(), data["hashes"].tolist(), data["vectors"], strict=True
                        ):
                            out[(int(i), str(h))] = np.asarray(v, dtype=np.float32)
            except (OSError, ValueError, KeyError):
                out = {}  # a damaged cache is rebuilt
        self._memory = out
        return out

    def _save(self, cache: dict[tuple[int, str], np.ndarray]) -> None:
        if self.path is None or not cache:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        keys = list(cache)
        np.savez(
            tmp,
            ids=np.asarray([k[0] for k in keys], dtype=np.int64),
            hashes=np.asarray([k[1] for k in keys]),
            vectors=np.stack([cache[k] for k in keys]).astype(np.float16),
            embedder=np.asarray(self.name),
        )
        os.replace(tmp, self.path)

    def vectors(self, offers: Sequence[Offer], progress: ProgressFn | None = None) -> np.ndarray:
        """Unit vectors of ``offers`` in order (embedding and caching the missing ones)."""
        with self._lock:
            cache = self._load()
            keys = [(o.id, _hash(o.text())) for o in offers]
            missing = [i for i, k in enumerate(keys) if k not in cache]
            for start in range(0, len(missing), _BATCH):
                chunk = missing[start : start + _BATCH]
                vecs = np.asarray(self.embed([offers[i].text() for i in chunk]), dtype=np.float32)
                for i, v in zip(chunk, vecs, strict=True):
                    cache[keys[i]] = v
                if progress is not None:
                    progress(
                        min(start + _BATCH, len(missing)),
                        len(missing),
                        "オファーの埋め込み / embedding offers",
                    )
            if missing:
                live = set(keys)
                for k in [k for k in cache if k[0] in {o.id for o in offers} and k not in live]:
                    del cache[k]
                self._save(cache)
            if not offers:
                return np.zeros((0, 0), dtype=np.float32)
            return np.stack([cache[k] for k in keys]).astype(np.float32)
