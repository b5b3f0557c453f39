"""ハンズオン支援 (cases) and コンソーシアム (team builder)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import UnavailableError
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.routes.common import client_ip, new_router, portal_of, renderer_of

__all__ = ["router"]

router = new_router()


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
    return renderer_of(request).page(
        request, "case.html", status_code=status, active="cases", file=case, error=error
    )


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
    try:
        await run_in_threadpool(
            lambda: portal_of(request).note_case(
                principal_of(request), case_id, summary, visited_on=visited_on, ip=client_ip(request)
            )
        )
    except ValidationError as exc:
        return await _case(request, case_id, error=str(exc), status=422)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/follow-ups", include_in_schema=False)
@needs("cases")
async def follow_up(
    request: Request,
    case_id: int,
    action: str = Form("", max_length=1000),
    due_on: str = Form("", max_length=10),
) -> Response:
    try:
        await run_in_threadpool(
            lambda: portal_of(request).follow_up_case(
                principal_of(request), case_id, action, due_on, ip=client_ip(request)
            )
        )
    except ValidationError as exc:
        return await _case(request, case_id, error=str(exc), status=422)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/consortium", include_in_schema=False)
@needs("consortium")
async def consortium_form(request: Request) -> Response:
    return renderer_of(request).page(
        request,
        "consortium.html",
        active="consortium",
        result=None,
        form={},
        available=portal_of(request).features().get("consortium", False),
    )


@router.post("/consortium", include_in_schema=False)
@needs("consortium")
async def consortium(
    request: Request,
    concept: str = Form("", max_length=5000),
    size: int = Form(3, ge=1, le=10),
    regions: str = Form("", max_length=500),
) -> Response:
    portal = portal_of(request)
    form: dict[str, Any] = {"concept": concept, "size": size, "regions": regions}
    result = None
    error = ""
    try:
        result = await run_in_threadpool(
            lambda: portal.consortium(
                principal_of(request),
                concept=concept,
                size=size,
                regions=tuple(r for r in re.split(r"[\s,、]+", regions) if r),
            )
        )
    except (ValidationError, NotFoundError) as exc:
        error = str(exc)
    return renderer_of(request).page(
        request,
        "consortium.html",
        status_code=422 if error else 200,
        active="consortium",
        result=result,
        form=form,
        error=error,
        available=True,
    )
