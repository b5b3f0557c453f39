"""Discussion documents for a deal: an NDA checklist and a licence term sheet (Markdown and HTML).

Both are checklists for the parties' discussion, clearly labelled as not legal advice. Facts tsunagu
knows (parties, patents, the offer's terms note, the company's stated exclusivity, the proposed use)
are filled in; everything else is left as a question to settle. HTML output escapes every value.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from tsunagu.domain.matching import label
from tsunagu.errors import ValidationError
from tsunagu.services.matching.deals import DealView

__all__ = ["DISCLAIMER", "DOCUMENT_KINDS", "DealDocument", "render_document"]

DISCLAIMER = {
    "ja": "検討用チェックリスト（法的助言ではありません）",
    "en": "Checklist for discussion (not legal advice)",
}
_DISCLAIMER_BODY = {
    "ja": "本書は当事者間の検討を助けるための項目一覧です。契約書ではなく、法的助言でもありません。"
    "契約の締結にあたっては弁護士・弁理士等の専門家にご相談ください。",
    "en": "This lists points for the parties to discuss. It is not a contract and not legal advice; consult "
    "a lawyer or patent attorney before signing anything.",
}

#: Document kinds: code → (Japanese title, English title).
DOCUMENT_KINDS: dict[str, tuple[str, str]] = {
    "nda": ("秘密保持契約（NDA）検討チェックリスト", "NDA checklist"),
    "term-sheet": ("ライセンス契約 条件概要（タームシート）検討用", "Licence term sheet (for discussion)"),
}

_TODO = {"ja": "（要協議）", "en": "(to be agreed)"}


@dataclass(frozen=True)
class DealDocument:
    """A generated document in both formats."""

    kind: str
    title: str
    markdown: str
    html: str


@dataclass(frozen=True)
class _Item:
    heading: str
    question: str
    known: str = ""


def _t(lang: str, ja: str, en: str) -> str:
    return ja if lang == "ja" else en


def _parties(view: DealView, lang: str) -> list[tuple[str, str]]:
    revealed = view.deal.identities_revealed
    company = (
        view.company.name
        if revealed
        else _t(
            lang,
            f"企業 #{view.company.id}（社名は双方合意後に開示）",
            f"company #{view.company.id} (name shown once both agree)",
        )
    )
    return [
        (_t(lang, "プログラム", "Programme"), view.programme.name),
        (_t(lang, "ライセンサー（開示者・許諾者）", "Licensor (discloser / licensor)"), view.licensor.name),
        (_t(lang, "中小企業（受領者・実施者）", "Company (recipient / licensee)"), company),
        (_t(lang, "対象技術", "Technology"), view.offer.title),
        (
            _t(lang, "対象特許", "Patents"),
            ", ".join(view.offer.patent_numbers) or _t(lang, "（番号未登録）", "(no number given)"),
        ),
        (
            _t(lang, "案件番号・段階", "Deal and stage"),
            f"#{view.deal.id} {label('stage', view.deal.stage, lang)}",
        ),
    ]


def _nda_items(view: DealView, lang: str) -> list[_Item]:
    purpose = _t(
        lang, f"対象技術「{view.offer.title}」の評価・試作の検討", f"evaluating '{view.offer.title}'"
    )
    return [
        _Item(
            _t(lang, "目的", "Purpose"),
            _t(
                lang,
                "開示された情報を何のために使うか、目的は限定されているか",
                "What may the information be used for? Is the purpose limited?",
            ),
            purpose,
        ),
        _Item(
            _t(lang, "秘密情報の範囲", "Confidential information"),
            _t(
                lang,
                "書面・電子データ・口頭・試料のどれが対象か。秘密表示は必要か、口頭開示は書面で特定するか",
                "Written, electronic, oral, samples? Must it be marked? Is oral disclosure confirmed?",
            ),
        ),
        _Item(
            _t(lang, "除外される情報", "Exclusions"),
            _t(
                lang,
                "公知の情報、既に保有していた情報、独自に開発した情報、第三者から適法に得た情報の扱い",
                "Public, already known, independently developed, or lawfully received information",
            ),
        ),
        _Item(
            _t(lang, "開示できる範囲", "Who may receive it"),
            _t(
                lang,
                "役員・従業員・外部の専門家（弁理士、試作委託先）に開示できるか、その条件",
                "Officers, employees, outside experts (patent attorneys, prototypers)? On what terms?",
            ),
        ),
        _Item(
            _t(lang, "一方向か双方向か", "One-way or mutual"),
            _t(
                lang,
                "中小企業側の技術・設備情報も開示するか（双方向の場合は双方の義務を確認）",
                "Will the company disclose its own know-how too? Then both sides carry the obligations.",
            ),
        ),
        _Item(
            _t(lang, "期間", "Term"),
            _t(
                lang,
                "契約期間と、終了後も秘密保持義務が続く期間",
                "Length of the agreement and how long confidentiality survives it",
            ),
        ),
        _Item(
            _t(lang, "返還・破棄", "Return or destruction"),
            _t(
                lang,
                "終了時に資料・試料・複製を返還または破棄するか、その証明",
                "Return or destroy documents, samples and copies at the end; certificate?",
            ),
        ),
        _Item(
            _t(lang, "知的財産の扱い", "Intellectual property"),
            _t(
                lang,
                "開示によって権利は移転・許諾されないこと。評価中に生まれた改良発明の帰属と通知",
                "No rights pass by disclosure. Who owns improvements made during the evaluation; notice?",
            ),
        ),
        _Item(
            _t(lang, "評価・試作の成果", "Evaluation results"),
            _t(
                lang,
                "試作品・測定データの帰属と、ライセンス交渉に進まない場合の扱い",
                "Who owns prototypes and test data; what happens if no licence follows?",
            ),
        ),
        _Item(
            _t(lang, "準拠法・紛争解決", "Law and disputes"),
            _t(
                lang,
                "準拠法と管轄裁判所（海外のライセンサーの場合は特に確認）",
                "Governing law and courts (check carefully with an overseas licensor)",
            ),
        ),
    ]


def _term_items(view: DealView, lang: str) -> list[_Item]:
    offer = view.offer
    patents = ", ".join(offer.patent_numbers) or _t(lang, "（番号未登録）", "(no number given)")
    expiry = offer.valid_until and _t(
        lang, f"（掲載上の有効期限 {offer.valid_until}）", f" (listed until {offer.valid_until})"
    )
    proposal = view.match.get("proposed_business") or {}
    use = str(proposal.get("field_name") or "") if proposal.get("available") else ""
    wishes = [
        f"{label('exclusivity', n.exclusivity, lang)}（{n.title}）" for n in view.needs if n.exclusivity
    ]
    need_ex = _t(lang, "企業の希望: ", "company's wish: ") + "; ".join(wishes) if wishes else ""
    exclusivity = _t(
        lang,
        "独占／非独占、独占の場合の最低実施料や実施義務",
        "Exclusive or non-exclusive; for exclusivity, minimum royalties or diligence duties",
    )
    return [
        _Item(
            _t(lang, "許諾特許", "Licensed patents"),
            _t(
                lang,
                "対象特許の番号・存続期間・維持状況、関連する出願やノウハウを含めるか",
                "Numbers, remaining term and maintenance; include pending applications or know-how?",
            ),
            patents + (expiry or ""),
        ),
        _Item(
            _t(lang, "実施分野", "Field of use"),
            _t(lang, "どの製品・用途に限って実施を許諾するか", "Which products or uses the licence covers"),
            use
            and _t(
                lang,
                f"候補: {use}（用途探索による提案、要確認）",
                f"candidate: {use} (proposed by discovery; to check)",
            ),
        ),
        _Item(
            _t(lang, "地域", "Territory"),
            _t(lang, "製造・販売してよい国・地域", "Countries where it may make and sell"),
        ),
        _Item(_t(lang, "独占性", "Exclusivity"), exclusivity, need_ex),
        _Item(
            _t(lang, "対価の考え方", "Royalty basis"),
            _t(
                lang,
                "一時金・ランニングロイヤルティ（売上の何％か、数量単位か）・最低額・支払と報告の時期",
                "Lump sum, running royalty (share of sales or per unit), minimum, payment, reporting",
            ),
            offer.terms_note,
        ),
        _Item(
            _t(lang, "契約期間", "Term"),
            _t(
                lang,
                "開始日、期間、更新、特許満了・無効時の扱い、解約条件",
                "Start, length, renewal, what happens at expiry or invalidity, termination",
            ),
        ),
        _Item(
            _t(lang, "改良技術", "Improvements"),
            _t(
                lang,
                "双方の改良発明の帰属、相互の通知・許諾（グラントバック）の範囲",
                "Ownership of each side's improvements; notice and grant-back terms",
            ),
        ),
        _Item(
            _t(lang, "技術支援", "Technical support"),
            _t(
                lang,
                "技術指導・資料提供・試作支援の範囲、期間、費用",
                "Scope, duration and cost of technical help and documents",
            ),
            offer.contact_role
            and _t(
                lang, f"ライセンサー窓口: {offer.contact_role}", f"licensor contact: {offer.contact_role}"
            ),
        ),
        _Item(
            _t(lang, "再実施許諾", "Sublicensing"),
            _t(
                lang,
                "委託製造先・子会社への再許諾を認めるか",
                "May contract manufacturers or affiliates be sublicensed?",
            ),
        ),
        _Item(
            _t(lang, "表明・保証と責任", "Warranties and liability"),
            _t(
                lang,
                "特許の有効性・第三者権利の非侵害についての保証の有無、責任の上限",
                "Any warranty of validity or non-infringement; caps on liability",
            ),
        ),
    ]


def render_document(view: DealView, kind: str, *, lang: str = "ja") -> DealDocument:
    """The document ``kind`` (``"nda"`` or ``"term-sheet"``) for a deal, as Markdown and HTML.

    Raises:
        ValidationError: an unknown kind.
    """
    if kind not in DOCUMENT_KINDS:
        raise ValidationError(
            f"kind: {kind!r} は不明です / unknown document; 使える値 / accepted: " + ", ".join(DOCUMENT_KINDS)
        )
    title = DOCUMENT_KINDS[kind][0 if lang == "ja" else 1]
    items = _nda_items(view, lang) if kind == "nda" else _term_items(view, lang)
    parties = _parties(view, lang)
    warning = (
        ""
        if view.deal.identities_revealed
        else _t(
            lang,
            "注意: 双方の社名開示の合意がまだ記録されていません。",
            "Note: both sides have not yet agreed to reveal identities.",
        )
    )
    return DealDocument(
        kind,
        title,
        _markdown(title, parties, items, warning, lang),
        _html(title, parties, items, warning, lang),
    )


def _markdown(title: str, parties: list[tuple[str, str]], items: list[_Item], warning: str, lang: str) -> str:
    out = [f"# {title}", "", f"> **{DISCLAIMER[lang]}**", ">", f"> {_DISCLAIMER_BODY[lang]}", ""]
    if warning:
        out += [f"_{warning}_", ""]
    out += [f"| {_t(lang, '項目', 'Item')} | {_t(lang, '内容', 'Value')} |", "|---|---|"]
    out += [f"| {k} | {v.replace('|', '/')} |" for k, v in parties]
    out.append("")
    for n, item in enumerate(items, start=1):
        out.append(f"## {n}. {item.heading}")
        out.append("")
        out.append(f"- [ ] {item.question}")
        out.append(f"  - {_t(lang, '現時点の情報', 'Known now')}: {item.known or _TODO[lang]}")
        out.append(f"  - {_t(lang, '合意内容', 'Agreed')}: ")
        out.append("")
    return "\n".join(out)


_CSS = (
    'body{font-family:"IPAexGothic","Noto Sans CJK JP","Hiragino Sans",sans-serif;max-width:50rem;'
    "margin:2rem auto;line-height:1.7;color:#222;padding:0 1rem}"
    ".disclaimer{border:2px solid #b45309;background:#fffbeb;padding:.75rem 1rem;border-radius:.4rem}"
    ".disclaimer strong{color:#92400e}table{border-collapse:collapse;width:100%}"
    "td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}"
    "li{margin:.2rem 0}.known{color:#1d4ed8}.todo{color:#4b5563}"
)


def _html(title: str, parties: list[tuple[str, str]], items: list[_Item], warning: str, lang: str) -> str:
    e = html.escape
    rows = "".join(f'<tr><th scope="row">{e(k)}</th><td>{e(v)}</td></tr>' for k, v in parties)
    body = []
    for n, item in enumerate(items, start=1):
        known = (
            f'<span class="known">{e(item.known)}</span>'
            if item.known
            else f'<span class="todo">{e(_TODO[lang])}</span>'
        )
        body.append(
            f"<section><h2>{n}. {e(item.heading)}</h2><ul>"
            f'<li><label><input type="checkbox"> {e(item.question)}</label></li>'
            f"<li>{e(_t(lang, '現時点の情報', 'Known now'))}: {known}</li>"
            f"<li>{e(_t(lang, '合意内容', 'Agreed'))}: ＿＿＿＿＿＿＿＿</li></ul></section>"
        )
    warn = f"<p><em>{e(warning)}</em></p>" if warning else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{e(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{e(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1>"
        f'<div class="disclaimer" role="note"><strong>{e(DISCLAIMER[lang])}</strong>'
        f"<p>{e(_DISCLAIMER_BODY[lang])}</p></div>"
        f"{warn}<table>{rows}</table>{''.join(body)}</body></html>\n"
    )


def document_names() -> dict[str, Any]:
    """Kinds and titles, for help texts."""
    return {k: {"ja": ja, "en": en} for k, (ja, en) in DOCUMENT_KINDS.items()}
