"""`tsunagu offers …`: licensors and licensable offers (開放特許).

import (NASA technology-transfer CSV or our CSV/JSONL template), add, list, show, close, licensors,
refresh-fields, template.
"""

from __future__ import annotations

from pathlib import Path

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.matching_common import lang_option, print_kv, say, table, write_template
from tsunagu.cli.output import emit_json, progress_bar
from tsunagu.domain.matching import AVAILABILITY, TECH_STAGES, label
from tsunagu.services.matching.offers import NASA_CATEGORY_JA, OFFER_COLUMNS, offer_to_dict

__all__ = ["offers"]

_EXAMPLE = {
    "licensor": "サンプル精機株式会社（例）",
    "external_ref": "OP-001",
    "title": "振動を抑える薄型ダンパー",
    "summary": "樹脂と金属の二層構造で振動を吸収する薄型の部品",
    "problem": "小型機器の振動で測定値がぶれる",
    "advantage": "従来品より振動を約40%低減、厚さ半分",
    "tech_stage": "prototype",
    "availability": "licence",
    "uses": "計測機器; 医療機器; ドローン",
    "terms_note": "非独占を基本に協議",
    "contact_role": "知的財産部 ライセンス担当",
    "valid_until": "2027-03-31",
    "patent_numbers": "特許5944598",
    "ipc_codes": "F16F15/00",
    "category": "機械部品",
    "programme": "",
}


def _programme_id(ctx: click.Context, programme: str | None) -> int | None:
    return None if not programme else get_app(ctx).programmes.get(programme).id


@click.group("offers")
def offers() -> None:
    """開放特許オファーの登録・取込・一覧 / licensors and licensable offers.

    取込形式: NASA技術移転CSV、または tsunagu のテンプレート (CSV/JSONL、日本語・英語の列名)。
    `tsunagu offers template` で記入例を出力できます。
    """


@offers.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--programme", default=None, help="掲載するプログラム (ID・コード・名称) / programme")
@json_option
@click.pass_context
def import_offers(ctx: click.Context, path: Path, programme: str | None, as_json: bool) -> None:
    """オファーを取り込む / import offers (NASA T2 CSV, or our CSV/JSONL template).

    同じ権利者と管理番号の行は更新されます (重複しません)。分野は、コーパスの特許に結び付けば
    その分類から、なければ本文から推定し「推定」と表示します。
    """
    app = get_app(ctx)
    pid = _programme_id(ctx, programme)
    with progress_bar("offers") as progress:
        report = app.offers.import_file(path, programme_id=pid, progress=progress)
    if as_json:
        emit_json(report.to_dict())
        return
    say(f"{report.path} ({report.format}): 読込 / read {report.read:,}")
    counts = f"新規 {report.new:,}, 更新 {report.updated:,}, 変更なし {report.unchanged:,}"
    counts += f", 重複行 {report.duplicates:,}, スキップ {report.skipped:,}"
    say(f"{counts} / new, updated, unchanged, repeated rows, skipped")
    say(f"ライセンサー / licensors: {report.licensors}")
    say("分野の出典 / field sources: " + ", ".join(f"{k} {v:,}" for k, v in report.fields.items()))
    for example in report.examples:
        say(f"  skip: {example}")


@offers.command("add")
@click.option("--licensor", required=True, help="権利者 (ID または名称; 新しい名称は登録されます) / licensor")
@click.option("--title", required=True, help="技術名称 / title")
@click.option("--summary", default="", help="概要 (平易な言葉で) / plain-language summary")
@click.option("--problem", default="", help="解決する課題 / problem solved")
@click.option("--advantage", default="", help="効果とその大きさ / advantage and by how much")
@click.option(
    "--stage",
    "tech_stage",
    default="",
    help="開発段階: " + ", ".join(f"{k} ({v[0]})" for k, v in TECH_STAGES.items()),
)
@click.option(
    "--availability",
    default="licence",
    show_default=True,
    help="提供形態: " + ", ".join(f"{k} ({v[0]})" for k, v in AVAILABILITY.items()),
)
@click.option("--use", "uses", multiple=True, help="想定用途 (複数可) / suitable use (repeat)")
@click.option("--terms", "terms_note", default="", help="条件 / terms note")
@click.option("--contact", "contact_role", default="", help="窓口 (部署・役割) / contact role")
@click.option("--valid-until", default="", help="有効期限 YYYY-MM-DD / valid until")
@click.option("--patent", "patent_numbers", multiple=True, help="特許番号 (複数可) / patent number (repeat)")
@click.option("--ipc", "ipc_codes", multiple=True, help="IPC (権利者の申告、複数可) / IPC code (repeat)")
@click.option("--category", default="", help="カテゴリ / category")
@click.option("--ref", "external_ref", default="", help="権利者の管理番号 / licensor's reference")
@click.option("--programme", default=None, help="掲載するプログラム / programme")
@json_option
@click.pass_context
def add_offer(
    ctx: click.Context, licensor: str, title: str, programme: str | None, as_json: bool, **values: object
) -> None:
    """オファーを1件登録 / register one offer."""
    app = get_app(ctx)
    offer = app.offers.add(licensor, title, programme_id=_programme_id(ctx, programme), **values)
    lic = app.registry.get_licensor(offer.licensor_id)
    if as_json:
        emit_json(offer_to_dict(offer, lic.name))
        return
    src = {"patents": "特許の分類", "given": "権利者の申告", "inferred": "本文から推定", "": "なし"}[
        offer.ipc_source
    ]
    say(
        f"オファー #{offer.id} を登録しました / registered: {offer.title} ({lic.name}); "
        f"分野 / fields: {', '.join(offer.ipc_codes) or '-'} ({src})"
    )


@offers.command("list")
@click.option("--licensor", default=None, help="ライセンサー (ID・名称) / licensor")
@click.option("--programme", default=None, help="プログラム / programme")
@click.option("--all", "include_closed", is_flag=True, help="公開終了も含める / include closed offers")
@click.option(
    "-n", "--limit", default=50, show_default=True, help="表示件数 (表のみ) / rows shown (table only)"
)
@lang_option
@json_option
@click.pass_context
def list_offers(
    ctx: click.Context,
    licensor: str | None,
    programme: str | None,
    include_closed: bool,
    limit: int,
    lang: str,
    as_json: bool,
) -> None:
    """オファー一覧 / list offers."""
    app = get_app(ctx)
    items = app.offers.list_offers(
        licensor=licensor, programme_id=_programme_id(ctx, programme), status="" if include_closed else "open"
    )
    names = {lic.id: lic.name for lic in app.registry.list_licensors()}
    if as_json:
        emit_json(
            {
                "count": len(items),
                "offers": [offer_to_dict(o, names.get(o.licensor_id, ""), lang) for o in items],
            }
        )
        return
    rows = [
        [
            str(o.id),
            o.title[:60],
            names.get(o.licensor_id, "")[:30],
            label("availability", o.availability, lang),
            ", ".join(o.ipc_codes[:3]) + (" (推定)" if o.fields_inferred else ""),
            o.valid_until,
            o.status,
        ]
        for o in items[:limit]
    ]
    table(
        f"オファー / offers ({len(items):,})",
        ["ID", "技術名称 / title", "ライセンサー", "提供形態", "分野 / fields", "有効期限", "状態"],
        rows,
    )


@offers.command("show")
@click.argument("offer_id", type=int)
@lang_option
@json_option
@click.pass_context
def show_offer(ctx: click.Context, offer_id: int, lang: str, as_json: bool) -> None:
    """オファーの詳細 / one offer with all fields."""
    app = get_app(ctx)
    offer = app.offers.get(offer_id)
    lic = app.registry.get_licensor(offer.licensor_id)
    d = offer_to_dict(offer, lic.name, lang)
    if as_json:
        emit_json(d)
        return
    category = offer.category + (
        f"（{NASA_CATEGORY_JA[offer.category]}）" if offer.category in NASA_CATEGORY_JA else ""
    )
    src = {"patents": "特許の分類", "given": "権利者の申告", "inferred": "本文から推定 (推定値)", "": "なし"}[
        offer.ipc_source
    ]
    print_kv(
        f"オファー #{offer.id}",
        [
            ("技術名称 / title", offer.title),
            ("ライセンサー / licensor", lic.name),
            ("概要 / summary", offer.summary),
            ("課題 / problem", offer.problem),
            ("効果 / advantage", offer.advantage),
            ("開発段階 / stage", label("tech_stage", offer.tech_stage, lang)),
            ("提供形態 / availability", label("availability", offer.availability, lang)),
            ("想定用途 / uses", "; ".join(offer.uses)),
            ("条件 / terms", offer.terms_note),
            ("窓口 / contact", offer.contact_role),
            ("有効期限 / valid until", offer.valid_until),
            ("特許 / patents", ", ".join(offer.patent_numbers)),
            ("コーパスの特許 / linked", ", ".join(offer.patent_keys)),
            ("分野 / fields", f"{', '.join(offer.ipc_codes)} ({src})" if offer.ipc_codes else ""),
            ("カテゴリ / category", category),
            ("管理番号 / ref", offer.external_ref),
            ("出典 / source", offer.source),
            ("状態 / status", offer.status),
        ],
    )


@offers.command("close")
@click.argument("offer_id", type=int)
@json_option
@click.pass_context
def close_offer(ctx: click.Context, offer_id: int, as_json: bool) -> None:
    """オファーの公開を終了 (記録は残ります) / withdraw an offer (kept as a record)."""
    offer = get_app(ctx).offers.close(offer_id)
    if as_json:
        emit_json(offer_to_dict(offer))
    else:
        say(f"オファー #{offer.id} の公開を終了しました / closed")


@offers.command("licensors")
@json_option
@click.pass_context
def list_licensors(ctx: click.Context, as_json: bool) -> None:
    """ライセンサー一覧 / list licensors."""
    app = get_app(ctx)
    items = app.registry.list_licensors()
    counts: dict[int, int] = {}
    for o in app.registry.list_offers(status="open"):
        counts[o.licensor_id] = counts.get(o.licensor_id, 0) + 1
    if as_json:
        emit_json(
            [
                {
                    "id": lic.id,
                    "name": lic.name,
                    "kind": lic.kind,
                    "country": lic.country,
                    "contact_role": lic.contact_role,
                    "open_offers": counts.get(lic.id, 0),
                }
                for lic in items
            ]
        )
        return
    table(
        "ライセンサー / licensors",
        ["ID", "名称 / name", "種別", "国", "窓口 / contact", "公開中"],
        [
            [str(lic.id), lic.name, lic.kind, lic.country, lic.contact_role, str(counts.get(lic.id, 0))]
            for lic in items
        ],
    )


@offers.command("refresh-fields")
@json_option
@click.pass_context
def refresh_fields(ctx: click.Context, as_json: bool) -> None:
    """特許との結び付けと分野を再計算 (コーパス更新後) / re-link patents and recompute fields."""
    with progress_bar("fields") as progress:
        counts = get_app(ctx).offers.refresh_fields(progress=progress)
    if as_json:
        emit_json(counts)
    else:
        say(f"更新 {counts['updated']:,}, 変更なし {counts['unchanged']:,} / updated, unchanged")


@offers.command("template")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default="ja",
    show_default=True,
    help="列名の言語 / header language",
)
def template(fmt: str, lang: str) -> None:
    """取込テンプレート (記入例つき) を出力 / print the import template with one example row."""
    write_template(OFFER_COLUMNS, _EXAMPLE, fmt, lang)
