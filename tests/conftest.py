"""Shared fixtures: real data location, a temporary tsunagu home, and a PostgreSQL URL per test."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only real data folder ``<repo>/../shared/data``; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (expected at <repo>/../shared/data)")
    return SHARED_DATA


@pytest.fixture
def tmp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty tsunagu home folder, set as ``TSUNAGU_HOME`` (and no ``TSUNAGU_DATABASE_URL``)."""
    home = tmp_path / "tsunagu-home"
    home.mkdir()
    monkeypatch.setenv("TSUNAGU_HOME", str(home))
    monkeypatch.delenv("TSUNAGU_DATABASE_URL", raising=False)
    return home


def _libpq_url(url: URL) -> str:
    """The URL as libpq/psycopg spells it (no SQLAlchemy driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_problem(url: URL) -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'tsunagu[postgres]')"
    try:
        with psycopg.connect(_libpq_url(url), connect_timeout=3) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


@pytest.fixture(scope="session")
def pg_server_url() -> URL:
    """The test server's URL (``TSUNAGU_TEST_PG_URL`` or the local default), checked once.

    Skips when the server cannot be reached, except under ``CI=true`` where that is a failure:
    PostgreSQL tests must never be skipped silently in CI.
    """
    url = make_url(os.environ.get("TSUNAGU_TEST_PG_URL", DEFAULT_PG_URL))
    problem = _pg_problem(url)
    if problem is not None:
        where = url.render_as_string(hide_password=True)
        message = (
            f"PostgreSQL not reachable at {where}: {problem}. "
            "Start one with .ci/postgres.sh or set TSUNAGU_TEST_PG_URL."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: PostgreSQL tests may not be skipped)")
        pytest.skip(message)
    return url


@pytest.fixture
def pg_url(pg_server_url: URL) -> Iterator[str]:
    """A PostgreSQL URL whose ``search_path`` is a fresh schema, dropped after the test.

    Close every store opened on it before the test ends.
    """
    import psycopg

    schema = f"tsunagu_test_{secrets.token_hex(6)}"
    with psycopg.connect(_libpq_url(pg_server_url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = pg_server_url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq_url(pg_server_url), autocommit=True) as conn:
            conn.execute("SET lock_timeout = '20s'")
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
