"""検索 and the patent page."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from tsunagu.errors import ValidationError
from tsunagu.retrieval.base import SearchFilters
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.routes.common import int_or_none, new_router, portal_of, renderer_of

__all__ = ["router"]

router = new_router()


@router.get("/search", include_in_schema=False)
@needs("search")
async def search_page(
    request: Request,
    q: str = Query("", max_length=2000),
    page: int = Query(1, ge=1, le=20),
    ipc: str = Query("", max_length=20),
    applicant: str = Query("", max_length=200),
    year_from: str = Query("", max_length=4),
    year_to: str = Query("", max_length=4),
    language: str = Query("", max_length=5),
) -> Response:
    results: dict[str, Any] | None = None
    error = ""
    form = {
        "q": q,
        "ipc": ipc,
        "applicant": applicant,
        "year_from": year_from,
        "year_to": year_to,
        "language": language,
    }
    if q.strip():
        filters = SearchFilters(
            ipc_prefix=ipc.strip(),
            applicant=applicant.strip(),
            year_from=int_or_none(year_from),
            year_to=int_or_none(year_to),
            language=language.strip(),
        )
        try:
            results = await run_in_threadpool(
                portal_of(request).search, principal_of(request), q, page=page, per_page=10, filters=filters
            )
        except ValidationError as exc:
            error = str(exc)
    return renderer_of(request).page(
        request, "search.html", active="search", form=form, results=results, error=error, page=page
    )


@router.get("/patents/{number}", include_in_schema=False)
@needs("patents.read")
async def patent_page(request: Request, number: str) -> Response:
    record = await run_in_threadpool(portal_of(request).patent, principal_of(request), number)
    return renderer_of(request).page(request, "patent.html", active="search", patent=record)
