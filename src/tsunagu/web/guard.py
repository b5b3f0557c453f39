"""Sessions, CSRF and authorisation for web pages.

`WebGuard` (ASGI middleware) resolves the session cookie; an anonymous visitor asking for any page
but the public ones is redirected to ``/login`` (a non-GET request gets 401). `WebRoute` checks each
page's capability (declared with `needs`) before the form or query is read, and the CSRF token of
every state-changing request (form field ``csrf_token`` or header ``X-CSRF-Token``). The login form
itself is protected by a token bound to a pre-login cookie and signed with the server secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from tsunagu.services.accounts import Principal, allowed
from tsunagu.services.accounts.service import AccountService

__all__ = [
    "PRE_COOKIE",
    "SESSION_COOKIE",
    "WebGuard",
    "WebRoute",
    "login_token",
    "needs",
    "new_pre_session",
    "principal_of",
]

SESSION_COOKIE = "tsunagu_session"
PRE_COOKIE = "tsunagu_pre"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_PREFIXES = ("/static/", "/fonts/")
PUBLIC_PATHS = frozenset({"/login", "/favicon.ico"})

F = TypeVar("F", bound=Callable[..., Any])


def needs(capability: str) -> Callable[[F], F]:
    """Declare the capability a page needs (``"public"`` for the login page)."""

    def mark(fn: F) -> F:
        fn.__capability__ = capability  # type: ignore[attr-defined]
        return fn

    return mark


def principal_of(request: Request) -> Principal:
    p = getattr(request.state, "principal", None)
    if p is None:  # pragma: no cover - the guard refuses such requests earlier
        raise RuntimeError("no principal on a guarded page")
    return p


def new_pre_session() -> str:
    return secrets.token_urlsafe(24)


def login_token(secret: bytes, pre: str) -> str:
    """The login form's CSRF token: an HMAC of the pre-login cookie under the server secret."""
    return hmac.new(secret, b"login:" + pre.encode("utf-8"), hashlib.sha256).hexdigest()


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path or "/"


def _cookie(scope: Scope, name: str) -> str:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return ""


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or path.startswith("/lang/")


class WebGuard:
    """ASGI middleware: sets ``request.state.principal``; anonymous → login page."""

    def __init__(self, app: ASGIApp, accounts: AccountService) -> None:
        self.app = app
        self.accounts = accounts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = _route_path(scope)
        state = scope.setdefault("state", {})
        state["principal"] = None
        if path.startswith(PUBLIC_PREFIXES):
            await self.app(scope, receive, send)
            return
        token = _cookie(scope, SESSION_COOKIE)
        found = await run_in_threadpool(self.accounts.session, token) if token else None
        if found is not None:
            state["principal"] = found[1]
            state["session_token"] = token
        elif not _is_public(path):
            response: Response
            if scope["method"] in SAFE_METHODS:
                target = path + (
                    "?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else ""
                )
                response = RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)
            else:
                response = Response(
                    "ログインが必要です / login required",
                    status_code=401,
                    media_type="text/plain; charset=utf-8",
                )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class WebRoute(APIRoute):
    """A page route: capability first, then CSRF for changes, then FastAPI's own parsing."""

    forbidden: Callable[[Request], Response] | None = None

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()
        capability = getattr(self.endpoint, "__capability__", None)
        if capability is None:
            raise RuntimeError(f"web route {self.path} declares no capability (use @needs)")

        async def guarded(request: Request) -> Response:
            if capability != "public":
                principal = getattr(request.state, "principal", None)
                if not allowed(principal, capability):
                    return _forbidden(request)
                if request.method not in SAFE_METHODS and not await _csrf_ok(request, principal):
                    return _forbidden(request, csrf=True)
            response: Response = await handler(request)
            return response

        return guarded


async def _csrf_ok(request: Request, principal: Principal | None) -> bool:
    if principal is None:
        return False
    expected = principal.session_csrf
    sent = request.headers.get("x-csrf-token", "")
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token", "")
            sent = value if isinstance(value, str) else ""
    return bool(expected) and bool(sent) and hmac.compare_digest(sent, expected)


def _forbidden(request: Request, *, csrf: bool = False) -> Response:
    render = request.app.state.render_error
    if csrf:
        return render(
            request,
            403,
            "フォームの有効期限が切れたか、不正な送信です。ページを再読み込みしてください。",
            "The form expired or the request was not sent from this site. Reload the page.",
        )
    return render(request, 403, "このページを見る権限がありません。", "You may not view this page.")
