"""The base of the stores that keep their own tables beside the patents (register, cases, accounts).

Each store opens on the patent store's engine (or a database URL, for which it builds and later
disposes of its own engine), creates missing tables, writes in one transaction per change (SQLite:
``BEGIN IMMEDIATE``, so concurrent writers queue instead of failing on upgrade) and reads through
`reader_engine`. Database errors become `StorageError` naming the action; a value the column
cannot hold (an id beyond 64 bits, from a URL or a form) becomes a `ValidationError`; with
``conflicts_are_invalid`` a unique-key conflict becomes a `ValidationError` too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from tsunagu.errors import StorageError, ValidationError
from tsunagu.storage.engine import SQLITE_BEGIN, engine_url, make_engine, reader_engine
from tsunagu.storage.schema import create_all

__all__ = ["MAX_ID", "SqlTableStore", "storage_errors"]

#: The largest id or count a column holds (64-bit signed integers on SQLite and PostgreSQL).
MAX_ID = 2**63 - 1


@contextmanager
def storage_errors(action: str, *, conflicts_are_invalid: bool = False) -> Iterator[None]:
    """Turn SQLAlchemy errors raised inside the block into tsunagu errors that name ``action``."""
    try:
        yield
    except OverflowError as exc:  # SQLite: an int beyond 64 bits cannot even be bound
        raise ValidationError(
            f"{action}: 数値が大きすぎます / a number is out of range (at most {MAX_ID})"
        ) from exc
    except DataError as exc:  # PostgreSQL: a value out of the column type's range
        raise ValidationError(f"{action}: 値が範囲外です / a value is out of range for its field") from exc
    except IntegrityError as exc:
        if conflicts_are_invalid:
            raise ValidationError(f"{action}: the record conflicts with an existing one") from exc
        raise StorageError(f"{action} に失敗しました / failed: {exc}") from exc
    except SQLAlchemyError as exc:
        raise StorageError(f"{action} に失敗しました / failed: {exc}") from exc


class SqlTableStore:
    """Engine handling, transactions and error mapping shared by the table stores.

    Args:
        engine: an engine shared with `tsunagu.storage.sql.SqlPatentStore` (its ``engine`` property),
            or a database URL (an engine is then built by `make_engine` and disposed of by `close`).
    """

    #: what the store holds, for error messages ("the register", "cases", ...).
    subject: ClassVar[str] = "tables"
    #: whether a unique-key conflict is the caller's mistake (`ValidationError`) or a storage failure.
    conflicts_are_invalid: ClassVar[bool] = False

    def __init__(self, engine: Engine | str) -> None:
        self._owns_engine = isinstance(engine, str)
        self._engine: Engine = make_engine(engine_url(engine)) if isinstance(engine, str) else engine
        self._reader = reader_engine(self._engine)
        self.backend = self._engine.dialect.name
        with self._errors(f"opening {self.subject}"):
            create_all(self._engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    def _errors(self, action: str) -> Any:
        return storage_errors(action, conflicts_are_invalid=self.conflicts_are_invalid)

    @contextmanager
    def _write(self, action: str = "") -> Iterator[Connection]:
        """A connection inside one write transaction (committed when the block ends without error)."""
        with self._errors(action or f"writing {self.subject}"), self._engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            with conn.begin():
                yield conn

    def _read(self, query: Any, action: str = "") -> list[Mapping[Any, Any]]:
        """The rows of one query, as mappings."""
        with self._errors(action or f"reading {self.subject}"), self._reader.connect() as conn:
            return list(conn.execute(query).mappings().all())

    def _scalar(self, query: Any, action: str = "") -> Any:
        """The single value of one query."""
        with self._errors(action or f"reading {self.subject}"), self._reader.connect() as conn:
            return conn.execute(query).scalar()

    def close(self) -> None:
        """Dispose of the engine when this store built it from a URL (a shared engine is left alone)."""
        if self._owns_engine:
            self._engine.dispose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._engine.url.render_as_string(hide_password=True)!r})"
