"""`tsunagu companies …`: the company register (SMEs), their visibility and report-sharing consents.

add, import, list, show, update, close, consent, template. ``show`` also finds corpus applicants that are
not registered (the lookup rule of every ``--company`` option).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.matching_common import actor_option, lang_option, print_kv, say, table, write_template
from tsunagu.cli.output import emit_json
from tsunagu.domain.matching import COMPANY_FIELDS, COMPANY_SIZES, VISIBILITY_LEVELS, label
from tsunagu.services.companies import COMPANY_COLUMNS, company_to_dict

__all__ = ["companies"]

_VIS_HELP = "公開範囲: " + ", ".join(f"{k} ({v[0]})" for k, v in VISIBILITY_LEVELS.items())
_FIELDS_HELP = "ライセンサーに見せる項目 (複数可): " + ", ".join(
    f"{k} ({v[0]})" for k, v in COMPANY_FIELDS.items()
)
_SIZE_HELP = "規模: " + ", ".join(f"{k} ({v[0]})" for k, v in COMPANY_SIZES.items())
_EXAMPLE = {
    "name": "株式会社サンプル精密（例）",
    "aliases": "サンプル精密",
    "region": "神奈川県川崎市",
    "industry": "金属加工",
    "size": "small",
    "employees": "45",
    "capabilities": "精密切削加工、微細穴あけ、表面処理",
    "equipment": "5軸マシニングセンタ; 三次元測定機",
    "products": "医療機器向け精密部品; 計測器筐体",
    "patent_numbers": "",
    "applicant_names": "",
    "visibility": "anonymous",
    "visible_fields": "region; industry; capabilities; equipment; products",
    "programme": "",
    "note": "",
}


def _company_options(f: Any) -> Any:
    options = [
        click.option("--alias", "aliases", multiple=True, help="別名 (複数可) / other names"),
        click.option("--region", default=None, help="地域 / region"),
        click.option("--industry", default=None, help="業種 / industry"),
        click.option("--size", default=None, help=_SIZE_HELP),
        click.option("--employees", default=None, help="従業員数 / employees"),
        click.option("--capabilities", default=None, help="技術・ノウハウ / capabilities (free text)"),
        click.option("--equipment", default=None, help="設備 / equipment"),
        click.option("--products", default=None, help="製品 / products"),
        click.option("--patent", "patent_numbers", multiple=True, help="保有特許番号 (複数可) / own patents"),
        click.option(
            "--applicant",
            "applicant_names",
            multiple=True,
            help="特許上の出願人名 (複数可) / applicant names on its patents",
        ),
        click.option("--visibility", default=None, help=_VIS_HELP),
        click.option("--visible", "visible_fields", multiple=True, help=_FIELDS_HELP),
        click.option("--note", default=None, help="備考 / note"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _values(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None or value == ():
            continue
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _consent_text(x: dict[str, str]) -> str:
    when = "撤回 / revoked " + x["revoked_at"][:10] if x["revoked_at"] else x["granted_at"][:10]
    return f"{x['institution']} ({when})"


@click.group("companies")
def companies() -> None:
    """企業（中小企業）の登録簿 / the company register.

    公開範囲 (visibility) で、ライセンサーに見せる範囲を企業が決めます。社名は案件で双方が合意するまで
    相手に開示されません。評価書の共有同意は金融機関ごとに記録します (`companies consent`)。
    """


@companies.command("add")
@click.argument("name")
@_company_options
@click.option("--programme", default=None, help="参加するプログラム / programme to join")
@json_option
@click.pass_context
def add_company(ctx: click.Context, name: str, programme: str | None, as_json: bool, **raw: Any) -> None:
    """企業を登録 / register a company."""
    app = get_app(ctx)
    pid = app.programmes.get(programme).id if programme else None
    company = app.companies.add(name, programme_id=pid, **_values(raw))
    if as_json:
        emit_json(company_to_dict(company))
        return
    resolved = app.companies.resolved(company)
    say(
        f"企業 #{company.id} を登録しました / registered: {company.name} "
        f"(公開範囲 / visibility: {label('visibility', company.visibility.level)}; "
        f"コーパスの特許 / patents in the corpus: {len(resolved.patent_keys)})"
    )


@companies.command("update")
@click.argument("company_id", type=int)
@click.option("--name", default=None, help="企業名 / name")
@_company_options
@json_option
@click.pass_context
def update_company(ctx: click.Context, company_id: int, as_json: bool, **raw: Any) -> None:
    """登録内容を変更 (指定した項目のみ) / change fields of a registered company."""
    company = get_app(ctx).companies.update(company_id, **_values(raw))
    if as_json:
        emit_json(company_to_dict(company))
    else:
        say(f"企業 #{company.id} を更新しました / updated: {company.name}")


@companies.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--programme", default=None, help="参加するプログラム / programme to join")
@json_option
@click.pass_context
def import_companies(ctx: click.Context, path: Path, programme: str | None, as_json: bool) -> None:
    """企業を一括登録 (CSV/JSONL、日本語・英語の列名) / import companies from our template.

    同名の登録企業があれば更新します。1行でも誤りがあれば何も書き込みません。
    """
    app = get_app(ctx)
    pid = app.programmes.get(programme).id if programme else None
    report = app.companies.import_file(path, programme_id=pid)
    if as_json:
        emit_json(report.to_dict())
    else:
        say(f"{report.path}: 新規 {report.new}, 更新 {report.updated} / new, updated")


@companies.command("list")
@click.option(
    "--origin", type=click.Choice(["registered", "derived_from_patents"]), default=None, help="出所 / origin"
)
@click.option("--programme", default=None, help="プログラム / programme")
@click.option("--all", "include_closed", is_flag=True, help="終了した企業も含める / include closed")
@click.option(
    "-n", "--limit", default=50, show_default=True, help="表示件数 (表のみ) / rows shown (table only)"
)
@lang_option
@json_option
@click.pass_context
def list_companies(
    ctx: click.Context,
    origin: str | None,
    programme: str | None,
    include_closed: bool,
    limit: int,
    lang: str,
    as_json: bool,
) -> None:
    """登録企業の一覧 / list registered companies."""
    app = get_app(ctx)
    pid = app.programmes.get(programme).id if programme else None
    items = app.companies.list_companies(
        status="" if include_closed else "active", origin=origin or "", programme_id=pid
    )
    if as_json:
        emit_json({"count": len(items), "companies": [company_to_dict(c, lang) for c in items]})
        return
    rows = [
        [
            str(c.id),
            c.name,
            c.region,
            c.industry,
            label("size", c.size, lang),
            label("visibility", c.visibility.level, lang),
            label("origin", c.origin, lang)[:20],
            c.status,
        ]
        for c in items[:limit]
    ]
    table(
        f"企業 / companies ({len(items):,})",
        ["ID", "企業名", "地域", "業種", "規模", "公開範囲", "出所", "状態"],
        rows,
    )


@companies.command("show")
@click.argument("company")
@lang_option
@json_option
@click.pass_context
def show_company(ctx: click.Context, company: str, lang: str, as_json: bool) -> None:
    """企業を表示 (ID・名称・別名・出願人名) / show a company or a corpus applicant."""
    app = get_app(ctx)
    resolved = app.companies.resolve(company)
    doc: dict[str, Any] = {"resolved": resolved.to_dict()}
    c = resolved.company
    if c is not None:
        doc["company"] = company_to_dict(c, lang)
        doc["needs"] = [
            {"id": n.id, "title": n.title, "status": n.status}
            for n in app.registry.list_needs(company_id=c.id)
        ]
        doc["consents"] = [
            {"institution": x.institution, "granted_at": x.granted_at, "revoked_at": x.revoked_at}
            for x in app.registry.consents(company_id=c.id)
        ]
        doc["programmes"] = [p.code for p in app.programmes.programmes_of("company", str(c.id))]
    patents = app.companies.patents_of(resolved)[:10]
    doc["patents_sample"] = [
        {"number": p.publication_number, "title": p.title, "year": p.year} for p in patents
    ]
    if as_json:
        emit_json(doc)
        return
    if c is None:
        say(
            f"{resolved.name}: 登録企業ではありません（出願人、特許 {len(resolved.patent_keys):,} 件）"
            " / a corpus applicant, not registered"
        )
    else:
        vis = c.visibility
        print_kv(
            f"企業 #{c.id}",
            [
                ("企業名 / name", c.name),
                ("別名 / aliases", "; ".join(c.aliases)),
                ("地域 / region", c.region),
                ("業種 / industry", c.industry),
                ("規模 / size", label("size", c.size, lang)),
                ("従業員数 / employees", "" if c.employees is None else str(c.employees)),
                ("技術・ノウハウ / capabilities", c.capabilities),
                ("設備 / equipment", c.equipment),
                ("製品 / products", c.products),
                ("保有特許 / patents", ", ".join(c.patent_numbers)),
                ("出願人名 / applicant names", "; ".join(c.applicant_names)),
                (
                    "公開範囲 / visibility",
                    f"{label('visibility', vis.level, lang)}: "
                    + ", ".join(label("field", f, lang) for f in sorted(vis.fields)),
                ),
                ("出所 / origin", label("origin", c.origin, lang)),
                ("プログラム / programmes", ", ".join(doc["programmes"])),
                (
                    "ニーズ / needs",
                    "; ".join(f"#{n['id']} {n['title']} ({n['status']})" for n in doc["needs"]),
                ),
                (
                    "評価書の共有同意 / report consent",
                    "; ".join(_consent_text(x) for x in doc["consents"]),
                ),
                ("コーパスの特許 / patents in corpus", f"{len(resolved.patent_keys):,}"),
                ("状態 / status", c.status),
            ],
        )
    for p in doc["patents_sample"]:
        say(f"  {p['number']}  {p['title'][:70]}  {p['year'] or ''}")


@companies.command("close")
@click.argument("company_id", type=int)
@json_option
@click.pass_context
def close_company(ctx: click.Context, company_id: int, as_json: bool) -> None:
    """企業の登録を終了 (記録は残ります) / close a company (kept as a record)."""
    company = get_app(ctx).companies.close(company_id)
    if as_json:
        emit_json(company_to_dict(company))
    else:
        say(f"企業 #{company.id} を終了にしました / closed")


@companies.command("consent")
@click.argument("company")
@click.option("--bank", "institution", required=True, help="金融機関名 / financial institution")
@click.option("--revoke", is_flag=True, help="同意を撤回 / revoke the consent")
@click.option("--note", default="", help="備考 / note")
@actor_option
@json_option
@click.pass_context
def consent(
    ctx: click.Context, company: str, institution: str, revoke: bool, note: str, actor: str, as_json: bool
) -> None:
    """評価書の共有同意を記録・撤回 (金融機関ごと) / record or revoke consent to share reports with a bank."""
    app = get_app(ctx)
    if revoke:
        n = app.companies.revoke_consent(company, institution)
        if as_json:
            emit_json({"revoked": n})
        else:
            say(f"{institution}: 同意を撤回しました ({n} 件) / consent revoked")
        return
    record = app.companies.grant_consent(company, institution, actor=actor, note=note)
    if as_json:
        emit_json(
            {
                "company_id": record.company_id,
                "institution": record.institution,
                "granted_at": record.granted_at,
                "granted_by": record.granted_by,
                "active": record.active,
            }
        )
    else:
        say(f"{record.institution} への評価書の共有に同意を記録しました / consent recorded")


@companies.command("template")
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
    write_template(COMPANY_COLUMNS, _EXAMPLE, fmt, lang)
