"""Fixtures for the retrieval tests: real records from tests/data, read by the importers, and stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tsunagu.domain.patent import Patent
from tsunagu.services.ingestion import IngestionService, read_patents
from tsunagu.storage.sql import SqlPatentStore

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURE_FOLDERS = ("jplatpat_csv", "lens_csv", "patentsview_csv", "nasa_t2_csv", "uspto_xml")


@pytest.fixture(scope="session")
def fixture_patents() -> list[Patent]:
    """Every record of the committed real fixtures (Japanese and English), sorted by key."""
    service = IngestionService(store=None)  # type: ignore[arg-type]  # reading only
    records = read_patents(service, [DATA / name for name in FIXTURE_FOLDERS])
    return sorted(records, key=lambda p: p.key)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlPatentStore]:
    """An empty SQLite store in a temporary folder."""
    s = SqlPatentStore(f"sqlite:///{tmp_path / 'tsunagu.db'}")
    try:
        yield s
    finally:
        s.close()
