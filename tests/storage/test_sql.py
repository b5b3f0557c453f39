"""SqlPatentStore specifics that are not part of the backend-neutral contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Column, String, Table, inspect, update

from tsunagu.errors import ConfigurationError, StorageError
from tsunagu.storage import SqlPatentStore, engine_url
from tsunagu.storage.schema import meta, metadata

from .records import sample


def test_postgresql_urls_use_psycopg3() -> None:
    assert engine_url("postgresql://postgres@127.0.0.1:5432/test").drivername == "postgresql+psycopg"
    assert engine_url("postgres://u:secret@db/x").drivername == "postgresql+psycopg"
    assert engine_url("postgresql+psycopg://u@db/x").drivername == "postgresql+psycopg"
    assert engine_url("sqlite:///tmp/x.db").drivername == "sqlite"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "oracle+cx://x"])
def test_unsupported_urls_are_configuration_errors(url: str) -> None:
    with pytest.raises(ConfigurationError):
        engine_url(url)


def test_sqlite_file_is_created_with_wal_and_normal_sync(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "tsunagu.db"
    with SqlPatentStore(f"sqlite:///{path}") as store:
        store.upsert_many(sample())
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert store.backend == "sqlite"
        assert "tsunagu.db" in repr(store)
    assert path.is_file()


def test_in_memory_sqlite_works(tmp_home: Path) -> None:
    with SqlPatentStore("sqlite://") as store:
        assert store.upsert_many(sample()).new == 4
        assert store.count() == 4


def test_newer_schema_version_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with SqlPatentStore(url) as store, store.engine.begin() as conn:
        conn.execute(update(meta).where(meta.c.name == "schema_version").values(value="99"))
    with pytest.raises(StorageError, match="schema version 99"):
        SqlPatentStore(url)


def test_tables_registered_by_other_capabilities_are_created(tmp_path: Path) -> None:
    offers = Table("test_offers", metadata, Column("id", String, primary_key=True))
    try:
        with SqlPatentStore(f"sqlite:///{tmp_path / 'x.db'}") as store:
            tables = set(inspect(store.engine).get_table_names())
    finally:
        metadata.remove(offers)
    assert {"patents", "patent_numbers", "meta", "test_offers"} <= tables


def test_unwritable_database_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="database folder"):
        SqlPatentStore(f"sqlite:///{blocker / 'x.db'}")
    with pytest.raises(StorageError):
        SqlPatentStore(f"sqlite:///{tmp_path}")  # a folder, not a database file
