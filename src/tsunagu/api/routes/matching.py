"""``/programmes``, ``/offers``, ``/companies``, ``/matches`` and ``/deals``: 開放特許マッチング."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from tsunagu.api.guard import GuardedRoute, needs, principal_of
from tsunagu.api.routes.companies import validated
from tsunagu.api.routes.deps import client_ip, portal_of

__all__ = ["router"]

router = APIRouter(route_class=GuardedRoute, tags=["matching"])

StageCode = Literal[
    "proposed",
    "meeting",
    "nda",
    "evaluation",
    "negotiation",
    "licensed",
    "commercialised",
    "follow_up",
    "closed_lost",
]


class NewOffer(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    licensor_id: int | None = None
    programme_id: int | None = None
    summary: str = Field("", max_length=5000)
    problem: str = Field("", max_length=3000)
    advantage: str = Field("", max_length=3000)
    tech_stage: str = Field("", max_length=40)
    availability: str = Field("licence", max_length=40)
    uses: list[str] = Field(default_factory=list, max_length=30)
    patent_numbers: list[str] = Field(default_factory=list, max_length=50)
    terms_note: str = Field("", max_length=3000)
    contact_role: str = Field("", max_length=300)
    valid_until: str = Field("", max_length=10)
    category: str = Field("", max_length=200)


class NewDeal(BaseModel):
    programme_id: int
    offer_id: int
    company_id: int
    next_action: str = Field("", max_length=500)
    next_action_date: str = Field("", max_length=10, description="YYYY-MM-DD")


class StageChange(BaseModel):
    stage: StageCode
    reason: Literal["", "too_early", "benefit_unclear", "terms", "capacity", "other"] = ""
    note: str = Field("", max_length=5000)
    next_action: str | None = Field(None, max_length=500)
    next_action_date: str | None = Field(None, max_length=10)


class Note(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class RevealConsent(BaseModel):
    side: Literal["", "company", "licensor"] = Field(
        "", description="company or licensor; SME and licensor users may leave it empty (their own side)"
    )


def _lang(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "ja"


@router.get("/programmes", summary="プログラム / programmes I work in")
@needs("programmes.read")
async def programmes(request: Request) -> dict[str, Any]:
    items = await run_in_threadpool(portal_of(request).programmes, principal_of(request))
    return {"items": items}


@router.get("/offers", summary="開放特許 / licensable offers I may see")
@needs("offers.read")
async def list_offers(
    request: Request,
    q: str = Query("", max_length=200),
    status: Literal["open", "closed", ""] = "open",
    page: int = Query(1, ge=1),
    per_page: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).offers(
            principal_of(request), q=q, status=status, page=page, per_page=per_page, lang=_lang(request)
        )
    )


@router.post("/offers", status_code=201, summary="オファーの登録 / publish an offer")
@needs("offers.write")
async def create_offer(request: Request, body: NewOffer) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).create_offer(
            principal_of(request), body.model_dump(), ip=client_ip(request)
        )
    )


@router.get("/offers/{offer_id}", summary="オファー1件 / one offer")
@needs("offers.read")
async def get_offer(request: Request, offer_id: int) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).offer(principal_of(request), offer_id, _lang(request))
    )


@router.get("/companies", summary="企業 / companies I may see (as I may see them)")
@needs("companies.read")
async def list_companies(
    request: Request,
    q: str = Query("", max_length=200),
    page: int = Query(1, ge=1),
    per_page: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).companies(
            principal_of(request), q=q, page=page, per_page=per_page, lang=_lang(request)
        )
    )


@router.get("/companies/{company_id}", summary="企業1件 / one company")
@needs("companies.read")
async def get_company(request: Request, company_id: int) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).company(principal_of(request), company_id, _lang(request))
    )


@router.get("/matches", summary="マッチング (理由つき) / matches with their reasons")
@needs("matches")
async def matches(
    request: Request,
    company_id: int | None = Query(None),
    offer_id: int | None = Query(None),
    limit: int = Query(10, ge=1, le=50),
) -> dict[str, Any]:
    """Offers for a company (``company_id``) or companies for an offer (``offer_id``), each with its
    score breakdown."""
    return await run_in_threadpool(
        lambda: portal_of(request).matches(
            principal_of(request), company_id=company_id, offer_id=offer_id, limit=limit, lang=_lang(request)
        )
    )


@router.get("/deals", summary="案件 / deals I may see")
@needs("deals.read")
async def list_deals(
    request: Request,
    stage: StageCode | Literal[""] = "",
    due: bool = False,
    page: int = Query(1, ge=1),
    per_page: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).deals(
            principal_of(request),
            stage=stage,
            due_only=due,
            page=page,
            per_page=per_page,
            lang=_lang(request),
        )
    )


@router.post("/deals", status_code=201, summary="案件の作成 (候補提示) / create a deal")
@needs("deals.write")
async def create_deal(request: Request, body: NewDeal) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).create_deal(
            principal_of(request),
            programme_id=body.programme_id,
            offer_id=body.offer_id,
            company_id=body.company_id,
            next_action=body.next_action,
            next_action_date=body.next_action_date,
            ip=client_ip(request),
        )
    )


@router.get("/deals/{deal_id}", summary="案件1件と履歴 / one deal with its history")
@needs("deals.read")
async def get_deal(request: Request, deal_id: int) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).deal(principal_of(request), deal_id, _lang(request))
    )


@router.post("/deals/{deal_id}/stage", summary="段階を進める / move a deal to another stage")
@needs("deals.write")
async def advance_deal(request: Request, deal_id: int, body: StageChange) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).advance_deal(
            principal_of(request),
            deal_id,
            stage=body.stage,
            reason=body.reason,
            note=body.note,
            next_action=body.next_action,
            next_action_date=body.next_action_date,
            ip=client_ip(request),
        )
    )


@router.post("/deals/{deal_id}/notes", status_code=201, summary="メモ / add a note")
@needs("deals.write")
async def note_deal(request: Request, deal_id: int, body: Note) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).note_deal(principal_of(request), deal_id, body.text, ip=client_ip(request))
    )


@router.get(
    "/deals/{deal_id}/documents/{kind}",
    summary="検討用文書 (NDA チェックリスト・タームシート) / NDA checklist or term-sheet draft",
    response_class=Response,
)
@needs("deals.read")
async def deal_document(
    request: Request,
    deal_id: int,
    kind: Literal["nda", "term-sheet"],
    format: Literal["md", "html"] = "md",
    lang: Literal["", "ja", "en"] = "",
) -> Response:
    """The document as a download (not legal advice); the download is noted in the deal's history."""
    result = await validated(
        lambda: portal_of(request).deal_document(
            principal_of(request),
            deal_id,
            kind,
            fmt=format,
            lang=lang or _lang(request),
            ip=client_ip(request),
        )
    )
    if isinstance(result, Response):
        return result
    return Response(
        result["content"],
        media_type=result["media_type"],
        headers={"Content-Disposition": f'attachment; filename="{result["filename"]}"'},
    )


@router.post("/deals/{deal_id}/reveal-consents", summary="社名開示への同意 / agree to reveal identity")
@needs("deals.read")
async def reveal_consent(request: Request, deal_id: int, body: RevealConsent) -> Any:
    """Record one side's agreement to reveal its identity; names show once both sides agreed."""
    return await validated(
        lambda: portal_of(request).consent_reveal(
            principal_of(request), deal_id, body.side, lang=_lang(request), ip=client_ip(request)
        )
    )
