"""Hands-on reports as Markdown and as HTML with inline SVG bar charts (Japanese).

The charts are drawn here as plain SVG (no plotting library): horizontal bars for categories, grouped
vertical bars for months. Every number in a chart is also in a table next to it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from tsunagu.domain.handson import label
from tsunagu.services.handson.report import CaseReport

__all__ = ["bar_chart_svg", "report_html", "report_markdown", "report_tables"]

_COLOURS = ("#2f6db5", "#e07b39", "#3a9e5c", "#8c5bb5", "#c94c4c", "#7f7f7f")

Table = tuple[str, list[str], list[list[str]]]


def _scope_line(report: CaseReport) -> str:
    regions = "、".join(report.regions) if report.regions else "全地域"
    start = report.start.isoformat() if report.start else "開始時点"
    return f"対象: {regions} / 期間: {start} 〜 {report.end.isoformat()} (基準日 {report.as_of.isoformat()})"


def report_tables(report: CaseReport) -> list[Table]:
    """The report as titled tables ``(title, header, rows)``, shared by every output format."""
    tables: list[Table] = []
    tables.append(
        (
            "状況別の案件数",
            ["状況", "件数"],
            [[label(k), str(v)] for k, v in report.by_status.items()] + [["合計", str(report.cases)]],
        )
    )
    statuses = list(report.by_status)
    tables.append(
        (
            "地域別の案件数",
            ["地域", *[label(s) for s in statuses], "合計"],
            [
                [region, *[str(c[s]) for s in statuses], str(sum(c.values()))]
                for region, c in report.by_region.items()
            ],
        )
    )
    tables.append(
        (
            "経営課題 (行動指針の分類) 別の案件数",
            ["課題", "既存事業", "新規事業"],
            [[label(k), str(v["existing"]), str(v["new"])] for k, v in report.issues.items()],
        )
    )
    responses = ["proposed", "adopted", "declined", "implemented"]
    tables.append(
        (
            "提案の種類と企業の対応",
            ["提案", *[label(r) for r in responses], "合計"],
            [
                [label(k), *[str(v[r]) for r in responses], str(sum(v.values()))]
                for k, v in report.proposals.items()
                if sum(v.values())
            ],
        )
    )
    outcomes = ["pending", "helpful", "not_helpful", "not_used"]
    tables.append(
        (
            "専門家・支援機関への紹介と結果",
            ["紹介先", *[label(o) for o in outcomes], "合計"],
            [
                [label(k), *[str(v[o]) for o in outcomes], str(sum(v.values()))]
                for k, v in report.referrals.items()
                if sum(v.values())
            ],
        )
    )
    r = report.resolution_summary()
    tables.append(
        (
            "解決までの日数",
            ["解決件数", "中央値", "平均", "最短", "最長"],
            [[str(r["n"]), *["–" if r[k] is None else str(r[k]) for k in ("median", "mean", "min", "max")]]],
        )
    )
    if report.closed_reasons:
        tables.append(
            ("終了理由", ["理由", "件数"], [[label(k), str(v)] for k, v in report.closed_reasons.items()])
        )
    f = report.follow_ups
    tables.append(
        (
            "フォローアップ",
            ["対象", "完了", "期限内に完了", "期限超過", "未到来"],
            [[str(f["due"]), str(f["done"]), str(f["done_on_time"]), str(f["overdue"]), str(f["pending"])]],
        )
    )
    if report.overdue:
        tables.append(
            (
                "期限超過のフォローアップ",
                ["案件", "企業", "地域", "内容", "期限", "超過日数"],
                [
                    [
                        f"#{o.case_id}",
                        o.company,
                        o.region,
                        o.action,
                        o.due_on.isoformat(),
                        str(o.days_overdue),
                    ]
                    for o in report.overdue
                ],
            )
        )
    tables.append(
        (
            "月別の推移",
            ["月", "新規", "解決", "終了"],
            [[m, str(v["opened"]), str(v["solved"]), str(v["closed"])] for m, v in report.monthly.items()],
        )
    )
    tables.append(
        (
            "tsunagu の提案 (採否)",
            ["種類", "判断待ち", "採用", "不採用"],
            [
                [
                    "課題タグ" if k == "issue_tag" else "tsunagu アクション",
                    str(v["pending"]),
                    str(v["accepted"]),
                    str(v["rejected"]),
                ]
                for k, v in report.suggestions.items()
            ],
        )
    )
    return tables


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_markdown(report: CaseReport) -> str:
    """The report as Markdown (tables)."""
    lines = ["# ハンズオン支援 実施状況レポート", "", _scope_line(report), ""]
    for title, header, rows in report_tables(report):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
        if not rows:
            lines.append("| " + " | ".join(["–"] * len(header)) + " |")
        lines.append("")
    return "\n".join(lines)


def bar_chart_svg(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    horizontal: bool = True,
    stacked: bool = True,
    width: int = 640,
) -> str:
    """A bar chart as an SVG string.

    Args:
        title: chart title.
        categories: one label per bar (group).
        series: ``(name, values)`` per series, values aligned with ``categories``.
        horizontal: bars grow to the right (categories down the side) or upwards.
        stacked: series stacked in one bar, or side by side.
        width: SVG width in pixels.
    """
    esc = html.escape
    n = len(categories)
    totals = [
        sum(s[1][i] for s in series) if stacked else max((s[1][i] for s in series), default=0)
        for i in range(n)
    ]
    top = max(totals, default=0) or 1
    parts: list[str] = []
    legend_y = 36
    if horizontal:
        bar, gap, left, right = 18, 8, 190, 50
        height = 56 + n * (bar + gap) + 10
        scale = (width - left - right) / top
        for i, name in enumerate(categories):
            y = 50 + i * (bar + gap)
            parts.append(
                f'<text x="{left - 6}" y="{y + bar - 5}" text-anchor="end" font-size="12">{esc(name)}</text>'
            )
            x = float(left)
            for j, (_sname, values) in enumerate(series):
                v = values[i]
                h = bar if stacked else bar / max(1, len(series))
                yy = y if stacked else y + j * h
                w = v * scale
                if w > 0:
                    parts.append(
                        f'<rect x="{x:.1f}" y="{yy:.1f}" width="{w:.1f}" height="{h:.1f}" '
                        f'fill="{_COLOURS[j % len(_COLOURS)]}"><title>{esc(_sname)}: {v:g}</title></rect>'
                    )
                if stacked:
                    x += w
            parts.append(
                f'<text x="{left + totals[i] * scale + 4:.1f}" y="{y + bar - 5}" font-size="11">'
                f"{totals[i]:g}</text>"
            )
    else:
        left, bottom, plot_h = 40, 40, 180
        height = 56 + plot_h + bottom
        group_w = (width - left - 20) / max(1, n)
        scale = plot_h / top
        base = 50 + plot_h
        parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 20}" y2="{base}" stroke="#999"/>')
        for i, name in enumerate(categories):
            gx = left + i * group_w
            bw = group_w * 0.8 / (1 if stacked else max(1, len(series)))
            y0 = float(base)
            for j, (sname, values) in enumerate(series):
                v = values[i]
                h = v * scale
                bx = gx + group_w * 0.1 + (0 if stacked else j * bw)
                by = y0 - h if stacked else base - h
                if h > 0:
                    parts.append(
                        f'<rect x="{bx:.1f}" y="{by:.1f}" width="{bw:.1f}" height="{h:.1f}" '
                        f'fill="{_COLOURS[j % len(_COLOURS)]}"><title>{esc(sname)}: {v:g}</title></rect>'
                    )
                if stacked:
                    y0 -= h
            parts.append(
                f'<text x="{gx + group_w / 2:.1f}" y="{base + 14}" text-anchor="middle" '
                f'font-size="10">{esc(name)}</text>'
            )
        parts.append(f'<text x="{left - 4}" y="{50 + 4}" text-anchor="end" font-size="10">{top:g}</text>')
    legend = []
    lx = 10
    for j, (sname, _v) in enumerate(series):
        legend.append(
            f'<rect x="{lx}" y="{legend_y - 9}" width="10" height="10" fill="{_COLOURS[j % len(_COLOURS)]}"/>'
            f'<text x="{lx + 14}" y="{legend_y}" font-size="11">{esc(sname)}</text>'
        )
        lx += 24 + 12 * len(sname)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}">'
        f'<text x="10" y="18" font-size="14" font-weight="bold">{esc(title)}</text>'
        + "".join(legend)
        + "".join(parts)
        + "</svg>"
    )


def _charts(report: CaseReport) -> list[str]:
    charts = [
        bar_chart_svg(
            "状況別の案件数",
            [label(k) for k in report.by_status],
            [("案件数", list(report.by_status.values()))],
        ),
        bar_chart_svg(
            "経営課題別の案件数",
            [label(k) for k in report.issues],
            [
                ("既存事業", [v["existing"] for v in report.issues.values()]),
                ("新規事業", [v["new"] for v in report.issues.values()]),
            ],
        ),
        bar_chart_svg(
            "提案の種類と対応",
            [label(k) for k in report.proposals],
            [
                (label(r), [v[r] for v in report.proposals.values()])
                for r in ("proposed", "adopted", "declined", "implemented")
            ],
        ),
        bar_chart_svg(
            "紹介先と結果",
            [label(k) for k in report.referrals],
            [
                (label(o), [v[o] for v in report.referrals.values()])
                for o in ("pending", "helpful", "not_helpful", "not_used")
            ],
        ),
    ]
    if report.monthly:
        months = list(report.monthly)
        charts.append(
            bar_chart_svg(
                "月別の推移",
                [m[2:] for m in months],
                [
                    ("新規", [report.monthly[m]["opened"] for m in months]),
                    ("解決", [report.monthly[m]["solved"] for m in months]),
                    ("終了", [report.monthly[m]["closed"] for m in months]),
                ],
                horizontal=False,
                stacked=False,
                width=max(640, 40 * len(months) + 60),
            )
        )
    return charts


def report_html(report: CaseReport) -> str:
    """The report as one self-contained HTML page: charts first, then every table."""
    esc = html.escape
    body = [f"<h1>ハンズオン支援 実施状況レポート</h1><p>{esc(_scope_line(report))}</p>"]
    body += [f"<figure>{svg}</figure>" for svg in _charts(report)]
    for title, header, rows in report_tables(report):
        head = "".join(f"<th>{esc(h)}</th>" for h in header)
        cells = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
        body.append(
            f"<h2>{esc(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>"
        )
    style = (
        "body{font-family:'Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;"
        "text-align:right}td:first-child,th:first-child{text-align:left}figure{margin:1em 0}"
    )
    return (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
        f"<title>ハンズオン支援 実施状況レポート</title><style>{style}</style></head><body>"
        + "".join(body)
        + "</body></html>\n"
    )
