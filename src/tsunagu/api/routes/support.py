"""``/cases`` (ハンズオン支援), ``/case-reports`` and ``/consortia`` (中小企業コンソーシアム).

Codes (status, reason, category, …) are the English identifiers of `tsunagu.domain.handson` or their
Japanese labels; an unknown code or a move the status rules do not allow answers 422 with the allowed
ones. A case the caller may not see answers 404, checked before the body's values.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from tsunagu.api.guard import GuardedRoute, needs, principal_of
from tsunagu.api.routes.deps import client_ip, portal_of
from tsunagu.services.accounts.portal.case_reports import report_csv

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


class StatusChange(BaseModel):
    status: str = Field(min_length=1, max_length=40, description="open, in_progress, solved, closed")
    reason: str = Field("", max_length=40, description="closing: a close-reason code")
    note: str = Field("", max_length=5000, description="required to reopen, and to close with 'other'")
    on: str = Field("", max_length=10, description="YYYY-MM-DD (default today)")


class Decision(BaseModel):
    decision: str = Field(min_length=1, max_length=20, description="accept or reject")
    comment: str = Field("", max_length=2000)


class FollowUpDone(BaseModel):
    note: str = Field("", max_length=2000)
    on: str = Field("", max_length=10, description="YYYY-MM-DD (default today)")


class NewTag(BaseModel):
    category: str = Field(min_length=1, max_length=40)
    scope: str = Field("existing", max_length=20, description="existing or new")
    note: str = Field("", max_length=2000)


class NewProposal(BaseModel):
    type: str = Field(min_length=1, max_length=40)
    summary: str = Field(min_length=1, max_length=5000)
    rights: list[str] = Field(default_factory=list, max_length=5)


class ProposalAnswer(BaseModel):
    response: str = Field(min_length=1, max_length=40, description="proposed, adopted, declined, implemented")


class NewReferral(BaseModel):
    target: str = Field(min_length=1, max_length=40)
    organisation: str = Field("", max_length=300)
    purpose: str = Field("", max_length=2000)


class ReferralResult(BaseModel):
    outcome: str = Field(min_length=1, max_length=40, description="pending, helpful, not_helpful, not_used")
    note: str = Field("", max_length=2000)


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


@router.post("/cases/{case_id}/status", summary="状況を変更 / move a case to another status")
@needs("cases")
async def set_status(request: Request, case_id: int, body: StatusChange) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).set_case_status(
            principal_of(request),
            case_id,
            body.status,
            reason=body.reason,
            note=body.note,
            on=body.on,
            ip=client_ip(request),
        )
    )


@router.post("/cases/{case_id}/suggestions", status_code=201, summary="提案を生成 / compute new suggestions")
@needs("cases")
async def suggest(request: Request, case_id: int) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).suggest_case(principal_of(request), case_id, ip=client_ip(request))
    )


@router.post(
    "/cases/{case_id}/suggestions/{suggestion_id}/decision",
    summary="提案の採否 / accept or reject a suggestion",
)
@needs("cases")
async def decide(request: Request, case_id: int, suggestion_id: int, body: Decision) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).decide_suggestion(
            principal_of(request),
            case_id,
            suggestion_id,
            body.decision,
            comment=body.comment,
            ip=client_ip(request),
        )
    )


@router.post(
    "/cases/{case_id}/follow-ups/{follow_up_id}/complete",
    summary="フォローアップ完了 / mark a follow-up done",
)
@needs("cases")
async def complete_follow_up(
    request: Request, case_id: int, follow_up_id: int, body: FollowUpDone
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).complete_case_follow_up(
            principal_of(request), case_id, follow_up_id, note=body.note, on=body.on, ip=client_ip(request)
        )
    )


@router.post("/cases/{case_id}/tags", status_code=201, summary="経営課題タグ / tag a management issue")
@needs("cases")
async def tag(request: Request, case_id: int, body: NewTag) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).tag_case(
            principal_of(request), case_id, body.category, body.scope, note=body.note, ip=client_ip(request)
        )
    )


@router.post("/cases/{case_id}/proposals", status_code=201, summary="提案を記録 / record an IP proposal")
@needs("cases")
async def propose(request: Request, case_id: int, body: NewProposal) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).propose_case(
            principal_of(request), case_id, body.type, body.summary, rights=body.rights, ip=client_ip(request)
        )
    )


@router.post(
    "/cases/{case_id}/proposals/{proposal_id}/response", summary="提案への対応 / the company's response"
)
@needs("cases")
async def respond(request: Request, case_id: int, proposal_id: int, body: ProposalAnswer) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).respond_proposal(
            principal_of(request), case_id, proposal_id, body.response, ip=client_ip(request)
        )
    )


@router.post("/cases/{case_id}/referrals", status_code=201, summary="専門家・支援機関へ紹介 / refer")
@needs("cases")
async def refer(request: Request, case_id: int, body: NewReferral) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).refer_case(
            principal_of(request),
            case_id,
            body.target,
            organisation=body.organisation,
            purpose=body.purpose,
            ip=client_ip(request),
        )
    )


@router.post(
    "/cases/{case_id}/referrals/{referral_id}/outcome", summary="紹介の結果 / what came of a referral"
)
@needs("cases")
async def referral_outcome(
    request: Request, case_id: int, referral_id: int, body: ReferralResult
) -> dict[str, Any]:
    return await run_in_threadpool(
        lambda: portal_of(request).case_referral_outcome(
            principal_of(request), case_id, referral_id, body.outcome, note=body.note, ip=client_ip(request)
        )
    )


@router.get(
    "/case-reports",
    summary="地域・期間別レポート / region and period report over the cases I may see",
    response_model=None,
)
@needs("cases")
async def case_report(
    request: Request,
    region: Annotated[list[str] | None, Query(max_length=50, description="地域 (複数可) / regions")] = None,
    start: str = Query("", alias="from", max_length=10, description="YYYY-MM-DD"),
    end: str = Query("", alias="to", max_length=10, description="YYYY-MM-DD (default today)"),
    programme: int | None = Query(None, ge=1, description="プログラム id / programme id"),
    format: str = Query("json", pattern="^(json|csv)$"),
) -> dict[str, Any] | Response:
    data = await run_in_threadpool(
        lambda: portal_of(request).case_report(
            principal_of(request), regions=region or (), start=start, end=end, programme=programme
        )
    )
    if format == "csv":
        return Response(
            "\ufeff" + report_csv(data),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="case-report.csv"'},
        )
    return {**data["report"], "tables": data["tables"]}


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
