"""開放特許マッチング: offers, companies, matches with reasons, and the deal board."""

from __future__ import annotations

from typing import Any

from fastapi import Form, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from tsunagu.domain.matching import LOST_REASONS
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts import allowed
from tsunagu.services.accounts.model import UnavailableError
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.render import lang_of
from tsunagu.web.routes.common import client_ip, int_or_none, new_router, portal_of, renderer_of

__all__ = ["matching_tabs", "router"]

router = new_router()


def matching_tabs(request: Request) -> list[dict[str, str]]:
    """The tabs of 開放特許マッチング this person may use."""
    p = principal_of(request)
    lang = lang_of(request)
    tabs = [
        ("offers", "/matching", "開放特許", "Open patents", "offers.read"),
        ("companies", "/matching/companies", "企業", "Companies", "companies.read"),
        ("matches", "/matching/matches", "マッチング", "Matches", "matches"),
        ("deals", "/matching/deals", "案件ボード", "Deal board", "deals.read"),
    ]
    return [
        {"key": k, "href": h, "label": ja if lang == "ja" else en}
        for k, h, ja, en, cap in tabs
        if allowed(p, cap)
    ]


def _page(request: Request, template: str, tab: str, **context: Any) -> Response:
    return renderer_of(request).page(
        request, template, active="matching", tab=tab, tabs=matching_tabs(request), **context
    )


async def _unavailable(request: Request, tab: str) -> Response:
    return _page(request, "matching_unavailable.html", tab)


@router.get("/matching", include_in_schema=False)
@needs("offers.read")
async def offers_page(
    request: Request, q: str = Query("", max_length=200), page: int = Query(1, ge=1)
) -> Response:
    portal = portal_of(request)
    try:
        data = await run_in_threadpool(
            lambda: portal.offers(principal_of(request), q=q, page=page, per_page=20, lang=lang_of(request))
        )
    except UnavailableError:
        return await _unavailable(request, "offers")
    extra = await _offer_form_context(request) if allowed(principal_of(request), "offers.write") else {}
    return _page(request, "offers.html", "offers", data=data, q=q, form={}, **extra)


@router.post("/matching/offers", include_in_schema=False)
@needs("offers.write")
async def create_offer(request: Request) -> Response:
    """Publish an offer in plain language (licensors for themselves; coordinators name the licensor)."""
    portal = portal_of(request)
    p = principal_of(request)
    form = await request.form()
    fields = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    data: dict[str, Any] = {
        k: fields.get(k, "")
        for k in (
            "title",
            "summary",
            "problem",
            "advantage",
            "availability",
            "tech_stage",
            "terms_note",
            "contact_role",
            "valid_until",
        )
    }
    data["uses"] = [u.strip() for u in fields.get("uses", "").splitlines() if u.strip()]
    data["patent_numbers"] = [n for n in fields.get("patent_numbers", "").replace(",", " ").split() if n]
    data["licensor_id"] = int_or_none(fields.get("licensor_id"))
    data["programme_id"] = int_or_none(fields.get("programme_id"))
    try:
        offer = await run_in_threadpool(lambda: portal.create_offer(p, data, ip=client_ip(request)))
    except (ValidationError, NotFoundError) as exc:
        page = await run_in_threadpool(lambda: portal.offers(p, page=1, per_page=20, lang=lang_of(request)))
        return renderer_of(request).page(
            request,
            "offers.html",
            status_code=422,
            active="matching",
            tab="offers",
            tabs=matching_tabs(request),
            data=page,
            q="",
            error=str(exc),
            form=fields,
            **await _offer_form_context(request),
        )
    return RedirectResponse(f"/matching/offers/{offer['id']}", status_code=303)


async def _offer_form_context(request: Request) -> dict[str, Any]:
    """Licensors and programmes a coordinator or administrator may publish for."""
    portal = portal_of(request)
    p = principal_of(request)
    if p.role not in ("admin", "coordinator"):
        return {"licensors": [], "programmes": []}
    licensors = await run_in_threadpool(lambda: portal.registry().list_licensors())
    programmes = await run_in_threadpool(portal.programmes, p)
    if p.role == "coordinator":
        programmes = [g for g in programmes if g["my_role"] == "coordinator"]
    return {"licensors": [{"id": lic.id, "name": lic.name} for lic in licensors], "programmes": programmes}


@router.get("/matching/offers/{offer_id}", include_in_schema=False)
@needs("offers.read")
async def offer_page(request: Request, offer_id: int) -> Response:
    portal = portal_of(request)
    offer = await run_in_threadpool(lambda: portal.offer(principal_of(request), offer_id, lang_of(request)))
    return _page(request, "offer.html", "offers", offer=offer)


@router.get("/matching/companies", include_in_schema=False)
@needs("companies.read")
async def companies_page(
    request: Request, q: str = Query("", max_length=200), page: int = Query(1, ge=1)
) -> Response:
    portal = portal_of(request)
    try:
        data = await run_in_threadpool(
            lambda: portal.companies(
                principal_of(request), q=q, page=page, per_page=20, lang=lang_of(request)
            )
        )
    except UnavailableError:
        return await _unavailable(request, "companies")
    return _page(request, "companies.html", "companies", data=data, q=q)


@router.get("/matching/matches", include_in_schema=False)
@needs("matches")
async def matches_page(
    request: Request, company_id: str = Query("", max_length=12), offer_id: str = Query("", max_length=12)
) -> Response:
    portal = portal_of(request)
    p = principal_of(request)
    lang = lang_of(request)
    result: dict[str, Any] | None = None
    error = ""
    available = True
    try:
        companies = (await run_in_threadpool(lambda: portal.companies(p, per_page=200, lang=lang)))["items"]
        offers = (await run_in_threadpool(lambda: portal.offers(p, per_page=200, lang=lang)))["items"]
    except UnavailableError:
        return await _unavailable(request, "matches")
    companies = [c for c in companies if c.get("view") == "full"]
    cid, oid = int_or_none(company_id), int_or_none(offer_id)
    if cid is not None or oid is not None:
        try:
            result = await run_in_threadpool(
                lambda: portal.matches(
                    p, company_id=cid, offer_id=None if cid is not None else oid, lang=lang
                )
            )
        except UnavailableError:
            available = False
        except (ValidationError, NotFoundError) as exc:
            error = str(exc)
    programmes = await run_in_threadpool(portal.programmes, p) if p.role in ("admin", "coordinator") else []
    return _page(
        request,
        "matches.html",
        "matches",
        companies=companies,
        offers=offers,
        result=result,
        error=error,
        available=available,
        company_id=cid,
        offer_id=oid,
        programmes=programmes,
    )


@router.get("/matching/deals", include_in_schema=False)
@needs("deals.read")
async def board_page(request: Request) -> Response:
    portal = portal_of(request)
    p = principal_of(request)
    try:
        board = await run_in_threadpool(lambda: portal.board(p, lang_of(request)))
    except UnavailableError:
        return await _unavailable(request, "deals")
    programmes = await run_in_threadpool(portal.programmes, p) if p.role in ("admin", "coordinator") else []
    return _page(request, "deals_board.html", "deals", board=board, programmes=programmes)


@router.post("/matching/deals", include_in_schema=False)
@needs("deals.write")
async def create_deal(
    request: Request,
    programme_id: int = Form(...),
    offer_id: int = Form(...),
    company_id: int = Form(...),
    next_action: str = Form("", max_length=500),
    next_action_date: str = Form("", max_length=10),
) -> Response:
    portal = portal_of(request)
    deal = await run_in_threadpool(
        lambda: portal.create_deal(
            principal_of(request),
            programme_id=programme_id,
            offer_id=offer_id,
            company_id=company_id,
            next_action=next_action,
            next_action_date=next_action_date,
            ip=client_ip(request),
        )
    )
    return RedirectResponse(f"/matching/deals/{deal['id']}", status_code=303)


async def _deal(request: Request, deal_id: int, *, error: str = "", status: int = 200) -> Response:
    portal = portal_of(request)
    deal = await run_in_threadpool(lambda: portal.deal(principal_of(request), deal_id, lang_of(request)))
    reveal = await run_in_threadpool(lambda: portal.reveal_options(principal_of(request), deal_id))
    reasons = {code: (ja if lang_of(request) == "ja" else en) for code, (ja, en) in LOST_REASONS.items()}
    return renderer_of(request).page(
        request,
        "deal.html",
        status_code=status,
        active="matching",
        tab="deals",
        tabs=matching_tabs(request),
        deal=deal,
        reasons=reasons,
        error=error,
        reveal=reveal,
        documents=portal.deal_documents(lang_of(request)) if portal.has("deals") else [],
    )


@router.get("/matching/deals/{deal_id}", include_in_schema=False)
@needs("deals.read")
async def deal_page(request: Request, deal_id: int) -> Response:
    return await _deal(request, deal_id)


@router.post("/matching/deals/{deal_id}/stage", include_in_schema=False)
@needs("deals.write")
async def advance_deal(
    request: Request,
    deal_id: int,
    stage: str = Form(..., max_length=40),
    reason: str = Form("", max_length=40),
    note: str = Form("", max_length=5000),
    next_action: str = Form("", max_length=500),
    next_action_date: str = Form("", max_length=10),
) -> Response:
    portal = portal_of(request)
    try:
        await run_in_threadpool(
            lambda: portal.advance_deal(
                principal_of(request),
                deal_id,
                stage=stage,
                reason=reason,
                note=note,
                next_action=next_action or None,
                next_action_date=next_action_date or None,
                ip=client_ip(request),
            )
        )
    except ValidationError as exc:
        return await _deal(request, deal_id, error=str(exc), status=422)
    return RedirectResponse(f"/matching/deals/{deal_id}", status_code=303)


@router.post("/matching/deals/{deal_id}/notes", include_in_schema=False)
@needs("deals.write")
async def note_deal(request: Request, deal_id: int, text: str = Form("", max_length=5000)) -> Response:
    portal = portal_of(request)
    try:
        await run_in_threadpool(
            lambda: portal.note_deal(principal_of(request), deal_id, text, ip=client_ip(request))
        )
    except ValidationError as exc:
        return await _deal(request, deal_id, error=str(exc), status=422)
    return RedirectResponse(f"/matching/deals/{deal_id}", status_code=303)


@router.get("/matching/deals/{deal_id}/documents/{kind}", include_in_schema=False)
@needs("deals.read")
async def deal_document(
    request: Request,
    deal_id: int,
    kind: str,
    format: str = Query("md", max_length=8),
) -> Response:
    """Download the NDA checklist or the term-sheet draft (Markdown or HTML) in the page language."""
    portal = portal_of(request)
    doc = await run_in_threadpool(
        lambda: portal.deal_document(
            principal_of(request), deal_id, kind, fmt=format, lang=lang_of(request), ip=client_ip(request)
        )
    )
    return Response(
        doc["content"],
        media_type=doc["media_type"],
        headers={"Content-Disposition": f'attachment; filename="{doc["filename"]}"'},
    )


@router.post("/matching/deals/{deal_id}/reveal", include_in_schema=False)
@needs("deals.read")
async def reveal_consent(request: Request, deal_id: int, side: str = Form("", max_length=20)) -> Response:
    """Record one side's agreement to reveal its identity to the other."""
    portal = portal_of(request)
    try:
        await run_in_threadpool(
            lambda: portal.consent_reveal(
                principal_of(request), deal_id, side, lang=lang_of(request), ip=client_ip(request)
            )
        )
    except ValidationError as exc:
        return await _deal(request, deal_id, error=str(exc), status=422)
    return RedirectResponse(f"/matching/deals/{deal_id}", status_code=303)
