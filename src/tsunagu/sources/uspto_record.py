"""From the fields of one USPTO document to a `Patent`: numbers, dates and classification codes.

The dialect extractors (`tsunagu.sources.uspto_dialects`) copy strings out of the XML as written;
this module applies the project's normalisation rules, so every dialect gives the same shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tsunagu.domain.codes import normalise_ipc
from tsunagu.domain.numbers import normalise_number
from tsunagu.domain.patent import Patent

__all__ = ["DocumentFields", "iso_date", "normalise_ipc7", "to_patent", "uspc_code"]

# IPC-7 fixed width, as in USPTO <classification-ipc> / SGML B511 / Greenbook ICL: four characters of
# subclass, the main group right-aligned in three, then the subgroup ("A45F  504" = A45F 5/04,
# "H01L 21461" = H01L 21/461, "C07C24900" = C07C 249/00).
_IPC7_FIXED = re.compile(r"^([A-H]\d\d[A-Z])([ \d]{2}\d)(\d{2,})$")


@dataclass
class DocumentFields:
    """Strings of one patent document as written in the XML (dates ``YYYYMMDD``)."""

    doc_number: str
    kind: str = ""
    country: str = "US"
    publication_date: str = ""
    application_number: str = ""
    filing_date: str = ""
    application_type: str = ""
    priority_dates: list[str] = field(default_factory=list)
    title: str = ""
    abstract: str = ""
    claims: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    applicants: list[str] = field(default_factory=list)
    inventors: list[str] = field(default_factory=list)
    ipc: list[str] = field(default_factory=list)
    cpc: list[str] = field(default_factory=list)
    uspc: list[str] = field(default_factory=list)
    citations: list[tuple[str, str, str]] = field(default_factory=list)
    language: str = "en"
    doc_format: str = ""
    grant: bool = True


def iso_date(value: str) -> str:
    """``"20090210"`` → ``"2009-02-10"``; ``""`` for partial (``"19211100"``) or invalid dates."""
    s = value.strip().replace("-", "")
    if len(s) != 8 or not s.isdigit():
        return ""
    try:
        return date(int(s[:4]), int(s[4:6]), int(s[6:])).isoformat()
    except ValueError:
        return ""


def normalise_ipc7(code: str) -> str:
    """Normalise an IPC symbol, including USPTO's IPC-7 fixed-width form (``"A45F  504"`` → ``"A45F5/04"``).

    Symbols with a slash or other separators go to `tsunagu.domain.codes.normalise_ipc`.
    """
    raw = code.replace("\u3000", " ").rstrip().upper()
    if "/" not in raw:
        m = _IPC7_FIXED.match(raw)
        if m:
            subclass, group, subgroup = m.groups()
            return f"{subclass}{int(group)}/{subgroup}"
    return normalise_ipc(raw)


def uspc_code(value: str) -> str:
    """USPC fixed width → ``"class/subclass"``: class in three characters, main subclass in three, then
    the subclass decimals.

    ``"  2 52"`` → ``"2/52"``, ``"709228"`` → ``"709/228"``, ``"D 1121"`` → ``"D1/121"``,
    ``"379 8802"`` → ``"379/88.02"``, ``"600300000"`` → ``"600/300"``, ``" 66126 R"`` → ``"66/126R"``.
    """
    s = value.rstrip()
    cls = s[:3].replace(" ", "").lstrip("0")
    if len(s) <= 3 or cls.lower() == "non":
        return "" if cls.lower() == "non" else cls
    main = s[3:6].strip().lstrip("0") or "0"
    rest = s[6:].replace(" ", "")
    if rest.isdigit():
        rest = rest.rstrip("0")
        return f"{cls}/{main}.{rest}" if rest else f"{cls}/{main}"
    return f"{cls}/{main}{rest}"  # alphabetic subclasses: " 66126 R" → 66/126R


_US_SIMPLE = re.compile(r"^(D|RE|PP|H|T)?(\d+)$")


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _citation(country: str, number: str, kind: str) -> str:
    country = (country or "US").strip().upper()
    compact = number.strip().replace("/", "").replace(",", "")
    m = _US_SIMPLE.match(compact) if country == "US" else None
    if m:  # the common cases, without the general parser
        return f"US{m.group(1) or ''}{int(m.group(2))}{kind.strip()}"
    try:
        return normalise_number(number, country_hint=country, kind_hint=kind).publication_number
    except ValueError:
        return f"{country}{number.strip()}{kind.strip()}"


def to_patent(f: DocumentFields, source: str, *, document_index: int | None = None) -> Patent:
    """Build the `Patent` of one document, attributed to ``source``.

    The priority date is the earliest of the priority claims, the filings of parent and
    provisional applications, and the document's own filing date.

    Raises:
        ValueError: the document has no usable publication number.
    """
    if not f.doc_number.strip():
        raise ValueError("document without a publication number")
    parsed = normalise_number(f.doc_number.strip(), country_hint=f.country or "US", kind_hint=f.kind.strip())
    publication_date = iso_date(f.publication_date)
    filing_date = iso_date(f.filing_date)
    priority_date = min((d for d in (*map(iso_date, f.priority_dates), filing_date) if d), default="")
    original = f"{f.country or 'US'}{f.doc_number.strip()}{f.kind.strip()}"
    applicants = _unique(f.assignees) or _unique(f.applicants)
    extra: dict[str, object] = {"doc_format": f.doc_format}
    if f.application_type:
        extra["application_type"] = f.application_type
    if f.applicants:
        extra["applicants"] = list(_unique(f.applicants))
    if f.uspc:
        extra["uspc"] = list(_unique(f.uspc))
    if f.citations:
        extra["cited_patents"] = list(_unique([_citation(*c) for c in f.citations]))
    if document_index is not None:
        extra["document_index"] = document_index
    patent = Patent(
        key=parsed.key,
        publication_number=parsed.publication_number,
        original_numbers=(original,),
        country=parsed.country,
        series=parsed.series,
        kind=parsed.kind,
        title=f.title,
        abstract=f.abstract,
        claims="\n".join(c for c in f.claims if c),
        language=f.language,
        applicants=applicants,
        inventors=_unique(f.inventors),
        ipc_codes=_unique([normalise_ipc7(c) for c in f.ipc]),
        cpc_codes=_unique([normalise_ipc(c) for c in f.cpc]),
        application_number=f"US{f.application_number.strip()}" if f.application_number.strip() else "",
        filing_date=filing_date,
        publication_date=publication_date,
        priority_date=priority_date,
        grant_date=publication_date if f.grant else "",
        extra=extra,
    )
    return patent.with_source(source)
