"""``/users`` and ``/audit-log`` (administrators only)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from tsunagu.api.guard import GuardedRoute, needs, principal_of
from tsunagu.api.routes.deps import client_ip, portal_of
from tsunagu.services.accounts import role_label
from tsunagu.services.accounts.portal import page_of
from tsunagu.storage.accounts import UserRecord

__all__ = ["router"]

router = APIRouter(route_class=GuardedRoute, tags=["users"])

RoleCode = Literal["admin", "coordinator", "licensor", "sme", "bank"]


class NewUser(BaseModel):
    username: str = Field(min_length=2, max_length=63, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]+$")
    password: str = Field(min_length=10, max_length=1000)
    role: RoleCode
    display_name: str = Field("", max_length=200)
    licensor_id: int | None = None
    company_id: int | None = None
    institution: str = Field("", max_length=200)
    lang: Literal["ja", "en"] = "ja"
    programmes: dict[int, Literal["coordinator", "specialist", "member"]] = Field(default_factory=dict)


class UserChange(BaseModel):
    display_name: str | None = Field(None, max_length=200)
    role: RoleCode | None = None
    licensor_id: int | None = None
    company_id: int | None = None
    institution: str | None = Field(None, max_length=200)
    lang: Literal["ja", "en"] | None = None
    active: bool | None = None


class NewPassword(BaseModel):
    password: str = Field(min_length=10, max_length=1000)


class Membership(BaseModel):
    role: Literal["coordinator", "specialist", "member"] = "member"


def user_dict(u: UserRecord) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "role_label": role_label(u.role),
        "licensor_id": u.licensor_id,
        "company_id": u.company_id,
        "institution": u.institution,
        "lang": u.lang,
        "active": u.active,
        "programmes": [{"programme_id": pid, "role": r} for pid, r in u.programmes],
        "created_at": u.created_at,
        "last_login_at": u.last_login_at,
    }


@router.get("/users", summary="利用者一覧 / users")
@needs("users.admin")
async def list_users(
    request: Request, page: int = Query(1, ge=1), per_page: int = Query(50, ge=1, le=200)
) -> Any:
    users = await run_in_threadpool(portal_of(request).accounts.list_users)
    return page_of([user_dict(u) for u in users], page, per_page)


@router.post("/users", status_code=201, summary="利用者の追加 / add a user")
@needs("users.admin")
async def add_user(request: Request, body: NewUser) -> Any:
    p = principal_of(request)
    user = await run_in_threadpool(
        lambda: portal_of(request).accounts.add_user(
            body.username,
            body.password,
            body.role,
            display_name=body.display_name,
            licensor_id=body.licensor_id,
            company_id=body.company_id,
            institution=body.institution,
            lang=body.lang,
            programmes=body.programmes,
            actor=p.username,
            ip=client_ip(request),
        )
    )
    return user_dict(user)


@router.get("/users/{user_id}", summary="利用者1件 / one user")
@needs("users.admin")
async def get_user(request: Request, user_id: int) -> Any:
    return user_dict(await run_in_threadpool(portal_of(request).accounts.get_user, user_id))


@router.patch("/users/{user_id}", summary="利用者の変更 / change a user")
@needs("users.admin")
async def change_user(request: Request, user_id: int, body: UserChange) -> Any:
    p = principal_of(request)
    changes = body.model_dump(exclude_unset=True)
    user = await run_in_threadpool(
        lambda: portal_of(request).accounts.update_user(
            user_id, actor=p.username, ip=client_ip(request), **changes
        )
    )
    return user_dict(user)


@router.put("/users/{user_id}/password", status_code=204, summary="パスワードの再設定 / set a password")
@needs("users.admin")
async def set_password(request: Request, user_id: int, body: NewPassword) -> None:
    p = principal_of(request)
    await run_in_threadpool(
        lambda: portal_of(request).accounts.set_password(
            user_id, body.password, actor=p.username, ip=client_ip(request)
        )
    )


@router.put("/users/{user_id}/programmes/{programme_id}", summary="プログラムへの所属 / programme membership")
@needs("users.admin")
async def set_membership(request: Request, user_id: int, programme_id: int, body: Membership) -> Any:
    p = principal_of(request)
    accounts = portal_of(request).accounts

    def run() -> Any:
        accounts.get_user(user_id)
        accounts.set_membership(user_id, programme_id, body.role, actor=p.username, ip=client_ip(request))
        return user_dict(accounts.get_user(user_id))

    return await run_in_threadpool(run)


@router.get("/audit-log", summary="監査ログ / audit log")
@needs("audit.read")
async def audit_log(
    request: Request,
    page: int = Query(1, ge=1),
    per_page: int = Query(50, ge=1, le=200),
    actor: str = Query("", max_length=100),
    action: str = Query("", max_length=100),
) -> Any:
    entries, total = await run_in_threadpool(
        lambda: portal_of(request).accounts.audit_entries(
            limit=per_page, offset=(page - 1) * per_page, actor=actor, action=action
        )
    )
    return {
        "items": [e.__dict__ for e in entries],
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": (total + per_page - 1) // per_page,
    }
