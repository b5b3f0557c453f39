"""`tsunagu deals …`: carry a match from 候補提示 to フォローアップ (or 見送り): notes, dates, documents.

create, advance, close, note, schedule, consent, list, show, due, document. Stages and reasons are
typed as codes (``meeting``) or Japanese labels (``面談``).
"""

from __future__ import annotations

from pathlib import Path

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.matching_common import actor_option, lang_option, say, table
from tsunagu.cli.output import emit_json
from tsunagu.domain.matching import LOST_REASONS, STAGE_LABELS, Deal, label
from tsunagu.services.matching.deals import deal_to_dict, event_to_dict
from tsunagu.services.matching.documents import DOCUMENT_KINDS, render_document

__all__ = ["deals"]

_STAGES_HELP = ", ".join(f"{k} ({v[0]})" for k, v in STAGE_LABELS.items())
_REASONS_HELP = ", ".join(f"{k} ({v[0]})" for k, v in LOST_REASONS.items())


def _summary(d: Deal, lang: str) -> str:
    due = (
        f", 次回 / next: {d.next_action_date} {d.next_action}" if d.next_action_date or d.next_action else ""
    )
    reason = f" ({label('reason', d.lost_reason, lang)})" if d.lost_reason else ""
    return f"案件 #{d.id}: {label('stage', d.stage, lang)}{reason}{due}"


@click.group("deals")
def deals() -> None:
    """案件（マッチングの進行管理）/ deals: stages, notes, next actions, documents.

    段階 / stages: 候補提示 → 面談 → 秘密保持契約 → 評価・試作 → 契約交渉 → ライセンス契約 → 事業化 →
    フォローアップ、または 見送り (理由コード付き)。案件は削除されず、見送りで終了します。
    """


@deals.command("create")
@click.option("--offer", "offer_id", type=int, required=True, help="オファーID / offer id")
@click.option("--company", required=True, help="登録企業 (ID・名称) / registered company")
@click.option(
    "--programme", default=None, help="プログラム (1つだけなら省略可) / programme (optional when only one)"
)
@click.option("--coordinator", default="", help="担当コーディネーター (既定: 操作者) / coordinator")
@click.option("--next-action", default="", help="次の行動 / next action")
@click.option("--due", "next_action_date", default="", help="次の行動の期日 YYYY-MM-DD / due date")
@click.option("--note", default="", help="メモ / note")
@actor_option
@lang_option
@json_option
@click.pass_context
def create(
    ctx: click.Context,
    offer_id: int,
    company: str,
    programme: str | None,
    coordinator: str,
    next_action: str,
    next_action_date: str,
    note: str,
    actor: str,
    lang: str,
    as_json: bool,
) -> None:
    """案件を作成 (候補提示) / open a deal at 'proposed'; the explained match is recorded with it."""
    deal = get_app(ctx).deals.create(
        offer_id,
        company,
        actor=actor,
        programme=programme,
        coordinator=coordinator,
        next_action=next_action,
        next_action_date=next_action_date,
        note=note,
    )
    if as_json:
        emit_json(deal_to_dict(deal, lang))
    else:
        score = f" (スコア / score {deal.score:.3f})" if deal.score is not None else ""
        say(f"{_summary(deal, lang)}{score} を作成しました / created")


@deals.command("advance")
@click.argument("deal_id", type=int)
@click.argument("stage")
@click.option("--reason", default="", help=f"見送りの理由 / reason when closing: {_REASONS_HELP}")
@click.option("--note", default="", help="メモ / note")
@click.option("--next-action", default=None, help="次の行動 / next action")
@click.option("--due", "next_action_date", default=None, help="次の行動の期日 YYYY-MM-DD / due date")
@actor_option
@lang_option
@json_option
@click.pass_context
def advance(
    ctx: click.Context,
    deal_id: int,
    stage: str,
    reason: str,
    note: str,
    next_action: str | None,
    next_action_date: str | None,
    actor: str,
    lang: str,
    as_json: bool,
) -> None:
    """案件を次の段階へ / move a deal to STAGE (help text set below with the stage list)."""
    deal = get_app(ctx).deals.advance(
        deal_id,
        stage,
        actor=actor,
        reason=reason,
        note=note,
        next_action=next_action,
        next_action_date=next_action_date,
    )
    if as_json:
        emit_json(deal_to_dict(deal, lang))
    else:
        say(f"{_summary(deal, lang)} に更新しました / updated")


advance.help = (
    f"案件を次の段階へ / move a deal to STAGE: {_STAGES_HELP}. "
    "許されない移動は可能な段階を示して拒否されます / an illegal move is refused with the allowed ones."
)


@deals.command("close")
@click.argument("deal_id", type=int)
@click.option("--reason", required=True, help=_REASONS_HELP)
@click.option("--note", default="", help="メモ / note")
@actor_option
@lang_option
@json_option
@click.pass_context
def close(
    ctx: click.Context, deal_id: int, reason: str, note: str, actor: str, lang: str, as_json: bool
) -> None:
    """案件を見送りで終了 (記録は残ります) / close a deal as not pursued (kept as a record)."""
    deal = get_app(ctx).deals.close(deal_id, reason, actor=actor, note=note)
    if as_json:
        emit_json(deal_to_dict(deal, lang))
    else:
        say(f"{_summary(deal, lang)} / closed")


@deals.command("note")
@click.argument("deal_id", type=int)
@click.argument("text")
@actor_option
@json_option
@click.pass_context
def note(ctx: click.Context, deal_id: int, text: str, actor: str, as_json: bool) -> None:
    """案件にメモを追加 / add a note to a deal."""
    event = get_app(ctx).deals.note(deal_id, text, actor=actor)
    if as_json:
        emit_json(event_to_dict(event))
    else:
        say(f"案件 #{deal_id} にメモを記録しました / note recorded ({event.at}, {event.actor})")


@deals.command("schedule")
@click.argument("deal_id", type=int)
@click.option("--action", "next_action", required=True, help="次の行動 / next action")
@click.option("--due", "next_action_date", required=True, help="期日 YYYY-MM-DD / due date")
@actor_option
@lang_option
@json_option
@click.pass_context
def schedule(
    ctx: click.Context,
    deal_id: int,
    next_action: str,
    next_action_date: str,
    actor: str,
    lang: str,
    as_json: bool,
) -> None:
    """次の行動と期日を設定 / set the next action and its date."""
    deal = get_app(ctx).deals.schedule(deal_id, next_action, next_action_date, actor=actor)
    if as_json:
        emit_json(deal_to_dict(deal, lang))
    else:
        say(f"{_summary(deal, lang)}")


@deals.command("consent")
@click.argument("deal_id", type=int)
@click.option(
    "--side", type=click.Choice(["company", "licensor"]), required=True, help="同意した側 / which side agreed"
)
@actor_option
@lang_option
@json_option
@click.pass_context
def consent(ctx: click.Context, deal_id: int, side: str, actor: str, lang: str, as_json: bool) -> None:
    """社名開示への同意を記録 (双方の同意で開示) / record one side's agreement to reveal its identity."""
    deal = get_app(ctx).deals.consent(deal_id, side, actor=actor)
    if as_json:
        emit_json(deal_to_dict(deal, lang))
    else:
        state = (
            "双方合意: 社名を開示します / both agreed: identities revealed"
            if deal.identities_revealed
            else ("相手側の同意待ち / waiting for the other side")
        )
        say(f"案件 #{deal.id}: {side} の同意を記録しました / recorded — {state}")


@deals.command("list")
@click.option("--programme", default=None, help="プログラム / programme")
@click.option("--stage", "stages", multiple=True, help="段階 (複数可) / stage (repeat)")
@click.option("--company", default=None, help="企業 / company")
@click.option("--offer", "offer_id", type=int, default=None, help="オファーID / offer id")
@click.option("--open", "open_only", is_flag=True, help="進行中のみ / open deals only")
@lang_option
@json_option
@click.pass_context
def list_deals(
    ctx: click.Context,
    programme: str | None,
    stages: tuple[str, ...],
    company: str | None,
    offer_id: int | None,
    open_only: bool,
    lang: str,
    as_json: bool,
) -> None:
    """案件の一覧 / list deals."""
    app = get_app(ctx)
    items = app.deals.list_deals(
        programme=programme, stages=stages, offer_id=offer_id, company=company, open_only=open_only
    )
    if as_json:
        emit_json({"count": len(items), "deals": [deal_to_dict(d, lang) for d in items]})
        return
    companies = {c.id: c.name for c in app.registry.get_companies(list({d.company_id for d in items}))}
    offers = {o.id: o.title for o in app.registry.list_offers() if o.id in {d.offer_id for d in items}}
    table(
        f"案件 / deals ({len(items)})",
        ["ID", "段階 / stage", "企業 / company", "オファー / offer", "次の行動 / next", "期日 / due", "担当"],
        [
            [
                str(d.id),
                label("stage", d.stage, lang)
                + (f" ({label('reason', d.lost_reason, lang)})" if d.lost_reason else ""),
                companies.get(d.company_id, ""),
                offers.get(d.offer_id, "")[:40],
                d.next_action[:30],
                d.next_action_date,
                d.coordinator,
            ]
            for d in items
        ],
    )


@deals.command("show")
@click.argument("deal_id", type=int)
@lang_option
@json_option
@click.pass_context
def show(ctx: click.Context, deal_id: int, lang: str, as_json: bool) -> None:
    """案件の詳細と履歴 / a deal with its history and the match recorded when it was created."""
    view = get_app(ctx).deals.show(deal_id)
    if as_json:
        emit_json(view.to_dict(lang))
        return
    d = view.deal
    say(f"{_summary(d, lang)} — {view.programme.name}")
    say(f"  オファー / offer: #{view.offer.id} {view.offer.title} ({view.licensor.name})")
    say(
        f"  企業 / company: #{view.company.id} {view.company.name}"
        + (
            ""
            if d.identities_revealed
            else "  (相手側には社名未開示 / name not yet revealed to the licensor)"
        )
    )
    if d.score is not None:
        say(f"  作成時のスコア / score at creation: {d.score:.3f}")
    for reason in view.match.get("reasons", [])[:3]:
        say(f"    - {reason.get('text', '')}")
    say("  履歴 / history:")
    for e in view.events:
        what = {
            "created": "作成",
            "stage": "段階",
            "note": "メモ",
            "next_action": "次の行動",
            "consent": "開示同意",
            "document": "文書",
        }.get(e.kind, e.kind)
        move = (
            f" {label('stage', e.from_stage, lang)} → {label('stage', e.to_stage, lang)}"
            if e.kind == "stage"
            else ""
        )
        reason = f" [{label('reason', e.reason, lang)}]" if e.reason else ""
        say(f"    {e.at}  {e.actor}  {what}{move}{reason}  {e.text}")


@deals.command("due")
@click.option("--as-of", default=None, help="基準日 YYYY-MM-DD (既定: 今日) / as of (default today)")
@click.option("--programme", default=None, help="プログラム / programme")
@lang_option
@json_option
@click.pass_context
def due(ctx: click.Context, as_of: str | None, programme: str | None, lang: str, as_json: bool) -> None:
    """期日を過ぎた・今日期日の案件 / deals whose next action is due or overdue."""
    app = get_app(ctx)
    day = as_of or app.deals.today()
    items = app.deals.due(as_of=day, programme=programme)
    if as_json:
        emit_json(
            {
                "as_of": day,
                "count": len(items),
                "deals": [deal_to_dict(d, lang) | {"overdue": d.next_action_date < day} for d in items],
            }
        )
        return
    if not items:
        say(f"{day} 時点で期日の来た案件はありません / nothing due")
        return
    table(
        f"期日の来た案件 / due as of {day}",
        ["ID", "期日 / due", "超過 / overdue", "次の行動 / next", "段階", "担当"],
        [
            [
                str(d.id),
                d.next_action_date,
                "超過" if d.next_action_date < day else "今日",
                d.next_action,
                label("stage", d.stage, lang),
                d.coordinator,
            ]
            for d in items
        ],
    )


@deals.command("document")
@click.argument("deal_id", type=int)
@click.option(
    "--kind",
    type=click.Choice(list(DOCUMENT_KINDS)),
    required=True,
    help="nda (秘密保持契約チェックリスト) / term-sheet (ライセンス条件概要)",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html"]),
    default=None,
    help="形式 (既定: --out の拡張子、なければ md) / format",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="出力ファイル (省略時は標準出力) / output file",
)
@actor_option
@lang_option
@json_option
@click.pass_context
def document(
    ctx: click.Context,
    deal_id: int,
    kind: str,
    fmt: str | None,
    out: Path | None,
    actor: str,
    lang: str,
    as_json: bool,
) -> None:
    """検討用の文書 (法的助言ではありません) / NDA checklist or licence term sheet (not legal advice)."""
    app = get_app(ctx)
    doc = render_document(app.deals.show(deal_id), kind, lang=lang)
    chosen = fmt or ("html" if out is not None and out.suffix.lower() in (".html", ".htm") else "md")
    text = doc.html if chosen == "html" else doc.markdown
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        app.deals.record_document(deal_id, f"{doc.title} ({chosen}) → {out.name}", actor=actor)
    if as_json:
        emit_json(
            {
                "deal_id": deal_id,
                "kind": kind,
                "title": doc.title,
                "format": chosen,
                "path": str(out) if out else None,
                "content": None if out else text,
            }
        )
    elif out is not None:
        say(f"{doc.title} を書き出しました / written: {out}")
    else:
        click.echo(text)
