"""The API documentation page: the OpenAPI schema rendered as plain HTML (no external scripts)."""

from __future__ import annotations

import html
from typing import Any

__all__ = ["render_docs"]

_CSS = """
body{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;margin:0;color:#1b1f24;background:#fff}
main{max-width:60rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem} h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #0b5cad}
.op{border:1px solid #c8d1dc;border-radius:6px;margin:.8rem 0;padding:.6rem .9rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700;font-family:monospace;color:#fff;
background:#0b5cad;border-radius:4px;padding:.1rem .4rem;text-align:center}
.m.post{background:#1d7a38}.m.delete{background:#a4262c}.m.patch,.m.put{background:#8a5a00}
code{font-size:.95rem} table{border-collapse:collapse;margin:.4rem 0} td,th{border:1px solid #d0d7de;
padding:.2rem .5rem;text-align:left;font-size:.9rem}
"""


def _params(op: dict[str, Any]) -> str:
    rows = []
    for prm in op.get("parameters", []):
        schema = prm.get("schema", {})
        kind = schema.get("type", "") or "/".join(s.get("type", "") for s in schema.get("anyOf", []))
        rows.append(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                html.escape(prm.get("name", "")),
                html.escape(prm.get("in", "")),
                html.escape(kind),
                "必須 / required" if prm.get("required") else "",
            )
        )
    if not rows:
        return ""
    head = "<tr><th>name</th><th>in</th><th>type</th><th></th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def render_docs(schema: dict[str, Any]) -> str:
    """An HTML page listing every path and operation of ``schema``."""
    info = schema.get("info", {})
    parts = [
        '<!doctype html><html lang="ja"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(info.get('title', 'API'))}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{html.escape(info.get('title', 'API'))} "
        f"<small>{html.escape(str(info.get('version', '')))}</small></h1>",
        f"<p>{html.escape(info.get('description', ''))}</p>",
        '<p>OpenAPI: <a href="openapi.json">openapi.json</a></p>',
    ]
    by_tag: dict[str, list[str]] = {}
    for path, ops in schema.get("paths", {}).items():
        for method, op in ops.items():
            tag = (op.get("tags") or ["other"])[0]
            block = (
                f'<div class="op"><span class="m {html.escape(method)}">{html.escape(method.upper())}</span> '
                f"<code>/api/v1{html.escape(path)}</code> — {html.escape(op.get('summary', ''))}"
                f"<p>{html.escape(op.get('description', '') or '')}</p>{_params(op)}</div>"
            )
            by_tag.setdefault(tag, []).append(block)
    for tag in sorted(by_tag):
        parts.append(f"<h2>{html.escape(tag)}</h2>")
        parts.extend(by_tag[tag])
    parts.append("</main></body></html>")
    return "".join(parts)
