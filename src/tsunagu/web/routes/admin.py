"""管理: users, programme memberships and the audit log (administrators)."""

from __future__ import annotations

from fastapi import Form, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from tsunagu.errors import ValidationError
from tsunagu.services.accounts import PROGRAMME_ROLES, ROLES
from tsunagu.web.guard import needs, principal_of
from tsunagu.web.routes.common import client_ip, int_or_none, new_router, portal_of, renderer_of

__all__ = ["router"]

router = new_router()


async def _users_page(request: Request, message: str = "", error: str = "", status: int = 200) -> Response:
    users = await run_in_threadpool(portal_of(request).accounts.list_users)
    return renderer_of(request).page(
        request,
        "admin_users.html",
        status_code=status,
        active="admin",
        users=users,
        roles=ROLES,
        programme_roles=PROGRAMME_ROLES,
        message=message,
        error=error,
    )


@router.get("/admin/users", include_in_schema=False)
@needs("users.admin")
async def users_page(request: Request) -> Response:
    return await _users_page(request)


@router.post("/admin/users", include_in_schema=False)
@needs("users.admin")
async def add_user(
    request: Request,
    username: str = Form("", max_length=63),
    password: str = Form("", max_length=1000),
    role: str = Form("", max_length=20),
    display_name: str = Form("", max_length=200),
    licensor_id: str = Form("", max_length=12),
    company_id: str = Form("", max_length=12),
    institution: str = Form("", max_length=200),
    programme_id: str = Form("", max_length=12),
    programme_role: str = Form("member", max_length=20),
) -> Response:
    p = principal_of(request)
    accounts = portal_of(request).accounts
    pid = int_or_none(programme_id)

    def run() -> None:
        accounts.add_user(
            username,
            password,
            role,
            display_name=display_name,
            licensor_id=int_or_none(licensor_id),
            company_id=int_or_none(company_id),
            institution=institution,
            programmes={pid: programme_role} if pid is not None else None,
            actor=p.username,
            ip=client_ip(request),
        )

    try:
        await run_in_threadpool(run)
    except ValidationError as exc:
        return await _users_page(request, error=str(exc), status=422)
    return RedirectResponse("/admin/users?added=" + username, status_code=303)


@router.post("/admin/users/{user_id}/active", include_in_schema=False)
@needs("users.admin")
async def set_active(request: Request, user_id: int, active: str = Form("0", max_length=1)) -> Response:
    p = principal_of(request)
    accounts = portal_of(request).accounts
    await run_in_threadpool(
        lambda: accounts.update_user(user_id, actor=p.username, ip=client_ip(request), active=active == "1")
    )
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit", include_in_schema=False)
@needs("audit.read")
async def audit_page(request: Request, page: int = Query(1, ge=1)) -> Response:
    per_page = 50
    entries, total = await run_in_threadpool(
        lambda: portal_of(request).accounts.audit_entries(limit=per_page, offset=(page - 1) * per_page)
    )
    return renderer_of(request).page(
        request,
        "admin_audit.html",
        active="admin",
        entries=entries,
        page=page,
        pages=(total + per_page - 1) // per_page,
        total=total,
    )
