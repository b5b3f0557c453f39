"""Writing a landscape out: one PNG/SVG per chart, one CSV per table, the whole as JSON, and an
interactive HTML page that works offline (all JavaScript and data inline, no CDN).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from tsunagu.errors import MissingDependencyError
from tsunagu.services.landscape import charts
from tsunagu.services.landscape.fields import applicant_key
from tsunagu.services.landscape.fonts import font_face_css
from tsunagu.services.landscape.layout import force_layout, squarify
from tsunagu.services.landscape.model import Landscape

__all__ = [
    "CHART_NAMES",
    "landscape_figures",
    "page_data",
    "page_labels",
    "render_landscape_html",
    "write_landscape",
]

#: Chart and table names, in page order.
CHART_NAMES: tuple[str, ...] = (
    "applicant_ranking",
    "filings_per_year",
    "ipc_share",
    "applicant_field_matrix",
    "co_classification",
    "document_map",
    "white_space",
)


def page_labels(lang: str) -> dict[str, str]:
    """Labels of the page in ``lang`` (``"ja"`` or ``"en"``), from ``landscape/labels.json``."""
    table: dict[str, dict[str, str]] = json.loads(_template("labels.json"))
    return {**charts.LABELS.get(lang, charts.LABELS["en"]), **table.get(lang, table["en"])}


def landscape_figures(landscape: Landscape) -> dict[str, Any]:
    """Every chart of ``landscape`` as a matplotlib figure, by name."""
    lang = landscape.language
    key = applicant_key(landscape.company) if landscape.company else ""
    figs: dict[str, Any] = {
        "applicant_ranking": charts.applicant_ranking_chart(landscape.ranking, lang=lang, highlight=key),
        "filings_per_year": charts.filings_chart(landscape.yearly, lang=lang),
        "ipc_share": charts.ipc_share_chart(landscape.shares, lang=lang),
        "applicant_field_matrix": charts.matrix_chart(landscape.matrix, lang=lang, highlight=key),
        "co_classification": charts.co_classification_chart(landscape.network, lang=lang),
    }
    if landscape.map is not None:
        figs["document_map"] = charts.document_map_chart(landscape.map, lang=lang)
    if landscape.company:
        figs["white_space"] = charts.white_space_chart(landscape.white_space, lang=lang)
    return figs


def page_data(landscape: Landscape) -> dict[str, Any]:
    """The JSON the interactive page draws from (layouts precomputed here, so the script stays small)."""
    d = landscape.to_dict()
    d["labels"] = page_labels(landscape.language)
    d["company_key"] = applicant_key(landscape.company) if landscape.company else ""
    d["matrix"]["applicant_keys"] = [applicant_key(a) for a in landscape.matrix.applicants]
    rects = squarify([s.count for s in landscape.shares], 0, 0, 1, 1)
    d["treemap"] = [
        {"field": s.field, "name": s.name, "count": s.count, "share": s.share, "x": x, "y": y, "w": w, "h": h}
        for s, (x, y, w, h) in zip(landscape.shares, rects, strict=True)
    ]
    index = {n.field: i for i, n in enumerate(landscape.network.nodes)}
    pos = force_layout(
        len(index), [(index[e.source], index[e.target], float(e.count)) for e in landscape.network.edges]
    )
    for node, (x, y) in zip(d["network"]["nodes"], pos.tolist(), strict=True):
        node["x"], node["y"] = x, y
    return d


def _template(name: str) -> str:
    return (
        resources.files("tsunagu").joinpath("data", "report_templates", "landscape", name).read_text("utf-8")
    )


def _jinja() -> Any:
    try:
        import jinja2
    except ImportError as exc:
        raise MissingDependencyError("HTML output needs jinja2 (pip install 'tsunagu[report]')") from exc
    return jinja2


def render_landscape_html(landscape: Landscape, *, files: Sequence[str] = ()) -> str:
    """The interactive page as one HTML string (no external resources).

    Args:
        landscape: the analysis.
        files: names of files written beside the page (``applicant_ranking.csv``, …) to link to.
    """
    jinja2 = _jinja()
    lang = landscape.language if landscape.language in ("ja", "en") else "en"
    labels = page_labels(lang)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    have = set(files)

    def downloads(name: str) -> Any:
        links = [f"{name}.{ext}" for ext in ("csv", "png", "svg") if f"{name}.{ext}" in have]
        if not links:
            return jinja2.utils.markupsafe.Markup("")
        parts = "".join(
            f'<a href="{jinja2.utils.markupsafe.escape(f)}">{f.rsplit(".", 1)[1].upper()}</a>' for f in links
        )
        return jinja2.utils.markupsafe.Markup(f'<p class="downloads">{labels["download"]}: {parts}</p>')

    data = json.dumps(page_data(landscape), ensure_ascii=False, default=str).replace("</", "<\\/")
    title = f"{labels['title']} — {landscape.scope.describe(lang)}"
    markup = jinja2.utils.markupsafe.Markup
    font_css = font_face_css(
        data + json.dumps(labels, ensure_ascii=False) + title + " ".join(landscape.notes)
    )
    return str(
        env.from_string(_template("page.html.j2")).render(
            lang=lang,
            title=title,
            L=labels,
            landscape=landscape,
            downloads=downloads,
            css=markup(font_css + "\n" + _template("landscape.css")),
            js=markup(_template("landscape.js").replace("</", "<\\/")),
            data_json=markup(data),
        )
    )


def write_landscape(
    landscape: Landscape,
    out: str | Path,
    *,
    formats: Sequence[str] = ("png", "svg"),
    html: bool = True,
) -> list[Path]:
    """Write charts, tables, JSON and the page into folder ``out`` (created if needed).

    Returns:
        The files written, in order.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, (header, rows) in landscape.tables().items():
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        written.append(path)
    path = folder / "landscape.json"
    path.write_text(
        json.dumps(landscape.to_dict(), ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    written.append(path)
    if formats:
        for name, fig in landscape_figures(landscape).items():
            for fmt in formats:
                path = folder / f"{name}.{fmt}"
                path.write_bytes(charts.figure_bytes(fig, fmt))
                written.append(path)
    if html:
        path = folder / "index.html"
        path.write_text(render_landscape_html(landscape, files=[p.name for p in written]), encoding="utf-8")
        written.append(path)
    return written
