"""Markdown rendering of a discovery result (``tsunagu discover --md``, reports)."""

from __future__ import annotations

from typing import Any

from tsunagu.domain.fields import JA_NAMES_NOTE
from tsunagu.services.discovery.model import DiscoveryResult

__all__ = ["field_label", "to_markdown"]


def field_label(name: dict[str, Any], lang: str = "ja") -> str:
    """``"日本語名 / English title"`` of a `FieldName` dict (just the English title when no Japanese)."""
    en = str(name.get("title_en") or "")
    ja = str(name.get("title_ja") or "")
    if lang == "ja" and ja and en:
        return f"{ja} / {en}"
    return en or ja


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def to_markdown(result: DiscoveryResult, lang: str = "ja") -> str:
    """The result as Markdown: home fields, terms, then one section per idea card."""
    d = result.to_dict()
    out: list[str] = []
    label = d["input"]["label"] or ("入力" if lang == "ja" else "input")
    out.append(f"# 用途探索 / Application discovery: {label}")
    out.append("")
    a = d["analysis"]
    out.append("## 入力の機能・効果・課題 / Function, effect, problem")
    for key, title in (
        ("function", "機能 / function"),
        ("effect", "効果 / effect"),
        ("problem_terms", "課題 / problem"),
    ):
        terms = a.get(key) or []
        out.append(f"- **{title}**: {'、'.join(terms) if terms else '—'}")
    if a.get("problem"):
        out.append(f"- **【課題】**: {a['problem']}")
    out.append("")
    out.append("## ホーム分野 / Home fields")
    out.append("| IPC | 分野 / field | WIPO | 確信度 / confidence |")
    out.append("|---|---|---|---|")
    for h in d["home_fields"]:
        wipo = h["wipo"]["name_ja"] + " / " + h["wipo"]["name_en"] if h["wipo"] else "—"
        out.append(f"| {h['code']} | {field_label(h['name'], lang)} | {wipo} | {_pct(h['confidence'])} |")
    out.append("")
    out.append(f"## アイデア / Ideas (boldness {d['input']['boldness']})")
    if not d["cards"]:
        out.append("根拠となる特許が見つかりませんでした / no supporting patents were found.")
    for c in d["cards"]:
        out.append("")
        out.append(f"### {c['rank']}. {c['field']} — {field_label(c['field_name'], lang)}")
        wipo = f"{c['wipo']['name_ja']} / {c['wipo']['name_en']}" if c["wipo"] else "—"
        out.append(f"- サブクラス / subclass: {c['subclass']} {field_label(c['subclass_name'], lang)}")
        out.append(f"- WIPO分野 / WIPO field: {wipo}")
        if c["function"]:
            out.append(f"- 転用できる機能 / transferring function: 「{c['function']}」")
        s = c["scores"]
        out.append(
            f"- 関連度 relevance {s['relevance']['value']:.2f} · "
            f"新規性 novelty {s['novelty']['value']:.2f} · "
            f"勢い momentum {s['momentum']['value']:.2f} · 根拠 evidence {s['evidence']['value']:.2f}"
        )
        r = c["rationale"]
        out.append(f"- 根拠 / rationale: {r['text']}")
        if r["machine_phrased"]:
            out.append(f"- 言い換え（機械生成, {r['model']}） / machine-phrased: {r['phrased']}")
        for note in c["notes"]:
            out.append(f"- ⚠ {note}")
        if c["evidence"]:
            out.append("")
            out.append(
                "| 番号 / number | 名称 / title | 出願人 / applicant | 年 "
                "| 入力の箇所 / input passage | 特許の箇所 / matched passage |"
            )
            out.append("|---|---|---|---|---|---|")
            for e in c["evidence"]:
                app = (e["applicants"] or ["—"])[0]
                out.append(
                    f"| {e['number']} | {_cell(e['title'])} | {_cell(app)} | {e['year'] or ''} | "
                    f"{_cell(e['input_passage'], 80)} | {_cell(e['matched_passage'], 120)} |"
                )
        if c["applicants"]:
            out.append("")
            out.append(
                "- 活動中の企業 / active companies: "
                + ", ".join(f"{x['name']} ({x['patents']})" for x in c["applicants"])
            )
        if c["offers"]:
            out.append(
                "- ライセンス可能な案件 / licensable offers: "
                + "; ".join(
                    f"{o['title']} ({o['holder']})"
                    + (" [分野は推定 / fields inferred]" if o["codes_inferred"] else "")
                    for o in c["offers"]
                )
            )
    out.append("")
    out.append(f"_{JA_NAMES_NOTE}_")
    return "\n".join(out) + "\n"


def _cell(text: str, limit: int = 60) -> str:
    t = " ".join(str(text).split()).replace("|", "｜")
    return t if len(t) <= limit else t[: limit - 1] + "…"
