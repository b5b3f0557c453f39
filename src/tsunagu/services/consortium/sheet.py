"""The workshop sheet for a consortium's first meeting (Japanese), as Markdown or HTML.

Sections: the concept; the capability map (each required capability × each member, with the fit and
its evidence); each member's strengths; gaps and how they might be filled; alternates; open questions
for the meeting (roles, gaps, who takes the initiative, how jointly created IP is owned, confidentiality,
and checks of profiles derived from patent data). Every figure comes from the plan.
"""

from __future__ import annotations

import html
from typing import Any

from tsunagu.domain.consortium import CapabilityFit, ConsortiumPlan

__all__ = ["fit_mark", "open_questions", "sheet_html", "sheet_markdown"]

_METHOD_LABELS = {"ip": "整数計画法 (PuLP/CBC)", "exact": "厳密探索 (分枝限定法)", "greedy": "貪欲法"}


def fit_mark(fit: float) -> str:
    """◎ (≥ 0.7), ○ (≥ 0.4), △ (> 0.15), – otherwise."""
    if fit >= 0.7:
        return "◎"
    if fit >= 0.4:
        return "○"
    if fit > 0.15:
        return "△"
    return "–"


def _evidence(f: CapabilityFit) -> str:
    parts = []
    if f.text_source:
        source = "プロフィール" if f.text_source == "profile" else f.text_source
        parts.append(f"文章の近さ {f.cosine:.2f} ({source})")
    if f.group_patents:
        parts.append("同分野の特許 " + "、".join(f.group_patents[:3]))
    return "; ".join(parts) or "根拠なし"


def open_questions(plan: ConsortiumPlan) -> list[str]:
    """Questions for the first meeting, derived from the plan."""
    caps = {c.id: c for c in plan.capabilities}
    qs = [
        "誰がコンソーシアムのイニシアティブ (取りまとめ役) を担うか。",
        "共同開発で生まれる発明・意匠・ノウハウの帰属と実施条件をどう決めるか (共同出願、持分、実施許諾)。",
        "各社が持ち寄る技術情報の秘密保持 (NDA) の範囲と期間。",
        "想定する顧客・利用場面は何か。最初の試作で検証したいことは何か。",
    ]
    for m in plan.team:
        if m.covers:
            roles = "、".join(f"「{caps[c].phrase}」" for c in m.covers)
            qs.append(f"{m.candidate.name} が {roles} を担当できるか、必要な設備・人員はあるか。")
    for g in plan.gaps:
        phrase = caps[g.capability_id].phrase
        fill = [f.name for f in g.fillers][:2]
        hint = f" (候補: {'、'.join(fill)})" if fill else ""
        qs.append(
            f"「{phrase}」を担える企業がチームにいない。外部からの技術導入・追加メンバーで補うか{hint}。"
        )
    if any(m.candidate.derived for m in plan.team):
        qs.append("特許データから生成したプロフィールの企業は、実際の事業内容・体制を確認すること。")
    return qs


def _rows(plan: ConsortiumPlan) -> dict[str, Any]:
    fits = {(m.candidate.key, f.capability_id): f for m in plan.team for f in m.fits}
    return {"fits": fits}


def sheet_markdown(plan: ConsortiumPlan) -> str:
    """The workshop sheet as Markdown."""
    fits = _rows(plan)["fits"]
    method = _METHOD_LABELS.get(plan.method, plan.method)
    lines = [
        "# コンソーシアム ワークショップシート (初回会合用)",
        "",
        "## コンセプト",
        "",
        plan.concept,
        "",
        f"チームの充足度 (カバレッジ): **{plan.coverage:.2f}** "
        "(0〜1。必要な機能ごとに、メンバー中で最も適合する企業の適合度を平均)",
        f"選定方法: {method}{' — 最適解' if plan.optimal else ''} / 候補 {plan.candidates} 社",
        "",
        "## 必要な機能とメンバーの対応 (機能マップ)",
        "",
        "| 機能 | 関連分野 (IPC) | " + " | ".join(m.candidate.name for m in plan.team) + " |",
        "|---|---|" + "---|" * len(plan.team),
    ]
    for c in plan.capabilities:
        groups = "、".join(
            f"{g} {c.group_titles.get(g, '').split(' — ')[0]}".strip() for g, _ in c.groups[:3]
        )
        cells = []
        for m in plan.team:
            f = fits.get((m.candidate.key, c.id))
            cells.append(f"{fit_mark(f.fit)} {f.fit:.2f}" if f else "–")
        lines.append(f"| {c.id} {c.phrase} | {groups} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "◎ 0.7以上 ○ 0.4以上 △ 0.15超 (適合度の計算式は docs/consortium.md)",
        "",
        "## 各社の強み",
        "",
    ]
    caps = {c.id: c for c in plan.capabilities}
    for m in plan.team:
        tag = (
            " ※特許データから生成したプロフィール (実在の中小企業プロフィールではありません)"
            if m.candidate.derived
            else ""
        )
        lines.append(f"### {m.candidate.name}{tag}")
        lines.append("")
        lines.append(f"- 地域: {m.candidate.region or '未登録'} / 関連特許: {m.candidate.patent_count} 件")
        for f in m.fits:
            if f.capability_id in m.covers:
                lines.append(
                    f"- 担当候補「{caps[f.capability_id].phrase}」: 適合度 {f.fit:.2f} — {_evidence(f)}"
                )
        lines.append("")
    lines += ["## 不足している機能 (ギャップ)", ""]
    if not plan.gaps:
        lines.append("すべての機能をメンバーで一定以上カバーしています。")
    for g in plan.gaps:
        lines.append(
            f"- {g.capability_id}「{caps[g.capability_id].phrase}」: チーム内の最高適合度 {g.best_fit:.2f}"
        )
        for f in g.fillers:
            kind = "開放特許" if f.kind == "offer" else ("登録企業" if f.ref == "register" else "出願人")
            ev = "、".join(f.evidence[:3])
            lines.append(f"    - {kind}: {f.name} (関連度 {f.score:.2f}; {ev})")
        if not g.fillers:
            lines.append("    - コーパス内に補完候補が見つかりません")
    lines += ["", "## 代替候補", ""]
    if not plan.alternates:
        lines.append("代替候補はありません。")
    for a in plan.alternates:
        lines.append(
            f"- {a.candidate.name} ({a.candidate.region or '地域未登録'}): "
            f"{a.replaces} の代わりに入ると充足度 {a.coverage:.2f}"
        )
    lines += ["", "## 検討事項 (初回会合で話し合うこと)", ""]
    lines += [f"{i}. {q}" for i, q in enumerate(open_questions(plan), start=1)]
    if plan.notes:
        lines += ["", "## 注記", ""] + [f"- {n}" for n in plan.notes]
    lines.append("")
    return "\n".join(lines)


def sheet_html(plan: ConsortiumPlan) -> str:
    """The workshop sheet as one self-contained HTML page (the Markdown's content, as HTML)."""
    esc = html.escape
    body: list[str] = []
    in_list = False
    in_table = False
    for line in sheet_markdown(plan).splitlines():
        if line.startswith("|"):
            if line.startswith("|---"):
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not in_table:
                body.append(
                    "<table><thead><tr>"
                    + "".join(f"<th>{esc(c)}</th>" for c in cells)
                    + "</tr></thead><tbody>"
                )
                in_table = True
            else:
                body.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            body.append("</tbody></table>")
            in_table = False
        stripped = line.lstrip()
        is_item = stripped.startswith("- ") or (stripped[:1].isdigit() and ". " in stripped[:4])
        if is_item and not in_list:
            body.append("<ul>")
            in_list = True
        if not is_item and in_list:
            body.append("</ul>")
            in_list = False
        text = esc(stripped[2:] if stripped.startswith("- ") else stripped).replace("**", "")
        if line.startswith("### "):
            body.append(f"<h3>{esc(line[4:])}</h3>")
        elif line.startswith("## "):
            body.append(f"<h2>{esc(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{esc(line[2:])}</h1>")
        elif is_item:
            indent = ' class="sub"' if line.startswith("    ") else ""
            body.append(f"<li{indent}>{text}</li>")
        elif stripped:
            body.append(f"<p>{text}</p>")
    if in_table:
        body.append("</tbody></table>")
    if in_list:
        body.append("</ul>")
    style = (
        "body{font-family:'Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif;margin:2em;color:#222;"
        "max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:4px 8px}"
        "li.sub{margin-left:2em;list-style:circle}h2{border-bottom:2px solid #2f6db5}"
    )
    return (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
        f"<title>コンソーシアム ワークショップシート</title><style>{style}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
