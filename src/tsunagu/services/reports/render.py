"""Reports as HTML (Jinja2 template), Markdown, and PDF (WeasyPrint with the bundled font).

The HTML is self-contained: charts as SVG data URIs and the Japanese font embedded as a subset, so
it reads the same offline and on machines without Japanese fonts. The PDF is laid out by WeasyPrint
from the same HTML with the font loaded through ``@font-face`` from the ``matplotlib-fontja`` wheel.
"""

from __future__ import annotations

import base64
import ctypes.util
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tsunagu.errors import MissingDependencyError
from tsunagu.services.landscape.fonts import FONT_FAMILY, font_face_css, japanese_font_path
from tsunagu.services.reports.model import Bullets, Figure, Items, Paragraph, Ratings, Report, Table
from tsunagu.services.reports.phrases import phrase_group
from tsunagu.services.reports.templates import packaged_template_text

__all__ = [
    "PDF_SYSTEM_LIBRARIES",
    "missing_pdf_libraries",
    "render_html",
    "render_markdown",
    "render_pdf",
    "report_to_dict",
]

#: Shared libraries WeasyPrint loads, with the Debian/Ubuntu package that provides each.
PDF_SYSTEM_LIBRARIES: dict[str, str] = {
    "gobject-2.0": "libglib2.0-0",
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz": "libharfbuzz0b",
    "fontconfig": "libfontconfig1",
}


def _jinja() -> Any:
    try:
        import jinja2
    except ImportError as exc:
        raise MissingDependencyError("HTML reports need jinja2 (pip install 'tsunagu[report]')") from exc
    return jinja2


def _figure_src(fig: Figure) -> str:
    if fig.svg:
        return "data:image/svg+xml;base64," + base64.b64encode(fig.svg.encode("utf-8")).decode("ascii")
    return "data:image/png;base64," + base64.b64encode(fig.png).decode("ascii")


def _texts(report: Report) -> Iterator[str]:
    yield from (
        report.title,
        report.subtitle,
        report.company,
        report.date,
        report.legend,
        report.disclaimer,
        report.missing,
        *report.origins.values(),
        *(str(v) for v in report.meta.values()),
    )
    for s in report.sections:
        yield f"{s.number}. {s.title} {s.intro}"
        for b in s.blocks:
            yield json.dumps(
                dataclasses.asdict(b) if not isinstance(b, Figure) else {"c": b.caption},
                ensure_ascii=False,
                default=str,
            )


def render_html(report: Report, *, embed_font: bool = True, font_url: str = "") -> str:
    """The report as one HTML page.

    Args:
        report: the report.
        embed_font: embed the subset of the bundled font the page needs (for browsers).
        font_url: instead, load the font from this URL (``file://…`` for WeasyPrint).
    """
    jinja2 = _jinja()
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(packaged_template_text("html/report.html.j2"))
    labels = phrase_group("ratings_table", report.language)
    if font_url:
        font_css = f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font_url}"); }}'
    elif embed_font:
        text = (
            "".join(_texts(report)) + "".join(labels.values()) + "".join(str(v) for v in report.meta.values())
        )
        font_css = font_face_css(text)
    else:
        font_css = ""
    markup = jinja2.utils.markupsafe.Markup
    return str(
        template.render(
            report=report,
            labels=labels,
            css=markup(packaged_template_text("html/report.css")),
            font_css=markup(font_css),
            figure_src=_figure_src,
        )
    )


def missing_pdf_libraries() -> list[str]:
    """Debian packages of the shared libraries WeasyPrint needs that cannot be found."""
    return [pkg for lib, pkg in PDF_SYSTEM_LIBRARIES.items() if ctypes.util.find_library(lib) is None]


def _weasyprint() -> Any:
    missing = missing_pdf_libraries()
    hint = (
        "PDF出力にはシステムライブラリが必要です / PDF output needs system libraries: "
        f"sudo apt-get install {' '.join(missing or PDF_SYSTEM_LIBRARIES.values())} "
        "(or: bash scripts/system-deps.sh libpango-1.0-0 libpangoft2-1.0-0)"
    )
    if missing:
        raise MissingDependencyError(hint + f"; missing: {', '.join(missing)}")
    try:
        import weasyprint
    except ImportError as exc:
        raise MissingDependencyError("PDF output needs WeasyPrint (pip install 'tsunagu[report]')") from exc
    except OSError as exc:  # a library was found by name but failed to load
        raise MissingDependencyError(f"{hint}; WeasyPrint could not load it: {exc}") from exc
    return weasyprint


def render_pdf(report: Report, path: str | Path) -> Path:
    """Write the report as a PDF laid out by WeasyPrint.

    Raises:
        MissingDependencyError: WeasyPrint or a system library it needs (Pango …) is missing; the
            message names the Debian packages to install.
    """
    weasyprint = _weasyprint()
    html = render_html(report, embed_font=False, font_url=japanese_font_path().as_uri())
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    weasyprint.HTML(string=html, base_url=str(out.parent)).write_pdf(str(out))
    return out


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def render_markdown(report: Report, assets: str | Path | None = None, *, assets_link: str = "") -> str:
    """The report as Markdown; origins are written as 〔label〕 tags.

    Args:
        report: the report.
        assets: folder to write chart PNGs into (charts are left out when None).
        assets_link: how the Markdown refers to that folder (relative path).
    """
    o = report.origins

    def tag(origin: str) -> str:
        return f"〔{o.get(origin, origin)}〕" if origin in o else ""

    lines = [f"# {report.title}", "", f"**{report.company}** — {report.subtitle}", "", f"{report.date}", ""]
    lines += [f"> {tag('machine')} {tag('person')} {tag('register')} {tag('missing')} {report.legend}", ""]
    folder = Path(assets) if assets is not None else None
    for s in report.sections:
        lines += [f"## {s.number}. {s.title}", ""]
        if s.intro:
            lines += [f"*{s.intro}*", ""]
        for b in s.blocks:
            if isinstance(b, Paragraph):
                if b.title:
                    lines += [f"### {b.title} {tag(b.origin)}", ""]
                    lines += [b.text, ""]
                else:
                    lines += [f"{tag(b.origin)} {b.text}", ""]
            elif isinstance(b, Bullets):
                if b.title:
                    lines += [f"### {b.title} {tag(b.origin)}", ""]
                lines += [
                    f"- {text}" + (f" {tag(origin)}" if origin != b.origin else "")
                    for text, origin in b.items
                ]
                lines.append("")
            elif isinstance(b, Items):
                if b.title:
                    lines += [f"### {b.title}", ""]
                lines += ["| | | |", "|---|---|---|"]
                lines += [f"| {_md_escape(k)} | {_md_escape(v)} | {tag(og)} |" for k, v, og in b.rows]
                lines.append("")
            elif isinstance(b, Table):
                if b.title:
                    lines += [f"### {b.title} {tag(b.origin)}", ""]
                else:
                    lines += [tag(b.origin), ""]
                lines += [
                    "| " + " | ".join(_md_escape(c) for c in b.columns) + " |",
                    "|" + "---|" * len(b.columns),
                ]
                lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in b.rows]
                if b.note:
                    lines += ["", f"*{b.note}*"]
                lines.append("")
            elif isinstance(b, Figure):
                if folder is not None and b.png:
                    folder.mkdir(parents=True, exist_ok=True)
                    name = f"{s.id}-{b.name}.png"
                    (folder / name).write_bytes(b.png)
                    link = f"{assets_link}/{name}" if assets_link else name
                    lines += [f"![{b.caption}]({link})", "", f"*{b.caption}* {tag(b.origin)}", ""]
            elif isinstance(b, Ratings):
                head = phrase_group("ratings_table", report.language)
                lines += [
                    f"| {head['item']} | {head['viewpoint']} | {head['rating']} | {head['comment']} | "
                    f"{head['reference']} |",
                    "|---|---|---|---|---|",
                ]
                for r in b.rows:
                    rating = r["rating"] or report.missing
                    comment = r["comment"] or ("" if r["rating"] else report.missing)
                    lines.append(
                        f"| {_md_escape(r['label'])} | {_md_escape(r['description'])} | {_md_escape(rating)} "
                        f"{tag(r['origin'])} | {_md_escape(comment)} | {_md_escape(r['reference'])} |"
                    )
                if b.scale:
                    lines += ["", " / ".join(f"{v}: {lab}" for v, lab in b.scale)]
                lines.append("")
    lines += ["---", "", report.disclaimer, ""]
    return "\n".join(lines)


def report_to_dict(report: Report) -> dict[str, Any]:
    """JSON-ready form of a report (figures without their image data)."""
    d = dataclasses.asdict(report)
    for s in d["sections"]:
        for b in s["blocks"]:
            if b.get("kind") == "figure":
                b.pop("svg", None)
                b.pop("png", None)
    return d
