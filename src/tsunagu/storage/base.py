"""The `PatentStore` protocol: what services and the indexer may ask of the database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from tsunagu.domain.patent import Patent

__all__ = ["PatentStore", "UpsertStats"]


@dataclass
class UpsertStats:
    """Counts from `PatentStore.upsert_many`: new records, merged (changed) and unchanged ones."""

    new: int = 0
    merged: int = 0
    unchanged: int = 0

    def add(self, other: UpsertStats) -> None:
        self.new += other.new
        self.merged += other.merged
        self.unchanged += other.unchanged


@runtime_checkable
class PatentStore(Protocol):
    """Patent persistence. Implementations: `tsunagu.storage.sql.SqlPatentStore` (SQLite, PostgreSQL).

    Every record has a ``revision``: a store-wide counter bumped whenever a record is inserted or
    changed, so indexes can be brought up to date incrementally (`changed_since`).
    """

    def upsert_many(self, patents: Sequence[Patent]) -> UpsertStats:
        """Insert or merge (`tsunagu.domain.patent.merge_patents`) a batch in one transaction."""
        ...

    def get(self, key: str) -> Patent | None: ...

    def get_many(self, keys: Sequence[str]) -> list[Patent]:
        """Records for ``keys`` in the same order; missing keys are left out."""
        ...

    def find(self, number: str) -> list[Patent]:
        """Records whose key, publication number or any original number matches ``number``."""
        ...

    def iter_all(self, batch_size: int = 2000) -> Iterator[Patent]: ...

    def count(self) -> int: ...

    def revision(self) -> int:
        """The highest record revision (0 for an empty store)."""
        ...

    def changed_since(self, revision: int) -> Iterator[Patent]:
        """Records inserted or changed after ``revision``."""
        ...

    def get_meta(self, name: str) -> str | None: ...

    def set_meta(self, name: str, value: str) -> None: ...

    def keys(self) -> Iterable[str]: ...

    def close(self) -> None: ...
