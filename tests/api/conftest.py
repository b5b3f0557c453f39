"""Fixtures of the API tests: live servers on SQLite and PostgreSQL."""

from api.servers import pg_server, server, sqlite_server

__all__ = ["pg_server", "server", "sqlite_server"]
