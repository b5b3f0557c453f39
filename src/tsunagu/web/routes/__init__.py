"""Web pages, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from tsunagu.web.routes import (
    admin,
    auth,
    companies,
    discover,
    home,
    imports,
    matching,
    reports,
    search,
    support,
)

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [
    auth.router,
    home.router,
    search.router,
    discover.router,
    matching.router,
    companies.router,
    reports.router,
    support.router,
    imports.router,
    admin.router,
]
