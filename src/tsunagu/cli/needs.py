"""`tsunagu needs …`: a company's calls for technology (技術ニーズ): add, list, close."""

from __future__ import annotations

import dataclasses

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.matching_common import lang_option, say, table
from tsunagu.cli.output import emit_json
from tsunagu.domain.matching import EXCLUSIVITY, VISIBILITY_LEVELS, Need, label

__all__ = ["needs"]


def _need_dict(n: Need, company: str = "", lang: str = "ja") -> dict[str, object]:
    d = dataclasses.asdict(n)
    d["company"] = company
    d["exclusivity_label"] = label("exclusivity", n.exclusivity, lang)
    d["visibility_label"] = label("visibility", n.visibility, lang)
    return d


@click.group("needs")
def needs() -> None:
    """企業の技術ニーズ / companies' calls for technology (used by `tsunagu match` as need fit)."""


@needs.command("add")
@click.option("--company", required=True, help="登録企業 (ID・名称) / registered company")
@click.option("--title", required=True, help="件名 / title")
@click.option("--problem", default="", help="解決したい課題 / problem to solve")
@click.option("--wanted", "wanted_capability", default="", help="求める技術・機能 / wanted capability")
@click.option("--budget", default="", help="予算 / budget")
@click.option("--timing", default="", help="時期 / timing")
@click.option(
    "--exclusivity", default="", help="独占性: " + ", ".join(f"{k} ({v[0]})" for k, v in EXCLUSIVITY.items())
)
@click.option(
    "--visibility",
    default="",
    help="公開範囲: " + ", ".join(f"{k} ({v[0]})" for k, v in VISIBILITY_LEVELS.items()),
)
@json_option
@click.pass_context
def add_need(ctx: click.Context, company: str, title: str, as_json: bool, **values: str) -> None:
    """ニーズを登録 / register a need."""
    app = get_app(ctx)
    need = app.companies.add_need(company, title, **values)
    owner = app.registry.get_company(need.company_id)
    if as_json:
        emit_json(_need_dict(need, owner.name))
    else:
        say(f"ニーズ #{need.id} を登録しました / registered: {need.title} ({owner.name})")


@needs.command("list")
@click.option("--company", default=None, help="登録企業 / registered company")
@click.option("--all", "include_closed", is_flag=True, help="終了したニーズも含める / include closed")
@lang_option
@json_option
@click.pass_context
def list_needs(
    ctx: click.Context, company: str | None, include_closed: bool, lang: str, as_json: bool
) -> None:
    """ニーズの一覧 / list needs."""
    app = get_app(ctx)
    items = app.companies.list_needs(company, status="" if include_closed else "open")
    names = {c.id: c.name for c in app.registry.get_companies(list({n.company_id for n in items}))}
    if as_json:
        emit_json(
            {"count": len(items), "needs": [_need_dict(n, names.get(n.company_id, ""), lang) for n in items]}
        )
        return
    table(
        f"ニーズ / needs ({len(items)})",
        ["ID", "企業", "件名 / title", "課題 / problem", "独占性", "公開範囲", "状態"],
        [
            [
                str(n.id),
                names.get(n.company_id, ""),
                n.title,
                n.problem[:50],
                label("exclusivity", n.exclusivity, lang),
                label("visibility", n.visibility, lang),
                n.status,
            ]
            for n in items
        ],
    )


@needs.command("close")
@click.argument("need_id", type=int)
@json_option
@click.pass_context
def close_need(ctx: click.Context, need_id: int, as_json: bool) -> None:
    """ニーズを終了 (記録は残ります) / close a need (kept as a record)."""
    need = get_app(ctx).companies.close_need(need_id)
    if as_json:
        emit_json(_need_dict(need))
    else:
        say(f"ニーズ #{need.id} を終了にしました / closed")
