"""Login, logout and the language switch."""

from __future__ import annotations

import hmac

from fastapi import Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from tsunagu.services.accounts import AuthenticationError, RateLimitedError
from tsunagu.web.guard import PRE_COOKIE, SESSION_COOKIE, login_token, needs, new_pre_session, principal_of
from tsunagu.web.i18n import LANG_COOKIE, LANGS
from tsunagu.web.routes.common import client_ip, new_router, portal_of, renderer_of, safe_next

__all__ = ["router"]

router = new_router()


def _login_page(
    request: Request, *, next_path: str, message: str = "", status: int = 200, username: str = ""
) -> Response:
    pre = request.cookies.get(PRE_COOKIE) or new_pre_session()
    response = renderer_of(request).page(
        request,
        "login.html",
        status_code=status,
        login_csrf=login_token(request.app.state.secret, pre),
        next_path=next_path,
        message=message,
        username=username,
    )
    response.set_cookie(
        PRE_COOKIE,
        pre,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/login",
        max_age=3600,
    )
    return response


@router.get("/login", include_in_schema=False)
@needs("public")
def login_form(request: Request, next: str = "/") -> Response:
    if getattr(request.state, "principal", None) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_path=safe_next(next))


@router.post("/login", include_in_schema=False)
@needs("public")
async def login(
    request: Request,
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=1000),
    csrf_token: str = Form("", max_length=200),
    next: str = Form("/", max_length=2000),
) -> Response:
    t_ja_en = request.cookies.get(LANG_COOKIE) == "en"
    pre = request.cookies.get(PRE_COOKIE, "")
    expected = login_token(request.app.state.secret, pre) if pre else ""
    if not expected or not hmac.compare_digest(csrf_token, expected):
        msg = (
            "The login form expired. Please try again."
            if t_ja_en
            else "ログインフォームの有効期限が切れました。もう一度お試しください。"
        )
        return _login_page(request, next_path=safe_next(next), message=msg, status=403, username=username)
    portal = portal_of(request)
    old = request.cookies.get(SESSION_COOKIE)
    try:
        token, _record, principal = await run_in_threadpool(
            portal.accounts.login,
            username,
            password,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except RateLimitedError as exc:
        return _login_page(
            request, next_path=safe_next(next), message=str(exc), status=429, username=username
        )
    except AuthenticationError:
        msg = "Wrong user name or password." if t_ja_en else "ユーザー名またはパスワードが違います。"
        return _login_page(request, next_path=safe_next(next), message=msg, status=401, username=username)
    if old:  # the cookie sent before login is never promoted: no session fixation
        await run_in_threadpool(portal.accounts.logout, old)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https", path="/"
    )
    response.delete_cookie(PRE_COOKIE, path="/login")
    if principal.lang in LANGS and not request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, principal.lang, samesite="lax", path="/", max_age=365 * 86400)
    return response


@router.post("/logout", include_in_schema=False)
@needs("self")
async def logout(request: Request) -> Response:
    p = principal_of(request)
    await run_in_threadpool(
        portal_of(request).accounts.logout,
        request.state.session_token,
        actor=p.username,
        ip=client_ip(request),
    )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}", include_in_schema=False)
@needs("public")
def switch_language(code: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGS:
        response.set_cookie(LANG_COOKIE, code, samesite="lax", path="/", max_age=365 * 86400)
    return response
