"""The company page of 開放特許マッチング: the profile, and for those who may change it an edit form,
needs (add / close) and report-sharing consents (grant / revoke per financial institution)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from tsunagu.domain.matching import COMPANY_FIELDS, COMPANY_SIZES, EXCLUSIVITY, VISIBILITY_LEVELS
from tsunagu.errors import NotFoundError, ValidationError
from tsunagu.services.accounts.portal.companies import NEED_FIELDS, OWNER_FIELDS, STAFF_FIELDS
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.render import lang_of
from tsunagu.web.routes.common import client_ip, new_router, portal_of, renderer_of
from tsunagu.web.routes.matching import matching_tabs

__all__ = ["router"]

router = new_router()

#: ``?done=`` codes after a change → (Japanese, English) confirmation.
_DONE = {
    "profile": ("プロフィールを保存しました。", "Profile saved."),
    "need": ("ニーズを登録しました。", "Need added."),
    "need-closed": ("ニーズを終了しました。", "Need closed."),
    "granted": ("評価書の共有に同意しました。", "Consent granted."),
    "revoked": ("評価書の共有同意を取り消しました。", "Consent revoked."),
}
_LIST_FIELDS = ("aliases", "applicant_names", "patent_numbers")


def _choices(table: dict[str, tuple[str, str]], lang: str) -> list[dict[str, str]]:
    return [{"code": code, "label": ja if lang == "ja" else en} for code, (ja, en) in table.items()]


def _error_field(message: str, known: Any) -> str:
    head = message.split(":", 1)[0].strip()
    return head if ":" in message and head in known else ""


async def _company(
    request: Request,
    company_id: int,
    *,
    error: str = "",
    error_field: str = "",
    section: str = "",
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    portal = portal_of(request)
    p = principal_of(request)
    lang = lang_of(request)
    company = await run_in_threadpool(lambda: portal.company(p, company_id, lang))
    editing = await run_in_threadpool(lambda: portal.company_editing(p, company_id))
    consents = (
        await run_in_threadpool(lambda: portal.consents(p, company_id)) if editing["editable"] else None
    )
    done = request.query_params.get("done", "")
    notice = _DONE.get(done, ("", ""))[0 if lang == "ja" else 1] if not error else ""
    return renderer_of(request).page(
        request,
        "company.html",
        status_code=status,
        active="matching",
        tab="companies",
        tabs=matching_tabs(request),
        company=company,
        editing=editing,
        consents=consents,
        sizes=_choices(COMPANY_SIZES, lang),
        levels=_choices(VISIBILITY_LEVELS, lang),
        field_choices=_choices(COMPANY_FIELDS, lang),
        exclusivity=_choices(EXCLUSIVITY, lang),
        error=error,
        error_field=error_field,
        section=section,
        form=form or {},
        notice=notice,
    )


@router.get("/matching/companies/{company_id}", include_in_schema=False)
@needs("companies.read")
async def company_page(request: Request, company_id: int) -> Response:
    return await _company(request, company_id)


async def _change(
    request: Request,
    company_id: int,
    action: Callable[[], Any],
    *,
    done: str,
    section: str,
    form: dict[str, Any],
    known: Any,
) -> Response:
    """Run a change; on a bad value show the page again (422) with the message and the form kept."""
    try:
        await run_in_threadpool(action)
    except ValidationError as exc:
        message = str(exc)
        return await _company(
            request,
            company_id,
            error=message,
            error_field=_error_field(message, known),
            section=section,
            form=form,
            status=422,
        )
    return RedirectResponse(f"/matching/companies/{company_id}?done={done}#{section}", status_code=303)


@router.post("/matching/companies/{company_id}/profile", include_in_schema=False)
@needs("companies.write")
async def update_profile(request: Request, company_id: int) -> Response:
    """Save the edit form: every field shown to this person is sent (an SME does not see the
    patent-link fields)."""
    portal = portal_of(request)
    p = principal_of(request)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    allowed_fields = set(OWNER_FIELDS) | (set(STAFF_FIELDS) if p.role != "sme" else set())
    changes: dict[str, Any] = {k: v for k, v in fields.items() if k in allowed_fields}
    changes["visible_fields"] = [v for v in form.getlist("visible_fields") if isinstance(v, str)]
    for name in _LIST_FIELDS:
        if name in changes:
            changes[name] = [x for x in changes[name].replace(",", "\n").splitlines() if x.strip()]
    shown = dict(fields, visible_fields=changes["visible_fields"])
    return await _change(
        request,
        company_id,
        lambda: portal.update_company(p, company_id, changes, lang=lang_of(request), ip=client_ip(request)),
        done="profile",
        section="edit-profile",
        form=shown,
        known=set(OWNER_FIELDS) | set(STAFF_FIELDS),
    )


@router.post("/matching/companies/{company_id}/needs", include_in_schema=False)
@needs("companies.write")
async def add_need(request: Request, company_id: int) -> Response:
    portal = portal_of(request)
    p = principal_of(request)
    form = await request.form()
    data = {k: v for k, v in form.items() if isinstance(v, str) and k in NEED_FIELDS}
    return await _change(
        request,
        company_id,
        lambda: portal.add_need(p, company_id, data, ip=client_ip(request)),
        done="need",
        section="needs",
        form={f"need_{k}": v for k, v in data.items()},
        known=set(NEED_FIELDS),
    )


@router.post("/matching/companies/{company_id}/needs/{need_id}/close", include_in_schema=False)
@needs("companies.write")
async def close_need(request: Request, company_id: int, need_id: int) -> Response:
    portal = portal_of(request)
    await run_in_threadpool(
        lambda: portal.close_need(principal_of(request), company_id, need_id, ip=client_ip(request))
    )
    return RedirectResponse(f"/matching/companies/{company_id}?done=need-closed#needs", status_code=303)


@router.post("/matching/companies/{company_id}/consents", include_in_schema=False)
@needs("companies.write")
async def grant_consent(
    request: Request,
    company_id: int,
    institution: str = Form("", max_length=200),
    other: str = Form("", max_length=200),
    note: str = Form("", max_length=1000),
) -> Response:
    """Grant consent to a listed institution (``institution``) or one typed in (``other``)."""
    portal = portal_of(request)
    name = institution.strip() or other.strip()
    return await _change(
        request,
        company_id,
        lambda: portal.grant_consent(
            principal_of(request), company_id, name, note=note, ip=client_ip(request)
        ),
        done="granted",
        section="consents",
        form={"other": other, "consent_note": note},
        known={"institution", "note"},
    )


@router.post("/matching/companies/{company_id}/consents/revoke", include_in_schema=False)
@needs("companies.write")
async def revoke_consent(
    request: Request, company_id: int, institution: str = Form("", max_length=200)
) -> Response:
    portal = portal_of(request)
    try:
        await run_in_threadpool(
            lambda: portal.revoke_consent(
                principal_of(request), company_id, institution, ip=client_ip(request)
            )
        )
    except (ValidationError, NotFoundError) as exc:
        # the company itself was checked first: "not found" here means no active consent
        return await _company(
            request, company_id, error=str(exc), error_field="institution", section="consents", status=422
        )
    return RedirectResponse(f"/matching/companies/{company_id}?done=revoked#consents", status_code=303)
