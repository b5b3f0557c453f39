"""`tsunagu programmes …`: matching programmes and their members (coordinators, licensors, companies)."""

from __future__ import annotations

import dataclasses

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.matching_common import say, table
from tsunagu.cli.output import emit_json
from tsunagu.domain.matching import MEMBER_KINDS, label

__all__ = ["programmes"]


@click.group("programmes")
def programmes() -> None:
    """マッチング・プログラム / programmes (e.g. a city's scheme) and their members.

    案件はプログラムに属し、Web のアクセス権はプログラムの参加者として定義されます。
    """


@programmes.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--organiser", default="", help="運営者 / organiser (e.g. 川崎市)")
@click.option("--region", default="", help="地域 / region")
@click.option("--description", default="", help="説明 / description")
@json_option
@click.pass_context
def add(
    ctx: click.Context, code: str, name: str, organiser: str, region: str, description: str, as_json: bool
) -> None:
    """プログラムを作成 (CODE は英小文字の短い名前) / create a programme."""
    p = get_app(ctx).programmes.create(
        code, name, organiser=organiser, region=region, description=description
    )
    if as_json:
        emit_json(dataclasses.asdict(p))
    else:
        say(f"プログラム {p.code} (#{p.id}) を作成しました / created: {p.name}")


@programmes.command("list")
@json_option
@click.pass_context
def list_programmes(ctx: click.Context, as_json: bool) -> None:
    """プログラムの一覧 / list programmes."""
    items = get_app(ctx).programmes.list_programmes()
    if as_json:
        emit_json([dataclasses.asdict(p) for p in items])
        return
    table(
        "プログラム / programmes",
        ["ID", "コード", "名称", "運営者", "地域", "状態"],
        [[str(p.id), p.code, p.name, p.organiser, p.region, p.status] for p in items],
    )


@programmes.command("show")
@click.argument("programme")
@json_option
@click.pass_context
def show(ctx: click.Context, programme: str, as_json: bool) -> None:
    """プログラムと参加者 / a programme and its members."""
    svc = get_app(ctx).programmes
    p = svc.get(programme)
    members = svc.members(p.id)
    if as_json:
        emit_json({**dataclasses.asdict(p), "members": [dataclasses.asdict(m) for m in members]})
        return
    say(f"{p.code}: {p.name} ({p.organiser} {p.region})".strip())
    table(
        "参加者 / members",
        ["種別 / kind", "参照 / ref", "備考", "追加日"],
        [[label("member", m.kind), m.ref, m.role_note, m.added_at[:10]] for m in members],
    )


@programmes.command("member")
@click.argument("programme")
@click.option(
    "--kind", required=True, help="種別: " + ", ".join(f"{k} ({v[0]})" for k, v in MEMBER_KINDS.items())
)
@click.option("--ref", required=True, help="利用者名 / ライセンサーID・名称 / 企業ID・名称 / 金融機関名")
@click.option("--note", "role_note", default="", help="備考 / note")
@json_option
@click.pass_context
def member(ctx: click.Context, programme: str, kind: str, ref: str, role_note: str, as_json: bool) -> None:
    """参加者を追加 / add a member (coordinator user, licensor, company, bank)."""
    m = get_app(ctx).programmes.add_member(programme, kind, ref, role_note=role_note)
    if as_json:
        emit_json(dataclasses.asdict(m))
    else:
        say(f"{label('member', m.kind)} {m.ref} を追加しました / member added")
