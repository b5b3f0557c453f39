"""Helpers shared by the page modules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from tsunagu.services.accounts.portal import Portal
from tsunagu.web.guard import WebRoute
from tsunagu.web.render import Renderer

__all__ = ["client_ip", "new_router", "portal_of", "renderer_of", "safe_next"]


def new_router() -> APIRouter:
    return APIRouter(route_class=WebRoute)


def portal_of(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


def renderer_of(request: Request) -> Renderer:
    renderer: Renderer = request.app.state.renderer
    return renderer


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def safe_next(target: str | None) -> str:
    """A local path to go to after login (never another site: ``//evil``, ``https://…`` → ``/``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
