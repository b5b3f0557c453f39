"""The report as data: sections of blocks, each block marked with where its content comes from.

Renderers (HTML, Markdown, PDF) only lay this out; every statement's origin — machine-inferred,
stated by a person, from the company register, or missing — is decided here and shown by them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Block",
    "Bullets",
    "Figure",
    "Items",
    "Origin",
    "Paragraph",
    "Ratings",
    "Report",
    "Section",
    "Table",
]

#: Where a block's content comes from.
Origin = Literal["machine", "person", "register", "missing", "template"]


@dataclass
class Paragraph:
    """Running text."""

    text: str
    origin: Origin
    title: str = ""
    kind: str = "paragraph"


@dataclass
class Bullets:
    """A list of statements (each may carry its own origin)."""

    items: list[tuple[str, Origin]]
    title: str = ""
    origin: Origin = "machine"
    kind: str = "bullets"


@dataclass
class Items:
    """Label–value rows (a company profile); each row has its own origin."""

    rows: list[tuple[str, str, Origin]]
    title: str = ""
    origin: Origin = "register"
    kind: str = "items"


@dataclass
class Table:
    """A table; ``row_origins`` marks rows whose origin differs from the table's."""

    columns: list[str]
    rows: list[list[str]]
    origin: Origin
    title: str = ""
    note: str = ""
    row_origins: list[Origin] = field(default_factory=list)
    name: str = ""
    widths: list[int] = field(default_factory=list)
    kind: str = "table"


@dataclass
class Figure:
    """A chart: SVG text (for HTML and PDF) and PNG bytes (for Markdown), with the data behind it."""

    name: str
    caption: str
    svg: str
    png: bytes = b""
    origin: Origin = "machine"
    kind: str = "figure"


@dataclass
class Ratings:
    """Qualitative items: label, description, the evaluator's rating and comment (or missing)."""

    rows: list[dict[str, Any]]
    scale: list[tuple[str, str]]
    title: str = ""
    origin: Origin = "person"
    kind: str = "ratings"


Block = Paragraph | Bullets | Items | Table | Figure | Ratings


@dataclass
class Section:
    """One numbered section of a report."""

    id: str
    number: int
    title: str
    intro: str = ""
    blocks: list[Block] = field(default_factory=list)

    def add(self, block: Block) -> Block:
        """Append a block; returns it."""
        self.blocks.append(block)
        return block


@dataclass
class Report:
    """A complete report.

    Attributes:
        kind: ``"evaluation"`` or ``"proposal"``.
        language: ``"ja"`` or ``"en"``.
        title: the report's title.
        subtitle: its subtitle.
        company: the company's display name.
        date: report date (ISO).
        sections: the sections in order.
        origins: origin code → label in the report's language.
        legend: how origins are shown, in words.
        disclaimer: the report's disclaimer.
        missing: the word for a missing input (「未入力」).
        meta: facts for the cover and for JSON (evaluator, counts, template path…).
    """

    kind: str
    language: str
    title: str
    subtitle: str
    company: str
    date: str
    sections: list[Section]
    origins: dict[str, str]
    legend: str = ""
    disclaimer: str = ""
    missing: str = "未入力"
    meta: dict[str, Any] = field(default_factory=dict)

    def section(self, section_id: str) -> Section:
        """The section with ``section_id``.

        Raises:
            KeyError: no such section.
        """
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def section_titles(self) -> list[str]:
        """``"1. 評価結果の要約"``, … in order."""
        return [f"{s.number}. {s.title}" for s in self.sections]
