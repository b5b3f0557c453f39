"""Session fixtures: one live server on SQLite and one on PostgreSQL (imported by the conftest files)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import URL

from api.live import LiveServer, serve


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A seeded server on the embedded default (SQLite file in a fresh home)."""
    home = tmp_path_factory.mktemp("web-sqlite")
    yield from serve(home, f"sqlite:///{home / 'tsunagu.db'}")


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory, pg_server_url: URL) -> Iterator[LiveServer]:
    """A seeded server on a real PostgreSQL server (its own schema, dropped afterwards)."""
    import psycopg

    schema = f"tsunagu_web_{secrets.token_hex(6)}"
    with psycopg.connect(_libpq(pg_server_url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = pg_server_url.update_query_dict({"options": f"-csearch_path={schema}"})
    home = tmp_path_factory.mktemp("web-pg")
    try:
        yield from serve(home, url.render_as_string(hide_password=False))
    finally:
        with psycopg.connect(_libpq(pg_server_url), autocommit=True) as conn:
            conn.execute("SET lock_timeout = '20s'")
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> Any:
    """The live server on each backend."""
    return request.getfixturevalue("sqlite_server" if request.param == "sqlite" else "pg_server")
