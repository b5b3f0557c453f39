"""Small helpers shared by the API route modules."""

from __future__ import annotations

from fastapi import Request

from tsunagu.services.accounts.portal import Portal

__all__ = ["client_ip", "portal_of"]


def portal_of(request: Request) -> Portal:
    """The portal the API was built with."""
    portal: Portal = request.app.state.portal
    return portal


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""
