"""用途探索: idea cards with evidence side by side, a boldness control and the field map."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts import allowed
from tsunagu.services.accounts.model import UnavailableError
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.routes.common import int_or_none, new_router, portal_of, renderer_of

__all__ = ["router"]

router = new_router()


@router.get("/discover", include_in_schema=False)
@needs("discover")
async def discover_page(
    request: Request,
    text: str = Query("", max_length=10_000),
    patents: str = Query("", max_length=2000),
    company_id: str = Query("", max_length=12),
    applicant: str = Query("", max_length=300),
    boldness: str = Query("0.5", max_length=5),
    ideas: int = Query(8, ge=1, le=20),
    exclude: str = Query("", max_length=500),
) -> Response:
    portal = portal_of(request)
    p = principal_of(request)
    form = {
        "text": text,
        "patents": patents,
        "company_id": company_id,
        "applicant": applicant,
        "boldness": boldness,
        "ideas": ideas,
        "exclude": exclude,
    }
    result: dict[str, Any] | None = None
    error = ""
    available = portal.features().get("discover", False)
    companies: list[dict[str, Any]] = []
    if portal.features().get("matching") and allowed(p, "companies.read"):
        try:
            companies = (await run_in_threadpool(lambda: portal.companies(p, per_page=200)))["items"]
            companies = [c for c in companies if c.get("view") == "full"]
        except (UnavailableError, ValidationError, NotFoundError):
            companies = []
    if available and (text.strip() or patents.strip() or company_id or applicant.strip()):
        try:
            bold = float(boldness)
        except ValueError:
            bold = 0.5
        numbers = [n for n in re.split(r"[\s,、]+", patents) if n]
        try:
            result = await run_in_threadpool(
                lambda: portal.discover(
                    p,
                    text=text,
                    patents=numbers,
                    company_id=int_or_none(company_id),
                    applicant=applicant,
                    ideas=ideas,
                    boldness=min(1.0, max(0.0, bold)),
                    exclude=[e for e in re.split(r"[\s,、]+", exclude) if e],
                )
            )
        except (ValidationError, NotFoundError) as exc:
            error = str(exc)
    return renderer_of(request).page(
        request,
        "discover.html",
        active="discover",
        form=form,
        result=result,
        error=error,
        available=available,
        companies=companies,
    )
