"""ハンズオン支援 case pages: the list, one case, and every change a specialist records on it.

Each form posts to its own path and comes back to the case page (303); a refused change (a status move
the rules do not allow, an unknown code, a decided suggestion) shows the case page again with the
message (422). A case one may not see is "not found" (404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from tsunagu.errors import ValidationError
from tsunagu.services.accounts.model import Principal, UnavailableError
from tsunagu.services.accounts.portal import Portal
from tsunagu.services.accounts.portal.cases import vocabulary
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.routes.common import client_ip, new_router, portal_of, renderer_of

__all__ = ["router"]

router = new_router()

#: tsunagu actions a suggestion may propose → the page that performs them.
ACTION_PAGES = {
    "discover": "/discover",
    "match_offers": "/matching",
    "evaluation_report": "/reports",
    "consortium": "/consortium",
}


@router.get("/cases", include_in_schema=False)
@needs("cases")
async def cases_page(request: Request) -> Response:
    portal = portal_of(request)
    try:
        data = await run_in_threadpool(lambda: portal.cases(principal_of(request)))
    except UnavailableError:
        data = None
    return renderer_of(request).page(request, "cases.html", active="cases", data=data)


@router.post("/cases", include_in_schema=False)
@needs("cases")
async def create_case(
    request: Request,
    company: str = Form("", max_length=300),
    title: str = Form("", max_length=500),
    region: str = Form("", max_length=100),
) -> Response:
    portal = portal_of(request)
    try:
        created = await run_in_threadpool(
            lambda: portal.create_case(
                principal_of(request), company=company, title=title, region=region, ip=client_ip(request)
            )
        )
    except ValidationError as exc:
        data = await run_in_threadpool(lambda: portal.cases(principal_of(request)))
        return renderer_of(request).page(
            request, "cases.html", status_code=422, active="cases", data=data, error=str(exc)
        )
    return RedirectResponse(f"/cases/{created['case']['id']}", status_code=303)


async def _case(request: Request, case_id: int, *, error: str = "", status: int = 200) -> Response:
    case = await run_in_threadpool(lambda: portal_of(request).case(principal_of(request), case_id))
    vocab = vocabulary()
    labels = {c["code"]: c["label"] for choices in vocab.values() for c in choices}
    return renderer_of(request).page(
        request,
        "case.html",
        status_code=status,
        active="cases",
        file=case,
        error=error,
        vocab=vocab,
        labels=labels,
        action_pages=ACTION_PAGES,
        suggested=request.query_params.get("suggested"),
    )


async def _change(
    request: Request,
    case_id: int,
    change: Callable[[Portal, Principal, str], Any],
    *,
    anchor: str = "",
    query: dict[str, str] | None = None,
    result: Callable[[Any], dict[str, str]] | None = None,
) -> Response:
    """Run a change on the case; back to the case page, or the page again with the refusal (422)."""
    portal, p, ip = portal_of(request), principal_of(request), client_ip(request)
    try:
        done = await run_in_threadpool(lambda: change(portal, p, ip))
    except ValidationError as exc:
        return await _case(request, case_id, error=str(exc), status=422)
    params = dict(query or {}) | (result(done) if result else {})
    target = (
        f"/cases/{case_id}" + (f"?{urlencode(params)}" if params else "") + (f"#{anchor}" if anchor else "")
    )
    return RedirectResponse(target, status_code=303)


@router.get("/cases/{case_id}", include_in_schema=False)
@needs("cases")
async def case_page(request: Request, case_id: int) -> Response:
    return await _case(request, case_id)


@router.post("/cases/{case_id}/notes", include_in_schema=False)
@needs("cases")
async def note(
    request: Request,
    case_id: int,
    summary: str = Form("", max_length=20_000),
    visited_on: str = Form("", max_length=10),
) -> Response:
    return await _change(
        request,
        case_id,
        lambda portal, p, ip: portal.note_case(p, case_id, summary, visited_on=visited_on, ip=ip),
        anchor="visits",
    )


@router.post("/cases/{case_id}/follow-ups", include_in_schema=False)
@needs("cases")
async def follow_up(
    request: Request,
    case_id: int,
    action: str = Form("", max_length=1000),
    due_on: str = Form("", max_length=10),
) -> Response:
    return await _change(
        request,
        case_id,
        lambda portal, p, ip: portal.follow_up_case(p, case_id, action, due_on, ip=ip),
        anchor="follow-ups",
    )


@router.post("/cases/{case_id}/follow-ups/{follow_up_id}/complete", include_in_schema=False)
@needs("cases")
async def complete_follow_up(
    request: Request,
    case_id: int,
    follow_up_id: int,
    note: str = Form("", max_length=2000),
    on: str = Form("", max_length=10),
) -> Response:
    return await _change(
        request,
        case_id,
        lambda portal, p, ip: portal.complete_case_follow_up(
            p, case_id, follow_up_id, note=note, on=on, ip=ip
        ),
        anchor="follow-ups",
    )


@router.post("/cases/{case_id}/status", include_in_schema=False)
@needs("cases")
async def set_status(
    request: Request,
    case_id: int,
    status: str = Form("", max_length=40),
    reason: str = Form("", max_length=40),
    note: str = Form("", max_length=5000),
    on: str = Form("", max_length=10),
) -> Response:
    return await _change(
        request,
        case_id,
        lambda portal, p, ip: portal.set_case_status(
            p, case_id, status, reason=reason, note=note, on=on, ip=ip
        ),
        anchor="status",
    )


@router.post("/cases/{case_id}/suggestions", include_in_schema=False)
@needs("cases")
async def suggest(request: Request, case_id: int) -> Response:
    return await _change(
        request,
        case_id,
        lambda portal, p, ip: portal.suggest_case(p, case_id, ip=ip),
        anchor="suggestions",
        result=lambda done: {"suggested": str(len(done["created"]))},
    )


@router.post("/cases/{case_id}/suggestions/{suggestion_id}/decision", include_in_schema=False)
@needs("cases")
async def decide(
    request: Request,
    case_id: int,
    suggestion_id: int,
    decision: str = Form("", max_length=20),
    comment: str = Form("", max_length=2000),
) -> Response:
    return await _change(
        request,
        case_id,
        lambda portal, p, ip: portal.decide_suggestion(
            p, case_id, suggestion_id, decision, comment=comment, ip=ip
        ),
        anchor=f"suggestion-{suggestion_id}",
    )


@router.post("/cases/{case_id}/tags", include_in_schema=False)
@needs("cases")
async def tag(
    request: Request,
    case_id: int,
    category: str = Form("", max_length=40),
    scope: str = Form("existing", max_length=20),
    note: str = Form("", max_length=2000),
) -> Response:
    return await _change(
        request,
        case_id,
        lambda portal, p, ip: portal.tag_case(p, case_id, category, scope, note=note, ip=ip),
        anchor="issues",
    )


@router.post("/cases/{case_id}/proposals", include_in_schema=False)
@needs("cases")
async def propose(
    request: Request,
    case_id: int,
    type: str = Form("", max_length=40),
    summary: str = Form("", max_length=5000),
    rights: list[str] = Form([], max_length=5),  # noqa: B008 - FastAPI's way to read repeated fields
) -> Response:
    return await _change(
        request,
        case_id,
        lambda portal, p, ip: portal.propose_case(p, case_id, type, summary, rights=rights, ip=ip),
        anchor="proposals",
    )


@router.post("/cases/{case_id}/proposals/{proposal_id}/response", include_in_schema=False)
@needs("cases")
async def respond(
    request: Request, case_id: int, proposal_id: int, response: str = Form("", max_length=40)
) -> Response:
    return await _change(
        request,
        case_id,
        lambda portal, p, ip: portal.respond_proposal(p, case_id, proposal_id, response, ip=ip),
        anchor="proposals",
    )


@router.post("/cases/{case_id}/referrals", include_in_schema=False)
@needs("cases")
async def refer(
    request: Request,
    case_id: int,
    target: str = Form("", max_length=40),
    organisation: str = Form("", max_length=300),
    purpose: str = Form("", max_length=2000),
) -> Response:
    return await _change(
        request,
        case_id,
        lambda portal, p, ip: portal.refer_case(
            p, case_id, target, organisation=organisation, purpose=purpose, ip=ip
        ),
        anchor="referrals",
    )


@router.post("/cases/{case_id}/referrals/{referral_id}/outcome", include_in_schema=False)
@needs("cases")
async def referral_outcome(
    request: Request,
    case_id: int,
    referral_id: int,
    outcome: str = Form("", max_length=40),
    note: str = Form("", max_length=2000),
) -> Response:
    return await _change(
        request,
        case_id,
        lambda portal, p, ip: portal.case_referral_outcome(
            p, case_id, referral_id, outcome, note=note, ip=ip
        ),
        anchor="referrals",
    )
