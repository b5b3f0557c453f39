"""``/discoveries``: 用途探索 (application discovery)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from tsunagu.api.guard import GuardedRoute, needs, principal_of
from tsunagu.api.routes.deps import portal_of

__all__ = ["router"]

router = APIRouter(route_class=GuardedRoute, tags=["discoveries"])


class DiscoveryInput(BaseModel):
    """What to discover other-field applications for: text, patent numbers, a company or an applicant."""

    text: str = Field("", max_length=10_000, description="技術の説明 / the technology in free text")
    patents: list[str] = Field(default_factory=list, max_length=50, description="patent numbers")
    company_id: int | None = Field(None, description="registered company (its patents and know-how)")
    applicant: str = Field("", max_length=300, description="corpus applicant name")
    ideas: int = Field(8, ge=1, le=20)
    boldness: float | None = Field(None, ge=0.0, le=1.0, description="0 = close to home, 1 = far")
    exclude: list[str] = Field(default_factory=list, max_length=50, description="IPC prefixes never proposed")


@router.post("/discoveries", summary="用途探索 / discover other-field applications")
@needs("discover")
async def discover(request: Request, body: DiscoveryInput) -> dict[str, Any]:
    """Idea cards (one per target field) with evidence patents, matched passages and scores with their
    breakdown (relevance, novelty, momentum, evidence), the home fields, and a home → target field map."""
    portal = portal_of(request)
    p = principal_of(request)
    return await run_in_threadpool(
        lambda: portal.discover(
            p,
            text=body.text,
            patents=body.patents,
            company_id=body.company_id,
            applicant=body.applicant,
            ideas=body.ideas,
            boldness=body.boldness,
            exclude=body.exclude,
        )
    )
