"""Charts as matplotlib figures (no pyplot state), with the bundled Japanese font.

Each function takes analysis results and returns a `matplotlib.figure.Figure`; `figure_bytes`
renders it as PNG or SVG (text as outlines, so SVGs look the same everywhere).
"""

from __future__ import annotations

import functools
import io
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

import numpy as np

from tsunagu.errors import MissingDependencyError
from tsunagu.services.landscape.docmap import DocumentMap
from tsunagu.services.landscape.fonts import matplotlib_japanese
from tsunagu.services.landscape.layout import force_layout, squarify
from tsunagu.services.landscape.stats import (
    CoClassification,
    FieldMatrix,
    FieldShare,
    RankedApplicant,
    YearlyFilings,
)
from tsunagu.services.landscape.whitespace import WhiteSpace

__all__ = [
    "LABELS",
    "applicant_ranking_chart",
    "co_classification_chart",
    "document_map_chart",
    "field_label",
    "figure_bytes",
    "filings_chart",
    "ipc_share_chart",
    "matrix_chart",
    "new_figure",
    "white_space_chart",
]

LABELS: dict[str, dict[str, str]] = {
    "ja": {
        "applicant_ranking": "出願人ランキング",
        "filings_per_year": "出願件数の推移",
        "ipc_share": "技術分野 (IPCサブクラス) の構成",
        "applicant_field_matrix": "出願人 × 技術分野",
        "co_classification": "技術分野の共分類ネットワーク",
        "document_map": "文献マップ (クラスタと特徴語)",
        "white_space": "ホワイトスペース (隣接する未出願分野)",
        "documents": "件数",
        "families": "ファミリー数",
        "filing": "出願年",
        "publication": "公開年",
        "score": "隣接度",
        "no_data": "データなし",
    },
    "en": {
        "applicant_ranking": "Applicant ranking",
        "filings_per_year": "Filings per year",
        "ipc_share": "Technology fields (IPC subclasses)",
        "applicant_field_matrix": "Applicants × fields",
        "co_classification": "Co-classification network of fields",
        "document_map": "Document map (clusters and their terms)",
        "white_space": "White space (adjacent fields without filings)",
        "documents": "documents",
        "families": "families",
        "filing": "filing year",
        "publication": "publication year",
        "score": "adjacency",
        "no_data": "no data",
    },
}

P = ParamSpec("P")
R = TypeVar("R")

_PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#ad494a",
]
_HIGHLIGHT = "#d62728"
_BASE = "#4c78a8"


def _lab(lang: str, key: str) -> str:
    return LABELS.get(lang, LABELS["en"]).get(key, key)


def field_label(code: str, name: str, width: int = 16) -> str:
    """``"B60W 車両の複数の装置…"``: the code and its name cut to ``width`` characters."""
    if not name:
        return code
    if " " in name:  # Latin titles need more characters than Japanese names for the same meaning
        width = int(width * 1.7)
    return (
        f"{code} {textwrap.shorten(name, width=width, placeholder='…') if ' ' in name else _cut(name, width)}"
    )


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def new_figure(width: float, height: float) -> Any:
    """A figure using the bundled Japanese font (no pyplot global state).

    Raises:
        MissingDependencyError: matplotlib or matplotlib-fontja is missing.
    """
    family = matplotlib_japanese()
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - checked by matplotlib_japanese
        raise MissingDependencyError("charts need matplotlib (pip install 'tsunagu[report]')") from exc
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    fig.set_facecolor("white")
    fig._tsunagu_family = family  # type: ignore[attr-defined]
    return fig


def _japanese(chart: Callable[P, R]) -> Callable[P, R]:
    """Build the chart with the bundled Japanese font as matplotlib's default family."""

    @functools.wraps(chart)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        import matplotlib

        family = matplotlib_japanese()
        with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False}):
            return chart(*args, **kwargs)

    return wrapper


def _style(ax: Any, fig: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)


def figure_bytes(fig: Any, fmt: str) -> bytes:
    """Render ``fig`` as ``"png"`` or ``"svg"`` bytes."""
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "tsunagu"}):
        fig.savefig(
            buf,
            format=fmt,
            dpi=150 if fmt == "png" else None,
            metadata={"Date": None} if fmt == "svg" else None,
        )
    return buf.getvalue()


def _empty(fig: Any, ax: Any, lang: str) -> Any:
    ax.text(0.5, 0.5, _lab(lang, "no_data"), ha="center", va="center")
    ax.set_axis_off()
    return fig


@_japanese
def applicant_ranking_chart(
    ranking: Sequence[RankedApplicant],
    *,
    lang: str = "ja",
    highlight: str = "",
    title: str = "",
    top: int = 15,
) -> Any:
    """Horizontal bars of the top applicants; ``highlight`` (an applicant key) is drawn in red."""
    rows = list(ranking[:top])
    fig = new_figure(7.5, 0.32 * max(len(rows), 3) + 1.2)
    ax = fig.add_subplot()
    if not rows:
        return _empty(fig, ax, lang)
    names = [_cut(a.name, 26) for a in rows][::-1]
    values = [a.documents for a in rows][::-1]
    colors = [_HIGHLIGHT if highlight and a.key == highlight else _BASE for a in rows][::-1]
    bars = ax.barh(range(len(rows)), values, color=colors)
    ax.set_yticks(range(len(rows)), names)
    ax.bar_label(bars, padding=2, fontsize=8)
    ax.set_xlabel(_lab(lang, "documents"))
    ax.set_title(title or _lab(lang, "applicant_ranking"), loc="left")
    _style(ax, fig)
    return fig


@_japanese
def filings_chart(
    yearly: YearlyFilings,
    *,
    lang: str = "ja",
    title: str = "",
    series: dict[str, dict[int, int]] | None = None,
) -> Any:
    """Bars of filings per year (or lines, one per named series, when ``series`` is given)."""
    fig = new_figure(7.5, 3.2)
    ax = fig.add_subplot()
    if not yearly.counts and not series:
        return _empty(fig, ax, lang)
    if series:
        for i, (name, counts) in enumerate(series.items()):
            ys = sorted(counts)
            ax.plot(
                ys, [counts[y] for y in ys], marker="o", ms=3, color=_PALETTE[i % len(_PALETTE)], label=name
            )
        ax.legend(fontsize=8, frameon=False)
    else:
        ys = list(yearly.counts)
        ax.bar(ys, [yearly.counts[y] for y in ys], color=_BASE)
    unit = _lab(lang, "families" if yearly.unit == "family" else "documents")
    ax.set_ylabel(unit)
    ax.set_xlabel(_lab(lang, yearly.basis))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title or _lab(lang, "filings_per_year"), loc="left")
    _style(ax, fig)
    return fig


@_japanese
def ipc_share_chart(shares: Sequence[FieldShare], *, lang: str = "ja", title: str = "") -> Any:
    """Treemap of field shares (area = records carrying the field)."""
    fig = new_figure(7.5, 4.2)
    ax = fig.add_subplot()
    ax.set_title(title or _lab(lang, "ipc_share"), loc="left")
    if not shares:
        return _empty(fig, ax, lang)
    rects = squarify([s.count for s in shares], 0, 0, 1.6, 1.0)
    for i, (s, (x, y, w, h)) in enumerate(zip(shares, rects, strict=True)):
        ax.add_patch(
            _rectangle(
                (x, y),
                w,
                h,
                facecolor=_PALETTE[i % len(_PALETTE)],
                edgecolor="white",
                linewidth=1.5,
                alpha=0.85,
            )
        )
        if w * h > 0.004:
            width_chars = max(int(w * 28), 4)
            lines = [s.field, f"{s.count}"]
            if s.name and h > 0.12:
                lines.insert(1, "\n".join(textwrap.wrap(s.name, width_chars)[:2]))
            ax.text(
                x + w / 2,
                y + h / 2,
                "\n".join(lines),
                ha="center",
                va="center",
                fontsize=7 if w < 0.25 else 8,
                color="white",
            )
    ax.set_xlim(0, 1.6)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    return fig


def _rectangle(*args: Any, **kwargs: Any) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle(*args, **kwargs)


@_japanese
def matrix_chart(matrix: FieldMatrix, *, lang: str = "ja", highlight: str = "", title: str = "") -> Any:
    """Heat map of the applicant × field matrix with the counts written in the cells."""
    n_rows, n_cols = len(matrix.applicants), len(matrix.fields)
    fig = new_figure(max(6.5, 0.55 * n_cols + 3.2), 0.34 * max(n_rows, 3) + 1.6)
    ax = fig.add_subplot()
    ax.set_title(title or _lab(lang, "applicant_field_matrix"), loc="left")
    if not n_rows or not n_cols:
        return _empty(fig, ax, lang)
    data = np.array(matrix.counts, dtype=float)
    ax.imshow(np.log1p(data), cmap="Blues", aspect="auto")
    ax.set_xticks(range(n_cols), matrix.fields, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(n_rows), [_cut(a, 24) for a in matrix.applicants], fontsize=8)
    vmax = float(np.log1p(data).max()) or 1.0
    for i in range(n_rows):
        for j in range(n_cols):
            v = int(data[i, j])
            if v:
                dark = np.log1p(v) > 0.6 * vmax
                ax.text(
                    j, i, str(v), ha="center", va="center", fontsize=7, color="white" if dark else "black"
                )
    if highlight:
        from tsunagu.services.landscape.fields import applicant_key

        for i, a in enumerate(matrix.applicants):
            if applicant_key(a) == highlight:
                ax.get_yticklabels()[i].set_color(_HIGHLIGHT)
    _style(ax, fig)
    return fig


@_japanese
def co_classification_chart(
    network: CoClassification, *, lang: str = "ja", title: str = "", seed: int = 0
) -> Any:
    """Force-directed network: node area = records, edge width = records carrying both fields."""
    fig = new_figure(7.5, 5.2)
    ax = fig.add_subplot()
    ax.set_title(title or _lab(lang, "co_classification"), loc="left")
    if not network.nodes:
        return _empty(fig, ax, lang)
    index = {n.field: i for i, n in enumerate(network.nodes)}
    edges = [(index[e.source], index[e.target], float(e.count)) for e in network.edges]
    pos = force_layout(len(network.nodes), edges, seed=seed)
    cmax = max(e.count for e in network.edges) if network.edges else 1
    for e in network.edges:
        a, b = pos[index[e.source]], pos[index[e.target]]
        ax.plot(
            [a[0], b[0]],
            [a[1], b[1]],
            color="#999999",
            alpha=0.6,
            linewidth=0.5 + 4.5 * e.count / cmax,
            zorder=1,
        )
    nmax = max(n.count for n in network.nodes) or 1
    sizes = [60 + 1400 * (n.count / nmax) for n in network.nodes]
    colors = [_PALETTE["ABCDEFGH".find(n.field[:1]) % len(_PALETTE)] for n in network.nodes]
    ax.scatter(pos[:, 0], pos[:, 1], s=sizes, c=colors, alpha=0.85, edgecolors="white", zorder=2)
    for n, (x, y) in zip(network.nodes, pos, strict=True):
        label = n.field if not n.name else f"{n.field}\n{_cut(n.name, 12)}"
        ax.text(x, y, label, ha="center", va="center", fontsize=6.5, zorder=3)
    ax.set_xlim(-0.08, 1.08)
    ax.set_ylim(-0.08, 1.08)
    ax.set_axis_off()
    return fig


@_japanese
def document_map_chart(
    doc_map: DocumentMap, *, lang: str = "ja", title: str = "", highlight_keys: set[str] | None = None
) -> Any:
    """Scatter of the documents coloured by cluster, each cluster labelled at its centre."""
    fig = new_figure(7.5, 5.6)
    ax = fig.add_subplot()
    ax.set_title(title or _lab(lang, "document_map"), loc="left")
    if not doc_map.points:
        return _empty(fig, ax, lang)
    xs = np.array([p.x for p in doc_map.points])
    ys = np.array([p.y for p in doc_map.points])
    cs = [_PALETTE[p.cluster % len(_PALETTE)] for p in doc_map.points]
    ax.scatter(xs, ys, c=cs, s=9, alpha=0.55, linewidths=0)
    if highlight_keys:
        mask = np.array([p.key in highlight_keys for p in doc_map.points])
        if mask.any():
            ax.scatter(xs[mask], ys[mask], s=16, facecolors="none", edgecolors="black", linewidths=0.6)
    for c in doc_map.clusters:
        ax.text(
            c.x,
            c.y,
            f"{c.id + 1}. {c.label}",
            ha="center",
            va="center",
            fontsize=8,
            bbox={
                "boxstyle": "round,pad=0.25",
                "fc": "white",
                "ec": _PALETTE[c.id % len(_PALETTE)],
                "alpha": 0.85,
            },
        )
    ax.set_xticks([])
    ax.set_yticks([])
    _style(ax, fig)
    return fig


@_japanese
def white_space_chart(spaces: Sequence[WhiteSpace], *, lang: str = "ja", title: str = "") -> Any:
    """Bars of white-space fields by adjacency score, annotated with size and recent records."""
    rows = list(spaces)
    fig = new_figure(7.5, 0.36 * max(len(rows), 3) + 1.2)
    ax = fig.add_subplot()
    ax.set_title(title or _lab(lang, "white_space"), loc="left")
    if not rows:
        return _empty(fig, ax, lang)
    labels = [field_label(w.field, w.name, 22) for w in rows][::-1]
    bars = ax.barh(range(len(rows)), [w.score for w in rows][::-1], color="#59a14f")
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    unit = "件" if lang == "ja" else ""
    ax.bar_label(
        bars,
        [f"{w.documents}{unit} ({w.recent_years}: {w.recent})" for w in rows][::-1],
        padding=2,
        fontsize=7,
    )
    ax.set_xlabel(_lab(lang, "score"))
    ax.margins(x=0.35)
    _style(ax, fig)
    return fig
