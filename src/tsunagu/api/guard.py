"""Authentication and authorisation of API requests, before any input is read.

`ApiGuard` (ASGI middleware of the API application) resolves the session from the cookie or an
``Authorization: Bearer`` token. A request without a valid session gets 401 for every path but the
public ones, whatever the path or body (so never 404 or 422); a cookie-authenticated request that
changes state must carry the session's CSRF token in ``X-CSRF-Token`` (and, when the browser sends
one, an ``Origin`` of this server). `GuardedRoute` then checks each endpoint's capability (declared
with `needs`) before FastAPI validates parameters or reads the body.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from tsunagu.api.problems import problem
from tsunagu.services.accounts import Principal, allowed
from tsunagu.services.accounts.service import AccountService

__all__ = ["PUBLIC", "SESSION_COOKIE", "ApiGuard", "GuardedRoute", "needs", "principal_of"]

SESSION_COOKIE = "tsunagu_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: (method, path inside the API) reachable without a session.
PUBLIC: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
        ("HEAD", "/docs"),
        ("GET", "/health"),
        ("POST", "/sessions"),
    }
)

F = TypeVar("F", bound=Callable[..., Any])


def needs(capability: str) -> Callable[[F], F]:
    """Declare the capability an endpoint needs (``"public"`` for the login endpoint)."""

    def mark(fn: F) -> F:
        fn.__capability__ = capability  # type: ignore[attr-defined]
        return fn

    return mark


def principal_of(request: Request) -> Principal:
    """The signed-in principal (the guard guarantees one on every non-public endpoint)."""
    p = getattr(request.state, "principal", None)
    if p is None:  # pragma: no cover - the guard refuses such requests earlier
        raise RuntimeError("no principal on a guarded request")
    return p


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path or "/"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _cookie(scope: Scope, name: str) -> str:
    raw = _header(scope, b"cookie")
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def _same_origin(scope: Scope) -> bool:
    origin = _header(scope, b"origin")
    if not origin or origin == "null":
        return not origin
    host = _header(scope, b"host")
    return origin.split("://", 1)[-1].rstrip("/") == host


class ApiGuard:
    """ASGI middleware: 401 for anonymous requests, CSRF for cookie sessions; sets the principal."""

    def __init__(self, app: ASGIApp, accounts: AccountService) -> None:
        self.app = app
        self.accounts = accounts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path = _route_path(scope)
        state = scope.setdefault("state", {})
        state["principal"] = None
        auth = _header(scope, b"authorization")
        token, via_cookie = "", False
        if auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        else:
            token, via_cookie = _cookie(scope, SESSION_COOKIE), True
        found = await run_in_threadpool(self.accounts.session, token) if token else None
        if (method, path) in PUBLIC:
            if found is not None:
                state["principal"] = found[1]
            await self.app(scope, receive, send)
            return
        if found is None:
            response: Response = problem(401, headers={"WWW-Authenticate": 'Bearer realm="tsunagu"'})
            await response(scope, receive, send)
            return
        record, principal = found
        if via_cookie and method not in SAFE_METHODS:
            sent = _header(scope, b"x-csrf-token")
            if not sent or not hmac.compare_digest(sent, record.csrf_token) or not _same_origin(scope):
                response = problem(
                    403, "CSRFトークンが無効です / missing or invalid CSRF token (X-CSRF-Token)"
                )
                await response(scope, receive, send)
                return
        state["principal"] = principal
        state["session_token"] = token
        await self.app(scope, receive, send)


class GuardedRoute(APIRoute):
    """An API route that checks its endpoint's capability before parameters are validated."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()
        capability = getattr(self.endpoint, "__capability__", None)
        if capability is None:
            raise RuntimeError(f"API route {self.path} declares no capability (use @needs)")

        async def guarded(request: Request) -> Response:
            principal = getattr(request.state, "principal", None)
            if capability != "public" and not allowed(principal, capability):
                return problem(403)
            response: Response = await handler(request)
            return response

        return guarded
