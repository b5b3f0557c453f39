"""`SqlPatentStore`: the `PatentStore` on SQLAlchemy Core, for SQLite and PostgreSQL.

URLs and engines are set up in `tsunagu.storage.engine`, tables in `tsunagu.storage.schema`,
conversion between rows and `Patent` in `tsunagu.storage.rows`.

Every write batch runs in one transaction that first takes the store-wide revision counter (a row
of ``meta``, locked with ``SELECT … FOR UPDATE`` on PostgreSQL; SQLite takes its write lock with
``BEGIN IMMEDIATE``), so concurrent writers are serialised and revisions are committed in order.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import SQLAlchemyError

from tsunagu.domain.patent import Patent, merge_patents
from tsunagu.errors import StorageError, ValidationError
from tsunagu.storage.base import UpsertStats
from tsunagu.storage.engine import SQLITE_BEGIN, engine_url, make_engine, reader_engine
from tsunagu.storage.filters import RecordFilter
from tsunagu.storage.rows import decode_json, lookup_forms, number_rows, patent_to_row, row_to_patent
from tsunagu.storage.schema import JSON_COLUMNS, SCHEMA_VERSION, create_all, meta, patent_numbers, patents

__all__ = ["SqlPatentStore"]

_REVISION = "revision"
_SCHEMA_VERSION = "schema_version"
_RESERVED_META = frozenset({_REVISION, _SCHEMA_VERSION})
# Keys per ``IN (…)`` query: well under SQLite's and PostgreSQL's bound-parameter limits.
_CHUNK = 900


@contextmanager
def _storage_errors(action: str) -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        raise StorageError(f"{action} failed: {exc}") from exc
    except UnicodeError as exc:  # text the database encoding cannot hold (for example lone surrogates)
        raise StorageError(f"{action} failed: {exc}") from exc


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _group(batch: Sequence[Patent]) -> dict[str, list[Patent]]:
    """The batch's records by key, keys and records in batch order."""
    groups: dict[str, list[Patent]] = {}
    for patent in batch:
        groups.setdefault(patent.key, []).append(patent)
    return groups


@dataclass
class _WritePlan:
    """What one upsert batch writes: rows to insert and update, number rows to add and remove."""

    revision: int
    stats: UpsertStats = field(default_factory=UpsertStats)
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    new_numbers: list[dict[str, str]] = field(default_factory=list)
    gone_numbers: list[dict[str, str]] = field(default_factory=list)

    def add(self, key: str, incoming: list[Patent], old_row: dict[str, Any] | None) -> None:
        """Merge ``incoming`` (records of one key, in batch order) into the stored row, if any.

        Each record is counted as if it had been upserted on its own.
        """
        old = None if old_row is None else row_to_patent(old_row)
        state = old
        for patent in incoming:
            if state is None:
                state = patent
                self.stats.new += 1
                continue
            merged = merge_patents(state, patent)
            if merged is state:
                self.stats.unchanged += 1
            else:
                self.stats.merged += 1
            state = merged
        if state is None:  # an empty group; `_group` never makes one
            return
        if old is None or old_row is None:
            self.revision += 1
            self.inserts.append(patent_to_row(state, self.revision))
            self.new_numbers.extend(number_rows(state))
            return
        if state is old:
            return
        row = patent_to_row(state, old_row["revision"])
        if row == old_row:
            return
        self.revision += 1
        row["revision"] = self.revision
        self.updates.append(row)
        before = {r["number"] for r in number_rows(old)}
        after = number_rows(state)
        self.new_numbers.extend(r for r in after if r["number"] not in before)
        kept = {r["number"] for r in after}
        self.gone_numbers.extend({"g_number": n, "g_key": key} for n in before - kept)


class SqlPatentStore:
    """Patent store on SQLite or PostgreSQL (implements `tsunagu.storage.base.PatentStore`).

    Creates missing tables on open. Methods raise `tsunagu.errors.StorageError` when the database
    cannot be read or written.

    Args:
        url: ``sqlite:///PATH`` (the parent folder is created) or ``postgresql://user@host/db``.
        echo: log every SQL statement (debugging).
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = engine_url(url)
        self.backend = self.url.get_backend_name()
        self._engine = make_engine(self.url, echo=echo)
        self._reader = reader_engine(self._engine)
        with _storage_errors("opening the database"):
            create_all(self._engine)
            self._init_meta()

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for capabilities that keep their own tables on `schema.metadata`."""
        return self._engine

    def _init_meta(self) -> None:
        with self._engine.begin() as conn:
            stored = {name: value for name, value in conn.execute(select(meta.c.name, meta.c.value))}
            version = int(stored.get(_SCHEMA_VERSION, SCHEMA_VERSION))
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"the database has schema version {version}, newer than this tsunagu "
                    f"({SCHEMA_VERSION}); upgrade tsunagu"
                )
            for name, value in ((_SCHEMA_VERSION, str(SCHEMA_VERSION)), (_REVISION, "0")):
                if name not in stored:
                    self._put_meta(conn, name, value, overwrite=False)

    def _put_meta(self, conn: Connection, name: str, value: str, *, overwrite: bool = True) -> None:
        dialect = pg_dialect if self.backend == "postgresql" else sqlite_dialect
        stmt = dialect.insert(meta).values(name=name, value=value)
        if overwrite:
            conn.execute(stmt.on_conflict_do_update(index_elements=[meta.c.name], set_={"value": value}))
        else:
            conn.execute(stmt.on_conflict_do_nothing(index_elements=[meta.c.name]))

    # -- writes -------------------------------------------------------------------------------

    def upsert_many(self, patents: Sequence[Patent]) -> UpsertStats:
        """Insert or merge a batch in one transaction.

        Existing rows for the batch's keys are read in one query (per 900 keys) and merged with
        `tsunagu.domain.patent.merge_patents`, records repeating a key within the batch in batch
        order; only new or changed rows are written, each with the next revision. On any error the
        whole batch is rolled back and the stored records stay exactly as they were.

        Returns:
            Counts of new, merged (changed) and unchanged records, each record of the batch counted
            as if it had been upserted on its own (they add up to ``len(patents)``).
        """
        if not patents:
            return UpsertStats()
        groups = _group(patents)
        with _storage_errors("storing patents"), self._engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            with conn.begin():
                first_revision = self._lock_revision(conn)
                stored = self._load_rows(conn, list(groups))
                plan = _WritePlan(revision=first_revision)
                for key, incoming in groups.items():
                    plan.add(key, incoming, stored.get(key))
                self._write(conn, plan)
                if plan.revision != first_revision:
                    conn.execute(
                        update(meta).where(meta.c.name == _REVISION).values(value=str(plan.revision))
                    )
        return plan.stats

    def _lock_revision(self, conn: Connection) -> int:
        query = select(meta.c.value).where(meta.c.name == _REVISION).with_for_update()
        value = conn.execute(query).scalar_one_or_none()
        return int(value or 0)

    def _load_rows(self, conn: Connection, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(keys):
            for row in conn.execute(select(patents).where(patents.c.key.in_(chunk))).mappings():
                rows[row["key"]] = dict(row)
        return rows

    @staticmethod
    def _write(conn: Connection, plan: _WritePlan) -> None:
        if plan.updates:
            # The key is the WHERE parameter, not a value to SET.
            params = [{**row, "u_key": row.pop("key")} for row in plan.updates]
            conn.execute(update(patents).where(patents.c.key == bindparam("u_key")), params)
        if plan.gone_numbers:
            conn.execute(
                delete(patent_numbers).where(
                    patent_numbers.c.number == bindparam("g_number"),
                    patent_numbers.c.key == bindparam("g_key"),
                ),
                plan.gone_numbers,
            )
        if plan.inserts:
            conn.execute(insert(patents), plan.inserts)
        if plan.new_numbers:
            conn.execute(insert(patent_numbers), plan.new_numbers)

    def set_meta(self, name: str, value: str) -> None:
        """Store a named value (``revision`` and ``schema_version`` are reserved).

        Raises:
            ValidationError: ``name`` is reserved.
        """
        if name in _RESERVED_META:
            raise ValidationError(f"meta name {name!r} is reserved for the store itself")
        with _storage_errors(f"setting meta {name!r}"), self._engine.begin() as conn:
            self._put_meta(conn, name, value)

    # -- reads --------------------------------------------------------------------------------

    def get_meta(self, name: str) -> str | None:
        """A named value, or None when it was never set."""
        with _storage_errors(f"reading meta {name!r}"), self._reader.connect() as conn:
            value = conn.execute(select(meta.c.value).where(meta.c.name == name)).scalar_one_or_none()
        return None if value is None else str(value)

    def get(self, key: str) -> Patent | None:
        """The record with this dedupe key, or None."""
        found = self.get_many([key])
        return found[0] if found else None

    def get_many(self, keys: Sequence[str]) -> list[Patent]:
        """Records for ``keys`` in the same order; missing keys are left out."""
        unique = list(dict.fromkeys(keys))
        with _storage_errors("reading patents"), self._reader.connect() as conn:
            rows = self._load_rows(conn, unique)
        by_key = {key: row_to_patent(row) for key, row in rows.items()}
        return [by_key[key] for key in keys if key in by_key]

    def find(self, number: str) -> list[Patent]:
        """Records whose key, publication number or any original number matches ``number``.

        Matching ignores case, spaces, hyphens, commas, slashes, dots and full-width forms, and a
        trailing kind code on either side (``"US8271025"`` finds ``"US 8271025 B2"``). Results are
        ordered by key.
        """
        forms = lookup_forms(number)
        if not forms:
            return []
        matching = select(patent_numbers.c.key).where(patent_numbers.c.number.in_(forms))
        query = select(patents).where(patents.c.key.in_(matching)).order_by(patents.c.key)
        with _storage_errors("finding patents"), self._reader.connect() as conn:
            return [row_to_patent(row) for row in conn.execute(query).mappings()]

    def iter_all(self, batch_size: int = 2000) -> Iterator[Patent]:
        """Every record, ordered by key, read ``batch_size`` rows at a time."""
        for row in self._scan(select(patents), batch_size):
            yield row_to_patent(row)

    def changed_since(self, revision: int, batch_size: int = 2000) -> Iterator[Patent]:
        """Records inserted or changed after ``revision``, in revision order."""
        last = revision
        while True:
            query = select(patents).where(patents.c.revision > last)
            query = query.order_by(patents.c.revision).limit(batch_size)
            with _storage_errors("reading changed patents"), self._reader.connect() as conn:
                rows = conn.execute(query).mappings().all()
            for row in rows:
                yield row_to_patent(row)
            if len(rows) < batch_size:
                return
            last = rows[-1]["revision"]

    def keys(self) -> Iterator[str]:
        """Every dedupe key, in key order."""
        for row in self._scan(select(patents.c.key), 10_000):
            yield row["key"]

    def count(self) -> int:
        """Number of records."""
        with _storage_errors("counting patents"), self._reader.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(patents)).scalar_one())

    def revision(self) -> int:
        """The highest record revision (0 for an empty store)."""
        query = select(func.coalesce(func.max(patents.c.revision), 0))
        with _storage_errors("reading the revision"), self._reader.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def _scan(self, query: Select[Any], batch_size: int) -> Iterator[RowMapping]:
        """Keyset pagination by key: stable order, no cursor held open between batches."""
        last: str | None = None
        while True:
            page = query.order_by(patents.c.key).limit(batch_size)
            if last is not None:
                page = page.where(patents.c.key > last)
            with _storage_errors("reading patents"), self._reader.connect() as conn:
                rows = conn.execute(page).mappings().all()
            yield from rows
            if len(rows) < batch_size:
                return
            last = rows[-1]["key"]

    # -- light queries for services -----------------------------------------------------------

    def iter_rows(self, columns: Sequence[str], batch_size: int = 5000) -> Iterator[dict[str, Any]]:
        """Scan a few columns of every record without building `Patent` objects.

        JSON columns come back decoded (lists as tuples). ``key`` is always included. Ordered by key.

        Args:
            columns: column names of the ``patents`` table (for example ``("ipc_codes", "year")``).
            batch_size: rows read per query.

        Raises:
            ValidationError: a name is not a column of ``patents``.
        """
        unknown = [c for c in columns if c not in patents.c]
        if unknown:
            raise ValidationError(f"unknown patent columns: {', '.join(unknown)}")
        names = list(dict.fromkeys(["key", *columns]))
        query = select(*(patents.c[name] for name in names))
        for row in self._scan(query, batch_size):
            yield {
                name: decode_json(name, row[name]) if name in JSON_COLUMNS else row[name] for name in names
            }

    def applicant_counts(self, limit: int | None = None) -> list[tuple[str, int]]:
        """Applicants by number of records (each record counted once per applicant name).

        Returns:
            ``(name, count)`` pairs, most records first, ties by name; the first ``limit`` if given.
        """
        counts: Counter[str] = Counter()
        for row in self.iter_rows(["applicants"]):
            counts.update(dict.fromkeys(row["applicants"], 1))
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return ranked if limit is None else ranked[:limit]

    def keys_matching(
        self,
        keys: Iterable[str] | None = None,
        *,
        ipc_prefix: str = "",
        applicant: str = "",
        year_from: int | None = None,
        year_to: int | None = None,
        language: str = "",
        source: str = "",
    ) -> set[str]:
        """Keys of stored records that pass every given filter.

        Args:
            keys: candidate keys (for example search hits); None means every record.
            ipc_prefix: prefix of any IPC, CPC or FI code (``"B60W"``, ``"A61B 5/18"``).
            applicant: substring of any applicant, compared after NFKC and case folding.
            year_from: inclusive lower bound on `Patent.year` (records without a year fail it).
            year_to: inclusive upper bound on `Patent.year`.
            language: language code (``"ja"``, ``"en"``), case-insensitive.
            source: a source format name the record came from (``"jplatpat_csv"``).

        Returns:
            The matching keys (candidates that are not stored never match).
        """
        rule = RecordFilter.build(
            ipc_prefix=ipc_prefix,
            applicant=applicant,
            year_from=year_from,
            year_to=year_to,
            language=language,
            source=source,
        )
        columns = [patents.c[c] for c in ("key", "ipc_codes", "cpc_codes", "fi_codes", "applicants", "year")]
        base = select(*columns, patents.c.language, patents.c.sources).where(*self._prefilter(rule))
        matched: set[str] = set()
        if keys is None:
            pages: Iterable[Any] = [self._scan(base, 5000)]
        else:
            candidates = list(dict.fromkeys(keys))
            pages = (self._rows(base.where(patents.c.key.in_(chunk))) for chunk in _chunks(candidates))
        for page in pages:
            for row in page:
                codes = (
                    *decode_json("ipc_codes", row["ipc_codes"]),
                    *decode_json("cpc_codes", row["cpc_codes"]),
                    *decode_json("fi_codes", row["fi_codes"]),
                )
                if rule.matches(
                    codes=codes,
                    applicants=decode_json("applicants", row["applicants"]),
                    year=row["year"],
                    language=row["language"],
                    sources=decode_json("sources", row["sources"]),
                ):
                    matched.add(row["key"])
        return matched

    def _rows(self, query: Select[Any]) -> Sequence[RowMapping]:
        with _storage_errors("filtering patents"), self._reader.connect() as conn:
            return conn.execute(query).mappings().all()

    @staticmethod
    def _prefilter(rule: RecordFilter) -> list[Any]:
        """Portable SQL conditions that only narrow what `RecordFilter.matches` decides exactly."""
        conditions: list[Any] = []
        if rule.year_from is not None:
            conditions.append(patents.c.year >= rule.year_from)
        if rule.year_to is not None:
            conditions.append(patents.c.year <= rule.year_to)
        if rule.language:
            conditions.append(func.lower(patents.c.language) == rule.language)
        if rule.code_prefix:
            # Codes are JSON strings, so a code starting with the prefix shows as '"PREFIX' in the text.
            pattern = '%"' + _escape_like(rule.code_prefix) + "%"
            code_columns = (patents.c.ipc_codes, patents.c.cpc_codes, patents.c.fi_codes)
            conditions.append(or_(*(column.like(pattern, escape="\\") for column in code_columns)))
        if rule.source:
            pattern = "%" + _escape_like(json.dumps(rule.source, ensure_ascii=False)) + "%"
            conditions.append(patents.c.sources.like(pattern, escape="\\"))
        return conditions

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> SqlPatentStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlPatentStore({self.url.render_as_string(hide_password=True)!r})"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
