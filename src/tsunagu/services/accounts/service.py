"""`AccountService`: users, logins with rate limiting, sessions and the audit log.

Sessions are random 256-bit tokens handed to the browser in a cookie; the database keeps only their
SHA-256 digest. Every login creates a brand-new session (a token chosen before login is never
promoted: no session fixation). Each session carries its own CSRF token. Failed logins are counted
per user name and per client address in the database, so the limit holds across worker processes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import (
    BANK,
    COORDINATOR,
    LICENSOR,
    PROGRAMME_ROLES,
    SME,
    AuthenticationError,
    Principal,
    RateLimitedError,
    parse_role,
)
from tsunagu.services.accounts.passwords import (
    burn_time,
    check_password_rules,
    hash_password,
    verify_password,
)
from tsunagu.storage.accounts import AuditEntry, SessionRecord, SqlAccountStore, UserRecord, iso

__all__ = ["AccountService", "LoginPolicy", "ProgrammeLookup"]

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,62}$")


class ProgrammeLookup(Protocol):
    """What accounts need of the company register (`SqlRegistryStore` fits)."""

    def memberships(self, kind: str, ref: str) -> Sequence[Any]: ...


@dataclass(frozen=True)
class LoginPolicy:
    """Session lifetime and login rate limits.

    Attributes:
        idle_minutes: a session unused this long expires.
        absolute_hours: a session expires this long after login, used or not.
        window_minutes: the window in which failed logins are counted.
        max_failures_per_user: failed attempts on one user name allowed in the window.
        max_failures_per_ip: failed attempts from one client address allowed in the window.
    """

    idle_minutes: int = 12 * 60
    absolute_hours: int = 7 * 24
    window_minutes: int = 15
    max_failures_per_user: int = 5
    max_failures_per_ip: int = 30


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _parse(ts: str) -> datetime:
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class AccountService:
    """Users, logins, sessions and the audit log.

    Args:
        store: the account tables.
        registry: the company register, when there is one: coordinators recorded there as programme
            members (kind ``coordinator``, ref = user name) count as coordinators here too.
        policy: session lifetime and rate limits.
        clock: returns "now" (tests move it).
    """

    def __init__(
        self,
        store: SqlAccountStore,
        *,
        registry: ProgrammeLookup | None = None,
        policy: LoginPolicy | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.policy = policy or LoginPolicy()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._principal_cache: dict[int, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def _now(self) -> datetime:
        return self._clock()

    # -- users -------------------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        password: str,
        role: str,
        *,
        display_name: str = "",
        licensor_id: int | None = None,
        company_id: int | None = None,
        institution: str = "",
        lang: str = "ja",
        programmes: Mapping[int, str] | None = None,
        actor: str = "",
        ip: str = "",
    ) -> UserRecord:
        """Create a user with an argon2 password hash.

        Raises:
            ValidationError: bad user name, short password, unknown role, or a role without the link it
                needs (a licensor user needs ``licensor_id``, an SME user ``company_id``, a bank viewer
                ``institution``).
        """
        username = username.strip()
        if not _USERNAME.match(username):
            raise ValidationError(
                "username: 2〜63文字の英数字と . _ @ - が使えます / "
                "2-63 letters, digits and . _ @ - (starting with a letter or digit)"
            )
        check_password_rules(password)
        role = parse_role(role)
        self._check_links(role, licensor_id, company_id, institution)
        if lang not in ("ja", "en"):
            raise ValidationError("lang: 'ja' または 'en' / must be 'ja' or 'en'")
        user = self.store.add_user(
            UserRecord(
                id=0,
                username=username,
                role=role,
                display_name=display_name.strip(),
                password_hash=hash_password(password),
                licensor_id=licensor_id,
                company_id=company_id,
                institution=institution.strip(),
                lang=lang,
            )
        )
        for programme_id, prole in (programmes or {}).items():
            self.set_membership(user.id, programme_id, prole, actor=actor or username, ip=ip)
        self.audit(
            actor or username,
            "user.create",
            target_type="user",
            target_id=str(user.id),
            detail={"username": username, "role": role},
            ip=ip,
        )
        return self.store.get_user(user.id)

    @staticmethod
    def _check_links(role: str, licensor_id: int | None, company_id: int | None, institution: str) -> None:
        if role == LICENSOR and licensor_id is None:
            raise ValidationError(
                "licensor_id: ライセンサー利用者には所属ライセンサーが必要です / required for licensors"
            )
        if role == SME and company_id is None:
            raise ValidationError("company_id: 中小企業利用者には所属企業が必要です / required for SME users")
        if role == BANK and not institution.strip():
            raise ValidationError("institution: 金融機関名が必要です / required for bank viewers")

    def get_user(self, user_id: int) -> UserRecord:
        return self.store.get_user(user_id)

    def find_user(self, username: str) -> UserRecord | None:
        return self.store.find_user(username)

    def list_users(self) -> list[UserRecord]:
        return self.store.list_users()

    def count_users(self, role: str = "") -> int:
        return self.store.count_users(role)

    def update_user(self, user_id: int, *, actor: str, ip: str = "", **changes: Any) -> UserRecord:
        """Change a user's display name, role, links, language or active flag (audited)."""
        allowed = {"display_name", "role", "licensor_id", "company_id", "institution", "lang", "active"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValidationError(
                f"変更できない項目 / fields that cannot be changed: {', '.join(sorted(unknown))}"
            )
        current = self.store.get_user(user_id)
        if "role" in changes:
            changes["role"] = parse_role(changes["role"])
        merged = {
            "role": changes.get("role", current.role),
            "licensor_id": changes.get("licensor_id", current.licensor_id),
            "company_id": changes.get("company_id", current.company_id),
            "institution": changes.get("institution", current.institution),
        }
        self._check_links(**merged)
        user = self.store.update_user(user_id, **changes)
        if changes.get("active") is False:
            self.store.delete_user_sessions(user_id)
        self._forget(user_id)
        self.audit(actor, "user.update", target_type="user", target_id=str(user_id), detail=changes, ip=ip)
        return user

    def set_password(self, user_id: int, password: str, *, actor: str, ip: str = "") -> None:
        """Replace a password; every session of the user ends."""
        check_password_rules(password)
        self.store.update_user(user_id, password_hash=hash_password(password))
        self.store.delete_user_sessions(user_id)
        self._forget(user_id)
        self.audit(actor, "user.password", target_type="user", target_id=str(user_id), ip=ip)

    def set_membership(self, user_id: int, programme_id: int, role: str, *, actor: str, ip: str = "") -> None:
        if role not in PROGRAMME_ROLES:
            raise ValidationError(
                f"programme role: {role!r} は使えません / not accepted; 使える値 / accepted: "
                + ", ".join(PROGRAMME_ROLES)
            )
        self.store.set_membership(user_id, programme_id, role)
        self._forget(user_id)
        self.audit(
            actor,
            "user.programme",
            target_type="user",
            target_id=str(user_id),
            detail={"programme_id": programme_id, "role": role},
            ip=ip,
        )

    def remove_membership(self, user_id: int, programme_id: int, *, actor: str, ip: str = "") -> None:
        self.store.remove_membership(user_id, programme_id)
        self._forget(user_id)
        self.audit(
            actor,
            "user.programme_removed",
            target_type="user",
            target_id=str(user_id),
            detail={"programme_id": programme_id},
            ip=ip,
        )

    # -- principals --------------------------------------------------------------------------------

    def principal(self, user: UserRecord, csrf: str = "") -> Principal:
        """What the access rules need to know about ``user``."""
        programmes = dict(user.programmes)
        if user.role == COORDINATOR and self.registry is not None:
            try:
                for member in self.registry.memberships("coordinator", user.username):
                    programmes.setdefault(int(member.programme_id), "coordinator")
            except Exception:
                pass
        return Principal(
            user_id=user.id,
            username=user.username,
            role=user.role,
            display_name=user.display_name,
            licensor_id=user.licensor_id,
            company_id=user.company_id,
            institution=user.institution,
            programmes=programmes,
            lang=user.lang,
            session_csrf=csrf,
        )

    def _forget(self, user_id: int) -> None:
        with self._lock:
            self._principal_cache.pop(user_id, None)

    def _cached_principal(self, user_id: int) -> Principal | None:
        """The user's principal, read at most every few seconds per process (None when inactive)."""
        now = time.monotonic()
        with self._lock:
            hit = self._principal_cache.get(user_id)
        if hit is not None and now - hit[0] < 5.0:
            return hit[1]
        try:
            user = self.store.get_user(user_id)
        except NotFoundError:
            return None
        if not user.active:
            return None
        found = self.principal(user)
        with self._lock:
            self._principal_cache[user_id] = (now, found)
        return found

    # -- login and sessions ------------------------------------------------------------------------

    def _window_start(self) -> str:
        return iso(self._now() - timedelta(minutes=self.policy.window_minutes))

    def _check_rate(self, keys: Sequence[tuple[str, int]]) -> None:
        since = self._window_start()
        for key, limit in keys:
            failures, oldest = self.store.failures_since(key, since)
            if failures >= limit:
                release = _parse(oldest) + timedelta(minutes=self.policy.window_minutes)
                wait = max(1, int((release - self._now()).total_seconds()) + 1)
                raise RateLimitedError(
                    f"ログインの失敗が続いたため一時的に制限しています。{wait} 秒後に再試行してください / "
                    f"too many failed logins: try again in {wait} s",
                    retry_after=wait,
                )

    def login(
        self, username: str, password: str, *, ip: str = "", user_agent: str = ""
    ) -> tuple[str, SessionRecord, Principal]:
        """Check a password and open a new session.

        Returns:
            (session token for the cookie, the stored session, the principal).

        Raises:
            RateLimitedError: too many recent failures for this user name or address.
            AuthenticationError: wrong user name or password, or an inactive user (same message).
        """
        name_key = "user:" + (username or "").strip().lower()[:200]
        ip_key = "ip:" + (ip or "-")[:100]
        self._check_rate(
            [(name_key, self.policy.max_failures_per_user), (ip_key, self.policy.max_failures_per_ip)]
        )
        user = self.store.find_user(username) if username and len(username) <= 200 else None
        ok = False
        if user is None or not user.active:
            burn_time(password or "")
        else:
            ok, rehash = verify_password(user.password_hash, password or "")
            if ok and rehash:
                self.store.update_user(user.id, password_hash=hash_password(password))
        if not ok or user is None:
            self.store.record_attempt([name_key, ip_key], ok=False, at=iso(self._now()))
            self.audit(username[:100] if username else "", "login.failed", ip=ip)
            raise AuthenticationError("ユーザー名またはパスワードが違います / wrong user name or password")
        self.store.clear_failures(name_key)
        token, record = self._open_session(user.id, ip=ip, user_agent=user_agent)
        self.store.touch_login(user.id)
        self.audit(user.username, "login", target_type="user", target_id=str(user.id), ip=ip)
        return token, record, self.principal(user, record.csrf_token)

    def _open_session(self, user_id: int, *, ip: str, user_agent: str) -> tuple[str, SessionRecord]:
        token = secrets.token_urlsafe(32)
        now = self._now()
        record = SessionRecord(
            token_hash=token_digest(token),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=iso(now),
            expires_at=iso(now + timedelta(minutes=self.policy.idle_minutes)),
            last_seen_at=iso(now),
            user_agent=user_agent[:300],
            ip=ip[:100],
        )
        self.store.add_session(record)
        return token, record

    def session(self, token: str | None) -> tuple[SessionRecord, Principal] | None:
        """The live session and principal for a token, or None (unknown, expired, inactive user).

        The idle expiry slides forward at most once a minute (one write per minute per session).
        """
        if not token or len(token) > 200:
            return None
        digest = token_digest(token)
        record = self.store.get_session(digest)
        if record is None:
            return None
        now = self._now()
        absolute = _parse(record.created_at) + timedelta(hours=self.policy.absolute_hours)
        if iso(now) >= record.expires_at or now >= absolute:
            self.store.delete_session(digest)
            return None
        principal = self._cached_principal(record.user_id)
        if principal is None:
            return None
        if (now - _parse(record.last_seen_at)).total_seconds() > 60:
            expires = min(now + timedelta(minutes=self.policy.idle_minutes), absolute)
            self.store.touch_session(digest, last_seen_at=iso(now), expires_at=iso(expires))
        return record, _with_csrf(principal, record.csrf_token)

    def logout(self, token: str | None, *, actor: str = "", ip: str = "") -> None:
        if not token:
            return
        if self.store.delete_session(token_digest(token)) and actor:
            self.audit(actor, "logout", ip=ip)

    def purge(self) -> None:
        """Drop expired sessions and old login attempts (called now and then by the server)."""
        now = self._now()
        self.store.purge_sessions(iso(now))
        self.store.purge_attempts(iso(now - timedelta(days=1)))

    # -- audit -------------------------------------------------------------------------------------

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
        """Record who changed what."""
        self.store.audit(actor, action, target_type=target_type, target_id=target_id, detail=detail, ip=ip)

    def audit_entries(
        self, *, limit: int = 50, offset: int = 0, actor: str = "", action: str = ""
    ) -> tuple[list[AuditEntry], int]:
        return self.store.audit_entries(limit=limit, offset=offset, actor=actor, action=action)


def _with_csrf(principal: Principal, csrf: str) -> Principal:
    from dataclasses import replace

    return replace(principal, session_csrf=csrf)
