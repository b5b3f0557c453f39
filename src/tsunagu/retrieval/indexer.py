"""Keeps the index files in step with a `PatentStore`, incrementally and crash-safely.

Layout of the index folder::

    CURRENT              name of the live generation (replaced atomically)
    gen-000007/          one complete generation, never modified once CURRENT points at it
        manifest.json    store revision, row count, embedder, analyzer version, timings
        keys.json        dedupe key of each row
        hashes.npy       64-bit hash of each row's indexed text (title + abstract)
        tokens.npz       analysed tokens of each row (flat ids + offsets + vocabulary)
        lexical/         BM25 score matrix (`Bm25sLexicalIndex`)
        vectors.npy      float16 embeddings (`NumpyVectorIndex`)
        vectors.usearch  HNSW graph (`UsearchVectorIndex`), only for large corpora (``vector_backend``)
        codes.npz        IPC symbols of each row (`CodeMatrix`)
    vector_pool.npz      vectors brought in by `Indexer.import_vectors`, used when key and text match

An update reads only the records changed since the revision the live generation reflects
(`PatentStore.changed_since`), re-tokenises and re-embeds only rows whose text changed (vectors are
reused by key + text hash), rebuilds BM25 (fast), writes a new generation folder, then switches
``CURRENT`` with an atomic rename and stamps the store meta ``index_revision``. A crash at any point
leaves the previous generation live and complete.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tsunagu.domain.patent import Patent
from tsunagu.errors import StorageError, ValidationError
from tsunagu.retrieval.base import Embedder, SearchFilters
from tsunagu.retrieval.code_feedback import CodeMatrix
from tsunagu.retrieval.lexical.bm25s_index import Bm25sLexicalIndex
from tsunagu.retrieval.searcher import HybridSearcher, KeyFilter, SearchConfig, SearchVectorIndex
from tsunagu.retrieval.text import TextAnalyzer
from tsunagu.retrieval.vector.numpy_index import NumpyVectorIndex
from tsunagu.storage.base import PatentStore

__all__ = ["INDEX_FORMAT", "IndexUpdate", "Indexer", "ProgressFn", "text_hash"]

ProgressFn = Callable[[int, int, str], None]

#: Bumped when the folder layout changes (an index of another format is rebuilt from scratch).
INDEX_FORMAT = 1
META_REVISION = "index_revision"
_CURRENT = "CURRENT"
_POOL = "vector_pool.npz"


def text_hash(text: str) -> int:
    """64-bit hash of an indexed text (stable across processes and machines)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def indexed_text(p: Patent) -> str:
    """The text indexed for a record: title plus abstract."""
    return p.text()


@dataclass
class IndexUpdate:
    """What one `Indexer.update` did."""

    revision: int
    rows: int
    changed: int = 0
    tokenised: int = 0
    embedded: int = 0
    reused_vectors: int = 0
    removed: int = 0
    skipped_no_text: int = 0
    seconds: float = 0.0
    up_to_date: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Rows:
    """Per-row state of a generation while it is being assembled."""

    keys: list[str] = field(default_factory=list)
    hashes: list[int] = field(default_factory=list)
    tokens: list[np.ndarray] = field(default_factory=list)
    codes: list[tuple[str, ...]] = field(default_factory=list)
    vectors: list[np.ndarray | None] = field(default_factory=list)


class Indexer:
    """Builds and refreshes the lexical, vector and code indexes of a store in ``folder``.

    Args:
        store: the record store.
        folder: the index folder (for example ``$TSUNAGU_HOME/index``); created on first update.
        analyzer: text analyzer (default `TextAnalyzer`).
        embedder: the embedder, or None for a lexical-only index.
        config: search parameters handed to `load_searcher`.
        key_filter: filter hook handed to `load_searcher` (default: the store's ``keys_matching`` when
            it has one).
        embed_batch: texts per embedder call (progress is reported after each).
        vector_backend: ``"numpy"`` (exact search), ``"usearch"`` (approximate HNSW; extra
            ``tsunagu[ann]``) or ``"auto"``: usearch from ``ann_threshold`` rows on, when installed.
        ann_threshold: corpus size from which ``"auto"`` builds the HNSW graph.
    """

    def __init__(
        self,
        store: PatentStore,
        folder: str | Path,
        *,
        analyzer: TextAnalyzer | None = None,
        embedder: Embedder | None = None,
        config: SearchConfig | None = None,
        key_filter: KeyFilter | None = None,
        embed_batch: int = 256,
        vector_backend: str = "auto",
        ann_threshold: int = 300_000,
    ) -> None:
        if vector_backend not in ("auto", "numpy", "usearch"):
            raise ValidationError(f"vector_backend must be auto, numpy or usearch, not {vector_backend!r}")
        self.store = store
        self.folder = Path(folder)
        self.analyzer = analyzer or TextAnalyzer()
        self.embedder = embedder
        self.config = config
        self.key_filter = key_filter
        self.embed_batch = embed_batch
        self.vector_backend = vector_backend
        self.ann_threshold = ann_threshold
        self._vocab_cache: dict[str, int] = {}  # token → id of the generation being assembled

    # -- state ------------------------------------------------------------------------------------

    def stamp(self) -> str | None:
        """Name of the live generation (changes whenever an update lands), or None before the first."""
        try:
            name = (self.folder / _CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if name and (self.folder / name).is_dir() else None

    def manifest(self) -> dict[str, Any] | None:
        """The live generation's manifest, or None."""
        name = self.stamp()
        if name is None:
            return None
        try:
            data: dict[str, Any] = json.loads((self.folder / name / "manifest.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data

    def _settings(self) -> dict[str, Any]:
        emb = self.embedder
        return {
            "format": INDEX_FORMAT,
            "analyzer": self.analyzer.version,
            "embedder": emb.name if emb is not None else None,
            "dim": int(emb.dim) if emb is not None else None,
        }

    def _compatible(self, manifest: dict[str, Any] | None) -> bool:
        if manifest is None:
            return False
        return all(manifest.get(k) == v for k, v in self._settings().items())

    def is_current(self) -> bool:
        """True when the live generation reflects the store's latest revision with this configuration."""
        m = self.manifest()
        return self._compatible(m) and m is not None and m.get("store_revision") == self.store.revision()

    # -- update -----------------------------------------------------------------------------------

    def update(self, progress: ProgressFn | None = None, *, full: bool = False) -> IndexUpdate:
        """Bring the index up to date with the store (a no-op when it already is).

        Args:
            progress: called as ``progress(done, total, stage)`` while working.
            full: re-read every record (vectors are still reused by key and text hash).
        """
        started = time.perf_counter()
        revision = self.store.revision()
        manifest = self.manifest()
        compatible = self._compatible(manifest)
        if compatible and not full and manifest is not None and manifest.get("store_revision") == revision:
            return IndexUpdate(revision=revision, rows=int(manifest.get("rows", 0)), up_to_date=True)
        report = IndexUpdate(revision=revision, rows=0)
        previous = self._load_rows(manifest) if manifest is not None else None
        vector_pool = self._vector_pool()
        if previous is not None and compatible and not full:
            assert manifest is not None
            records: Iterable[Patent] = self.store.changed_since(int(manifest["store_revision"]))
            rows = previous
            live = set(self.store.keys())
        else:
            records = self.store.iter_all()
            rows = _Rows()
            live = None
            self._vocab_cache = {}
            same = ("embedder", "dim")
            if previous is not None and all((manifest or {}).get(k) == self._settings()[k] for k in same):
                for key, h, v in zip(previous.keys, previous.hashes, previous.vectors, strict=True):
                    if v is not None:
                        vector_pool[(key, h)] = v
        row_of = {k: i for i, k in enumerate(rows.keys)}
        removed: set[int] = set()
        pending: dict[str, str] = {}  # texts of rows still to embed
        total = self.store.count() if live is None else 0
        for p in records:
            report.changed += 1
            text = indexed_text(p)
            i = row_of.get(p.key)
            if not text.strip():
                report.skipped_no_text += 1
                if i is not None:
                    removed.add(i)
                continue
            h = text_hash(text)
            codes = tuple(p.ipc_codes)
            if i is not None and rows.hashes[i] == h:
                rows.codes[i] = codes
                continue
            toks = np.asarray(self._token_ids(text), dtype=np.int32)
            report.tokenised += 1
            vec = vector_pool.get((p.key, h))
            if vec is None:
                pending[p.key] = text
            if i is None:
                row_of[p.key] = len(rows.keys)
                rows.keys.append(p.key)
                rows.hashes.append(h)
                rows.tokens.append(toks)
                rows.codes.append(codes)
                rows.vectors.append(vec)
            else:
                removed.discard(i)
                rows.hashes[i], rows.tokens[i], rows.codes[i], rows.vectors[i] = h, toks, codes, vec
            if progress and report.changed % 1000 == 0:
                progress(report.changed, total, "解析 / analysing")
        if live is not None:
            removed |= {i for k, i in row_of.items() if k not in live}
        if removed:
            rows = _drop(rows, removed)
            report.removed = len(removed)
        report.embedded = self._embed_missing(rows, pending, progress)
        report.rows = len(rows.keys)
        report.reused_vectors = report.rows - report.embedded if self.embedder is not None else 0
        self._write_generation(rows, revision, report, progress)
        self.store.set_meta(META_REVISION, str(revision))
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _token_ids(self, text: str) -> list[int]:
        vocab = self._vocab
        return [vocab.setdefault(t, len(vocab)) for t in self.analyzer.tokens(text)]

    def _embed_missing(self, rows: _Rows, pending: dict[str, str], progress: ProgressFn | None) -> int:
        todo = [i for i, v in enumerate(rows.vectors) if v is None]
        if self.embedder is None or not todo:
            return 0
        missing = [rows.keys[i] for i in todo if rows.keys[i] not in pending]
        if missing:  # rows of an earlier generation that was built without vectors
            pending.update({p.key: indexed_text(p) for p in _get_many(self.store, missing)})
        for start in range(0, len(todo), self.embed_batch):
            part = todo[start : start + self.embed_batch]
            texts = [pending.get(rows.keys[i], "") for i in part]
            vecs = np.asarray(self.embedder.embed(texts), dtype=np.float32)
            for i, v in zip(part, vecs, strict=True):
                rows.vectors[i] = v.astype(np.float16)
            if progress:
                progress(start + len(part), len(todo), "ベクトル化 / embedding")
        return len(todo)

    # -- generations ------------------------------------------------------------------------------

    @property
    def _vocab(self) -> dict[str, int]:
        return self._vocab_cache

    def _load_rows(self, manifest: dict[str, Any]) -> _Rows | None:
        name = self.stamp()
        if name is None or manifest.get("format") != INDEX_FORMAT:
            return None
        gen = self.folder / name
        try:
            keys = json.loads((gen / "keys.json").read_text("utf-8"))
            hashes = np.load(gen / "hashes.npy").tolist()
            with np.load(gen / "tokens.npz") as z:
                ptr, ids, vocab = z["ptr"], z["ids"], z["vocab"].tolist()
            codes = CodeMatrix.load(gen)
            vec_path = gen / "vectors.npy"
            vectors = np.load(vec_path) if vec_path.exists() else None
        except (OSError, ValueError, KeyError, StorageError):
            return None
        if manifest.get("analyzer") == self.analyzer.version:
            self._vocab_cache = {t: i for i, t in enumerate(vocab)}
            tokens = [ids[ptr[i] : ptr[i + 1]] for i in range(len(keys))]
        else:  # only the vectors of this generation can be reused
            tokens = [np.empty(0, np.int32)] * len(keys)
        settings = self._settings()
        same_embedder = (
            vectors is not None
            and manifest.get("embedder") == settings["embedder"]
            and manifest.get("dim") == settings["dim"]
        )
        return _Rows(
            keys=list(keys),
            hashes=[int(h) for h in hashes],
            tokens=list(tokens),
            codes=[tuple(codes.codes(i)) for i in range(len(keys))],
            vectors=[vectors[i] if same_embedder and vectors is not None else None for i in range(len(keys))],
        )

    def _write_generation(
        self, rows: _Rows, revision: int, report: IndexUpdate, progress: ProgressFn | None
    ) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = self._next_generation_name()
        tmp = self.folder / f".tmp-{name}-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        n = len(rows.keys)
        if progress:
            progress(0, 1, "索引作成 / building indexes")
        lengths = np.fromiter((len(t) for t in rows.tokens), dtype=np.int64, count=n)
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=ptr[1:])
        ids = np.concatenate(rows.tokens).astype(np.int32) if n else np.empty(0, np.int32)
        vocab = [""] * len(self._vocab)
        for t, i in self._vocab.items():
            vocab[i] = t
        (tmp / "keys.json").write_text(json.dumps(rows.keys, ensure_ascii=False), encoding="utf-8")
        np.save(tmp / "hashes.npy", np.asarray(rows.hashes, dtype=np.uint64))
        np.savez(tmp / "tokens.npz", ptr=ptr, ids=ids, vocab=np.asarray(vocab, dtype=str))
        Bm25sLexicalIndex.build_from_ids(ptr, ids, vocab).save(tmp / "lexical")
        CodeMatrix.build(rows.codes).save(tmp)
        if self.embedder is not None:
            dim = int(self.embedder.dim)
            mat = np.zeros((n, dim), dtype=np.float16)
            for i, v in enumerate(rows.vectors):
                if v is not None:
                    mat[i] = v
            NumpyVectorIndex(mat).save(tmp)
            if self._use_ann(n):
                from tsunagu.retrieval.vector.usearch_index import UsearchVectorIndex

                def ann_progress(done: int, total: int) -> bool:
                    if progress:
                        progress(done, total, "近似索引 / vector graph")
                    return True

                UsearchVectorIndex.build(mat, progress=ann_progress).save(tmp)
        manifest = {
            **self._settings(),
            "store_revision": revision,
            "rows": n,
            "vocabulary": len(vocab),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "update": report.to_dict(),
        }
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        _fsync_tree(tmp)
        os.replace(tmp, self.folder / name)
        _atomic_write(self.folder / _CURRENT, name + "\n")
        self._remove_old_generations(keep=name)
        if progress:
            progress(1, 1, "索引作成 / building indexes")

    def _next_generation_name(self) -> str:
        numbers = [int(p.name[4:]) for p in self.folder.glob("gen-*") if p.name[4:].isdigit()]
        return f"gen-{(max(numbers) + 1) if numbers else 1:06d}"

    def _remove_old_generations(self, keep: str) -> None:
        for p in self.folder.glob("gen-*"):
            if p.name != keep and p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
        for p in self.folder.glob(".tmp-gen-*"):
            shutil.rmtree(p, ignore_errors=True)

    def _use_ann(self, rows: int) -> bool:
        if self.vector_backend == "numpy" or rows == 0:
            return False
        if self.vector_backend == "usearch":
            return True
        if rows < self.ann_threshold:
            return False
        try:
            import usearch.index  # noqa: F401
        except ImportError:
            return False
        return True

    # -- loading ----------------------------------------------------------------------------------

    def load_searcher(self, config: SearchConfig | None = None) -> HybridSearcher:
        """A `HybridSearcher` over the live generation.

        Raises:
            StorageError: when there is no index yet (run `update` first) or it cannot be read.
        """
        name = self.stamp()
        manifest = self.manifest()
        if name is None or manifest is None:
            raise StorageError(f"no search index in {self.folder}; build it first (tsunagu index)")
        if not self._compatible(manifest):
            raise StorageError(f"the index in {self.folder} was built with other settings; rebuild it")
        gen = self.folder / name
        try:
            keys = json.loads((gen / "keys.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise StorageError(f"cannot read {gen / 'keys.json'}: {exc}") from exc
        lexical = Bm25sLexicalIndex.load(gen / "lexical")
        vector: SearchVectorIndex | None = None
        if self.embedder is not None:
            if (gen / "vectors.usearch").exists() and self.vector_backend != "numpy":
                from tsunagu.retrieval.vector.usearch_index import UsearchVectorIndex

                vector = UsearchVectorIndex.load(gen)
            else:
                vector = NumpyVectorIndex.load(gen)
        codes = CodeMatrix.load(gen)
        key_filter = self.key_filter
        if key_filter is None:
            key_filter = _store_key_filter(self.store)
        return HybridSearcher(
            keys, self.analyzer, self.embedder, lexical, vector, codes, config or self.config, key_filter
        )

    # -- shipped vectors --------------------------------------------------------------------------

    def export_vectors(self, path: str | Path) -> int:
        """Write the live generation's vectors (keys, text hashes, float16 matrix, embedder name) to a
        compressed ``.npz``; returns the number of vectors written."""
        name = self.stamp()
        manifest = self.manifest()
        if name is None or manifest is None or self.embedder is None:
            raise StorageError("no vector index to export; build the index first")
        gen = self.folder / name
        keys = json.loads((gen / "keys.json").read_text("utf-8"))
        hashes = np.load(gen / "hashes.npy")
        vectors = np.load(gen / "vectors.npy")
        _save_vectors(path, keys, hashes, vectors, str(manifest["embedder"]))
        return len(keys)

    def import_vectors(self, path: str | Path) -> int:
        """Add precomputed vectors (written by `export_vectors`) to the pool used by `update`.

        A pooled vector is used for a record only when its key and text hash match, so stale vectors
        are never used. Returns the number of vectors added.

        Raises:
            ValidationError: when the file was made by another embedder or dimension.
        """
        keys, hashes, vectors, name = load_vectors(path)
        if self.embedder is None or name != self.embedder.name or vectors.shape[1] != self.embedder.dim:
            raise ValidationError(
                f"{path}: vectors were made by embedder {name!r} ({vectors.shape[1]}-d), "
                f"not by the configured {getattr(self.embedder, 'name', None)!r}"
            )
        pool = self._vector_pool()
        for k, h, v in zip(keys, hashes.tolist(), vectors, strict=True):
            pool[(k, int(h))] = v
        self.folder.mkdir(parents=True, exist_ok=True)
        pk = [k for k, _ in pool]
        ph = np.asarray([h for _, h in pool], dtype=np.uint64)
        pv = np.stack(list(pool.values())) if pool else np.zeros((0, vectors.shape[1]), np.float16)
        _save_vectors(self.folder / _POOL, pk, ph, pv, name)
        return len(keys)

    def _vector_pool(self) -> dict[tuple[str, int], np.ndarray]:
        path = self.folder / _POOL
        if not path.exists() or self.embedder is None:
            return {}
        try:
            keys, hashes, vectors, name = load_vectors(path)
        except ValidationError:
            return {}
        if name != self.embedder.name or vectors.shape[1] != self.embedder.dim:
            return {}
        return {(k, int(h)): v for k, h, v in zip(keys, hashes.tolist(), vectors, strict=True)}


def _save_vectors(
    path: str | Path, keys: Sequence[str], hashes: np.ndarray, vectors: np.ndarray, embedder: str
) -> None:
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(
        tmp,
        keys=np.asarray(keys, dtype=str),
        hashes=np.asarray(hashes, dtype=np.uint64),
        vectors=np.asarray(vectors, dtype=np.float16),
        embedder=np.asarray(embedder),
    )
    os.replace(tmp, path)


def load_vectors(path: str | Path) -> tuple[list[str], np.ndarray, np.ndarray, str]:
    """Read a vectors file written by `Indexer.export_vectors`: keys, text hashes, float16 matrix, embedder.

    Raises:
        ValidationError: when the file is missing or not such a file.
    """
    try:
        with np.load(Path(path)) as z:
            return z["keys"].tolist(), z["hashes"], z["vectors"], str(z["embedder"])
    except (OSError, ValueError, KeyError) as exc:
        raise ValidationError(f"{path}: not a tsunagu vectors file ({exc})") from exc


def _drop(rows: _Rows, removed: set[int]) -> _Rows:
    keep = [i for i in range(len(rows.keys)) if i not in removed]
    return _Rows(
        keys=[rows.keys[i] for i in keep],
        hashes=[rows.hashes[i] for i in keep],
        tokens=[rows.tokens[i] for i in keep],
        codes=[rows.codes[i] for i in keep],
        vectors=[rows.vectors[i] for i in keep],
    )


def _get_many(store: PatentStore, keys: Sequence[str], batch: int = 2000) -> Iterable[Patent]:
    for start in range(0, len(keys), batch):
        yield from store.get_many(list(keys[start : start + batch]))


def _store_key_filter(store: PatentStore) -> KeyFilter | None:
    """The store's ``keys_matching(keys, **filters)`` as a key filter, when the store offers one."""
    fn = getattr(store, "keys_matching", None)
    if fn is None:
        return None

    def key_filter(keys: Sequence[str], filters: SearchFilters) -> set[str]:
        return set(fn(list(keys), **dataclasses.asdict(filters)))

    return key_filter


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _fsync_tree(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            with open(p, "rb") as f:
                os.fsync(f.fileno())
