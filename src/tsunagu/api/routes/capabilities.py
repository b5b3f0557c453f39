"""Routers of the capabilities beyond search and imports (filled in as services land)."""

from __future__ import annotations

from typing import Any

__all__ = ["ROUTERS"]

ROUTERS: list[Any] = []
