"""The REST API under ``/api/v1``: JSON in and out, errors as problem+json, OpenAPI at ``/openapi.json``.

`build_api` returns the API application; `tsunagu.server` mounts it at ``/api/v1``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from tsunagu.api.docs import render_docs
from tsunagu.api.guard import ApiGuard, GuardedRoute, needs
from tsunagu.api.problems import install_problem_handlers
from tsunagu.api.routes import (
    companies,
    discovery,
    imports,
    matching,
    reports,
    search,
    sessions,
    support,
    users,
)
from tsunagu.services.accounts.portal import Portal

__all__ = ["API_DESCRIPTION", "build_api"]

API_DESCRIPTION = (
    "tsunagu の REST API。ログインは POST /api/v1/sessions。以後 Authorization: Bearer <token> "
    "またはセッションクッキー (変更系は X-CSRF-Token ヘッダーも) を送ります。/ tsunagu REST API: log in "
    "with POST /api/v1/sessions, then send Authorization: Bearer <token>, or the session cookie plus "
    "X-CSRF-Token on changes. Errors are application/problem+json."
)


def build_api(portal: Portal, *, version: str = "") -> FastAPI:
    """The API application over ``portal``."""
    api = FastAPI(
        title="tsunagu API",
        version=version or "1",
        description=API_DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    api.state.portal = portal
    api.router.route_class = GuardedRoute
    install_problem_handlers(api)
    for module in (sessions, search, discovery, matching, companies, reports, support, imports, users):
        api.include_router(module.router)

    @api.get("/docs", include_in_schema=False)
    @needs("public")
    def docs(request: Request) -> HTMLResponse:
        return HTMLResponse(render_docs(request.app.openapi()))

    api.add_middleware(ApiGuard, accounts=portal.accounts)
    return api
