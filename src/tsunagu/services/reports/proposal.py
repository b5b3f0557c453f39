"""知財ビジネス提案書: the company's issues mapped to IP-based solutions, each with its evidence.

Issues come from the company register (its needs) and the evaluator's input. An issue's solution
type (事業力強化, 売上増加, 新製品開発, 新業界進出, 下請け脱却, 事業承継, 企業再生) is the one the
evaluator gave, else the one whose keywords (from the template) the issue text contains, marked
as machine-inferred; evidence for each type is drawn from the patent data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tsunagu.services.reports.context import ReportContext
from tsunagu.services.reports.evaluation import _company as company_section
from tsunagu.services.reports.evaluation import pct
from tsunagu.services.reports.model import Bullets, Items, Origin, Paragraph, Report, Section, Table
from tsunagu.services.reports.phrases import phrase_group, phrases
from tsunagu.services.reports.templates import ReportTemplate

__all__ = ["MappedIssue", "build_proposal_report", "categorise"]


@dataclass(frozen=True)
class MappedIssue:
    """An issue with its solution type and where both come from."""

    text: str
    category: str
    issue_origin: str
    category_origin: str
    how: str


def categorise(text: str, categories: tuple[dict[str, Any], ...]) -> str | None:
    """The code of the first category whose keywords appear most often in ``text`` (None for none)."""
    lowered = text.lower()
    best, hits = None, 0
    for c in categories:
        n = sum(1 for k in c.get("keywords") or [] if str(k).lower() in lowered)
        if n > hits:
            best, hits = str(c.get("code")), n
    return best


def _category_code(value: str, categories: tuple[dict[str, Any], ...]) -> str | None:
    v = value.strip().lower()
    for c in categories:
        if v in (str(c.get("code", "")).lower(), str(c.get("label", "")).lower()):
            return str(c.get("code"))
    return None


def map_issues(ctx: ReportContext, template: ReportTemplate) -> list[MappedIssue]:
    """Every issue (register needs, then the evaluator's) with its solution type."""
    L = phrase_group("proposal", ctx.lang)
    cats = template.categories
    default = str(cats[0].get("code")) if cats else "strengthen"
    out = []
    sources = [(n, "register") for n in ctx.profile.needs] + [(i.text, "person") for i in ctx.inputs.issues]
    stated = {i.text: i.category for i in ctx.inputs.issues}
    for text, origin in sources:
        given = stated.get(text, "") if origin == "person" else ""
        code = _category_code(given, cats) if given else None
        if code is not None:
            out.append(MappedIssue(text, code, origin, "person", L["stated"]))
            continue
        guessed = categorise(text, cats)
        if guessed is not None:
            out.append(MappedIssue(text, guessed, origin, "machine", L["inferred"]))
        else:
            out.append(MappedIssue(text, default, origin, "machine", L["unclassified"]))
    return out


def evidence(ctx: ReportContext, code: str) -> list[str]:
    """Statements from the patent data that support a solution type (empty when there are none)."""
    L = phrase_group("proposal", ctx.lang)
    f = ctx.facts
    out: list[str] = []
    pos = f.positions[0] if f.positions else None
    term = (
        L["ev_term"].format(in_term=f.in_term, n=f.with_expiry, median=f.median_remaining)
        if f.with_expiry
        else ""
    )
    unique = ", ".join(f"{a}+{b} ({c}/{n})" for a, b, c, n in f.unique_pairs[:3])
    ideas = ", ".join(f"{i.field} {i.name(ctx.lang)}" for i in (ctx.ideas or [])[:3])
    offers = ", ".join(f"{o.title} ({o.holder})" for o in (ctx.offers or [])[:3])
    white = ", ".join(f"{w.field} {w.name}" for w in ctx.white_space[:3])
    if code == "strengthen":
        if pos and pos.rank:
            out.append(
                L["ev_position"].format(
                    field=pos.field, rank=pos.rank, n=pos.applicants, docs=pos.company_docs
                )
            )
        if unique:
            out.append(L["ev_unique"].format(pairs=unique))
        if term:
            out.append(term)
    elif code == "sales":
        if pos and pos.rank:
            out.append(
                L["ev_position"].format(
                    field=pos.field, rank=pos.rank, n=pos.applicants, docs=pos.company_docs
                )
            )
        me = set(ctx.profile.applicant_names)
        names = [n for p in f.positions[:2] for n, _ in p.top[:4] if n not in me]
        if names:
            out.append(L["ev_licensees"].format(names=", ".join(dict.fromkeys(names))))
    elif code == "new_product":
        if ideas:
            out.append(L["ev_ideas"].format(ideas=ideas))
        if offers:
            out.append(L["ev_offers"].format(offers=offers))
    elif code == "new_industry":
        if white:
            out.append(L["ev_white"].format(fields=white))
        if ideas:
            out.append(L["ev_ideas"].format(ideas=ideas))
    elif code == "independence":
        if unique:
            out.append(L["ev_unique"].format(pairs=unique))
        if ideas:
            out.append(L["ev_ideas"].format(ideas=ideas))
        elif white:
            out.append(L["ev_white"].format(fields=white))
    elif code == "succession":
        if f.inventors:
            out.append(L["ev_inventors"].format(names=", ".join(f"{n} ({c})" for n, c in f.inventors[:5])))
        if term:
            out.append(term)
    elif code == "revitalization":
        old = sum(1 for s in ctx.statuses if s.remaining_years is not None and s.remaining_years < 3)
        if old:
            out.append(L["ev_old"].format(n=old))
        if offers:
            out.append(L["ev_offers"].format(offers=offers))
    if code in ("strengthen", "succession", "independence") and ctx.know_how():
        out.append(L["ev_know_how"])
    return out


def build_proposal_report(ctx: ReportContext, template: ReportTemplate) -> Report:
    """Assemble the proposal (知財ビジネス提案書)."""
    L = phrase_group("proposal", ctx.lang)
    P = phrases(ctx.lang)
    cats = {str(c.get("code")): c for c in template.categories}
    issues = map_issues(ctx, template)
    sections: list[Section] = []
    for number, st in enumerate(template.sections, start=1):
        sec = Section(st.id, number, st.title, st.intro)
        if st.id == "company":
            company_section(ctx, sec, template)
        elif st.id == "issues":
            if issues:
                rows = [
                    [
                        m.text,
                        str(cats.get(m.category, {}).get("label", m.category)),
                        L["register"] if m.issue_origin == "register" else L["evaluator"],
                        m.how,
                    ]
                    for m in issues
                ]
                sec.add(
                    Table(
                        [L["issue"], L["category"], L["source"], L["how"]],
                        rows,
                        "person",
                        row_origins=[
                            "register" if m.issue_origin == "register" else "person" for m in issues
                        ],
                    )
                )
            else:
                sec.add(Paragraph(L["no_issues"], "missing"))
        elif st.id == "solutions":
            chosen = list(dict.fromkeys(m.category for m in issues))
            if not chosen:
                sec.add(Paragraph(L["suggested"], "machine"))
                ranked = sorted(cats, key=lambda c: -len(evidence(ctx, c)))
                chosen = [c for c in ranked if evidence(ctx, c)][:3]
            for code in chosen:
                cat = cats.get(code, {"label": code, "solution": ""})
                mapped = [m for m in issues if m.category == code]
                if mapped:
                    sec.add(
                        Bullets(
                            [
                                (m.text, "person" if m.issue_origin == "person" else "register")
                                for m in mapped
                            ],
                            title=f"{cat.get('label', code)} — {L['issues_for']}",
                            origin="person",
                        )
                    )
                else:
                    sec.add(Paragraph(str(cat.get("label", code)), "machine", title=L["category"]))
                sec.add(Paragraph(str(cat.get("solution", "")), "template", title=L["solution"]))
                ev = evidence(ctx, code)
                sec.add(
                    Bullets([(e, "machine") for e in ev] or [(L["ev_none"], "machine")], title=L["evidence"])
                )
        elif st.id == "sources":
            from tsunagu.services.landscape.fonts import FONT_LICENSE_NOTE

            facts: list[tuple[str, str, Origin]] = [
                (P["report_date"], ctx.as_of.isoformat(), "machine"),
                (
                    P["evaluator"],
                    ctx.inputs.evaluator.get("name") or template.missing,
                    "person" if ctx.inputs.evaluator.get("name") else "missing",
                ),
                (P["template"], template.source, "machine"),
                (P["corpus"], f"{ctx.corpus_documents:,}", "machine"),
                (P["m_documents"], f"{ctx.facts.documents} ({ctx.facts.families})", "machine"),
                (P["font"], FONT_LICENSE_NOTE, "machine"),
            ]
            sec.add(Items(facts, origin="machine"))
        else:
            text = ctx.inputs.notes.get(st.id, "")
            sec.add(Paragraph(text, "person") if text else Paragraph(template.missing, "missing"))
        sections.append(sec)
    return Report(
        kind="proposal",
        language=template.language,
        title=template.title,
        subtitle=template.subtitle,
        company=ctx.name,
        date=ctx.inputs.evaluator.get("date") or ctx.as_of.isoformat(),
        sections=sections,
        origins=template.origins,
        legend=template.legend,
        disclaimer=template.disclaimer,
        missing=template.missing,
        meta={
            "issues": len(issues),
            "documents": ctx.facts.documents,
            "share_in_term": pct(ctx.facts.in_term / ctx.facts.with_expiry) if ctx.facts.with_expiry else "",
        },
    )
