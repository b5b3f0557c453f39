"""Accounts and web state: tables on the shared `metadata` and `SqlAccountStore`.

Tables: ``users`` (people who log in, with their role and what they represent: a licensor, a
company or a financial institution), ``user_programmes`` (membership of the matching programmes of
`tsunagu.storage.registry`, by programme id), ``web_sessions`` (login sessions; only a SHA-256 digest
of each session token is stored, so a copy of the database does not let anyone log in),
``login_attempts`` (for rate limiting across worker processes), ``audit_log`` (who changed what) and
``web_jobs`` (background work started from the web: progress and result, readable from any worker).

Timestamps are ISO-8601 UTC text of fixed width (``2024-05-01T09:30:00.000000Z``), so they sort and
compare as text on SQLite and PostgreSQL alike. Nothing here hashes passwords: the caller stores the
hash it computed (see `tsunagu.services.accounts.passwords`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.storage.schema import metadata
from tsunagu.storage.tables import SqlTableStore

__all__ = [
    "AuditEntry",
    "Job",
    "SessionRecord",
    "SqlAccountStore",
    "UserRecord",
    "audit_log",
    "iso",
    "login_attempts",
    "user_programmes",
    "users",
    "web_jobs",
    "web_sessions",
]


def iso(moment: datetime | None = None) -> str:
    """Fixed-width ISO UTC text of ``moment`` (default: now)."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _text(name: str, default: str = "") -> Column[str]:
    return Column(name, Text, nullable=False, default=default)


users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    _text("display_name"),
    _text("password_hash"),
    Column("role", String(20), nullable=False),
    Column("licensor_id", Integer, nullable=True),
    Column("company_id", Integer, nullable=True),
    _text("institution"),
    Column("lang", String(5), nullable=False, default="ja"),
    Column("active", Boolean, nullable=False, default=True),
    _text("created_at"),
    _text("updated_at"),
    _text("last_login_at"),
)

user_programmes = Table(
    "user_programmes",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("programme_id", Integer, primary_key=True),
    Column("role", String(20), nullable=False, default="member"),
    _text("added_at"),
    Index("ix_user_programmes_programme", "programme_id"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("last_seen_at", String(32), nullable=False),
    _text("user_agent"),
    _text("ip"),
    Index("ix_web_sessions_user", "user_id"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False),
    Column("at", String(32), nullable=False),
    Column("ok", Boolean, nullable=False, default=False),
    Index("ix_login_attempts_key_at", "key", "at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    _text("actor"),
    Column("action", String(100), nullable=False),
    _text("target_type"),
    _text("target_id"),
    _text("detail", "{}"),
    _text("ip"),
    Index("ix_audit_log_at", "at"),
)

web_jobs = Table(
    "web_jobs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("owner_id", Integer, nullable=False),
    Column("status", String(20), nullable=False, default="queued"),
    Column("done", Integer, nullable=False, default=0),
    Column("total", Integer, nullable=False, default=0),
    _text("stage"),
    _text("message"),
    _text("params", "{}"),
    _text("result", "{}"),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    _text("finished_at"),
    Index("ix_web_jobs_owner", "owner_id"),
)


@dataclass(frozen=True)
class UserRecord:
    """A stored user.

    Attributes:
        role: one of the role codes of `tsunagu.services.accounts.model.ROLES`.
        licensor_id: the licensor a licensor user publishes for.
        company_id: the company (register id) an SME user belongs to.
        institution: the financial institution a bank viewer works for.
        lang: preferred interface language (``"ja"`` or ``"en"``).
        active: inactive users cannot log in (users are deactivated, never deleted).
    """

    id: int
    username: str
    role: str
    display_name: str = ""
    password_hash: str = ""
    licensor_id: int | None = None
    company_id: int | None = None
    institution: str = ""
    lang: str = "ja"
    active: bool = True
    created_at: str = ""
    updated_at: str = ""
    last_login_at: str = ""
    programmes: tuple[tuple[int, str], ...] = ()

    def __repr__(self) -> str:  # never print the hash
        return f"UserRecord(id={self.id}, username={self.username!r}, role={self.role!r})"


@dataclass(frozen=True)
class SessionRecord:
    """A login session (the token itself is never stored, only its digest)."""

    token_hash: str
    user_id: int
    csrf_token: str
    created_at: str
    expires_at: str
    last_seen_at: str
    user_agent: str = ""
    ip: str = ""


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what to which record, and when."""

    id: int
    at: str
    actor: str
    action: str
    target_type: str = ""
    target_id: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    ip: str = ""


@dataclass(frozen=True)
class Job:
    """Background work started from the web.

    Attributes:
        status: ``queued``, ``running``, ``done`` or ``failed``.
        done, total, stage: progress as the work reports it.
        message: the error message of a failed job.
        params: what the job was asked to do (JSON-able).
        result: what it produced (JSON-able), once done.
    """

    id: str
    kind: str
    owner_id: int
    status: str = "queued"
    done: int = 0
    total: int = 0
    stage: str = ""
    message: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""
    finished_at: str = ""

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


def _user(row: Mapping[str, Any], programmes: Sequence[tuple[int, str]] = ()) -> UserRecord:
    return UserRecord(
        id=int(row["id"]),
        username=row["username"],
        role=row["role"],
        display_name=row["display_name"],
        password_hash=row["password_hash"],
        licensor_id=row["licensor_id"],
        company_id=row["company_id"],
        institution=row["institution"],
        lang=row["lang"],
        active=bool(row["active"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        last_login_at=row["last_login_at"],
        programmes=tuple(programmes),
    )


def _job(row: Mapping[str, Any]) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        owner_id=int(row["owner_id"]),
        status=row["status"],
        done=int(row["done"]),
        total=int(row["total"]),
        stage=row["stage"],
        message=row["message"],
        params=json.loads(row["params"] or "{}"),
        result=json.loads(row["result"] or "{}"),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
    )


class SqlAccountStore(SqlTableStore):
    """Users, programme memberships, sessions, login attempts, the audit log and web jobs.

    Args:
        engine: the engine of `tsunagu.storage.sql.SqlPatentStore` (its ``engine`` property), or a
            database URL, for which a `SqlPatentStore` is opened to build the engine the same way.

    Missing tables are created on open. Methods raise `tsunagu.errors.StorageError` when the database
    cannot be read or written and `tsunagu.errors.NotFoundError` for unknown ids.
    """

    subject = "the account tables"
    conflicts_are_invalid = True

    # -- users -------------------------------------------------------------------------------------

    def add_user(self, user: UserRecord) -> UserRecord:
        """Store a new user (``id`` is assigned); a taken username is a `ValidationError`."""
        now = iso()
        row = {
            "username": user.username,
            "display_name": user.display_name,
            "password_hash": user.password_hash,
            "role": user.role,
            "licensor_id": user.licensor_id,
            "company_id": user.company_id,
            "institution": user.institution,
            "lang": user.lang,
            "active": user.active,
            "created_at": now,
            "updated_at": now,
            "last_login_at": "",
        }
        if self.find_user(user.username) is not None:
            raise ValidationError(f"username: {user.username!r} は使用済みです / is already taken")
        with self._write("adding a user") as conn:
            new_id = int(conn.execute(insert(users).values(**row).returning(users.c.id)).scalar_one())
        return self.get_user(new_id)

    def update_user(self, user_id: int, **changes: Any) -> UserRecord:
        """Change stored fields of a user (``updated_at`` is set)."""
        allowed = {c.name for c in users.columns} - {"id", "created_at", "username"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValidationError(f"unknown user fields: {', '.join(sorted(unknown))}")
        changes["updated_at"] = iso()
        with self._write("updating a user") as conn:
            done = conn.execute(update(users).where(users.c.id == user_id).values(**changes)).rowcount
        if not done:
            raise NotFoundError(f"user {user_id} does not exist")
        return self.get_user(user_id)

    def touch_login(self, user_id: int) -> None:
        """Record a successful login time."""
        with self._write("recording a login") as conn:
            conn.execute(update(users).where(users.c.id == user_id).values(last_login_at=iso()))

    def _programmes_of(self, user_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
        out: dict[int, list[tuple[int, str]]] = {}
        if not user_ids:
            return out
        query = (
            select(user_programmes)
            .where(user_programmes.c.user_id.in_(list(user_ids)))
            .order_by(user_programmes.c.programme_id)
        )
        for row in self._read(query):
            out.setdefault(int(row["user_id"]), []).append((int(row["programme_id"]), row["role"]))
        return out

    def get_user(self, user_id: int) -> UserRecord:
        rows = self._read(select(users).where(users.c.id == user_id))
        if not rows:
            raise NotFoundError(f"user {user_id} does not exist")
        return _user(rows[0], self._programmes_of([user_id]).get(user_id, []))

    def find_user(self, username: str) -> UserRecord | None:
        """The user with this username (exact, case-insensitive), or None."""
        rows = self._read(select(users).where(func.lower(users.c.username) == username.strip().lower()))
        if not rows:
            return None
        uid = int(rows[0]["id"])
        return _user(rows[0], self._programmes_of([uid]).get(uid, []))

    def list_users(self) -> list[UserRecord]:
        rows = self._read(select(users).order_by(users.c.id))
        progs = self._programmes_of([int(r["id"]) for r in rows])
        return [_user(r, progs.get(int(r["id"]), [])) for r in rows]

    def count_users(self, role: str = "") -> int:
        query = select(func.count()).select_from(users)
        if role:
            query = query.where(users.c.role == role)
        return int(self._scalar(query, "counting users"))

    def set_membership(self, user_id: int, programme_id: int, role: str) -> None:
        """Add (or change the role of) a user's membership of a programme."""
        with self._write("adding a programme membership") as conn:
            conn.execute(
                delete(user_programmes).where(
                    (user_programmes.c.user_id == user_id) & (user_programmes.c.programme_id == programme_id)
                )
            )
            conn.execute(
                insert(user_programmes).values(
                    user_id=user_id, programme_id=programme_id, role=role, added_at=iso()
                )
            )

    def remove_membership(self, user_id: int, programme_id: int) -> int:
        with self._write("removing a programme membership") as conn:
            return int(
                conn.execute(
                    delete(user_programmes).where(
                        (user_programmes.c.user_id == user_id)
                        & (user_programmes.c.programme_id == programme_id)
                    )
                ).rowcount
            )

    def programme_users(self, programme_id: int) -> list[tuple[int, str]]:
        """(user id, role in the programme) of every member of a programme."""
        rows = self._read(select(user_programmes).where(user_programmes.c.programme_id == programme_id))
        return [(int(r["user_id"]), r["role"]) for r in rows]

    # -- sessions ----------------------------------------------------------------------------------

    def add_session(self, record: SessionRecord) -> None:
        with self._write("creating a session") as conn:
            conn.execute(insert(web_sessions).values(**record.__dict__))

    def get_session(self, token_hash: str) -> SessionRecord | None:
        rows = self._read(select(web_sessions).where(web_sessions.c.token_hash == token_hash))
        return SessionRecord(**dict(rows[0])) if rows else None

    def touch_session(self, token_hash: str, *, last_seen_at: str, expires_at: str) -> None:
        with self._write("refreshing a session") as conn:
            conn.execute(
                update(web_sessions)
                .where(web_sessions.c.token_hash == token_hash)
                .values(last_seen_at=last_seen_at, expires_at=expires_at)
            )

    def delete_session(self, token_hash: str) -> int:
        with self._write("ending a session") as conn:
            return int(
                conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash)).rowcount
            )

    def delete_user_sessions(self, user_id: int) -> int:
        with self._write("ending sessions") as conn:
            return int(conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id)).rowcount)

    def purge_sessions(self, now: str) -> int:
        """Delete expired sessions; returns how many."""
        with self._write("purging sessions") as conn:
            return int(conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now)).rowcount)

    # -- login attempts ------------------------------------------------------------------------------

    def record_attempt(self, keys: Sequence[str], ok: bool, at: str = "") -> None:
        """Record one login attempt under each key (``at``: ISO time, default now)."""
        now = at or iso()
        with self._write("recording a login attempt") as conn:
            for key in keys:
                conn.execute(insert(login_attempts).values(key=key, at=now, ok=ok))

    def failures_since(self, key: str, since: str) -> tuple[int, str]:
        """(failed attempts for ``key`` at or after ``since``, time of the oldest of them or "")."""
        query = select(func.count(), func.min(login_attempts.c.at)).where(
            (login_attempts.c.key == key) & (login_attempts.c.at >= since) & (login_attempts.c.ok.is_(False))
        )
        count, oldest = self._read(query, "reading login attempts")[0].values()
        return int(count), oldest or ""

    def clear_failures(self, key: str) -> None:
        with self._write("clearing login attempts") as conn:
            conn.execute(delete(login_attempts).where(login_attempts.c.key == key))

    def purge_attempts(self, before: str) -> int:
        with self._write("purging login attempts") as conn:
            return int(conn.execute(delete(login_attempts).where(login_attempts.c.at < before)).rowcount)

    # -- audit log -----------------------------------------------------------------------------------

    def audit(
        self,
        actor: str,
        action: str,
        *,
        target_type: str = "",
        target_id: str = "",
        detail: Mapping[str, Any] | None = None,
        ip: str = "",
    ) -> None:
        """Append one line to the audit log."""
        row = {
            "at": iso(),
            "actor": actor,
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id),
            "detail": json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True, default=str),
            "ip": ip,
        }
        with self._write("writing the audit log") as conn:
            conn.execute(insert(audit_log).values(**row))

    def audit_entries(
        self, *, limit: int = 50, offset: int = 0, actor: str = "", action: str = ""
    ) -> tuple[list[AuditEntry], int]:
        """A page of the audit log, newest first, and the total count."""
        cond = []
        if actor:
            cond.append(audit_log.c.actor == actor)
        if action:
            cond.append(audit_log.c.action == action)
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
        count = select(func.count()).select_from(audit_log)
        for c in cond:
            query = query.where(c)
            count = count.where(c)
        rows = self._read(query)
        total = int(self._scalar(count, "reading the audit log"))
        entries = [
            AuditEntry(
                id=int(r["id"]),
                at=r["at"],
                actor=r["actor"],
                action=r["action"],
                target_type=r["target_type"],
                target_id=r["target_id"],
                detail=json.loads(r["detail"] or "{}"),
                ip=r["ip"],
            )
            for r in rows
        ]
        return entries, total

    # -- jobs ----------------------------------------------------------------------------------------

    def add_job(self, job: Job) -> Job:
        now = iso()
        row = {
            "id": job.id,
            "kind": job.kind,
            "owner_id": job.owner_id,
            "status": job.status,
            "done": 0,
            "total": 0,
            "stage": job.stage,
            "message": "",
            "params": json.dumps(job.params, ensure_ascii=False, default=str),
            "result": "{}",
            "created_at": now,
            "updated_at": now,
            "finished_at": "",
        }
        with self._write("creating a job") as conn:
            conn.execute(insert(web_jobs).values(**row))
        return self.get_job(job.id)

    def update_job(
        self,
        job_id: str,
        *,
        status: str | None = None,
        done: int | None = None,
        total: int | None = None,
        stage: str | None = None,
        message: str | None = None,
        result: Mapping[str, Any] | None = None,
    ) -> None:
        values: dict[str, Any] = {"updated_at": iso()}
        for name, value in (("status", status), ("done", done), ("total", total), ("stage", stage)):
            if value is not None:
                values[name] = value
        if message is not None:
            values["message"] = message
        if result is not None:
            values["result"] = json.dumps(dict(result), ensure_ascii=False, default=str)
        if status in ("done", "failed"):
            values["finished_at"] = values["updated_at"]
        with self._write("updating a job") as conn:
            conn.execute(update(web_jobs).where(web_jobs.c.id == job_id).values(**values))

    def get_job(self, job_id: str) -> Job:
        rows = self._read(select(web_jobs).where(web_jobs.c.id == job_id))
        if not rows:
            raise NotFoundError(f"job {job_id} does not exist")
        return _job(rows[0])

    def list_jobs(self, *, owner_id: int | None = None, kind: str = "", limit: int = 20) -> list[Job]:
        query = select(web_jobs).order_by(web_jobs.c.created_at.desc()).limit(limit)
        if owner_id is not None:
            query = query.where(web_jobs.c.owner_id == owner_id)
        if kind:
            query = query.where(web_jobs.c.kind == kind)
        return [_job(r) for r in self._read(query)]

    def fail_stale_jobs(self, before: str) -> int:
        """Mark unfinished jobs not updated since ``before`` as failed (their worker went away)."""
        with self._write("failing stale jobs") as conn:
            return int(
                conn.execute(
                    update(web_jobs)
                    .where(web_jobs.c.status.in_(["queued", "running"]) & (web_jobs.c.updated_at < before))
                    .values(
                        status="failed",
                        message="処理が中断されました / the work was interrupted (server restarted)",
                        finished_at=iso(),
                        updated_at=iso(),
                    )
                ).rowcount
            )
