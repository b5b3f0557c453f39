"""The sentences that explain a match, one per component (strongest contribution first), plus notes."""

from __future__ import annotations

from dataclasses import dataclass

from tsunagu.domain.matching import Need, Offer
from tsunagu.services.matching.fields import FieldLink
from tsunagu.services.matching.results import CompanyProfile, Reason, field_label

__all__ = ["MatchFacts", "build_reasons"]


@dataclass(frozen=True)
class MatchFacts:
    """What the explanation is made of.

    Attributes:
        values: component values (None = absent).
        weights: component weights.
        closest_patent: the company's patent closest to the offer ``(key, title, similarity)``.
        need: the need closest to the offer.
        new_fields: offer fields new to the company, strongest link first.
        known_fields: offer fields the company already works in.
        today: ISO date, to flag offers past their listed validity.
    """

    values: dict[str, float | None]
    weights: dict[str, float]
    closest_patent: tuple[str, str, float] | None
    need: Need | None
    new_fields: tuple[FieldLink, ...]
    known_fields: tuple[str, ...]
    today: str = ""


def _capability(f: MatchFacts, profile: CompanyProfile) -> Reason:
    cap = f.values.get("capability_fit") or 0.0
    if f.closest_patent is not None:
        key, title, sim = f.closest_patent
        title = title if len(title) <= 60 else title[:59] + "…"
        return Reason(
            "capability_fit",
            f"技術の近さ {cap:.2f}: 最も近い御社の特許は「{title}」（類似度 {sim:.2f}）",
            f"capability fit {cap:.2f}: your closest patent is '{title}' (similarity {sim:.2f})",
            {"patent": key, "similarity": round(sim, 4)},
        )
    if profile.text:
        return Reason(
            "capability_fit",
            f"技術の近さ {cap:.2f}: 登録された技術・設備・製品の説明との類似度",
            f"capability fit {cap:.2f}: similarity to your registered capabilities, equipment, products",
        )
    return Reason(
        "capability_fit",
        "技術の近さ: 比較できる説明や特許がありません",
        "capability fit: no description or patents to compare",
    )


def _need(f: MatchFacts) -> Reason:
    value = f.values.get("need_fit")
    if value is None or f.need is None:
        return Reason(
            "need_fit",
            "ニーズ適合: 登録されたニーズがありません（評価対象外）",
            "need fit: no need registered (not counted)",
        )
    return Reason(
        "need_fit",
        f"ニーズ適合 {value:.2f}: ニーズ「{f.need.title}」に最も近い",
        f"need fit {value:.2f}: closest to the need '{f.need.title}'",
        {"need_id": f.need.id},
    )


def _field(f: MatchFacts) -> Reason:
    value = f.values.get("field_proximity") or 0.0
    if f.new_fields:
        top = f.new_fields[0]
        home = top.home_doc or top.home_app
        return Reason(
            "field_proximity",
            f"分野の近さ {value:.2f}: 新分野 {field_label(top.group)} は御社の {home} と関連"
            f"（同一文献での併記率 {top.p_doc:.0%}、両分野に出願する出願人の割合 {top.p_app:.0%}）",
            f"field proximity {value:.2f}: the new field {field_label(top.group, 'en')} is linked to your "
            f"{home} (co-classified in {top.p_doc:.0%} of its records; {top.p_app:.0%} of its applicants "
            "work in both)",
            {
                "field": top.group,
                "from_doc": top.home_doc,
                "p_doc": round(top.p_doc, 4),
                "from_app": top.home_app,
                "p_app": round(top.p_app, 4),
            },
        )
    if f.known_fields:
        listed = ", ".join(f.known_fields[:3])
        return Reason(
            "field_proximity",
            f"分野の近さ 0: 御社がすでに手がける分野（{listed}）の技術で、新分野ではありません",
            f"field proximity 0: the offer lies in fields you already work in ({listed})",
            {"known_fields": list(f.known_fields)},
        )
    return Reason(
        "field_proximity",
        f"分野の近さ {value:.2f}: 御社の分野との関連の記録がありません",
        f"field proximity {value:.2f}: no recorded link to your fields",
    )


def build_reasons(f: MatchFacts, profile: CompanyProfile, offer: Offer) -> tuple[Reason, ...]:
    """Reasons ordered by weighted contribution, then notes on inferred fields."""
    ranked = [
        (f.weights["capability_fit"] * (f.values.get("capability_fit") or 0.0), _capability(f, profile)),
        (f.weights["need_fit"] * (f.values.get("need_fit") or 0.0), _need(f)),
        (f.weights["field_proximity"] * (f.values.get("field_proximity") or 0.0), _field(f)),
    ]
    ranked.sort(key=lambda t: -t[0])
    reasons = [r for _, r in ranked]
    if f.today and offer.valid_until and offer.valid_until < f.today:
        reasons.append(
            Reason(
                "note",
                f"掲載上の有効期限（{offer.valid_until}）を過ぎています。権利の存続を確認してください",
                f"past its listed validity ({offer.valid_until}): check that the rights still exist",
                {"valid_until": offer.valid_until},
            )
        )
    if offer.fields_inferred:
        reasons.append(
            Reason(
                "note",
                "オファーの分野は本文から推定したものです（特許の分類ではありません）",
                "the offer's fields were inferred from its text (not from patent classification)",
                {"fields": list(offer.ipc_codes)},
            )
        )
    if profile.groups_inferred:
        reasons.append(
            Reason(
                "note",
                "御社の分野は説明文・特許の文章から推定したものです（分類された特許なし）",
                "your fields were inferred from your description and patent texts (no classified patent)",
                {"fields": list(profile.groups)},
            )
        )
    return tuple(reasons)
