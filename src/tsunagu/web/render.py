"""Page rendering: one Jinja2 environment (autoescaping on), the shared page context and error pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from tsunagu.services.accounts import Principal, allowed, role_label
from tsunagu.web.i18n import DEFAULT_LANG, LANG_COOKIE, LANGS, translator

__all__ = ["NAV", "Renderer", "lang_of"]

TEMPLATES = Path(__file__).parent / "templates"

#: (key, path, capability, feature, Japanese label, English label) of the main navigation.
NAV: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("home", "/", "self", "", "ホーム", "Home"),
    ("search", "/search", "search", "", "検索", "Search"),
    ("discover", "/discover", "discover", "discover", "用途探索", "Discover uses"),
    ("matching", "/matching", "offers.read", "matching", "開放特許マッチング", "Open-patent matching"),
    ("reports", "/reports", "reports.read", "", "評価書", "Evaluation reports"),
    ("landscape", "/landscape", "landscape", "", "ランドスケープ", "Landscape"),
    ("imports", "/imports", "imports", "", "データ取込", "Import data"),
    ("cases", "/cases", "cases", "cases", "ハンズオン支援", "Hands-on support"),
    ("consortium", "/consortium", "consortium", "consortium", "コンソーシアム", "Consortium"),
    ("admin", "/admin/users", "users.admin", "", "管理", "Admin"),
)


def lang_of(request: Request) -> str:
    """The page language: the ``tsunagu_lang`` cookie, else the user's preference, else Japanese."""
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in LANGS:
        return cookie
    p = getattr(request.state, "principal", None)
    if p is not None and p.lang in LANGS:
        return str(p.lang)
    return DEFAULT_LANG


def _tojson_script(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` block (``<``, ``>`` and ``&`` escaped)."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


class Renderer:
    """Renders templates with the page context every page needs."""

    def __init__(self, features: Any, version: str = "") -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(["html", "htm", "xml"], default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["json_script"] = _tojson_script
        self.features = features
        self.version = version

    def nav(self, p: Principal | None, lang: str) -> list[dict[str, Any]]:
        if p is None:
            return []
        feats = self.features()
        items = []
        for key, path, capability, feature, ja, en in NAV:
            if not allowed(p, capability):
                continue
            if key == "matching" and not (allowed(p, "offers.read") or allowed(p, "deals.read")):
                continue
            items.append(
                {
                    "key": key,
                    "path": path,
                    "label": ja if lang == "ja" else en,
                    "available": not feature or bool(feats.get(feature, False)),
                }
            )
        return items

    def page(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        lang = lang_of(request)
        p: Principal | None = getattr(request.state, "principal", None)
        t = translator(lang)
        base = {
            "request": request,
            "lang": lang,
            "t": t,
            "user": p,
            "role_label": role_label(p.role, lang) if p else "",
            "csrf": p.session_csrf if p else "",
            "nav": self.nav(p, lang),
            "features": self.features(),
            "path": request.url.path,
            "query_string": request.url.query,
            "version": self.version,
            "allowed": lambda cap: allowed(p, cap),
        }
        base.update(context)
        html = self.env.get_template(template).render(**base)
        return HTMLResponse(html, status_code=status_code)

    def error(self, request: Request, status: int, ja: str, en: str = "") -> HTMLResponse:
        lang = lang_of(request)
        return self.page(
            request,
            "error.html",
            status_code=status,
            status=status,
            message=(en if lang == "en" and en else ja),
        )
