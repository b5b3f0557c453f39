"""``/companies/{id}`` changes: the profile, needs and report-sharing consents (開放特許マッチング).

The SME edits its own company, coordinators the companies of their programmes, administrators any.
Unknown fields and bad values are refused with 422 naming the field, before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from tsunagu.api.guard import GuardedRoute, needs, principal_of
from tsunagu.api.problems import problem
from tsunagu.api.routes.deps import client_ip, portal_of
from tsunagu.errors import ValidationError

__all__ = ["router", "validated"]

router = APIRouter(route_class=GuardedRoute, tags=["companies"])


class CompanyChanges(BaseModel):
    """Profile fields to change (only those sent are changed)."""

    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=200)
    size: str | None = Field(None, max_length=40, description="micro, small, medium, large or ''")
    employees: int | None = Field(None, ge=0, le=10_000_000)
    capabilities: str | None = Field(None, max_length=5000, description="技術・ノウハウ")
    equipment: str | None = Field(None, max_length=5000)
    products: str | None = Field(None, max_length=5000)
    note: str | None = Field(None, max_length=5000)
    visibility: str | None = Field(None, max_length=40, description="private, anonymous or public")
    visible_fields: list[str] | None = Field(None, max_length=20, description="fields licensors may see")
    aliases: list[str] | None = Field(None, max_length=30, description="coordinators only")
    applicant_names: list[str] | None = Field(None, max_length=30, description="coordinators only")
    patent_numbers: list[str] | None = Field(None, max_length=200, description="coordinators only")


class NewNeed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    problem: str = Field("", max_length=3000)
    wanted_capability: str = Field("", max_length=3000)
    budget: str = Field("", max_length=300)
    timing: str = Field("", max_length=300)
    exclusivity: str = Field("", max_length=40, description="exclusive, non_exclusive, either or ''")
    visibility: str = Field("anonymous", max_length=40, description="private, anonymous or public")


class NewConsent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    institution: str = Field(min_length=1, max_length=200, description="金融機関名 / institution name")
    note: str = Field("", max_length=1000)


def _lang(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "ja"


async def validated(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in the thread pool; a `ValidationError` becomes 422 with the field it names."""
    try:
        return await run_in_threadpool(fn)
    except ValidationError as exc:
        message = str(exc)
        head = message.split(":", 1)[0].strip()
        field = head if ":" in message and head.replace("_", "").isalnum() and head.isascii() else "body"
        return problem(422, message, errors=[{"field": field, "message": message, "type": "value_error"}])


@router.patch("/companies/{company_id}", summary="企業プロフィールの変更 / change a company profile")
@needs("companies.write")
async def update_company(request: Request, company_id: int, body: CompanyChanges) -> Any:
    changes = body.model_dump(exclude_unset=True)
    return await validated(
        lambda: portal_of(request).update_company(
            principal_of(request), company_id, changes, lang=_lang(request), ip=client_ip(request)
        )
    )


@router.post("/companies/{company_id}/needs", status_code=201, summary="ニーズの登録 / add a need")
@needs("companies.write")
async def add_need(request: Request, company_id: int, body: NewNeed) -> Any:
    return await validated(
        lambda: portal_of(request).add_need(
            principal_of(request), company_id, body.model_dump(), ip=client_ip(request)
        )
    )


@router.post("/companies/{company_id}/needs/{need_id}/close", summary="ニーズを閉じる / close a need")
@needs("companies.write")
async def close_need(request: Request, company_id: int, need_id: int) -> Any:
    return await validated(
        lambda: portal_of(request).close_need(
            principal_of(request), company_id, need_id, ip=client_ip(request)
        )
    )


@router.get(
    "/companies/{company_id}/consents",
    summary="評価書の共有同意 / report-sharing consents of a company",
)
@needs("companies.write")
async def list_consents(request: Request, company_id: int) -> Any:
    return await run_in_threadpool(lambda: portal_of(request).consents(principal_of(request), company_id))


@router.post(
    "/companies/{company_id}/consents",
    status_code=201,
    summary="評価書の共有に同意 / let an institution read the company's reports",
)
@needs("companies.write")
async def grant_consent(request: Request, company_id: int, body: NewConsent) -> Any:
    return await validated(
        lambda: portal_of(request).grant_consent(
            principal_of(request), company_id, body.institution, note=body.note, ip=client_ip(request)
        )
    )


@router.delete(
    "/companies/{company_id}/consents/{institution}",
    summary="評価書の共有同意を取り消す / revoke an institution's consent",
)
@needs("companies.write")
async def revoke_consent(request: Request, company_id: int, institution: str = Path(max_length=200)) -> Any:
    result = await validated(
        lambda: portal_of(request).revoke_consent(
            principal_of(request), company_id, institution, ip=client_ip(request)
        )
    )
    if isinstance(result, Response):
        return result
    return {"institution": institution, "revoked": result}
