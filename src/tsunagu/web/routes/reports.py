"""評価書 (generate and download; evaluator input form) and ランドスケープ (interactive charts)."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.model import UnavailableError
from tsunagu.services.accounts.portal import job_dict
from tsunagu.services.accounts.portal.reports import evaluator_form_spec, inputs_from_form
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.render import lang_of
from tsunagu.web.routes.common import client_ip, int_or_none, new_router, portal_of, renderer_of

__all__ = ["router"]

router = new_router()


async def _reports_page(
    request: Request, *, error: str = "", form: dict[str, Any] | None = None, status: int = 200
) -> Response:
    portal = portal_of(request)
    p = principal_of(request)
    lang = lang_of(request)
    jobs = await run_in_threadpool(portal.reports, p)
    companies: list[dict[str, Any]] = []
    try:
        data = await run_in_threadpool(lambda: portal.companies(p, per_page=200, lang=lang))
        companies = [c for c in data["items"] if c.get("view") == "full"]
    except (UnavailableError, ValidationError, NotFoundError):
        companies = []
    except Exception:  # companies are optional on this page
        companies = []
    return renderer_of(request).page(
        request,
        "reports.html",
        status_code=status,
        active="reports",
        jobs=[job_dict(j) | {"params": j.params} for j in jobs],
        companies=companies,
        spec=evaluator_form_spec(lang),
        error=error,
        form=form or {},
        available=portal.features().get("reports", False),
    )


@router.get("/reports", include_in_schema=False)
@needs("reports.read")
async def reports_page(request: Request) -> Response:
    return await _reports_page(request)


@router.post("/reports", include_in_schema=False)
@needs("reports.create")
async def create_report(request: Request) -> Response:
    portal = portal_of(request)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        job = await run_in_threadpool(
            lambda: portal.start_report(
                principal_of(request),
                kind=fields.get("kind", "evaluation"),
                company_id=int_or_none(fields.get("company_id")),
                applicant=fields.get("applicant", ""),
                fmt=fields.get("format", "html"),
                lang=fields.get("lang", lang_of(request)),
                inputs=inputs_from_form(fields),
                ip=client_ip(request),
            )
        )
    except (ValidationError, NotFoundError) as exc:
        return await _reports_page(request, error=str(exc), form=fields, status=422)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/reports/{report_id}/download", include_in_schema=False)
@needs("reports.read")
async def download(request: Request, report_id: str) -> Response:
    path, media, name = await run_in_threadpool(
        portal_of(request).report_file, principal_of(request), report_id
    )
    return FileResponse(path, media_type=media, filename=name)


@router.get("/reports/{report_id}/view", include_in_schema=False)
@needs("reports.read")
async def view(request: Request, report_id: str) -> Response:
    """The HTML report shown in the browser (its own styles; scripts are not allowed to run)."""
    path, media, _name = await run_in_threadpool(
        portal_of(request).report_file, principal_of(request), report_id
    )
    if not media.startswith("text/html"):
        raise NotFoundError("HTML の評価書ではありません / not an HTML report")
    return FileResponse(
        path,
        media_type=media,
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline' data:; img-src data:; "
            "font-src data:; frame-ancestors 'self'",
        },
    )


@router.get("/landscape", include_in_schema=False)
@needs("landscape")
async def landscape_form(request: Request) -> Response:
    portal = portal_of(request)
    jobs = await run_in_threadpool(portal.my_jobs, principal_of(request), "landscape", 10)
    return renderer_of(request).page(
        request,
        "landscape.html",
        active="landscape",
        data=None,
        jobs=[job_dict(j) | {"params": j.params} for j in jobs],
        available=portal.features().get("landscape", False),
        form={},
    )


@router.post("/landscape", include_in_schema=False)
@needs("landscape")
async def start_landscape(request: Request) -> Response:
    portal = portal_of(request)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        job = await run_in_threadpool(
            lambda: portal.start_landscape(
                principal_of(request),
                kind=fields.get("kind", "query"),
                value=fields.get("value", ""),
                company=fields.get("company", ""),
                lang=lang_of(request),
                ip=client_ip(request),
            )
        )
    except ValidationError as exc:
        return renderer_of(request).page(
            request,
            "landscape.html",
            status_code=422,
            active="landscape",
            data=None,
            jobs=[],
            available=True,
            form=fields,
            error=str(exc),
        )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/landscape/{landscape_id}", include_in_schema=False)
@needs("landscape")
async def landscape_view(request: Request, landscape_id: str) -> Response:
    job = await run_in_threadpool(portal_of(request).landscape_job, principal_of(request), landscape_id)
    if job.status != "done":
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)
    return renderer_of(request).page(
        request,
        "landscape.html",
        active="landscape",
        data=job.result,
        params=job.params,
        jobs=[],
        available=True,
        form=job.params,
    )
