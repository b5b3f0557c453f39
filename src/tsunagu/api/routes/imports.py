"""``/imports`` (upload an export file; imported in the background) and ``/jobs``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from tsunagu.api.guard import GuardedRoute, needs, principal_of
from tsunagu.api.problems import problem
from tsunagu.api.routes.deps import client_ip, portal_of
from tsunagu.services.accounts.portal import job_dict

__all__ = ["router"]

router = APIRouter(route_class=GuardedRoute, tags=["imports"])

_CHUNK = 1 << 20


@router.post(
    "/imports",
    status_code=202,
    summary="特許データの取込 / upload an export file",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
@needs("imports")
async def create_import(request: Request, filename: str = Query("", max_length=255)) -> Any:
    """Upload one export file (J-PlatPat CSV, Google Patents, Lens, PATENTSCOPE, USPTO XML, NASA,
    tsunagu JSONL; gzip or zip too) as ``multipart/form-data`` (field ``file``) or as the raw body
    with ``?filename=``. Returns the background job; poll ``/jobs/{id}`` for progress and the report."""
    portal = portal_of(request)
    p = principal_of(request)
    length = request.headers.get("content-length")
    declared = int(length) if length and length.isdigit() else None
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        item = form.get("file")
        if not isinstance(item, UploadFile):
            return problem(422, "file: ファイルを選択してください / a file field named 'file' is required")
        target = await run_in_threadpool(portal.new_upload, p, item.filename or filename, declared)
        try:
            while chunk := await item.read(_CHUNK):
                target.write(chunk)
        finally:
            await item.close()
    else:
        if not filename:
            return problem(422, "filename: ファイル名を指定してください / give ?filename= with a raw upload")
        target = await run_in_threadpool(portal.new_upload, p, filename, declared)
        async for chunk in request.stream():
            if chunk:
                target.write(chunk)
    job = await run_in_threadpool(portal.start_import, p, target, ip=client_ip(request))
    return job_dict(job)


@router.get("/jobs", summary="自分のジョブ / my background jobs")
@needs("jobs")
async def list_jobs(request: Request, kind: str = Query("", max_length=40)) -> dict[str, Any]:
    jobs = await run_in_threadpool(portal_of(request).my_jobs, principal_of(request), kind, 20)
    return {"items": [job_dict(j) for j in jobs]}


@router.get("/jobs/{job_id}", summary="ジョブの進捗と結果 / progress and result of a job")
@needs("jobs")
async def get_job(request: Request, job_id: str) -> dict[str, Any]:
    job = await run_in_threadpool(portal_of(request).job, principal_of(request), job_id)
    return job_dict(job)
