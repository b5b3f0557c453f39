"""Session fixtures: one live server on SQLite and one on PostgreSQL (imported by the conftest files).

The API, security and browser tests import these fixtures into their own conftest files; each import
is a separate fixture definition for pytest, so the servers themselves are kept in this module and
started once per test process (stopped, and the PostgreSQL schema dropped, when the process exits).
"""

from __future__ import annotations

import atexit
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy.engine import URL

from api.live import LiveServer, serve

_SHARED: dict[str, LiveServer] = {}


def _shared(name: str, make: Callable[[], Iterator[LiveServer]]) -> LiveServer:
    if name not in _SHARED:
        gen = make()
        _SHARED[name] = next(gen)
        atexit.register(next, gen, None)  # runs the generator's clean-up
    return _SHARED[name]


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> LiveServer:
    """A seeded server on the embedded default (SQLite file in a fresh home)."""

    def make() -> Iterator[LiveServer]:
        home = tmp_path_factory.mktemp("web-sqlite")
        yield from serve(home, f"sqlite:///{home / 'tsunagu.db'}")

    return _shared("sqlite", make)


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory, pg_server_url: URL) -> LiveServer:
    """A seeded server on a real PostgreSQL server (its own schema, dropped afterwards)."""

    def make() -> Iterator[LiveServer]:
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

    return _shared("postgresql", make)


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest) -> Any:
    """The live server on each backend."""
    return request.getfixturevalue("sqlite_server" if request.param == "sqlite" else "pg_server")
