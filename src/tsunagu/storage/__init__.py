"""Persistence with SQLAlchemy Core: SQLite (embedded default) and PostgreSQL (server)."""
