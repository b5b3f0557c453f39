"""``/reports`` (知財ビジネス評価書, generated in the background) and ``/landscapes``."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from tsunagu.api.guard import GuardedRoute, needs, principal_of
from tsunagu.api.problems import problem
from tsunagu.api.routes.deps import client_ip, portal_of
from tsunagu.services.accounts.portal import job_dict
from tsunagu.services.accounts.portal.reports import InputErrors
from tsunagu.storage.accounts import Job

__all__ = ["router"]

router = APIRouter(route_class=GuardedRoute, tags=["reports"])


class NewReport(BaseModel):
    """A report request. ``inputs`` is the evaluator input document (the documented YAML/JSON shape)."""

    kind: Literal["evaluation", "proposal"] = "evaluation"
    company_id: int | None = Field(None, description="registered company")
    applicant: str = Field("", max_length=300, description="corpus applicant (when not registered)")
    format: Literal["html", "pdf", "md"] = "html"
    lang: Literal["ja", "en"] = "ja"
    inputs: dict[str, Any] | None = None


class NewLandscape(BaseModel):
    kind: Literal["query", "ipc", "applicant"]
    value: str = Field(min_length=1, max_length=500)
    company: str = Field("", max_length=300, description="a company to highlight and find white space for")
    lang: Literal["ja", "en"] = "ja"


def report_dict(job: Job) -> dict[str, Any]:
    d = job_dict(job)
    d["company"] = job.params.get("company", "")
    d["company_id"] = job.params.get("company_id")
    d["report_kind"] = job.params.get("kind", "")
    d["format"] = job.params.get("format", "")
    d["download"] = f"/api/v1/reports/{job.id}/download" if job.status == "done" else ""
    d["rights_csv"] = f"/api/v1/reports/{job.id}/rights.csv" if job.status == "done" else ""
    d["inputs"] = f"/api/v1/reports/{job.id}/inputs"
    return d


@router.get("/reports", summary="評価書の一覧 / reports I may read")
@needs("reports.read")
async def list_reports(request: Request) -> dict[str, Any]:
    jobs = await run_in_threadpool(portal_of(request).reports, principal_of(request))
    return {"items": [report_dict(j) for j in jobs]}


@router.post(
    "/reports",
    status_code=202,
    summary="評価書の作成 / generate a report (background)",
    response_model=None,
)
@needs("reports.create")
async def create_report(request: Request, body: NewReport) -> dict[str, Any] | JSONResponse:
    """Wrong evaluator inputs answer 422 with ``errors``: every field at fault, by its path in the
    input document (``inputs.valuation.revenue_forecast[2]``); nothing is generated then."""
    try:
        job = await run_in_threadpool(
            lambda: portal_of(request).start_report(
                principal_of(request),
                kind=body.kind,
                company_id=body.company_id,
                applicant=body.applicant,
                fmt=body.format,
                lang=body.lang,
                inputs=body.inputs,
                ip=client_ip(request),
            )
        )
    except InputErrors as exc:
        errors = [
            {"field": "inputs." + path if path else "inputs", "message": message, "type": "value_error"}
            for path, message in exc.fields.items()
        ]
        return problem(
            422, "評価者入力に誤りがあります / invalid evaluator input: " + str(exc), errors=errors
        )
    return report_dict(job)


@router.get("/reports/{report_id}", summary="評価書1件 / one report (status)")
@needs("reports.read")
async def get_report(request: Request, report_id: str) -> dict[str, Any]:
    job = await run_in_threadpool(portal_of(request).report_job, principal_of(request), report_id)
    return report_dict(job)


@router.get(
    "/reports/{report_id}/download",
    summary="評価書のダウンロード / download a report",
    response_class=FileResponse,
)
@needs("reports.read")
async def download_report(request: Request, report_id: str) -> FileResponse:
    path, media, name = await run_in_threadpool(
        portal_of(request).report_file, principal_of(request), report_id
    )
    return FileResponse(path, media_type=media, filename=name)


@router.get("/reports/{report_id}/inputs", summary="評価書の評価者入力 / the evaluator input of a report")
@needs("reports.read")
async def report_inputs(request: Request, report_id: str) -> dict[str, Any]:
    """The input document the report was made with (the shape ``inputs`` and the CLI's ``--input``
    take), to edit and send again; ``{}`` when it had none."""
    document: dict[str, Any] = await run_in_threadpool(
        portal_of(request).report_inputs, principal_of(request), report_id
    )
    return document


@router.get(
    "/reports/{report_id}/rights.csv",
    summary="権利一覧 (CSV) / the full rights list of the report's company",
    response_class=FileResponse,
)
@needs("reports.read")
async def report_rights(request: Request, report_id: str) -> FileResponse:
    """Every record of the company: number, title, kind, status (「状態不明…」 where none is known)
    and who says so, theoretical expiry and its rule, dates, IPC, applicants and source (UTF-8 with BOM)."""
    path, name = await run_in_threadpool(
        portal_of(request).report_rights_csv, principal_of(request), report_id
    )
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=name)


@router.post("/landscapes", status_code=202, summary="ランドスケープ分析 / analyse a landscape (background)")
@needs("landscape")
async def create_landscape(request: Request, body: NewLandscape) -> dict[str, Any]:
    job = await run_in_threadpool(
        lambda: portal_of(request).start_landscape(
            principal_of(request),
            kind=body.kind,
            value=body.value,
            lang=body.lang,
            company=body.company,
            ip=client_ip(request),
        )
    )
    return job_dict(job)


@router.get("/landscapes/{landscape_id}", summary="ランドスケープの結果 / a landscape (charts as data)")
@needs("landscape")
async def get_landscape(request: Request, landscape_id: str) -> dict[str, Any]:
    job = await run_in_threadpool(portal_of(request).landscape_job, principal_of(request), landscape_id)
    return job_dict(job)
