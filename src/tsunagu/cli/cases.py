"""`tsunagu cases …`: hands-on support cases (ハンズオン支援).

create, list, show, note, tag, propose, respond, refer, outcome, follow-up, due, start, solve, close,
reopen, suggest, accept, reject, report. Codes may be typed in English or as their Japanese label
(``market`` or ``市場``).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.table import Table

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.output import emit_json, stdout_console
from tsunagu.domain.handson import (
    BusinessScope,
    Case,
    CaseFile,
    CaseStatus,
    CloseReason,
    IssueCategory,
    ProposalResponse,
    ProposalType,
    ReferralOutcome,
    ReferralTarget,
    Suggestion,
    VisitKind,
    label,
    parse_code,
)
from tsunagu.services.handson import HandsOnService
from tsunagu.services.handson.render import report_html, report_markdown, report_tables

__all__ = ["cases"]

E = TypeVar("E", bound=StrEnum)

_date_type = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _code(enum: type[E], value: str, what: str) -> E:
    return parse_code(enum, value, what)


def _codes_help(enum: type[StrEnum]) -> str:
    return ", ".join(f"{m.value} ({label(m.value)})" for m in enum)


def _svc(ctx: click.Context) -> HandsOnService:
    return get_app(ctx).handson


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _say(text: str) -> None:
    stdout_console.print(text, highlight=False)


def _print_suggestions(items: list[Suggestion]) -> None:
    if not items:
        return
    _say("[bold]tsunagu からの提案 (採否を判断してください) / suggestions to accept or reject:[/bold]")
    for s in items:
        what = (
            f"課題タグ {label(s.value)} ({label(s.scope.value) if s.scope else ''})"
            if s.kind.value == "issue_tag"
            else label(s.value)
        )
        _say(f"  [{s.id}] {what} — {s.rationale}")
        if s.command:
            _say(f"       [dim]{s.command}[/dim]")
    case_id = items[0].case_id
    _say(f"  [dim]tsunagu cases accept {case_id} ID / tsunagu cases reject {case_id} ID[/dim]")


def _case_line(case: Case) -> str:
    return (
        f"#{case.id} {case.company_name} [{label(case.status.value)}] {case.region or '地域未設定'}"
        f" 開始 {case.opened_on}" + (f" 完了 {case.finished_on}" if case.finished_on else "")
    )


@click.group()
def cases() -> None:
    """ハンズオン支援の案件管理 / hands-on support cases: visits, issues, proposals, follow-ups, reports."""


actor_option = click.option("--by", "actor", default="", help="記録者 / who records this")
date_option = click.option(
    "--date", "on", type=_date_type, default=None, help="日付 / date (YYYY-MM-DD, default today)"
)


@cases.command("create")
@click.argument("company")
@click.option("--title", default="", help="相談の概要 / what the support is about")
@click.option(
    "--region", default=None, help="地域 (都道府県など) / region (default: from the company register)"
)
@click.option("--specialist", default="", help="担当の専門官 / specialist in charge")
@date_option
@actor_option
@json_option
@click.pass_context
def create(
    ctx: click.Context,
    company: str,
    title: str,
    region: str | None,
    specialist: str,
    on: datetime | None,
    actor: str,
    as_json: bool,
) -> None:
    """案件を作成 / open a case for a company (register id or name, or any name)."""
    case, warnings = _svc(ctx).create(
        company, title=title, region=region, specialist=specialist, opened_on=_day(on), actor=actor
    )
    if as_json:
        emit_json({"case": _jsonable(case), "warnings": warnings})
        return
    for w in warnings:
        click.echo(f"注意 / warning: {w}", err=True)
    _say(f"案件を作成しました / case created: {_case_line(case)}")


@cases.command("list")
@click.option("--region", "regions", multiple=True, help="地域 (複数可) / region (repeatable)")
@click.option("--status", "statuses", multiple=True, help=f"状況 / status: {_codes_help(CaseStatus)}")
@json_option
@click.pass_context
def list_command(
    ctx: click.Context, regions: tuple[str, ...], statuses: tuple[str, ...], as_json: bool
) -> None:
    """案件の一覧 / list cases."""
    found = _svc(ctx).list_cases(regions=regions, statuses=[_code(CaseStatus, s, "status") for s in statuses])
    if as_json:
        emit_json({"cases": _jsonable(found)})
        return
    if not found:
        _say("案件はありません / no cases")
        return
    table = Table(title="ハンズオン支援 案件一覧 / cases")
    for col in ("#", "企業", "地域", "状況", "開始", "完了", "担当", "概要"):
        table.add_column(col, overflow="fold")
    for c in found:
        table.add_row(
            str(c.id),
            c.company_name,
            c.region,
            label(c.status.value),
            str(c.opened_on),
            str(c.finished_on or ""),
            c.specialist,
            c.title[:40],
        )
    stdout_console.print(table)


def _show_file(file: CaseFile) -> None:
    c = file.case
    _say(f"[bold]{_case_line(c)}[/bold]")
    if c.title:
        _say(f"  概要: {c.title}")
    if c.close_reason or c.close_note:
        _say(f"  完了メモ: {label(c.close_reason.value) if c.close_reason else ''} {c.close_note}")
    sections: list[tuple[str, list[str]]] = [
        (
            "訪問・対話記録 / visits",
            [
                f"[{v.id}] {v.visited_on} {label(v.kind.value)} {'・'.join(v.participants)}: {v.summary}"
                for v in file.visits
            ],
        ),
        (
            "経営課題 / issues",
            [
                f"[{t.id}] {label(t.category.value)} ({label(t.scope.value)}) {t.note}"
                + (" [dim](提案を採用)[/dim]" if t.origin == "suggestion" else "")
                for t in file.tags
            ],
        ),
        (
            "提案 / proposals",
            [
                f"[{p.id}] {p.proposed_on} {label(p.type.value)}: {p.summary} → {label(p.response.value)}"
                + (f" ({p.responded_on})" if p.responded_on else "")
                + (f" 権利: {'・'.join(label(r) for r in p.rights)}" if p.rights else "")
                for p in file.proposals
            ],
        ),
        (
            "紹介 / referrals",
            [
                f"[{r.id}] {r.referred_on} {label(r.target.value)} {r.organisation} {r.purpose}"
                f" → {label(r.outcome.value)} {r.outcome_note}"
                for r in file.referrals
            ],
        ),
        (
            "フォローアップ / follow-ups",
            [
                f"[{f.id}] 期限 {f.due_on} {f.action} → "
                + (f"完了 {f.done_on} {f.note}" if f.done_on else label_state(f.state(date.today())))
                for f in file.follow_ups
            ],
        ),
        (
            "tsunagu の提案 / suggestions",
            [
                f"[{s.id}] {s.status.value} {label(s.value)}"
                + (f" ({label(s.scope.value)})" if s.scope else "")
                + f" — {s.rationale}"
                for s in file.suggestions
            ],
        ),
    ]
    for title, lines in sections:
        if lines:
            _say(f"\n[bold]{title}[/bold]")
            for line in lines:
                _say(f"  {line}")


def label_state(state: str) -> str:
    """Japanese label of a follow-up state."""
    return {"done": "完了", "overdue": "[red]期限超過[/red]", "pending": "予定"}.get(str(state), str(state))


@cases.command("show")
@click.argument("case_id", type=int)
@json_option
@click.pass_context
def show(ctx: click.Context, case_id: int, as_json: bool) -> None:
    """案件の全記録 / one case with everything recorded on it."""
    file = _svc(ctx).get(case_id)
    if as_json:
        emit_json(_jsonable(file))
        return
    _show_file(file)


@cases.command("note")
@click.argument("case_id", type=int)
@click.argument("text")
@click.option(
    "--participant", "participants", multiple=True, help="参加者 (複数可) / participant (repeatable)"
)
@click.option("--kind", default="onsite", help=f"形態 / kind: {_codes_help(VisitKind)}")
@date_option
@actor_option
@json_option
@click.pass_context
def note(
    ctx: click.Context,
    case_id: int,
    text: str,
    participants: tuple[str, ...],
    kind: str,
    on: datetime | None,
    actor: str,
    as_json: bool,
) -> None:
    """訪問・対話記録を追加 (提案も更新) / add a visit or dialogue note (refreshes suggestions)."""
    visit, made = _svc(ctx).note(
        case_id,
        text,
        visited_on=_day(on),
        participants=participants,
        kind=_code(VisitKind, kind, "kind"),
        actor=actor,
    )
    if as_json:
        emit_json({"visit": _jsonable(visit), "suggestions": _jsonable(made)})
        return
    _say(f"記録しました / note [{visit.id}] added to case #{case_id}")
    _print_suggestions(made)


@cases.command("tag")
@click.argument("case_id", type=int)
@click.argument("category")
@click.option("--scope", default="existing", help=f"事業 / business: {_codes_help(BusinessScope)}")
@click.option("--note", "text", default="", help="メモ / note")
@date_option
@actor_option
@click.pass_context
def tag(
    ctx: click.Context, case_id: int, category: str, scope: str, text: str, on: datetime | None, actor: str
) -> None:
    """経営課題をタグ付け / tag a management issue."""
    t = _svc(ctx).tag(
        case_id,
        _code(IssueCategory, category, "category"),
        _code(BusinessScope, scope, "scope"),
        note=text,
        on=_day(on),
        actor=actor,
    )
    _say(f"課題 [{t.id}] {label(t.category.value)} ({label(t.scope.value)}) を記録しました / issue tagged")


tag.help = f"経営課題をタグ付け / tag a management issue. CATEGORY: {_codes_help(IssueCategory)}"


@cases.command("propose")
@click.argument("case_id", type=int)
@click.argument("type_")
@click.argument("summary")
@click.option(
    "--right",
    "rights",
    multiple=True,
    help="権利種別 / right type: patent, utility_model, design, trademark, know_how (repeatable)",
)
@date_option
@actor_option
@click.pass_context
def propose(
    ctx: click.Context,
    case_id: int,
    type_: str,
    summary: str,
    rights: tuple[str, ...],
    on: datetime | None,
    actor: str,
) -> None:
    """知財の解決策を提案 / record an IP-based proposal."""
    p = _svc(ctx).propose(
        case_id, _code(ProposalType, type_, "type"), summary, rights=rights, on=_day(on), actor=actor
    )
    _say(f"提案 [{p.id}] {label(p.type.value)} を記録しました / proposal recorded")


propose.help = f"知財の解決策を提案 / record an IP-based proposal. TYPE: {_codes_help(ProposalType)}"


@cases.command("respond")
@click.argument("case_id", type=int)
@click.argument("proposal_id", type=int)
@click.argument("response")
@date_option
@actor_option
@click.pass_context
def respond(
    ctx: click.Context, case_id: int, proposal_id: int, response: str, on: datetime | None, actor: str
) -> None:
    """提案への企業の対応 / record the company's response to a proposal."""
    p = _svc(ctx).respond(
        case_id, proposal_id, _code(ProposalResponse, response, "response"), on=_day(on), actor=actor
    )
    _say(f"提案 [{p.id}] → {label(p.response.value)}")


respond.help = f"提案への企業の対応 / response to a proposal. RESPONSE: {_codes_help(ProposalResponse)}"


@cases.command("refer")
@click.argument("case_id", type=int)
@click.argument("target")
@click.option("--org", "organisation", default="", help="紹介先の名称 / organisation name")
@click.option("--purpose", default="", help="目的 / purpose")
@date_option
@actor_option
@click.pass_context
def refer(
    ctx: click.Context,
    case_id: int,
    target: str,
    organisation: str,
    purpose: str,
    on: datetime | None,
    actor: str,
) -> None:
    """専門家・支援機関へ紹介 / refer the company to an expert or support body."""
    r = _svc(ctx).refer(
        case_id,
        _code(ReferralTarget, target, "target"),
        organisation=organisation,
        purpose=purpose,
        on=_day(on),
        actor=actor,
    )
    _say(f"紹介 [{r.id}] {label(r.target.value)} {r.organisation} を記録しました / referral recorded")


refer.help = f"専門家・支援機関へ紹介 / refer to an expert. TARGET: {_codes_help(ReferralTarget)}"


@cases.command("outcome")
@click.argument("case_id", type=int)
@click.argument("referral_id", type=int)
@click.argument("outcome")
@click.option("--note", "text", default="", help="結果のメモ / note")
@date_option
@actor_option
@click.pass_context
def outcome(
    ctx: click.Context,
    case_id: int,
    referral_id: int,
    outcome: str,
    text: str,
    on: datetime | None,
    actor: str,
) -> None:
    """紹介の結果 / record what came of a referral."""
    r = _svc(ctx).referral_outcome(
        case_id, referral_id, _code(ReferralOutcome, outcome, "outcome"), note=text, on=_day(on), actor=actor
    )
    _say(f"紹介 [{r.id}] → {label(r.outcome.value)}")


outcome.help = f"紹介の結果 / outcome of a referral. OUTCOME: {_codes_help(ReferralOutcome)}"


@cases.command("follow-up")
@click.argument("case_id", type=int)
@click.argument("action", required=False, default="")
@click.option("--due", type=_date_type, default=None, help="期限 / due date (YYYY-MM-DD)")
@click.option(
    "--done", "done_id", type=int, default=None, help="完了したフォローアップのID / mark this one done"
)
@click.option("--note", "text", default="", help="完了時のメモ / note when done")
@date_option
@actor_option
@click.pass_context
def follow_up(
    ctx: click.Context,
    case_id: int,
    action: str,
    due: datetime | None,
    done_id: int | None,
    text: str,
    on: datetime | None,
    actor: str,
) -> None:
    """フォローアップを予定 (--due) または完了 (--done ID) / plan a follow-up, or mark one done."""
    svc = _svc(ctx)
    if done_id is not None:
        f = svc.complete_follow_up(case_id, done_id, on=_day(on), note=text, actor=actor)
        _say(f"フォローアップ [{f.id}] を完了にしました / done on {f.done_on}")
        return
    if due is None or not action:
        raise click.UsageError(
            "内容と --due が必要です / give the ACTION and --due YYYY-MM-DD (or --done ID)"
        )
    f = svc.follow_up(case_id, action, due.date(), actor=actor)
    _say(f"フォローアップ [{f.id}] 期限 {f.due_on}: {f.action}")


@cases.command("due")
@click.option("--as-of", type=_date_type, default=None, help="基準日 / as of (default today)")
@click.option(
    "--within",
    "within_days",
    type=int,
    default=0,
    show_default=True,
    help="この日数以内に期限が来るものも表示 / also list those due within N days",
)
@click.option("--region", "regions", multiple=True, help="地域 / region (repeatable)")
@json_option
@click.pass_context
def due(
    ctx: click.Context, as_of: datetime | None, within_days: int, regions: tuple[str, ...], as_json: bool
) -> None:
    """期限超過・期限間近のフォローアップ / overdue and upcoming follow-ups."""
    items = _svc(ctx).due(as_of=_day(as_of), within_days=within_days, regions=regions)
    if as_json:
        emit_json(
            {
                "due": [
                    {
                        "case": _jsonable(i.case),
                        "follow_up": _jsonable(i.follow_up),
                        "state": i.state.value,
                        "days_overdue": i.days_overdue,
                    }
                    for i in items
                ]
            }
        )
        return
    if not items:
        _say("期限超過のフォローアップはありません / nothing overdue")
        return
    table = Table(title="フォローアップ / follow-ups due")
    for col in ("案件", "企業", "地域", "ID", "内容", "期限", "状態", "超過日数"):
        table.add_column(col, overflow="fold")
    for i in items:
        table.add_row(
            f"#{i.case.id}",
            i.case.company_name,
            i.case.region,
            str(i.follow_up.id),
            i.follow_up.action,
            str(i.follow_up.due_on),
            label_state(i.state.value),
            str(i.days_overdue or ""),
        )
    stdout_console.print(table)


def _status_command(
    name: str, target: CaseStatus, doc: str, *, needs_reason: bool = False, needs_note: bool = False
) -> None:
    @click.argument("case_id", type=int)
    @click.option("--note", "text", default="", required=needs_note, help="メモ・理由 / note")
    @date_option
    @actor_option
    @click.pass_context
    def command(
        ctx: click.Context, case_id: int, text: str, on: datetime | None, actor: str, reason: str = ""
    ) -> None:
        code = _code(CloseReason, reason, "reason") if needs_reason else None
        case = _svc(ctx).set_status(case_id, target, reason=code, note=text, on=_day(on), actor=actor)
        _say(f"状況を更新しました / status updated: {_case_line(case)}")

    if needs_reason:
        command = click.option("--reason", required=True, help=f"理由 / reason: {_codes_help(CloseReason)}")(
            command
        )
    cases.command(name, help=doc)(command)


_status_command("start", CaseStatus.IN_PROGRESS, "対応中にする / start work on a case (open → in_progress).")
_status_command("solve", CaseStatus.SOLVED, "解決にする / mark a case solved (in_progress → solved).")
_status_command(
    "close",
    CaseStatus.CLOSED,
    "終了にする (理由コード必須) / close a case with a reason code.",
    needs_reason=True,
)
_status_command(
    "reopen", CaseStatus.IN_PROGRESS, "再開する (理由必須) / reopen a solved or closed case.", needs_note=True
)


@cases.command("suggest")
@click.argument("case_id", type=int)
@json_option
@click.pass_context
def suggest_command(ctx: click.Context, case_id: int, as_json: bool) -> None:
    """記録と保有特許から課題タグと tsunagu の機能を提案 / suggest issue tags and tsunagu actions."""
    svc = _svc(ctx)
    svc.suggest(case_id)
    pending = [s for s in svc.get(case_id).suggestions if s.status.value == "pending"]
    if as_json:
        emit_json({"suggestions": _jsonable(pending)})
        return
    if not pending:
        _say("判断待ちの提案はありません / no pending suggestions")
    _print_suggestions(pending)


def _decide(ctx: click.Context, case_id: int, suggestion_id: int, accept: bool, actor: str) -> None:
    s, tag_made = _svc(ctx).decide(case_id, suggestion_id, accept, actor=actor)
    verdict = "採用 / accepted" if accept else "不採用 / rejected"
    _say(f"提案 [{s.id}] {label(s.value)}: {verdict}")
    if tag_made is not None:
        _say(
            f"  課題 [{tag_made.id}] {label(tag_made.category.value)} ({label(tag_made.scope.value)}) を記録"
        )
    elif accept and s.command:
        _say(f"  次に実行 / next: {s.command}")


@cases.command("accept")
@click.argument("case_id", type=int)
@click.argument("suggestion_id", type=int)
@actor_option
@click.pass_context
def accept(ctx: click.Context, case_id: int, suggestion_id: int, actor: str) -> None:
    """提案を採用 / accept a suggestion (an issue tag is then recorded)."""
    _decide(ctx, case_id, suggestion_id, True, actor)


@cases.command("reject")
@click.argument("case_id", type=int)
@click.argument("suggestion_id", type=int)
@actor_option
@click.pass_context
def reject(ctx: click.Context, case_id: int, suggestion_id: int, actor: str) -> None:
    """提案を不採用 / reject a suggestion (it is not suggested again)."""
    _decide(ctx, case_id, suggestion_id, False, actor)


@cases.command("report")
@click.option("--region", "regions", multiple=True, help="地域 (複数可) / region (repeatable)")
@click.option("--from", "start", type=_date_type, default=None, help="期間の開始 / period start")
@click.option("--to", "end", type=_date_type, default=None, help="期間の終了 / period end (default today)")
@click.option("--as-of", type=_date_type, default=None, help="基準日 / as of (default today)")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "md", "html"]),
    default=None,
    help="出力形式 / output format (default: from --out's suffix, else table)",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="出力ファイル / write to this file (.md or .html)",
)
@json_option
@click.pass_context
def report(
    ctx: click.Context,
    regions: tuple[str, ...],
    start: datetime | None,
    end: datetime | None,
    as_of: datetime | None,
    fmt: str | None,
    out: Path | None,
    as_json: bool,
) -> None:
    """地域・期間別の実施状況 (表とグラフ) / region and period report, as tables and charts."""
    rep = _svc(ctx).report(regions=regions, start=_day(start), end=_day(end), as_of=_day(as_of))
    if as_json:
        emit_json(rep.to_dict())
        return
    chosen = fmt or (out.suffix.lstrip(".").replace("markdown", "md") if out else "table")
    if chosen in ("html", "htm"):
        text = report_html(rep)
    elif chosen == "md":
        text = report_markdown(rep)
    else:
        _print_report_tables(rep)
        return
    if out is None:
        click.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        _say(f"レポートを書き出しました / report written: {out}")


def _bar(value: int, top: int, width: int = 24) -> str:
    return "█" * (round(width * value / top) if top else 0)


def _print_report_tables(rep: Any) -> None:
    _say(
        f"[bold]ハンズオン支援 実施状況レポート[/bold]  {', '.join(rep.regions) or '全地域'} "
        f"{rep.start or '開始時点'} 〜 {rep.end}"
    )
    for title, header, rows in report_tables(rep):
        table = Table(title=title)
        for h in header:
            table.add_column(h, overflow="fold")
        numeric = len(header) == 2 and rows and all(r[1].isdigit() for r in rows)
        if numeric:
            table.add_column("")
            top = max(int(r[1]) for r in rows if r[0] != "合計") if rows else 0
        for row in rows:
            cells = list(row)
            if numeric:
                cells.append(_bar(int(row[1]), top) if row[0] != "合計" else "")
            table.add_row(*cells)
        stdout_console.print(table)
