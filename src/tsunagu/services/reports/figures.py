"""Charts of a report, made with the landscape charts (bundled Japanese font)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tsunagu.services.landscape import charts
from tsunagu.services.landscape.fields import applicant_key
from tsunagu.services.landscape.stats import RankedApplicant, field_shares, filings_per_year
from tsunagu.services.reports.context import ReportContext
from tsunagu.services.reports.model import Figure
from tsunagu.services.reports.phrases import phrases

__all__ = ["report_figure"]


def report_figure(name: str, caption: str, fig: Any, formats: Sequence[str]) -> Figure:
    """A `Figure` block rendered in the requested formats (``"svg"`` and/or ``"png"``)."""
    svg = charts.figure_bytes(fig, "svg").decode("utf-8") if "svg" in formats else ""
    png = charts.figure_bytes(fig, "png") if "png" in formats else b""
    return Figure(name=name, caption=caption, svg=svg, png=png)


def filings_figure(ctx: ReportContext, formats: Sequence[str]) -> Figure:
    """Filings per year of the company."""
    P = phrases(ctx.lang)
    yearly = filings_per_year(ctx.patents)
    unit = ("ファミリー" if yearly.unit == "family" else "件") if ctx.lang == "ja" else yearly.unit + "s"
    caption = P["filings_caption"].format(unit=unit)
    return report_figure(
        "filings", caption, charts.filings_chart(yearly, lang=ctx.lang, title=caption), formats
    )


def fields_figure(ctx: ReportContext, formats: Sequence[str]) -> Figure:
    """Treemap of the company's fields."""
    P = phrases(ctx.lang)
    shares, _ = field_shares(ctx.patents, top=12, namer=ctx.namer)
    fig = charts.ipc_share_chart(shares, lang=ctx.lang, title=P["fields_caption"])
    return report_figure("fields", P["fields_caption"], fig, formats)


def position_figure(ctx: ReportContext, formats: Sequence[str]) -> Figure | None:
    """Top applicants of the company's largest field, the company highlighted (added when outside)."""
    if not ctx.facts.positions:
        return None
    P = phrases(ctx.lang)
    pos = ctx.facts.positions[0]
    ranking = [RankedApplicant(n, applicant_key(n), c, c, c / max(pos.field_docs, 1)) for n, c in pos.top]
    me = ctx.profile.applicant_names[0] if ctx.profile.applicant_names else ctx.name
    if pos.rank is not None and all(r.key != applicant_key(me) for r in ranking):
        label = f"{me} ({pos.rank}位)" if ctx.lang == "ja" else f"{me} (rank {pos.rank})"
        ranking.append(
            RankedApplicant(label, applicant_key(me), pos.company_docs, pos.company_docs, pos.share)
        )
    caption = P["market_note"].format(field=pos.field, fname=pos.name, docs=pos.field_docs)
    short = f"{pos.field} {charts.field_label('', pos.name, 20).strip()}"
    fig = charts.applicant_ranking_chart(
        ranking, lang=ctx.lang, highlight=applicant_key(me), title=short, top=11
    )
    return report_figure("position", caption, fig, formats)


def white_space_figure(ctx: ReportContext, formats: Sequence[str]) -> Figure | None:
    """White-space fields of the company."""
    if not ctx.white_space:
        return None
    P = phrases(ctx.lang)
    fig = charts.white_space_chart(ctx.white_space[:8], lang=ctx.lang, title=P["white_space"])
    return report_figure("white_space", P["white_space"], fig, formats)
