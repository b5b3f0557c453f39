"""`tsunagu users`: accounts of the web UI and the REST API (the first administrator comes from here)."""

from __future__ import annotations

import sys

import click

from tsunagu.app import App
from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, stdout_console
from tsunagu.errors import NotFoundError
from tsunagu.services.accounts import PROGRAMME_ROLES, ROLES, generate_password, role_label
from tsunagu.storage.accounts import UserRecord

__all__ = ["users"]


@click.group()
def users() -> None:
    """Web の利用者と役割 / users and roles of the web UI and API."""


def _programmes(values: tuple[str, ...]) -> dict[int, str]:
    out: dict[int, str] = {}
    for value in values:
        pid, _, role = value.partition(":")
        if not pid.strip().isdigit():
            raise click.BadParameter(f"{value!r}: use PROGRAMME_ID[:ROLE] (for example 3:coordinator)")
        role = role.strip() or "member"
        if role not in PROGRAMME_ROLES:
            raise click.BadParameter(f"{value!r}: role must be one of {', '.join(PROGRAMME_ROLES)}")
        out[int(pid)] = role
    return out


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, help="役割 / role: " + ", ".join(ROLES))
@click.option("--display-name", default="", help="表示名 / display name")
@click.option(
    "--licensor-id", type=int, default=None, help="ライセンサー利用者の所属 / licensor (licensor users)"
)
@click.option("--company-id", type=int, default=None, help="中小企業利用者の所属企業 / company (SME users)")
@click.option("--institution", default="", help="金融機関名 (金融機関の閲覧者) / institution (bank viewers)")
@click.option(
    "--programme",
    "programmes",
    multiple=True,
    metavar="ID[:ROLE]",
    help="所属プログラム / programme membership (role: coordinator, specialist, member)",
)
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@click.option(
    "--password-stdin", is_flag=True, help="パスワードを標準入力から読む / read the password from stdin"
)
@json_option
@click.pass_context
def add(
    ctx: click.Context,
    username: str,
    role: str,
    display_name: str,
    licensor_id: int | None,
    company_id: int | None,
    institution: str,
    programmes: tuple[str, ...],
    lang: str,
    password_stdin: bool,
    as_json: bool,
) -> None:
    """利用者を追加 / add a user (a password is generated and printed unless --password-stdin).

    例 / example: tsunagu users add admin --role admin
    """
    app = get_app(ctx)
    generated = not password_stdin
    password = generate_password() if generated else sys.stdin.readline().rstrip("\r\n")
    user = app.accounts.add_user(
        username,
        password,
        role,
        display_name=display_name,
        licensor_id=licensor_id,
        company_id=company_id,
        institution=institution,
        lang=lang,
        programmes=_programmes(programmes),
        actor="cli",
    )
    if as_json:
        doc = {"id": user.id, "username": user.username, "role": user.role}
        if generated:
            doc["password"] = password
        emit_json(doc)
        return
    stdout_console.print(
        f"追加しました / added: {user.username} ({role_label(user.role)}, id {user.id})", highlight=False
    )
    if generated:
        stdout_console.print(f"パスワード / password: {password}", highlight=False)
        stdout_console.print("安全な場所に控えてください / keep it somewhere safe (it is not shown again)")


@users.command("list")
@json_option
@click.pass_context
def list_users(ctx: click.Context, as_json: bool) -> None:
    """利用者の一覧 / list users."""
    app = get_app(ctx)
    found = app.accounts.list_users()
    if as_json:
        emit_json(
            [
                {
                    "id": u.id,
                    "username": u.username,
                    "role": u.role,
                    "display_name": u.display_name,
                    "licensor_id": u.licensor_id,
                    "company_id": u.company_id,
                    "institution": u.institution,
                    "active": u.active,
                    "programmes": [{"programme_id": p, "role": r} for p, r in u.programmes],
                    "last_login_at": u.last_login_at,
                }
                for u in found
            ]
        )
        return
    if not found:
        stdout_console.print("利用者はいません / no users (tsunagu users add admin --role admin)")
    for u in found:
        state = "" if u.active else "  [無効 / inactive]"
        stdout_console.print(
            f"{u.id:>4}  {u.username:<20} {role_label(u.role):<12} {u.display_name}{state}", highlight=False
        )


def _user(app: App, username: str) -> UserRecord:
    user = app.accounts.find_user(username)
    if user is None:
        raise NotFoundError(f"利用者が見つかりません / no user {username!r}")
    return user


@users.command("passwd")
@click.argument("username")
@click.option(
    "--password-stdin", is_flag=True, help="パスワードを標準入力から読む / read the password from stdin"
)
@click.pass_context
def passwd(ctx: click.Context, username: str, password_stdin: bool) -> None:
    """パスワードを再設定 (全セッション終了) / set a new password (ends every session of the user)."""
    app = get_app(ctx)
    user = _user(app, username)
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    app.accounts.set_password(user.id, password, actor="cli")
    if not password_stdin:
        stdout_console.print(f"新しいパスワード / new password: {password}", highlight=False)
    else:
        stdout_console.print("変更しました / changed")


@users.command("deactivate")
@click.argument("username")
@click.pass_context
def deactivate(ctx: click.Context, username: str) -> None:
    """利用者を無効化 (削除はしません) / deactivate a user (users are never deleted)."""
    app = get_app(ctx)
    user = _user(app, username)
    app.accounts.update_user(user.id, actor="cli", active=False)
    stdout_console.print(f"無効にしました / deactivated: {username}", highlight=False)


@users.command("programme")
@click.argument("username")
@click.argument("membership", metavar="ID[:ROLE]")
@click.pass_context
def programme(ctx: click.Context, username: str, membership: str) -> None:
    """プログラムへの所属を設定 / set a programme membership (role: coordinator, specialist, member)."""
    app = get_app(ctx)
    user = _user(app, username)
    for pid, role in _programmes((membership,)).items():
        app.accounts.set_membership(user.id, pid, role, actor="cli")
    stdout_console.print("設定しました / done")


@users.command("audit")
@click.option("--limit", default=30, show_default=True, type=click.IntRange(1, 1000))
@json_option
@click.pass_context
def audit(ctx: click.Context, limit: int, as_json: bool) -> None:
    """監査ログ (新しい順) / the audit log, newest first."""
    app = get_app(ctx)
    entries, _total = app.accounts.audit_entries(limit=limit)
    if as_json:
        emit_json([e.__dict__ for e in entries])
        return
    for e in entries:
        stdout_console.print(
            f"{e.at[:19]}  {e.actor:<16} {e.action:<22} {e.target_type} {e.target_id} "
            f"{e.detail if e.detail else ''}",
            highlight=False,
        )
