"""``/sessions`` (log in and out) and ``/me``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from tsunagu.api.guard import SESSION_COOKIE, GuardedRoute, needs, principal_of
from tsunagu.api.problems import problem
from tsunagu.api.routes.deps import client_ip, portal_of
from tsunagu.services.accounts import Principal, role_label

__all__ = ["router"]

router = APIRouter(route_class=GuardedRoute, tags=["sessions"])


class Credentials(BaseModel):
    """A login."""

    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


def principal_dict(p: Principal) -> dict[str, Any]:
    return {
        "id": p.user_id,
        "username": p.username,
        "display_name": p.display_name,
        "role": p.role,
        "role_label": role_label(p.role, p.lang),
        "licensor_id": p.licensor_id,
        "company_id": p.company_id,
        "institution": p.institution,
        "programmes": [{"programme_id": k, "role": v} for k, v in sorted(p.programmes.items())],
        "lang": p.lang,
    }


@router.post("/sessions", status_code=201, summary="ログイン / log in")
@needs("public")
async def login(request: Request, response: Response, body: Credentials) -> Any:
    """Log in. Returns a session token (for ``Authorization: Bearer``) and the CSRF token to send
    in ``X-CSRF-Token`` with cookie-authenticated changes; also sets the session cookie."""
    if "application/json" not in request.headers.get("content-type", ""):
        return problem(415, "JSON で送信してください / send application/json")
    portal = portal_of(request)
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # never carry a session chosen before login over (session fixation)
        await run_in_threadpool(portal.accounts.logout, old)
    token, record, principal = await run_in_threadpool(
        portal.accounts.login,
        body.username,
        body.password,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return {
        "token": token,
        "csrf_token": record.csrf_token,
        "expires_at": record.expires_at,
        "user": principal_dict(principal),
    }


@router.delete("/sessions/current", status_code=204, summary="ログアウト / log out")
@needs("self")
async def logout(request: Request) -> Response:
    portal = portal_of(request)
    p = principal_of(request)
    await run_in_threadpool(
        portal.accounts.logout, request.state.session_token, actor=p.username, ip=client_ip(request)
    )
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", summary="ログイン中の利用者 / the signed-in user")
@needs("self")
def me(request: Request) -> dict[str, Any]:
    return principal_dict(principal_of(request))


@router.get("/health", summary="稼働確認 / liveness")
@needs("public")
def health() -> dict[str, str]:
    return {"status": "ok"}
