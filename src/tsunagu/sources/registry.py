"""The formats tsunagu can import, recognised by content, and the reasons for files it cannot.

`detect` asks each `Source` whether it reads a file (``sniff`` over the first decompressed bytes);
file names and folders never decide. `identify` also says, for a file no source reads, why — in
words a user understands (a licence, a README, a CPC scheme file, an unknown CSV header…).
`get_source` resolves a ``--format`` name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tsunagu.errors import ValidationError
from tsunagu.sources.base import Source
from tsunagu.sources.files import InputFile

__all__ = ["Detection", "default_sources", "detect", "get_source", "identify", "source_names"]

UNRECOGNISED = "unrecognised format"


def default_sources() -> list[Source]:
    """One instance of every importer, in detection order (most specific first)."""
    from tsunagu.sources.google_patents import GooglePatentsAbstractsSource, GooglePatentsCsvSource
    from tsunagu.sources.jplatpat import JplatpatCsvSource
    from tsunagu.sources.jsonl import TsunaguJsonlSource
    from tsunagu.sources.lens import LensCsvSource
    from tsunagu.sources.nasa import NasaT2CsvSource
    from tsunagu.sources.patentscope import PatentscopeXlsSource
    from tsunagu.sources.patentsview import PatentsviewCsvSource
    from tsunagu.sources.uspto_greenbook import UsptoGreenbookSource
    from tsunagu.sources.uspto_xml import UsptoXmlSource

    return [
        UsptoXmlSource(),
        UsptoGreenbookSource(),
        PatentscopeXlsSource(),
        JplatpatCsvSource(),
        LensCsvSource(),
        GooglePatentsCsvSource(),
        GooglePatentsAbstractsSource(),
        PatentsviewCsvSource(),
        NasaT2CsvSource(),
        TsunaguJsonlSource(),
    ]


def source_names() -> list[str]:
    """The stable names of every format (the values ``--format`` accepts)."""
    return [s.name for s in default_sources()]


def get_source(name: str, sources: Sequence[Source] | None = None) -> Source:
    """The importer called ``name`` (for ``tsunagu import --format NAME``).

    Raises:
        ValidationError: no format has that name; the message lists the valid names.
    """
    candidates = list(sources) if sources is not None else default_sources()
    wanted = name.strip().lower().replace("-", "_")
    for source in candidates:
        if source.name == wanted:
            return source
    names = ", ".join(s.name for s in candidates)
    raise ValidationError(f"unknown format {name!r}; known formats: {names}")


@dataclass(frozen=True)
class Detection:
    """What `identify` found: the importer for a file, or why there is none.

    Attributes:
        source: the importer, or ``None``.
        reason: ``""`` when ``source`` is set; otherwise why the file is not read.
    """

    source: Source | None
    reason: str = ""


def detect(item: InputFile, sources: Sequence[Source] | None = None) -> Source | None:
    """The first of ``sources`` (default: all) whose ``sniff`` accepts the file, or ``None``.

    Raises:
        ImportFormatError: the file's compressed data is damaged (from `InputFile.head`).
    """
    return identify(item, sources).source


def identify(item: InputFile, sources: Sequence[Source] | None = None) -> Detection:
    """Recognise a file by content; when no importer reads it, say why.

    Raises:
        ImportFormatError: the file's compressed data is damaged (from `InputFile.head`).
    """
    head = item.head()
    candidates = list(sources) if sources is not None else default_sources()
    for source in candidates:
        try:
            accepted = source.sniff(item.name, head)
        except (ValueError, UnicodeError, LookupError):
            accepted = False
        if accepted:
            return Detection(source)
    return Detection(None, unrecognised_reason(item.name, head))


# --- reasons for files no importer reads ---------------------------------------------------------

_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)[\s/>]")
_NON_PATENT_XML = {
    "class-scheme": "not a patent document: CPC classification scheme file",
    "CPCMasterClassificationFile": "not a patent document: USPTO CPC master classification file",
    "ClaimsDocument": "not a patent publication: USPTO file-wrapper document (XML4IP claims)",
    "SpecificationDocument": "not a patent publication: USPTO file-wrapper document (XML4IP specification)",
}
_MAGIC_REASONS = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", f"{UNRECOGNISED}: Excel 97 workbook without a PATENTSCOPE header"),
    (b"PK\x03\x04", f"{UNRECOGNISED}: Office document (xlsx/docx/odt); export as CSV instead"),
    (b"%PDF", f"{UNRECOGNISED}: PDF document"),
    (b"\x89PNG", f"{UNRECOGNISED}: image (PNG)"),
    (b"\xff\xd8\xff", f"{UNRECOGNISED}: image (JPEG)"),
    (b"II*\x00", f"{UNRECOGNISED}: image (TIFF)"),
    (b"MM\x00*", f"{UNRECOGNISED}: image (TIFF)"),
    (b"GIF8", f"{UNRECOGNISED}: image (GIF)"),
)


def unrecognised_reason(name: str, head: bytes) -> str:
    """Why a file that no importer accepts is not read, from its name and first bytes."""
    if not head.strip():
        return "empty file"
    for magic, reason in _MAGIC_REASONS:
        if head.startswith(magic):
            return reason
    if b"*** BRS DOCUMENT BOUNDARY ***" in head:
        return "not supported: USPTO BRS search-system text dump (css_brs), not a patent export format"
    lower = name.lower()
    if re.match(r"^(licen[cs]e|copying|notice)\b", lower):
        return "licence text, not data"
    if lower.startswith("readme"):
        return "documentation (README), not data"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return _xml_reason(text)
    if b"\x00" in head[:4096]:
        return f"{UNRECOGNISED} (binary file)"
    first_line = text.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    if first_line.count(",") >= 2 or first_line.count("\t") >= 2 or first_line.count(";") >= 2:
        return f"{UNRECOGNISED}: delimited text with header {first_line[:80]!r}"
    return f"{UNRECOGNISED} (text)"


def _xml_reason(text: bytes) -> str:
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", b"", text[:65536], flags=re.DOTALL)
    m = _XML_ROOT.search(body)
    root = m.group(1).decode("ascii", "replace") if m else ""
    local = root.rsplit(":", 1)[-1]
    if local in _NON_PATENT_XML:
        return _NON_PATENT_XML[local]
    if local.lower() in ("html", "xhtml"):
        return f"{UNRECOGNISED}: HTML page"
    return f"{UNRECOGNISED}: XML with root element <{root}>" if root else f"{UNRECOGNISED} (XML)"
