"""``/search`` and ``/patents``: hybrid search and patent records (public patent data)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from tsunagu.api.guard import GuardedRoute, needs, principal_of
from tsunagu.api.routes.deps import portal_of
from tsunagu.retrieval.base import SearchFilters

__all__ = ["router"]

router = APIRouter(route_class=GuardedRoute, tags=["search"])


@router.get("/search", summary="日英ハイブリッド検索 / hybrid search")
@needs("search")
async def search(
    request: Request,
    q: str = Query(min_length=1, max_length=2000, description="検索語 / query (Japanese or English)"),
    page: int = Query(1, ge=1, le=20),
    per_page: int = Query(10, ge=1, le=50),
    ipc: str = Query("", max_length=20, description="IPC/CPC prefix (B60W, A61B5/18)"),
    applicant: str = Query("", max_length=200),
    year_from: int | None = Query(None, ge=1800, le=2100),
    year_to: int | None = Query(None, ge=1800, le=2100),
    language: str = Query("", max_length=5),
    source: str = Query("", max_length=40),
) -> dict[str, Any]:
    """Hits with their score breakdown (``why``: lexical rank, vector rank, fused score components)."""
    filters = SearchFilters(
        ipc_prefix=ipc.strip(),
        applicant=applicant.strip(),
        year_from=year_from,
        year_to=year_to,
        language=language.strip(),
        source=source.strip(),
    )
    return await run_in_threadpool(
        portal_of(request).search, principal_of(request), q, page=page, per_page=per_page, filters=filters
    )


@router.get("/patents", summary="特許の一覧 (IPC・出願人) / patents by IPC prefix or applicant")
@needs("patents.read")
async def list_patents(
    request: Request,
    ipc: str = Query("", max_length=20),
    applicant: str = Query("", max_length=200),
    page: int = Query(1, ge=1),
    per_page: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    return await run_in_threadpool(
        portal_of(request).patents,
        principal_of(request),
        ipc_prefix=ipc,
        applicant=applicant,
        page=page,
        per_page=per_page,
    )


@router.get("/patents/{number}", summary="特許1件 / one patent with every field and its source")
@needs("patents.read")
async def get_patent(request: Request, number: str) -> dict[str, Any]:
    return await run_in_threadpool(portal_of(request).patent, principal_of(request), number)
