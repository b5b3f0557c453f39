"""Tests of `Indexer`: incremental updates against a real SQLite store, atomic generations, vectors."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from tsunagu.domain.patent import Patent
from tsunagu.errors import StorageError, ValidationError
from tsunagu.retrieval.base import SearchFilters
from tsunagu.retrieval.embedders.hashing import HashingEmbedder
from tsunagu.retrieval.indexer import Indexer, load_vectors
from tsunagu.storage.sql import SqlPatentStore


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting the texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__(dim=64)
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return super().embed(texts)


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


def with_text(patents: list[Patent]) -> list[Patent]:
    return [p for p in patents if p.text().strip()]


def test_first_update_builds_everything(
    tmp_path: Path, store: SqlPatentStore, fixture_patents: list[Patent], embedder: CountingEmbedder
) -> None:
    store.upsert_many(fixture_patents)
    progress: list[tuple[int, int, str]] = []
    indexer = Indexer(store, tmp_path / "index", embedder=embedder)
    assert not indexer.is_current() and indexer.stamp() is None
    report = indexer.update(lambda d, t, s: progress.append((d, t, s)))
    n = len(with_text(fixture_patents))
    assert report.rows == n and report.embedded == n and not report.up_to_date
    assert sum(embedder.calls) == n
    assert indexer.is_current()
    assert store.get_meta("index_revision") == str(store.revision())
    assert any("embedding" in s for _, _, s in progress)
    manifest = indexer.manifest()
    assert manifest is not None and manifest["rows"] == n and manifest["embedder"] == "hashing"
    # a second update is a no-op
    again = indexer.update()
    assert again.up_to_date and sum(embedder.calls) == n


def test_searcher_over_the_index(
    tmp_path: Path, store: SqlPatentStore, fixture_patents: list[Patent]
) -> None:
    store.upsert_many(fixture_patents)
    indexer = Indexer(store, tmp_path / "index", embedder=HashingEmbedder())
    indexer.update()
    searcher = indexer.load_searcher()
    target = next(p for p in fixture_patents if p.language == "ja")
    hits = searcher.search(target.title, k=3)
    assert hits[0].key == target.key
    # filters go through the store's keys_matching
    en = searcher.search(target.title, k=3, filters=SearchFilters(language="en"))
    assert en and all(store.get(h.key).language == "en" for h in en)  # type: ignore[union-attr]


def test_incremental_update_embeds_only_changes(
    tmp_path: Path, store: SqlPatentStore, fixture_patents: list[Patent], embedder: CountingEmbedder
) -> None:
    first, rest = fixture_patents[:30], fixture_patents[30:]
    store.upsert_many(first)
    indexer = Indexer(store, tmp_path / "index", embedder=embedder)
    indexer.update()
    stamp = indexer.stamp()
    embedder.calls.clear()
    # new records, plus one existing record that gains an abstract from another source
    changed = next(p for p in first if not p.abstract and p.title)
    edited = dataclasses.replace(changed, abstract="追加の記載。").with_source("lens_csv")
    store.upsert_many([*rest, edited])
    report = indexer.update()
    expected_new = len(with_text(rest)) + 1
    assert report.embedded == expected_new == sum(embedder.calls)
    assert report.rows == len(with_text(fixture_patents))
    assert indexer.stamp() != stamp
    assert not (tmp_path / "index" / str(stamp)).exists()  # old generation removed
    searcher = indexer.load_searcher()
    assert searcher.search("追加の記載", k=1)[0].key == changed.key


def test_vectors_survive_an_analyzer_or_full_rebuild(
    tmp_path: Path, store: SqlPatentStore, fixture_patents: list[Patent], embedder: CountingEmbedder
) -> None:
    store.upsert_many(fixture_patents)
    indexer = Indexer(store, tmp_path / "index", embedder=embedder)
    indexer.update()
    embedder.calls.clear()
    report = indexer.update(full=True)
    assert report.embedded == 0 and sum(embedder.calls) == 0
    assert report.rows == len(with_text(fixture_patents))


def test_crash_while_writing_keeps_the_live_generation(
    tmp_path: Path, store: SqlPatentStore, fixture_patents: list[Patent], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.upsert_many(fixture_patents[:20])
    indexer = Indexer(store, tmp_path / "index", embedder=HashingEmbedder())
    indexer.update()
    stamp = indexer.stamp()
    store.upsert_many(fixture_patents[20:])

    def boom(*_a: object, **_k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("tsunagu.retrieval.indexer.CodeMatrix.save", boom)
    with pytest.raises(OSError):
        indexer.update()
    assert indexer.stamp() == stamp and not indexer.is_current()
    assert len(indexer.load_searcher()) == len(with_text(fixture_patents[:20]))
    monkeypatch.undo()
    indexer.update()
    assert indexer.is_current()
    assert not list((tmp_path / "index").glob(".tmp-*"))


def test_export_and_import_vectors(
    tmp_path: Path, store: SqlPatentStore, fixture_patents: list[Patent], embedder: CountingEmbedder
) -> None:
    store.upsert_many(fixture_patents)
    source = Indexer(store, tmp_path / "a", embedder=HashingEmbedder(dim=64))
    source.update()
    path = tmp_path / "vectors.npz"
    assert source.export_vectors(path) == len(with_text(fixture_patents))
    keys, hashes, vectors, name = load_vectors(path)
    assert name == "hashing" and vectors.dtype == np.float16 and len(keys) == len(hashes) == len(vectors)
    # a fresh index folder with the shipped vectors embeds nothing
    target = Indexer(store, tmp_path / "b", embedder=embedder)
    assert target.import_vectors(path) == len(keys)
    report = target.update()
    assert report.embedded == 0 and sum(embedder.calls) == 0
    a = np.load(tmp_path / "a" / str(source.stamp()) / "vectors.npy")
    b = np.load(tmp_path / "b" / str(target.stamp()) / "vectors.npy")
    assert np.array_equal(a, b)
    with pytest.raises(ValidationError):
        Indexer(store, tmp_path / "c", embedder=HashingEmbedder(dim=32)).import_vectors(path)


def test_other_embedder_means_rebuild(
    tmp_path: Path, store: SqlPatentStore, fixture_patents: list[Patent]
) -> None:
    store.upsert_many(fixture_patents)
    Indexer(store, tmp_path / "index", embedder=HashingEmbedder(dim=64)).update()
    other = Indexer(store, tmp_path / "index", embedder=HashingEmbedder(dim=32))
    assert not other.is_current()
    with pytest.raises(StorageError):
        other.load_searcher()
    other.update()
    assert other.is_current()
    manifest = json.loads((tmp_path / "index" / str(other.stamp()) / "manifest.json").read_text())
    assert manifest["dim"] == 32


def test_no_index_yet(tmp_path: Path, store: SqlPatentStore) -> None:
    indexer = Indexer(store, tmp_path / "index", embedder=HashingEmbedder())
    with pytest.raises(StorageError):
        indexer.load_searcher()
    report = indexer.update()  # an empty store gives an empty, valid index
    assert report.rows == 0 and indexer.is_current()
    assert indexer.load_searcher().search("anything") == []


def test_usearch_backend(tmp_path: Path, store: SqlPatentStore, fixture_patents: list[Patent]) -> None:
    pytest.importorskip("usearch")
    from tsunagu.retrieval.vector.usearch_index import UsearchVectorIndex

    store.upsert_many(fixture_patents)
    indexer = Indexer(store, tmp_path / "index", embedder=HashingEmbedder(), vector_backend="usearch")
    indexer.update()
    assert (tmp_path / "index" / str(indexer.stamp()) / "vectors.usearch").exists()
    searcher = indexer.load_searcher()
    assert isinstance(searcher.vector, UsearchVectorIndex)
    target = next(p for p in fixture_patents if p.language == "ja")
    assert searcher.search(target.title, k=3)[0].key == target.key
    with pytest.raises(ValidationError):
        Indexer(store, tmp_path / "x", vector_backend="faiss")
