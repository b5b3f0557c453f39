"""Engines for the storage backends: URL handling, SQLite pragmas and transaction control.

``sqlite:///path/to/file.db`` is the embedded default (WAL journal, ``synchronous=NORMAL``);
``postgresql://user@host/db`` uses the psycopg 3 driver (install ``tsunagu[postgres]``). For
PostgreSQL, a schema other than the default can be chosen with libpq options in the URL, for
example ``postgresql://u@h/db?options=-csearch_path%3Dmy_schema``.

On SQLite, SQLAlchemy (not the sqlite3 module) decides where transactions begin, so the reads and
writes of one unit of work share a transaction. A connection can ask for ``BEGIN IMMEDIATE`` (take
the write lock up front, so concurrent writers wait instead of failing on a stale snapshot) with the
execution option `SQLITE_BEGIN`: ``conn.execution_options(sqlite_begin="IMMEDIATE")``. The option is
ignored on PostgreSQL.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from tsunagu.errors import ConfigurationError, MissingDependencyError, StorageError

__all__ = ["SQLITE_BEGIN", "engine_url", "make_engine", "reader_engine"]

SQLITE_BEGIN = "sqlite_begin"

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-32000",
    "PRAGMA busy_timeout=30000",
)


def engine_url(url: str) -> URL:
    """Parse a database URL and pick the driver tsunagu uses for it.

    ``postgresql://`` (and ``postgres://``) become ``postgresql+psycopg://``; SQLite URLs are kept.

    Raises:
        ConfigurationError: the URL is malformed or names an unsupported database.
        MissingDependencyError: PostgreSQL is asked for but psycopg is not installed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"invalid database URL {url!r}: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        if parsed.drivername == "postgresql+psycopg" and importlib.util.find_spec("psycopg") is None:
            raise MissingDependencyError(
                "PostgreSQL needs the psycopg driver: pip install 'tsunagu[postgres]'"
            )
        return parsed
    raise ConfigurationError(
        f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: "
        "use sqlite:///PATH or postgresql://user@host/db"
    )


def make_engine(url: URL, *, echo: bool = False) -> Engine:
    """An engine for a URL from `engine_url`; for a SQLite file, its folder is created.

    Raises:
        StorageError: the SQLite database folder cannot be created.
    """
    if url.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True)
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create the database folder {folder}: {exc}") from exc
    engine = create_engine(url, echo=echo)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the SQLAlchemy pysqlite transaction recipe
        cursor = dbapi_connection.cursor()
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "")
        conn.exec_driver_sql(f"BEGIN {mode}".rstrip())

    return engine


def reader_engine(engine: Engine) -> Engine:
    """The engine to use for single-statement reads.

    On PostgreSQL it runs in autocommit, which saves the BEGIN and ROLLBACK round trips around each
    query (about twice the rate for small lookups); elsewhere it is ``engine`` itself. Both share one
    connection pool.
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine
