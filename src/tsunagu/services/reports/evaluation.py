"""知財ビジネス評価書: the evaluation report, section by section, from a `ReportContext`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tsunagu.services.landscape.fields import applicant_key, fields_of
from tsunagu.services.reports import figures
from tsunagu.services.reports.context import ReportContext
from tsunagu.services.reports.inputs import COMPANY_FIELDS
from tsunagu.services.reports.model import Bullets, Items, Origin, Paragraph, Ratings, Report, Section, Table
from tsunagu.services.reports.phrases import phrase_group, phrases
from tsunagu.services.reports.similarity import TextSimilarity
from tsunagu.services.reports.templates import EVALUATION_SECTIONS, ReportTemplate, SectionTemplate
from tsunagu.services.reports.valuation import relief_from_royalty

__all__ = ["build_evaluation_report", "pct"]


def pct(x: float) -> str:
    """``0.4567`` → ``"45.7%"``."""
    return f"{100 * x:.1f}%"


def _summary(ctx: ReportContext, sec: Section, template: ReportTemplate) -> None:
    P = phrases(ctx.lang)
    f = ctx.facts
    lines: list[tuple[str, str]] = []
    if f.documents:
        lines.append(
            (
                P["rights_found"].format(
                    name=ctx.name,
                    n=f.documents,
                    families=f.families,
                    first=f.first_year or "?",
                    last=f.last_year or "?",
                ),
                "machine",
            )
        )
        names = ", ".join(f"{c} {ctx.namer(c)}".strip() for c, _ in f.subclasses[:3])
        lines.append((P["main_fields"].format(fields=names), "machine"))
        if f.positions:
            pos = f.positions[0]
            if pos.rank is not None:
                lines.append(
                    (
                        P["position"].format(
                            field=pos.field,
                            fname=pos.name,
                            applicants=pos.applicants,
                            rank=pos.rank,
                            mine=pos.company_docs,
                            share=pct(pos.share),
                        ),
                        "machine",
                    )
                )
        if f.with_expiry:
            lines.append(
                (P["term"].format(n=f.with_expiry, in_term=f.in_term, median=f.median_remaining), "machine")
            )
    else:
        lines.append((P["no_rights"].format(name=ctx.name), "machine"))
    if ctx.ideas:
        lines.append(
            (
                P["ideas_hint"].format(
                    fields=", ".join(f"{i.field} {i.name(ctx.lang)}" for i in ctx.ideas[:3])
                ),
                "machine",
            )
        )
    elif ctx.white_space:
        lines.append(
            (
                P["growth_hint"].format(fields=", ".join(f"{w.field} {w.name}" for w in ctx.white_space[:3])),
                "machine",
            )
        )
    sec.add(Bullets([(t, "machine") for t, _ in lines], title=P["machine_findings"]))
    if ctx.inputs.summary:
        sec.add(Paragraph(ctx.inputs.summary, "person", title=P["evaluator_summary"]))
    else:
        sec.add(Paragraph(P["summary_missing"], "missing", title=P["evaluator_summary"]))


def _company(ctx: ReportContext, sec: Section, template: ReportTemplate) -> None:
    P = phrases(ctx.lang)
    labels = phrase_group("company_fields", ctx.lang)
    name_origin: Origin = "register" if ctx.profile.kind == "registered" else "machine"
    rows: list[tuple[str, str, Origin]] = [
        (labels["name"], ctx.name, "person" if ctx.inputs.company.get("name") else name_origin)
    ]
    kind = {"registered": P["kind_registered"], "applicant": P["kind_applicant"], "input": P["kind_input"]}
    rows.append((P["kind"], kind.get(ctx.profile.kind, ctx.profile.kind), "machine"))
    for key in COMPANY_FIELDS[1:]:
        stated = ctx.inputs.company.get(key, "")
        registered = ctx.profile.fields.get(key, "")
        if stated:
            rows.append((labels[key], stated, "person"))
        elif registered:
            rows.append((labels[key], registered, "register"))
        else:
            rows.append((labels[key], template.missing, "missing"))
    for key in ("size", "equipment", "products"):
        if ctx.profile.fields.get(key):
            rows.append((labels[key], ctx.profile.fields[key], "register"))
    if ctx.profile.applicant_names:
        rows.append((labels["applicant_names"], ", ".join(ctx.profile.applicant_names), "machine"))
    sec.add(Items(rows))
    if ctx.inputs.know_how:
        sec.add(Paragraph(ctx.inputs.know_how, "person", title=P["know_how"]))
    elif ctx.profile.fields.get("capabilities"):
        sec.add(Paragraph(ctx.profile.fields["capabilities"], "register", title=P["know_how"]))
    else:
        sec.add(Paragraph(template.missing, "missing", title=P["know_how"]))
    if ctx.profile.needs:
        sec.add(
            Bullets(
                [(n, "register") for n in ctx.profile.needs], title=P["register_needs"], origin="register"
            )
        )


def _ip_overview(
    ctx: ReportContext,
    sec: Section,
    template: ReportTemplate,
    formats: Sequence[str],
    options: dict[str, object],
) -> None:
    P = phrases(ctx.lang)
    if not ctx.patents:
        sec.add(Paragraph(P["no_rights"].format(name=ctx.name), "machine"))
        return
    max_rows = int(options.get("max_rows", 500) or 500)  # type: ignore[call-overload]
    rows = []
    origins = []
    me = {applicant_key(a) for a in (*ctx.profile.applicant_names, ctx.profile.name)}
    sep = "、" if ctx.lang == "ja" else "; "
    left = "残" if ctx.lang == "ja" else "left"
    for p, st in zip(ctx.patents[:max_rows], ctx.statuses[:max_rows], strict=True):
        main = next(iter(fields_of(p)), "")
        others = [a for a in p.applicants if applicant_key(a) not in me]
        status = st.status
        if st.expiry:
            status += f"\n{st.expiry}"
            if st.remaining_years is not None and st.remaining_years > 0:
                status += f" ({left} {st.remaining_years:.1f})"
        rows.append(
            [
                p.publication_number or p.key,
                p.title,
                f"{p.filing_date}\n{main}".strip(),
                sep.join(others[:3]),
                status,
            ]
        )
        origins.append("person" if st.status_source == "person" else "machine")
    note = P["status_note"]
    if len(ctx.patents) > max_rows:
        note = P["rights_truncated"].format(n=len(ctx.patents), shown=max_rows) + " " + note
    sec.add(
        Table(
            [P["number"], P["title"], P["filing_field"], P["co_applicants"], P["status_expiry"]],
            rows,
            "machine",
            title=P["rights_list"],
            note=note,
            row_origins=origins,  # type: ignore[arg-type]
            name="rights",
            widths=[16, 34, 11, 13, 26],
        )
    )
    sec.add(figures.filings_figure(ctx, formats))
    sec.add(figures.fields_figure(ctx, formats))
    classified = sum(1 for p in ctx.patents if fields_of(p)) or 1
    sec.add(
        Table(
            [P["field_code"], P["field_name"], P["documents"], P["share"]],
            [[f, ctx.namer(f), str(n), pct(n / classified)] for f, n in ctx.facts.subclasses[:15]],
            "machine",
            title=P["fields_table"],
        )
    )


def _ip_business(
    ctx: ReportContext,
    sec: Section,
    template: ReportTemplate,
    similarity: TextSimilarity,
    find: Callable[[str], list[str]],
) -> None:
    P = phrases(ctx.lang)
    products = ctx.inputs.products
    if products:
        rows = []
        for prod in products:
            linked = []
            for number in prod.patents:
                found = find(number)
                linked.append(number if found else f"{number} {P['not_in_corpus']}")
            rows.append(
                [prod.name, prod.description or template.missing, ", ".join(linked) or template.missing]
            )
        sec.add(
            Table([P["product"], P["description"], P["linked_rights"]], rows, "person", title=P["products"])
        )
    else:
        sec.add(Paragraph(P["products_missing"], "missing", title=P["products"]))
    queries: list[tuple[str, str]] = [(p.name, f"{p.name} {p.description}".strip()) for p in products]
    if not queries:
        field_labels = phrase_group("company_fields", ctx.lang)
        for key, label in (("business", field_labels["business"]), ("products", field_labels["products"])):
            text = ctx.inputs.company.get(key) or ctx.profile.fields.get(key, "")
            if text:
                queries.append((label, text))
        if ctx.know_how():
            queries.append((P["know_how"], ctx.know_how()))
    if not queries or not ctx.patents:
        return
    sims = similarity([q for _, q in queries], ctx.patents)
    rows = []
    for qi, (label, _text) in enumerate(queries):
        order = sims[qi].argsort()[::-1][:3]
        for j in order:
            if sims[qi, j] <= 0:
                continue
            p = ctx.patents[int(j)]
            rows.append([label, f"{p.publication_number} {p.title}", f"{sims[qi, j]:.2f}"])
    if rows:
        sec.add(
            Table(
                [P["basis_text"], P["suggested_right"], P["similarity"]],
                rows,
                "machine",
                title=P["suggestions"],
                note=P["suggestion_note"],
            )
        )


def _strengths(ctx: ReportContext, sec: Section, template: ReportTemplate) -> None:
    P = phrases(ctx.lang)
    f = ctx.facts
    strengths: list[str] = []
    weaknesses: list[str] = []
    if not f.documents:
        weaknesses.append(P["w_none"])
    else:
        for pos in f.positions[:2]:
            if pos.rank is not None and pos.rank <= 5:
                strengths.append(
                    P["s_rank"].format(
                        field=pos.field, fname=pos.name, rank=pos.rank, applicants=pos.applicants
                    )
                )
        if f.unique_pairs:
            pairs = ", ".join(f"{a}+{b} ({c}/{n})" for a, b, c, n in f.unique_pairs[:3])
            strengths.append(P["s_unique"].format(pairs=pairs))
        n_sub = len(f.subclasses)
        if n_sub >= 5 and f.sections >= 2:
            strengths.append(P["s_breadth"].format(n=n_sub, sections=f.sections))
        if f.top_share >= 0.8 and n_sub <= 3:
            weaknesses.append(P["w_concentration"].format(share=pct(f.top_share)))
        if f.with_expiry:
            share = f.in_term / f.with_expiry
            if share >= 0.6:
                strengths.append(P["s_term"].format(share=pct(share)))
            elif share < 0.3:
                weaknesses.append(P["w_term"].format(share=pct(share)))
        if f.before >= 3 and f.recent >= 1.5 * f.before:
            strengths.append(P["s_growth"].format(before=f.before, recent=f.recent))
        elif f.before >= 3 and f.recent <= 0.5 * f.before:
            weaknesses.append(P["w_decline"].format(before=f.before, recent=f.recent))
        if f.documents < 5:
            weaknesses.append(P["w_small"].format(n=f.documents))
        if f.inventors and f.documents >= 5 and f.inventors[0][1] / f.documents >= 0.6:
            weaknesses.append(
                P["w_inventor"].format(name=f.inventors[0][0], share=pct(f.inventors[0][1] / f.documents))
            )
    rows = [[P["m_documents"], f"{f.documents} ({f.families})"]]
    if f.documents:
        rows += [
            [P["m_breadth"], f"{len(f.subclasses)} / {f.main_groups} / {f.sections}"],
            [P["m_hhi"], f"{f.hhi:.3f}"],
            [P["m_top_share"], pct(f.top_share)],
            [
                P["m_unique"],
                ", ".join(f"{a}+{b} ({c}/{n})" for a, b, c, n in f.unique_pairs[:5]) or P["none"],
            ],
            [P["m_term"], f"{f.in_term}/{f.with_expiry}"],
        ]
        if f.reference_year:
            rows.append(
                [
                    P["m_recent"].format(y0=f.reference_year - 4, y1=f.reference_year),
                    f"{f.recent} / {f.before}",
                ]
            )
        if f.inventors:
            rows.append([P["m_inventors"], ", ".join(f"{n} ({c})" for n, c in f.inventors[:5])])
    sec.add(Table([P["metrics"], P["value"]], rows, "machine"))
    sec.add(Bullets([(s, "machine") for s in strengths] or [(P["none"], "machine")], title=P["strengths"]))
    sec.add(Bullets([(w, "machine") for w in weaknesses] or [(P["none"], "machine")], title=P["weaknesses"]))
    if ctx.inputs.strengths:
        sec.add(
            Bullets(
                [(s, "person") for s in ctx.inputs.strengths], title=P["person_strengths"], origin="person"
            )
        )
    else:
        sec.add(Paragraph(template.missing, "missing", title=P["person_strengths"]))
    if ctx.inputs.weaknesses:
        sec.add(
            Bullets(
                [(s, "person") for s in ctx.inputs.weaknesses], title=P["person_weaknesses"], origin="person"
            )
        )
    else:
        sec.add(Paragraph(template.missing, "missing", title=P["person_weaknesses"]))


def _market(ctx: ReportContext, sec: Section, template: ReportTemplate, formats: Sequence[str]) -> None:
    P = phrases(ctx.lang)
    f = ctx.facts
    if f.positions:
        rows = []
        for pos in f.positions:
            rows.append(
                [
                    pos.field,
                    pos.name,
                    str(pos.company_docs),
                    str(pos.rank) if pos.rank else "—",
                    str(pos.applicants),
                    str(pos.field_docs),
                    ", ".join(f"{n} ({c})" for n, c in pos.top[:3]),
                ]
            )
        sec.add(
            Table(
                [
                    P["field_code"],
                    P["field_name"],
                    P["company_docs"],
                    P["company_rank"],
                    P["field_applicants"],
                    P["field_docs"],
                    P["top3"],
                ],
                rows,
                "machine",
                title=P["position_table"],
            )
        )
        fig = figures.position_figure(ctx, formats)
        if fig is not None:
            sec.add(fig)
    else:
        sec.add(Paragraph(P["no_rights"].format(name=ctx.name), "machine"))
    if ctx.inputs.market:
        sec.add(Paragraph(ctx.inputs.market, "person", title=P["market_person"]))
    else:
        sec.add(Paragraph(P["market_missing"], "missing", title=P["market_person"]))


def _outlook(ctx: ReportContext, sec: Section, template: ReportTemplate, formats: Sequence[str]) -> None:
    P = phrases(ctx.lang)
    if ctx.ideas is None:
        text = P["ideas_missing"]
        if ctx.provider_errors.get("ideas"):
            text = f"{ctx.provider_errors['ideas']} — {text}"
        sec.add(Paragraph(text, "machine", title=P["ideas"]))
    elif not ctx.ideas:
        sec.add(Paragraph(P["ideas_none"], "machine", title=P["ideas"]))
    else:
        rows = []
        for idea in ctx.ideas:
            evidence = "; ".join(
                f"{e.number} {e.title} ({e.applicant}, {e.year or '?'})" for e in idea.evidence[:3]
            )
            scores = "\n".join(f"{k} {v:.2f}" for k, v in idea.scores.items())
            rows.append(
                [f"{idea.field} {idea.name(ctx.lang)}", idea.function or idea.rationale, evidence, scores]
            )
        sec.add(
            Table(
                [P["idea_field"], P["idea_function"], P["idea_evidence"], P["idea_scores"]],
                rows,
                "machine",
                title=P["ideas"],
                widths=[20, 20, 42, 18],
            )
        )
    if ctx.white_space:
        rows = [
            [
                f"{w.field} {w.name}",
                ", ".join(f"{h} ({n})" for h, n in w.links[:3]),
                f"{w.documents} ({w.recent_years}: {w.recent})",
                ", ".join(f"{a} ({n})" for a, n in w.top_applicants),
            ]
            for w in ctx.white_space[:8]
        ]
        sec.add(
            Table(
                [P["idea_field"], P["ws_links"], P["documents"], P["ws_active"]],
                rows,
                "machine",
                title=P["white_space"],
                note=P["white_space_note"],
            )
        )
        fig = figures.white_space_figure(ctx, formats)
        if fig is not None:
            sec.add(fig)
    idea_offers = [(o, f"{i.field} {i.name(ctx.lang)}") for i in ctx.ideas or [] for o in i.offers]
    if ctx.offers is None and idea_offers:
        sec.add(
            Table(
                [P["offer"], P["idea_field"]],
                [[o, f] for o, f in idea_offers],
                "machine",
                title=P["offers"],
                note=P["offers_from_ideas"],
            )
        )
    elif ctx.offers is None:
        text = ctx.provider_errors.get("offers") or P["offers_missing"]
        sec.add(Paragraph(text, "machine", title=P["offers"]))
    elif not ctx.offers:
        sec.add(Paragraph(P["offers_none"], "machine", title=P["offers"]))
    else:
        rows = [
            [o.title, o.holder, o.availability, "" if o.score is None else f"{o.score:.2f}", o.reason]
            for o in ctx.offers
        ]
        sec.add(
            Table(
                [P["offer"], P["holder"], P["availability"], P["similarity"], P["reason"]],
                rows,
                "machine",
                title=P["offers"],
            )
        )
    if ctx.inputs.outlook:
        sec.add(Paragraph(ctx.inputs.outlook, "person", title=P["outlook_person"]))
    else:
        sec.add(Paragraph(P["outlook_missing"], "missing", title=P["outlook_person"]))


def _machine_reference(ctx: ReportContext, code: str) -> str:
    P = phrases(ctx.lang)
    f = ctx.facts
    if code == "remaining_term" and f.with_expiry:
        return P["ref_remaining"].format(median=f.median_remaining, in_term=f.in_term, n=f.with_expiry)
    if code == "superiority" and f.positions and f.positions[0].rank:
        return P["ref_superiority"].format(rank=f.positions[0].rank, field=f.positions[0].field)
    return ""


def _qualitative(
    ctx: ReportContext, sec: Section, template: ReportTemplate, options: dict[str, object]
) -> None:
    scale = [
        (str(s.get("value", "")), str(s.get("label", "")))
        for s in options.get("rating_scale") or []  # type: ignore[attr-defined]
        if isinstance(s, dict)
    ]
    given = dict(ctx.inputs.qualitative)
    rows = []
    for item in options.get("items") or []:  # type: ignore[attr-defined]
        code, label = str(item.get("code", "")), str(item.get("label", ""))
        stated = given.pop(code, None) or given.pop(label, None)
        rows.append(
            {
                "code": code,
                "label": label,
                "description": str(item.get("description", "")),
                "rating": stated.rating if stated and stated.rating else "",
                "comment": stated.comment if stated else "",
                "origin": "person" if stated and (stated.rating or stated.comment) else "missing",
                "reference": _machine_reference(ctx, code),
            }
        )
    for key, stated in given.items():  # items the institution's evaluator added beyond the template
        rows.append(
            {
                "code": key,
                "label": key,
                "description": "",
                "rating": stated.rating,
                "comment": stated.comment,
                "origin": "person",
                "reference": "",
            }
        )
    sec.add(Ratings(rows, scale))


def _valuation(
    ctx: ReportContext, sec: Section, template: ReportTemplate, options: dict[str, object]
) -> None:
    P = phrases(ctx.lang)
    v = ctx.inputs.valuation
    missing = (
        v.missing() if v is not None else ["royalty_rate", "revenue_forecast", "discount_rate", "period"]
    )
    if v is None or missing:
        sec.add(Paragraph(P["valuation_missing"].format(missing=", ".join(missing)), "missing"))
        return
    result = relief_from_royalty(v)
    unit = f"{result.currency}" + (f" ({result.unit})" if result.unit else "")
    sec.add(
        Items(
            [
                (P["royalty_rate"], pct(result.royalty_rate), "person"),
                (P["discount_rate"], pct(result.discount_rate), "person"),
                (P["period"], P["years"].format(n=result.period), "person"),
                (P["currency"], unit, "person"),
                (P["basis"], result.basis or template.missing, "person" if result.basis else "missing"),
                (P["method"], P["rfr_method"], "machine"),
            ],
            title=P["assumptions"],
            origin="person",
        )
    )
    rows = [
        [
            str(y.year),
            f"{y.revenue:,.0f}",
            f"{y.royalty:,.0f}",
            f"{y.discount_factor:.4f}",
            f"{y.present_value:,.0f}",
        ]
        for y in result.years
    ]
    rows.append([P["total"], "", "", "", f"{result.value:,.0f}"])
    note = ""
    if result.forecast_years_given > result.period:
        note = P["forecast_extra"].format(given=result.forecast_years_given, period=result.period)
    sec.add(Table([P["year"], P["revenue"], P["royalty"], P["factor"], P["pv"]], rows, "machine", note=note))
    statement = str(options.get("statement") or "")
    if statement:
        sec.add(Paragraph(statement.strip(), "template"))


def _sources(ctx: ReportContext, sec: Section, template: ReportTemplate, similarity: TextSimilarity) -> None:
    from tsunagu.services.landscape.fonts import FONT_LICENSE_NOTE

    P = phrases(ctx.lang)
    rows: list[tuple[str, str, Origin]] = [(P["report_date"], ctx.as_of.isoformat(), "machine")]
    ev = ctx.inputs.evaluator
    rows.append(
        (P["evaluator"], ev.get("name") or template.missing, "person" if ev.get("name") else "missing")
    )
    if ev.get("organization"):
        rows.append((P["organization"], ev["organization"], "person"))
    if ctx.inputs.source:
        rows.append((P["input_file"], ctx.inputs.source, "machine"))
    rows.append((P["template"], template.source, "machine"))
    rows.append((P["corpus"], f"{ctx.corpus_documents:,}", "machine"))
    for src, n in ctx.source_counts.items():
        rows.append((f"{P['source_format']}: {src}", f"{n:,}", "machine"))
    rows.append((P["font"], FONT_LICENSE_NOTE, "machine"))
    sec.add(Items(rows, title=P["sources_data"], origin="machine"))
    methods = [
        P["method_fields"],
        P["method_counts"],
        P["method_position"],
        P["method_whitespace"],
        P["method_similarity"].format(method=similarity.method),
        P["method_expiry"],
        *ctx.notes,
    ]
    sec.add(Bullets([(m, "machine") for m in methods], title=P["methods"]))


def build_evaluation_report(
    ctx: ReportContext,
    template: ReportTemplate,
    *,
    similarity: TextSimilarity,
    find: Callable[[str], list[str]],
    figure_formats: Sequence[str] = ("svg",),
) -> Report:
    """Assemble the evaluation report.

    Args:
        ctx: the gathered context.
        template: section list and wording.
        similarity: text similarity for right–product suggestions.
        find: patent number → keys of matching records (to check numbers the evaluator gave).
        figure_formats: chart formats to render (``"svg"`` for HTML/PDF, ``"png"`` for Markdown).
    """
    sections: list[Section] = []
    for number, st in enumerate(template.sections, start=1):
        sec = Section(st.id, number, st.title, st.intro)
        _fill(ctx, sec, st, template, similarity, find, figure_formats)
        sections.append(sec)
    ev = ctx.inputs.evaluator
    return Report(
        kind="evaluation",
        language=template.language,
        title=template.title,
        subtitle=template.subtitle,
        company=ctx.name,
        date=ev.get("date") or ctx.as_of.isoformat(),
        sections=sections,
        origins=template.origins,
        legend=template.legend,
        disclaimer=template.disclaimer,
        missing=template.missing,
        meta={
            "documents": ctx.facts.documents,
            "company_kind": ctx.profile.kind,
            "evaluator": ev.get("name", ""),
            "organization": ev.get("organization", ""),
            "template": template.source,
        },
    )


def _fill(
    ctx: ReportContext,
    sec: Section,
    st: SectionTemplate,
    template: ReportTemplate,
    similarity: TextSimilarity,
    find: Callable[[str], list[str]],
    formats: Sequence[str],
) -> None:
    sid = st.id
    if sid == "summary":
        _summary(ctx, sec, template)
    elif sid == "company":
        _company(ctx, sec, template)
    elif sid == "ip_overview":
        _ip_overview(ctx, sec, template, formats, st.options)
    elif sid == "ip_business":
        _ip_business(ctx, sec, template, similarity, find)
    elif sid == "strengths":
        _strengths(ctx, sec, template)
    elif sid == "market":
        _market(ctx, sec, template, formats)
    elif sid == "outlook":
        _outlook(ctx, sec, template, formats)
    elif sid == "qualitative":
        _qualitative(ctx, sec, template, st.options)
    elif sid == "valuation":
        _valuation(ctx, sec, template, st.options)
    elif sid == "sources":
        _sources(ctx, sec, template, similarity)
    if sid not in EVALUATION_SECTIONS or ctx.inputs.notes.get(sid):
        text = ctx.inputs.notes.get(sid, "")
        sec.add(Paragraph(text, "person") if text else Paragraph(template.missing, "missing"))
