"""The account service on a real SQLite database: hashing, sessions, expiry, rate limits, the demo admin
and `tsunagu users`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tsunagu.cli.main import cli
from tsunagu.errors import ValidationError
from tsunagu.services.accounts import (
    AccountService,
    AuthenticationError,
    LoginPolicy,
    RateLimitedError,
)
from tsunagu.services.accounts.demo import DEMO_ADMIN, ensure_demo_admin
from tsunagu.services.accounts.secret import load_or_create_secret
from tsunagu.storage.accounts import SqlAccountStore, web_sessions

PASSWORD = "a long enough password"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 4, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(tmp_path: Path, clock: Clock) -> AccountService:
    store = SqlAccountStore(f"sqlite:///{tmp_path / 'accounts.db'}")
    return AccountService(store, policy=LoginPolicy(idle_minutes=30, absolute_hours=2), clock=clock)


def test_passwords_are_argon2_and_tokens_are_digested(accounts: AccountService) -> None:
    user = accounts.add_user("alice", PASSWORD, "admin")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert "password_hash" not in repr(user) and PASSWORD not in repr(user)
    token, record, principal = accounts.login("alice", PASSWORD, ip="10.0.0.1")
    assert principal.role == "admin" and record.csrf_token
    with accounts.store.engine.connect() as conn:
        stored = [r.token_hash for r in conn.execute(select(web_sessions))]
    assert token not in stored and len(stored[0]) == 64  # only the SHA-256 of the token is kept
    found = accounts.session(token)
    assert found is not None and found[1].session_csrf == record.csrf_token


def test_user_rules(accounts: AccountService) -> None:
    with pytest.raises(ValidationError, match="10"):
        accounts.add_user("bob", "short", "admin")
    with pytest.raises(ValidationError, match="username"):
        accounts.add_user("../bob", PASSWORD, "admin")
    with pytest.raises(ValidationError, match="role"):
        accounts.add_user("bob", PASSWORD, "superuser")
    with pytest.raises(ValidationError, match="company_id"):
        accounts.add_user("bob", PASSWORD, "sme")
    with pytest.raises(ValidationError, match="institution"):
        accounts.add_user("bob", PASSWORD, "bank_viewer")
    accounts.add_user("Bob", PASSWORD, "中小企業", company_id=3)
    with pytest.raises(ValidationError, match="bob"):
        accounts.add_user("bob", PASSWORD, "admin")  # names are unique without case
    assert accounts.find_user("BOB") is not None


def test_session_idle_and_absolute_expiry(accounts: AccountService, clock: Clock) -> None:
    accounts.add_user("carol", PASSWORD, "coordinator", programmes={4: "coordinator"})
    token, _record, principal = accounts.login("carol", PASSWORD)
    assert principal.coordinates(4) and not principal.coordinates(5)
    clock.now += timedelta(minutes=20)
    assert accounts.session(token) is not None  # used: the idle expiry slides
    clock.now += timedelta(minutes=25)
    assert accounts.session(token) is not None
    clock.now += timedelta(minutes=31)
    assert accounts.session(token) is None  # idle too long
    token, _record, _p = accounts.login("carol", PASSWORD)
    for _ in range(5):
        clock.now += timedelta(minutes=25)
        accounts.session(token)
    assert accounts.session(token) is None  # absolute lifetime of 2 hours


def test_rate_limit_per_user_and_window(accounts: AccountService, clock: Clock) -> None:
    accounts.add_user("dave", PASSWORD, "admin")
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            accounts.login("dave", "wrong password", ip="1.1.1.1")
    with pytest.raises(RateLimitedError) as info:
        accounts.login("dave", PASSWORD, ip="1.1.1.1")
    assert 0 < info.value.retry_after <= 15 * 60 + 1
    clock.now += timedelta(minutes=16)
    accounts.login("dave", PASSWORD, ip="1.1.1.1")  # the window has passed
    with pytest.raises(AuthenticationError):  # unknown users fail the same way, and are counted
        accounts.login("nobody", PASSWORD, ip="1.1.1.1")


def test_password_change_and_deactivation_end_sessions(accounts: AccountService) -> None:
    user = accounts.add_user("erin", PASSWORD, "admin")
    token, _r, _p = accounts.login("erin", PASSWORD)
    accounts.set_password(user.id, "another long password", actor="admin")
    assert accounts.session(token) is None
    token, _r, _p = accounts.login("erin", "another long password")
    accounts.update_user(user.id, actor="admin", active=False)
    assert accounts.session(token) is None
    with pytest.raises(AuthenticationError):
        accounts.login("erin", "another long password")
    actions = [e.action for e in accounts.audit_entries(limit=50)[0]]
    assert {"user.create", "user.password", "user.update", "login", "login.failed"} <= set(actions)


def test_demo_admin_is_idempotent(accounts: AccountService, tmp_path: Path) -> None:
    login_file = tmp_path / "web" / "demo-login.txt"
    user, password, created = ensure_demo_admin(accounts, login_file)
    assert user == DEMO_ADMIN and created and (login_file.stat().st_mode & 0o777) == 0o600
    again = ensure_demo_admin(accounts, login_file)
    assert again == (DEMO_ADMIN, password, False)
    accounts.login(DEMO_ADMIN, password)
    login_file.unlink()
    _u, new_password, reset = ensure_demo_admin(accounts, login_file)
    assert reset and new_password != password


def test_secret_is_created_once(tmp_path: Path) -> None:
    path = tmp_path / "web" / "secret.key"
    first = load_or_create_secret(path)
    assert len(first) == 64 and (path.stat().st_mode & 0o777) == 0o600
    assert load_or_create_secret(path) == first


def test_users_cli(tmp_home: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["users", "add", "root", "--role", "admin", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["role"] == "admin" and len(doc["password"]) >= 16
    r = runner.invoke(
        cli,
        [
            "users",
            "add",
            "coord",
            "--role",
            "coordinator",
            "--programme",
            "2:coordinator",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert r.exit_code == 0, r.output and "coord" in r.output
    listed = json.loads(runner.invoke(cli, ["users", "list", "--json"]).output)
    assert [u["username"] for u in listed] == ["root", "coord"]
    assert listed[1]["programmes"] == [{"programme_id": 2, "role": "coordinator"}]
    r = runner.invoke(cli, ["users", "deactivate", "coord"])
    assert r.exit_code == 0
    assert json.loads(runner.invoke(cli, ["users", "list", "--json"]).output)[1]["active"] is False
    r = runner.invoke(cli, ["users", "audit", "--json"])
    assert {"user.create", "user.update"} <= {e["action"] for e in json.loads(r.output)}
