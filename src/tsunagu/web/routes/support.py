"""ハンズオン支援 (cases) and コンソーシアム (team builder).

The case pages live in `cases` (list, case page and its changes) and `case_report` (the region /
period report); their routes are included here, the report's first so that ``/cases/report`` is not
read as a case id.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Form, Request, Response
from fastapi.concurrency import run_in_threadpool

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.routes import case_report, cases
from tsunagu.web.routes.common import new_router, portal_of, renderer_of

__all__ = ["router"]

router = new_router()
router.include_router(case_report.router)
router.include_router(cases.router)


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
