"""Database schema: one `MetaData` that every storage capability registers its tables on.

The patent store owns three tables: ``patents`` (one row per document), ``patent_numbers`` (every
number form of a document, normalised for `SqlPatentStore.find`) and ``meta`` (name/value pairs,
among them the store-wide revision counter). Later capabilities (companies, offers, …) define their
own tables in their own modules on the same `metadata`; `create_all` creates every table registered
when it is called, so import such a module before calling it.

List and mapping fields are stored as JSON text (portable across SQLite and PostgreSQL, and
comparable byte for byte); dates are ISO ``YYYY-MM-DD`` text, ``""`` when unknown.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Engine, Index, Integer, MetaData, String, Table, Text

__all__ = [
    "JSON_COLUMNS",
    "KEY_TYPE",
    "SCHEMA_VERSION",
    "TEXT_COLUMNS",
    "create_all",
    "meta",
    "metadata",
    "patent_numbers",
    "patents",
]

# Bumped when the patent tables change shape; stored in ``meta`` as ``schema_version``.
SCHEMA_VERSION = 1

metadata = MetaData()

# Plain text fields of `tsunagu.domain.patent.Patent`, stored as they are.
TEXT_COLUMNS: tuple[str, ...] = (
    "publication_number",
    "country",
    "series",
    "kind",
    "title",
    "abstract",
    "claims",
    "language",
    "application_number",
    "family_id",
    "filing_date",
    "publication_date",
    "priority_date",
    "grant_date",
    "url",
)

# Tuple and dict fields of `Patent`, stored as JSON text.
JSON_COLUMNS: tuple[str, ...] = (
    "applicants",
    "inventors",
    "ipc_codes",
    "cpc_codes",
    "fi_codes",
    "original_numbers",
    "sources",
    "field_sources",
    "extra",
)


# Keys compare and sort by code point on every backend (PostgreSQL's "C" collation equals SQLite's
# BINARY for UTF-8), whatever the server's default collation: stable paging and identical order.
KEY_TYPE = String().with_variant(String(collation="C"), "postgresql")


def _text_column(name: str) -> Column[str]:
    # Unbounded text everywhere: a long value from an odd export must not fail a whole batch.
    return Column(name, Text, nullable=False, default="")


patents = Table(
    "patents",
    metadata,
    Column("key", KEY_TYPE, primary_key=True),
    *(_text_column(name) for name in TEXT_COLUMNS),
    *(Column(name, Text, nullable=False, default="[]") for name in JSON_COLUMNS),
    Column("year", Integer, nullable=True),
    Column("revision", BigInteger, nullable=False),
    Index("ix_patents_year", "year"),
    Index("ix_patents_revision", "revision"),
    Index("ix_patents_family_id", "family_id"),
)

patent_numbers = Table(
    "patent_numbers",
    metadata,
    Column("number", KEY_TYPE, primary_key=True),
    Column("key", KEY_TYPE, primary_key=True),
    Index("ix_patent_numbers_key", "key"),
)

meta = Table(
    "meta",
    metadata,
    Column("name", String, primary_key=True),
    Column("value", Text, nullable=False),
)


def create_all(engine: Engine) -> None:
    """Create every table registered on `metadata` that does not exist yet (idempotent).

    Args:
        engine: the database to create the tables in (for PostgreSQL, in the first schema of the
            connection's ``search_path``).
    """
    metadata.create_all(engine, checkfirst=True)
