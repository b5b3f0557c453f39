"""Hands-on support cases: tables on the shared `metadata` and `SqlCaseStore`.

Tables: ``handson_cases`` (one row per case), ``handson_visits``, ``handson_issues`` (issue tags),
``handson_proposals``, ``handson_referrals``, ``handson_follow_ups``, ``handson_suggestions`` and
``handson_events`` (the history: every change writes one event in the same transaction). Nothing is
deleted. Dates are ISO ``YYYY-MM-DD`` text, timestamps ISO text, lists and mappings JSON text, as in
the other tables, so SQLite and PostgreSQL hold the same values.

A status change is conditional on the status the caller read (optimistic concurrency): two
specialists closing and solving the same case at once cannot both succeed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, Index, Integer, String, Table, Text, insert, select, update

from tsunagu.domain.handson import (
    BusinessScope,
    Case,
    CaseEvent,
    CaseFile,
    CaseStatus,
    CloseReason,
    FollowUp,
    IssueCategory,
    IssueTag,
    Proposal,
    ProposalResponse,
    ProposalType,
    Referral,
    ReferralOutcome,
    ReferralTarget,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    Visit,
    VisitKind,
)
from tsunagu.errors import ConflictError, NotFoundError
from tsunagu.storage.schema import metadata
from tsunagu.storage.tables import SqlTableStore

__all__ = [
    "CaseChangedError",
    "SqlCaseStore",
    "handson_cases",
    "handson_events",
    "handson_follow_ups",
    "handson_issues",
    "handson_proposals",
    "handson_referrals",
    "handson_suggestions",
    "handson_visits",
]

T = TypeVar("T")


def _text(name: str, default: str = "") -> Column[str]:
    return Column(name, Text, nullable=False, default=default)


def _date(name: str, nullable: bool = False) -> Column[str]:
    return Column(name, String(10), nullable=nullable)


def _case_id() -> Column[int]:
    return Column("case_id", Integer, nullable=False)


handson_cases = Table(
    "handson_cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _text("company_name"),
    Column("company_id", Integer, nullable=True),
    _text("region"),
    _text("title"),
    _text("specialist"),
    Column("status", String(20), nullable=False),
    _date("opened_on"),
    _date("finished_on", nullable=True),
    Column("close_reason", String(30), nullable=True),
    _text("close_note"),
    Index("ix_handson_cases_region", "region"),
    Index("ix_handson_cases_company", "company_id"),
)

handson_visits = Table(
    "handson_visits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _case_id(),
    _date("visited_on"),
    Column("kind", String(20), nullable=False),
    _text("participants", "[]"),
    _text("summary"),
    _text("author"),
    Index("ix_handson_visits_case", "case_id"),
)

handson_issues = Table(
    "handson_issues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _case_id(),
    Column("category", String(30), nullable=False),
    Column("scope", String(20), nullable=False),
    _date("tagged_on"),
    _text("note"),
    Column("origin", String(20), nullable=False, default="specialist"),
    Index("ix_handson_issues_case", "case_id"),
)

handson_proposals = Table(
    "handson_proposals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _case_id(),
    Column("type", String(30), nullable=False),
    _text("summary"),
    _date("proposed_on"),
    _text("rights", "[]"),
    Column("response", String(20), nullable=False),
    _date("responded_on", nullable=True),
    Index("ix_handson_proposals_case", "case_id"),
)

handson_referrals = Table(
    "handson_referrals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _case_id(),
    Column("target", String(30), nullable=False),
    _date("referred_on"),
    _text("organisation"),
    _text("purpose"),
    Column("outcome", String(20), nullable=False),
    _date("outcome_on", nullable=True),
    _text("outcome_note"),
    Index("ix_handson_referrals_case", "case_id"),
)

handson_follow_ups = Table(
    "handson_follow_ups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _case_id(),
    _text("action"),
    _date("due_on"),
    _date("created_on"),
    _date("done_on", nullable=True),
    _text("note"),
    Index("ix_handson_follow_ups_case", "case_id"),
    Index("ix_handson_follow_ups_due", "due_on"),
)

handson_suggestions = Table(
    "handson_suggestions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _case_id(),
    Column("kind", String(20), nullable=False),
    Column("value", String(40), nullable=False),
    _text("created_at"),
    _text("rationale"),
    _text("evidence", "[]"),
    Column("scope", String(20), nullable=True),
    _text("command"),
    Column("status", String(20), nullable=False),
    Column("decided_at", Text, nullable=True),
    _text("decided_by"),
    Index("ix_handson_suggestions_case", "case_id"),
)

handson_events = Table(
    "handson_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _case_id(),
    _text("at"),
    Column("kind", String(30), nullable=False),
    _text("actor"),
    _text("detail", "{}"),
    Index("ix_handson_events_case", "case_id"),
    Index("ix_handson_events_at", "at"),
)


class CaseChangedError(ConflictError):
    """The case changed between reading and writing it (another user acted first)."""


# -- row mapping ---------------------------------------------------------------------------------

_Parser = Callable[[Any], Any]


def _opt(parse: _Parser) -> _Parser:
    return lambda v: None if v is None or v == "" else parse(v)


_tuple: _Parser = lambda v: tuple(json.loads(v or "[]"))  # noqa: E731
_mapping: _Parser = lambda v: dict(json.loads(v or "{}"))  # noqa: E731

# Per record type: the table, and how to parse the columns that are not plain text or integers.
_SPECS: dict[type[Any], tuple[Table, dict[str, _Parser]]] = {
    Case: (
        handson_cases,
        {
            "status": CaseStatus,
            "opened_on": date.fromisoformat,
            "finished_on": _opt(date.fromisoformat),
            "close_reason": _opt(CloseReason),
        },
    ),
    Visit: (handson_visits, {"visited_on": date.fromisoformat, "kind": VisitKind, "participants": _tuple}),
    IssueTag: (
        handson_issues,
        {"category": IssueCategory, "scope": BusinessScope, "tagged_on": date.fromisoformat},
    ),
    Proposal: (
        handson_proposals,
        {
            "type": ProposalType,
            "proposed_on": date.fromisoformat,
            "rights": _tuple,
            "response": ProposalResponse,
            "responded_on": _opt(date.fromisoformat),
        },
    ),
    Referral: (
        handson_referrals,
        {
            "target": ReferralTarget,
            "referred_on": date.fromisoformat,
            "outcome": ReferralOutcome,
            "outcome_on": _opt(date.fromisoformat),
        },
    ),
    FollowUp: (
        handson_follow_ups,
        {
            "due_on": date.fromisoformat,
            "created_on": date.fromisoformat,
            "done_on": _opt(date.fromisoformat),
        },
    ),
    Suggestion: (
        handson_suggestions,
        {
            "kind": SuggestionKind,
            "created_at": datetime.fromisoformat,
            "evidence": _tuple,
            "scope": _opt(BusinessScope),
            "status": SuggestionStatus,
            "decided_at": _opt(datetime.fromisoformat),
        },
    ),
    CaseEvent: (handson_events, {"at": datetime.fromisoformat, "detail": _mapping}),
}


def _encode(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return json.dumps(list(value), ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, Mapping):
        return json.dumps(dict(value), ensure_ascii=False, separators=(",", ":"), default=str)
    return value


def _to_row(record: Any) -> dict[str, Any]:
    return {f.name: _encode(getattr(record, f.name)) for f in dataclasses.fields(record) if f.name != "id"}


def _from_row(cls: type[T], row: Mapping[Any, Any]) -> T:
    parsers = _SPECS[cls][1]
    values = {
        f.name: parsers[f.name](row[f.name]) if f.name in parsers else row[f.name]
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
    }
    return cls(**values)


_CHUNK = 900


class SqlCaseStore(SqlTableStore):
    """Hands-on support cases on SQLite or PostgreSQL.

    Args:
        engine: the engine of `tsunagu.storage.sql.SqlPatentStore` (its ``engine`` property), or a
            database URL (an engine is then made by `tsunagu.storage.engine.make_engine`).

    Missing tables are created on open. Methods raise `tsunagu.errors.StorageError` when the database
    cannot be read or written and `tsunagu.errors.NotFoundError` for unknown ids. Every write takes
    the record(s) and the `CaseEvent` describing the change, stored in one transaction.
    """

    subject = "cases"

    @staticmethod
    def _insert(conn: Connection, record: T) -> T:
        table = _SPECS[type(record)][0]
        new_id = conn.execute(insert(table).values(**_to_row(record)).returning(table.c.id)).scalar_one()
        return dataclasses.replace(record, id=int(new_id))  # type: ignore[type-var]

    @staticmethod
    def _log(conn: Connection, event: CaseEvent, case_id: int) -> None:
        row = _to_row(dataclasses.replace(event, case_id=case_id))
        conn.execute(insert(handson_events).values(**row))

    def _require_case(self, conn: Connection, case_id: int) -> Case:
        row = conn.execute(select(handson_cases).where(handson_cases.c.id == case_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"案件がありません / no case with id {case_id}")
        return _from_row(Case, row)

    # -- cases -----------------------------------------------------------------------------------

    def add_case(self, case: Case, event: CaseEvent) -> Case:
        """Store a new case and its ``created`` event; returns the case with its id."""
        with self._write() as conn:
            stored = self._insert(conn, case)
            assert stored.id is not None
            self._log(conn, event, stored.id)
        return stored

    def update_case(self, case: Case, event: CaseEvent, *, expected_status: CaseStatus) -> Case:
        """Write a changed case header if its stored status is still ``expected_status``.

        Raises:
            NotFoundError: unknown case.
            CaseChangedError: the status changed since the caller read it.
        """
        assert case.id is not None
        with self._write() as conn:
            self._require_case(conn, case.id)
            result = conn.execute(
                update(handson_cases)
                .where(handson_cases.c.id == case.id, handson_cases.c.status == expected_status.value)
                .values(**_to_row(case))
            )
            if result.rowcount != 1:
                raise CaseChangedError(
                    f"案件 {case.id} は他の利用者により更新されました。再読込してください / "
                    f"case {case.id} was changed by someone else; reload and try again"
                )
            self._log(conn, event, case.id)
        return case

    def get_case(self, case_id: int) -> Case:
        rows = self._read(select(handson_cases).where(handson_cases.c.id == case_id))
        if not rows:
            raise NotFoundError(f"案件がありません / no case with id {case_id}")
        return _from_row(Case, rows[0])

    def list_cases(
        self,
        *,
        regions: Sequence[str] = (),
        statuses: Sequence[CaseStatus] = (),
        company_id: int | None = None,
        company_name: str = "",
        specialist: str = "",
    ) -> list[Case]:
        """Cases matching every given filter, oldest first."""
        query = select(handson_cases)
        if regions:
            query = query.where(handson_cases.c.region.in_(list(regions)))
        if statuses:
            query = query.where(handson_cases.c.status.in_([s.value for s in statuses]))
        if company_id is not None:
            query = query.where(handson_cases.c.company_id == company_id)
        if company_name:
            query = query.where(handson_cases.c.company_name == company_name)
        if specialist:
            query = query.where(handson_cases.c.specialist == specialist)
        query = query.order_by(handson_cases.c.opened_on, handson_cases.c.id)
        return [_from_row(Case, r) for r in self._read(query)]

    # -- entries ---------------------------------------------------------------------------------

    def add_entry(self, record: T, event: CaseEvent) -> T:
        """Store a visit, issue tag, proposal, referral, follow-up or suggestion with its event.

        Raises:
            NotFoundError: the record's case does not exist.
        """
        case_id = int(record.case_id)  # type: ignore[attr-defined]
        with self._write() as conn:
            self._require_case(conn, case_id)
            stored = self._insert(conn, record)
            self._log(conn, event, case_id)
        return stored

    def add_entries(self, records: Sequence[Any], event: CaseEvent) -> list[Any]:
        """Store several entries of one case with one event (for example a batch of suggestions)."""
        if not records:
            return []
        case_id = int(records[0].case_id)
        with self._write() as conn:
            self._require_case(conn, case_id)
            stored = [self._insert(conn, r) for r in records]
            self._log(conn, event, case_id)
        return stored

    def update_entry(self, record: T, event: CaseEvent) -> T:
        """Rewrite a stored entry (a response, an outcome, a follow-up done, a decision) with its event."""
        table = _SPECS[type(record)][0]
        rid = record.id  # type: ignore[attr-defined]
        case_id = int(record.case_id)  # type: ignore[attr-defined]
        with self._write() as conn:
            result = conn.execute(
                update(table).where(table.c.id == rid, table.c.case_id == case_id).values(**_to_row(record))
            )
            if result.rowcount != 1:
                raise NotFoundError(
                    f"案件 {case_id} に id {rid} の記録がありません / no such entry on case {case_id}"
                )
            self._log(conn, event, case_id)
        return record

    def get_entry(self, cls: type[T], entry_id: int, case_id: int) -> T:
        """One entry of a case by id.

        Raises:
            NotFoundError: no entry of that type with that id on that case.
        """
        table = _SPECS[cls][0]
        rows = self._read(select(table).where(table.c.id == entry_id, table.c.case_id == case_id))
        if not rows:
            raise NotFoundError(
                f"案件 {case_id} に id {entry_id} の記録がありません / "
                f"no such {cls.__name__} on case {case_id}"
            )
        return _from_row(cls, rows[0])

    def entries(self, cls: type[T], case_ids: Sequence[int] | None = None) -> list[T]:
        """Entries of one type for the given cases (all cases when ``None``), in id order."""
        table = _SPECS[cls][0]
        if case_ids is None:
            return [_from_row(cls, r) for r in self._read(select(table).order_by(table.c.id))]
        out: list[T] = []
        ids = list(dict.fromkeys(case_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            query = select(table).where(table.c.case_id.in_(chunk)).order_by(table.c.id)
            out.extend(_from_row(cls, r) for r in self._read(query))
        out.sort(key=lambda r: r.id)  # type: ignore[attr-defined]
        return out

    # -- whole case files ------------------------------------------------------------------------

    def load(self, case_id: int) -> CaseFile:
        """A case with every entry and its history."""
        files = self.load_many([self.get_case(case_id)])
        return files[0]

    def load_many(self, cases: Sequence[Case]) -> list[CaseFile]:
        """Case files for ``cases`` (one query per entry type, not per case)."""
        ids = [c.id for c in cases if c.id is not None]
        grouped: dict[type[Any], dict[int, list[Any]]] = {}
        classes: tuple[type[Any], ...] = (
            Visit,
            IssueTag,
            Proposal,
            Referral,
            FollowUp,
            Suggestion,
            CaseEvent,
        )
        for cls in classes:
            by_case: dict[int, list[Any]] = {}
            for record in self.entries(cls, ids):
                by_case.setdefault(record.case_id, []).append(record)
            grouped[cls] = by_case

        def of(cls: type[Any], cid: int) -> tuple[Any, ...]:
            return tuple(grouped[cls].get(cid, ()))

        return [
            CaseFile(
                case=c,
                visits=of(Visit, c.id or 0),
                tags=of(IssueTag, c.id or 0),
                proposals=of(Proposal, c.id or 0),
                referrals=of(Referral, c.id or 0),
                follow_ups=of(FollowUp, c.id or 0),
                suggestions=of(Suggestion, c.id or 0),
                events=of(CaseEvent, c.id or 0),
            )
            for c in cases
        ]

    def open_follow_ups(self, *, due_by: date | None = None) -> list[FollowUp]:
        """Follow-ups not done yet (due on or before ``due_by`` when given), earliest due first."""
        query = select(handson_follow_ups).where(handson_follow_ups.c.done_on.is_(None))
        if due_by is not None:
            query = query.where(handson_follow_ups.c.due_on <= due_by.isoformat())
        query = query.order_by(handson_follow_ups.c.due_on, handson_follow_ups.c.id)
        return [_from_row(FollowUp, r) for r in self._read(query)]
