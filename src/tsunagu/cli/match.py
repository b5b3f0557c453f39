"""`tsunagu match --company NAME | --offer ID`: ranked, explained matches in either direction."""

from __future__ import annotations

import click

from tsunagu.cli.common import get_app, json_option
from tsunagu.cli.matching_common import lang_option, say
from tsunagu.cli.output import emit_json, progress_bar
from tsunagu.errors import ValidationError
from tsunagu.services.matching.results import MatchList, field_label

__all__ = ["match"]

_NAMES = {
    "capability_fit": ("技術の近さ", "capability fit"),
    "need_fit": ("ニーズ適合", "need fit"),
    "field_proximity": ("分野の近さ", "field proximity"),
}


def _print(result: MatchList, lang: str) -> None:
    ja = lang == "ja"
    subject = result.subject
    if result.direction == "offers_for_company":
        head = f"{subject['name']} に合うオファー / offers for {subject['name']}"
        if subject.get("fields"):
            head += f" — 分野 / fields: {', '.join(subject['fields'][:6])}"
            head += "（推定）" if subject.get("fields_inferred") else ""
    else:
        head = f"オファー #{subject['offer_id']}「{subject['title']}」に合う企業 / companies for this offer"
    say(head)
    for note in result.notes:
        say(f"  ※ {note}")
    if not result.matches:
        say("該当なし / no match")
        return
    views = result.views or (None,) * len(result.matches)
    for rank, (m, view) in enumerate(zip(result.matches, views, strict=True), start=1):
        comps = ", ".join(
            f"{_NAMES[k][0 if ja else 1]} {'—' if v is None else f'{v:.2f}'}" for k, v in m.components.items()
        )
        if result.direction == "offers_for_company":
            title = f"#{m.offer.id} {m.offer.title} ({m.licensor})"
        else:
            name = view["name"] if view else m.company.name
            title = f"{name} [{m.company.ref}]"
        say(f"\n{rank}. {title}")
        say(f"   スコア / score {m.score:.3f}  ({comps})")
        for r in m.reasons:
            say(f"   - {r.text(lang)}")
        pb = m.proposed_business
        if pb.available:
            rel = {"home": "既存分野", "adjacent": "隣接分野", "other": "その他の分野"}.get(
                pb.relation, pb.relation
            )
            fn = f"「{pb.function}」を活かし、" if pb.function else ""
            say(f"   ▶ 事業案 / proposed business: {fn}{field_label(pb.field, lang)} で製品化（{rel}）")
            for e in pb.evidence[:2]:
                say(
                    f"       根拠 / evidence: {e['number']} {e['title'][:60]} ({e['applicant']}, {e['year']})"
                )
        elif pb.note and rank == 1:
            say(f"   ▶ {pb.note}")


@click.command("match")
@click.option("--company", default=None, help="企業 (登録ID・名称・別名、またはコーパスの出願人名) / company")
@click.option("--offer", "offer_id", type=int, default=None, help="オファーID / offer id")
@click.option("-k", "--limit", default=10, show_default=True, help="件数 / number of matches")
@click.option("--programme", default=None, help="プログラム内に限定 / only within this programme")
@click.option(
    "--as-licensor",
    is_flag=True,
    help="ライセンサーに見える範囲で表示 (--offer) / show what the licensor may see",
)
@click.option(
    "--propose",
    default=3,
    show_default=True,
    help="事業案を作る上位件数 (用途探索) / proposals for the top N",
)
@lang_option
@json_option
@click.pass_context
def match(
    ctx: click.Context,
    company: str | None,
    offer_id: int | None,
    limit: int,
    programme: str | None,
    as_licensor: bool,
    propose: int,
    lang: str,
    as_json: bool,
) -> None:
    """知財ビジネスマッチング / match offers and companies, both ways, with explained scores.

    各候補に、技術の近さ (作れるか)、ニーズ適合 (ニーズに応えるか)、分野の近さ (隣接する新分野か) と
    その根拠、用途探索による事業案を示します。
    """
    if (company is None) == (offer_id is None):
        raise ValidationError(
            "--company か --offer のどちらか一方を指定してください / give either --company or --offer"
        )
    app = get_app(ctx)
    pid = app.programmes.get(programme).id if programme else None
    with progress_bar("match", enabled=True) as progress:
        if company is not None:
            result = app.matching.offers_for_company(
                company, limit=limit, programme_id=pid, propose=propose, lang=lang, progress=progress
            )
        else:
            assert offer_id is not None
            result = app.matching.companies_for_offer(
                offer_id,
                limit=limit,
                programme_id=pid,
                as_licensor=as_licensor,
                propose=propose,
                lang=lang,
                progress=progress,
            )
    if as_json:
        emit_json(result.to_dict(lang))
    else:
        _print(result, lang)
