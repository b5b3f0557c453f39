"""評価書 (generate and download; evaluator input form) and ランドスケープ (interactive charts)."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse

from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.portal import job_dict
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.render import lang_of
from tsunagu.web.routes import report_inputs
from tsunagu.web.routes.common import client_ip, new_router, portal_of, renderer_of
from tsunagu.web.routes.report_inputs import form_context, start_from_form

__all__ = ["router"]

router = new_router()
router.include_router(report_inputs.router)


async def _reports_page(
    request: Request,
    *,
    fields: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    portal = portal_of(request)
    p = principal_of(request)
    jobs = await run_in_threadpool(portal.reports, p)
    fields = dict(fields or {})
    if fields.get("company_id") is None and request.query_params.get("company_id"):
        fields["company_id"] = request.query_params["company_id"]
    return renderer_of(request).page(
        request,
        "reports.html",
        status_code=status,
        active="reports",
        jobs=[job_dict(j) | {"params": j.params} for j in jobs],
        available=portal.features().get("reports", False),
        **await form_context(request, fields, errors),
    )


@router.get("/reports", include_in_schema=False)
@needs("reports.read")
async def reports_page(request: Request) -> Response:
    return await _reports_page(request)


@router.post("/reports", include_in_schema=False)
@needs("reports.create")
async def create_report(request: Request) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    job, errors = await start_from_form(request, fields)
    if job is None:
        return await _reports_page(request, fields=fields, errors=errors, status=422)
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
