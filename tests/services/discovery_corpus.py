"""A small real corpus for the discovery tests (not a test module).

J-PlatPat export ① (driver-state patents, Japanese), the Lens "pizza" export (English, bibliographic)
and the USPTO grant samples, read by the importers from ``../shared/data`` into a SQLite store and
indexed with the tiny deterministic hashing embedder (no model needed, fast).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tsunagu.retrieval.embedders.hashing import HashingEmbedder
from tsunagu.retrieval.indexer import Indexer
from tsunagu.services.discovery.index import DiscoveryIndex
from tsunagu.services.discovery.model import DiscoveryConfig
from tsunagu.services.discovery.service import DiscoveryService
from tsunagu.services.ingestion import IngestionService, read_patents
from tsunagu.storage.sql import SqlPatentStore

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


def corpus_files(shared: Path = SHARED) -> list[Path]:
    jp = sorted((shared / "formats" / "jplatpat_csv").glob("*①*"))
    return [
        *jp,
        shared / "formats" / "lens_csv" / "poldham_pizza_lens_1000_raw.csv.gz",
        shared / "formats" / "uspto_xml",
    ]


@dataclass
class Corpus:
    store: SqlPatentStore
    indexer: Indexer
    index: DiscoveryIndex
    service: DiscoveryService


def build_corpus(folder: Path, config: DiscoveryConfig | None = None) -> Corpus:
    store = SqlPatentStore(f"sqlite:///{folder / 'tsunagu.db'}")
    store.upsert_many(read_patents(IngestionService(store=None), corpus_files()))  # type: ignore[arg-type]
    indexer = Indexer(store, folder / "index", embedder=HashingEmbedder())
    indexer.update()
    searcher = indexer.load_searcher()
    index = DiscoveryIndex(store, lambda: searcher, folder / "index" / "discovery")
    service = DiscoveryService(store, index, config=config or DiscoveryConfig(vector_weight=0.3))
    return Corpus(store, indexer, index, service)
