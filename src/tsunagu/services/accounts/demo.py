"""The local demo administrator that `tsunagu demo` creates (password generated, never prompted)."""

from __future__ import annotations

import os
from pathlib import Path

from tsunagu.services.accounts.model import ADMIN
from tsunagu.services.accounts.passwords import generate_password, verify_password
from tsunagu.services.accounts.service import AccountService

__all__ = ["DEMO_ADMIN", "ensure_demo_admin"]

DEMO_ADMIN = "demo-admin"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def ensure_demo_admin(accounts: AccountService, login_file: Path) -> tuple[str, str, bool]:
    """Make sure the demo administrator exists and its password is in ``login_file`` (mode 0600).

    Idempotent: an existing demo admin whose saved password still works is left as it is; otherwise a
    new password is generated and saved.

    Returns:
        (user name, password, whether anything was created or reset).
    """
    saved = ""
    try:
        saved = login_file.read_text(encoding="utf-8").strip().split("\n")[-1].split(" ", 1)[-1]
    except OSError:
        saved = ""
    user = accounts.find_user(DEMO_ADMIN)
    if user is not None and saved and verify_password(user.password_hash, saved)[0]:
        return DEMO_ADMIN, saved, False
    password = generate_password()
    if user is None:
        accounts.add_user(DEMO_ADMIN, password, ADMIN, display_name="デモ管理者", actor="tsunagu demo")
    else:
        accounts.set_password(user.id, password, actor="tsunagu demo")
        if not user.active:
            accounts.update_user(user.id, actor="tsunagu demo", active=True)
    _write_private(login_file, f"user {DEMO_ADMIN}\npassword {password}\n")
    return DEMO_ADMIN, password, True
