"""データ取込: upload an export file, watch its progress, read the import report."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from tsunagu.errors import ValidationError
from tsunagu.services.accounts.portal import job_dict
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.routes.common import client_ip, new_router, portal_of, renderer_of

__all__ = ["router"]

router = new_router()


@router.get("/imports", include_in_schema=False)
@needs("imports")
async def imports_page(request: Request) -> Response:
    portal = portal_of(request)
    jobs = await run_in_threadpool(portal.my_jobs, principal_of(request), "import", 10)
    return renderer_of(request).page(
        request,
        "imports.html",
        active="imports",
        jobs=[job_dict(j) for j in jobs],
        max_mb=portal.max_upload_bytes // (1024 * 1024),
    )


@router.post("/imports/upload", include_in_schema=False)
@needs("imports")
async def upload(request: Request) -> Response:
    """The form upload (without JavaScript); the page's script uploads through the API instead."""
    portal = portal_of(request)
    p = principal_of(request)
    form = await request.form(max_files=1, max_fields=5)
    item = form.get("file")
    if not isinstance(item, UploadFile) or not item.filename:
        raise ValidationError("file: ファイルを選択してください / choose a file")
    target = await run_in_threadpool(portal.new_upload, p, item.filename, None)
    try:
        while chunk := await item.read(1 << 20):
            target.write(chunk)
    finally:
        await item.close()
    job = await run_in_threadpool(portal.start_import, p, target, ip=client_ip(request))
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", include_in_schema=False)
@needs("jobs")
async def job_page(request: Request, job_id: str) -> Response:
    job = await run_in_threadpool(portal_of(request).job, principal_of(request), job_id)
    view = job.result.get("view") if job.status == "done" else ""
    if job.kind == "landscape" and isinstance(view, str) and view.startswith("/landscape/"):
        return RedirectResponse(view, status_code=303)
    return renderer_of(request).page(
        request, "job.html", active="imports" if job.kind == "import" else "", job=job_dict(job)
    )
