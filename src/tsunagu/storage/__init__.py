"""Persistence with SQLAlchemy Core: SQLite (embedded default) and PostgreSQL (server)."""

from tsunagu.storage.base import PatentStore, UpsertStats
from tsunagu.storage.engine import engine_url
from tsunagu.storage.schema import create_all, metadata
from tsunagu.storage.sql import SqlPatentStore

__all__ = ["PatentStore", "SqlPatentStore", "UpsertStats", "create_all", "engine_url", "metadata"]
