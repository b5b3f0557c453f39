"""The web UI at ``/``: server-rendered Jinja2 pages in Japanese (English on request), light JavaScript.

`build_web` returns the web application; `tsunagu.server` mounts it at ``/``. Every asset is served
from ``/static`` (nothing from a CDN: the UI works offline).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsunagu.errors import ConflictError, NotFoundError, TsunaguError, ValidationError
from tsunagu.services.accounts import PermissionDeniedError, RateLimitedError
from tsunagu.services.accounts.model import UnavailableError
from tsunagu.services.accounts.portal import Portal, UploadTooLargeError
from tsunagu.web.guard import WebGuard, WebRoute
from tsunagu.web.render import Renderer
from tsunagu.web.routes import ROUTERS

__all__ = ["STATIC", "build_web"]

STATIC = Path(__file__).parent / "static"


def build_web(portal: Portal, *, secret: bytes, version: str = "") -> FastAPI:
    """The web application over ``portal``; ``secret`` signs the login form's CSRF token."""
    web = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    renderer = Renderer(portal.features, version=version)
    web.state.portal = portal
    web.state.secret = secret
    web.state.renderer = renderer
    web.state.render_error = renderer.error
    web.router.route_class = WebRoute
    web.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for router in ROUTERS:
        web.include_router(router)

    @web.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        if exc.status_code == 404:
            return renderer.error(request, 404, "ページが見つかりません。", "Page not found.")
        if exc.status_code == 405:
            return renderer.error(request, 405, "この操作はできません。", "Method not allowed.")
        return renderer.error(
            request,
            exc.status_code,
            "リクエストを処理できませんでした。",
            "The request could not be processed.",
        )

    @web.exception_handler(TsunaguError)
    async def _tsunagu(request: Request, exc: TsunaguError) -> HTMLResponse:
        return error_page(renderer, request, exc)

    from fastapi.exceptions import RequestValidationError

    @web.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> HTMLResponse:
        fields = ", ".join(".".join(str(x) for x in e.get("loc", ())[1:]) for e in exc.errors())
        return renderer.error(request, 422, f"入力を確認してください: {fields}", f"Please check: {fields}")

    web.add_middleware(WebGuard, accounts=portal.accounts)
    return web


def error_page(renderer: Renderer, request: Request, exc: TsunaguError) -> HTMLResponse:
    """The page for a tsunagu error (messages of our own errors only; never internals)."""
    if isinstance(exc, UploadTooLargeError):
        return renderer.error(request, 413, str(exc))
    if isinstance(exc, RateLimitedError):
        return renderer.error(request, 429, str(exc))
    if isinstance(exc, PermissionDeniedError):
        return renderer.error(request, 403, "この操作の権限がありません。", "You may not do this.")
    if isinstance(exc, NotFoundError):
        return renderer.error(request, 404, str(exc))
    if isinstance(exc, ValidationError):
        return renderer.error(request, 422, str(exc))
    if isinstance(exc, ConflictError):
        return renderer.error(request, 409, str(exc))
    if isinstance(exc, UnavailableError):
        return renderer.error(
            request, 503, "この機能はまだ利用できません。", "This capability is not available yet."
        )
    import logging

    logging.getLogger(__name__).exception("error on a web page", exc_info=exc)
    return renderer.error(request, 500, "内部エラーが発生しました。", "An internal error occurred.")
