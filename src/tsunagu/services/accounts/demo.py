"""The local demo administrator that `tsunagu demo` creates (password generated, never prompted), the
login file every demo user's password is kept in, and what each demo login shows."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tsunagu.services.accounts.model import ADMIN, BANK, COORDINATOR, LICENSOR, SME, role_label
from tsunagu.services.accounts.passwords import generate_password, verify_password
from tsunagu.services.accounts.service import AccountService

__all__ = [
    "DEMO_ADMIN",
    "DemoLogin",
    "describe_demo_logins",
    "ensure_demo_admin",
    "login_file_text",
    "saved_password",
    "write_login_file",
]

DEMO_ADMIN = "demo-admin"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)  # an older file keeps its mode through O_TRUNC


def saved_password(login_file: Path) -> str:
    """The password saved in the demo login file ("" when there is none)."""
    try:
        lines = login_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    for line in reversed(lines):
        if line.startswith("password "):
            return line.split(" ", 1)[1].strip()
    return ""


def login_file_text(users: tuple[str, ...] | list[str], password: str) -> str:
    """The login file: one ``user NAME`` line per demo user, then the shared ``password`` (last line)."""
    head = (
        "# tsunagu demo のログイン（デモデータ、全員同じパスワード）/ demo logins (demo data, one password)\n"
    )
    return head + "".join(f"user {u}\n" for u in users) + f"password {password}\n"


def write_login_file(login_file: Path, users: tuple[str, ...] | list[str], password: str) -> bool:
    """Write the login file (mode 0600) unless it already says exactly this; returns whether it wrote."""
    text = login_file_text(users, password)
    try:
        if login_file.read_text(encoding="utf-8") == text and (login_file.stat().st_mode & 0o777) == 0o600:
            return False
    except OSError:
        pass
    _write_private(login_file, text)
    return True


def ensure_demo_admin(accounts: AccountService, login_file: Path) -> tuple[str, str, bool]:
    """Make sure the demo administrator exists and its password is in ``login_file`` (mode 0600).

    Idempotent: an existing demo admin whose saved password still works is left as it is (reactivated
    when it was deactivated); otherwise a new password is generated and saved.

    Returns:
        (user name, password, whether anything was created or reset).
    """
    saved = saved_password(login_file)
    user = accounts.find_user(DEMO_ADMIN)
    if user is not None and saved and verify_password(user.password_hash, saved)[0]:
        if user.active:
            return DEMO_ADMIN, saved, False
        accounts.update_user(user.id, actor="tsunagu demo", active=True)  # deactivated: reactivated
        return DEMO_ADMIN, saved, True
    password = generate_password()
    if user is None:
        accounts.add_user(DEMO_ADMIN, password, ADMIN, display_name="デモ管理者", actor="tsunagu demo")
    else:
        accounts.set_password(user.id, password, actor="tsunagu demo")
        if not user.active:
            accounts.update_user(user.id, actor="tsunagu demo", active=True)
    _write_private(login_file, login_file_text([DEMO_ADMIN], password))
    return DEMO_ADMIN, password, True


@dataclass(frozen=True)
class DemoLogin:
    """One demo user as the demo summary shows it."""

    user: str
    role: str
    role_label: str
    shows: str

    def to_dict(self) -> dict[str, str]:
        return {"user": self.user, "role": self.role, "role_label": self.role_label, "shows": self.shows}


def _shows(user: Any, registry: Any) -> str:
    if user.role == ADMIN:
        return "すべて（利用者管理 /admin/users・監査ログ /admin/audit を含む）/ everything, users and the audit log included"
    if user.role == COORDINATOR:
        names = [registry.get_programme(pid).code for pid, role in user.programmes if role == "coordinator"]
        where = ", ".join(f"'{n}'" for n in names) or "-"
        return (
            f"プログラム {where} の企業 (/matching/companies)・商談ボード (/matching/deals)・ハンズオン案件 "
            "(/cases) / the programme's companies, deal board and hands-on cases"
        )
    if user.role == LICENSOR and user.licensor_id is not None:
        name = registry.get_licensor(user.licensor_id).name
        count = Counter(o.status for o in registry.list_offers(licensor_id=user.licensor_id))["open"]
        return (
            f"{name} の公開オファー {count:,} 件 (/matching) とその商談 (/matching/deals) / "
            f"its {count:,} open offers and their deals"
        )
    if user.role == SME and user.company_id is not None:
        name = registry.get_company(user.company_id).name
        return (
            f"{name} のプロフィール (/matching/companies/{user.company_id})・マッチ "
            f"(/matching/matches?company_id={user.company_id})・商談 "
            "(/matching/deals) / its company profile, matches and deal"
        )
    if user.role == BANK:
        ids = list(
            dict.fromkeys(c.company_id for c in registry.consents(institution=user.institution) if c.active)
        )
        names = "、".join(c.name for c in registry.get_companies(ids[:3])) or "-"
        return (
            f"{user.institution}: {names} が共有に同意した評価書（/reports でデモ評価書を閲覧・ダウンロード）/ "
            "evaluation reports shared by consent (the demo report on /reports)"
        )
    return ""


def describe_demo_logins(accounts: AccountService, registry: Any, users: tuple[str, ...]) -> list[DemoLogin]:
    """The active demo users among ``users``, in that order, with what each one's pages show."""
    out = []
    for name in users:
        user = accounts.find_user(name)
        if user is None or not user.active:
            continue
        try:
            shows = _shows(user, registry) if registry is not None else ""
        except Exception:  # a link to a record that is gone: the login is still listed
            shows = ""
        label = f"{role_label(user.role, 'ja')} / {role_label(user.role, 'en')}"
        out.append(DemoLogin(name, user.role, label, shows))
    return out
