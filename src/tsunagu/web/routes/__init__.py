"""Web pages, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from tsunagu.web.routes import admin, auth, home, imports, search

__all__ = ["ROUTERS"]

ROUTERS: list[APIRouter] = [auth.router, home.router, search.router, imports.router, admin.router]
