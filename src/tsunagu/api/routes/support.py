"""``/cases`` (ハンズオン支援) and ``/consortia`` (中小企業コンソーシアム)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from tsunagu.api.guard import GuardedRoute, needs, principal_of
from tsunagu.api.routes.deps import client_ip, portal_of

__all__ = ["router"]

router = APIRouter(route_class=GuardedRoute, tags=["support"])


class NewCase(BaseModel):
    company: str = Field(min_length=1, max_length=300)
    title: str = Field("", max_length=500)
    region: str = Field("", max_length=100)


class CaseNote(BaseModel):
    summary: str = Field(min_length=1, max_length=20_000)
    visited_on: str = Field("", max_length=10, description="YYYY-MM-DD")


class FollowUp(BaseModel):
    action: str = Field(min_length=1, max_length=1000)
    due_on: str = Field(min_length=10, max_length=10, description="YYYY-MM-DD")


class ConsortiumInput(BaseModel):
    concept: str = Field(min_length=1, max_length=5000)
    size: int = Field(3, ge=1, le=10)
    regions: list[str] = Field(default_factory=list, max_length=20)
    include: list[str] = Field(default_factory=list, max_length=10)
    exclude: list[str] = Field(default_factory=list, max_length=50)


@router.get("/cases", summary="支援案件 / hands-on cases I may see")
@needs("cases")
async def list_cases(
    request: Request, page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=200)
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).cases(principal_of(request), page=page, per_page=per_page)
    )


@router.post("/cases", status_code=201, summary="案件を開く / open a case")
@needs("cases")
async def create_case(request: Request, body: NewCase) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).create_case(
            principal_of(request),
            company=body.company,
            title=body.title,
            region=body.region,
            ip=client_ip(request),
        )
    )


@router.get("/cases/{case_id}", summary="案件1件 / one case with everything recorded on it")
@needs("cases")
async def get_case(request: Request, case_id: int) -> dict[str, Any]:
    return await run_in_threadpool(lambda: portal_of(request).case(principal_of(request), case_id))


@router.post("/cases/{case_id}/notes", status_code=201, summary="訪問記録 / add a visit note")
@needs("cases")
async def note_case(request: Request, case_id: int, body: CaseNote) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).note_case(
            principal_of(request), case_id, body.summary, visited_on=body.visited_on, ip=client_ip(request)
        )
    )


@router.post("/cases/{case_id}/follow-ups", status_code=201, summary="フォローアップ / plan a follow-up")
@needs("cases")
async def follow_up(request: Request, case_id: int, body: FollowUp) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).follow_up_case(
            principal_of(request), case_id, body.action, body.due_on, ip=client_ip(request)
        )
    )


@router.post("/consortia", summary="コンソーシアム編成 / build a team for a concept")
@needs("consortium")
async def consortium(request: Request, body: ConsortiumInput) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).consortium(
            principal_of(request),
            concept=body.concept,
            size=body.size,
            regions=tuple(body.regions),
            include=tuple(body.include),
            exclude=tuple(body.exclude),
        )
    )
