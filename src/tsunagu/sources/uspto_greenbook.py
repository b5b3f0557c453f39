"""USPTO "Greenbook" full text (APS tagged text, grants 1976–2001).

A file holds one or many patents, each starting with a ``PATN`` line (weekly files may start with
an ``HHHHHT`` header). Each line is a four-character tag, a blank, and the value from column 6;
continuation lines start with blanks; a tag alone on its line opens a group (``INVT`` inventor,
``ASSG`` assignee, ``PRIR`` priority, ``RLAP`` related application, ``PCTA`` PCT data, ``CLAS``
classification, ``UREF``/``FREF`` citations, ``ABST`` abstract, ``CLMS`` claims, and description
groups that are not imported). The patent number ``WKU`` ends with a check digit; Greenbook has no
kind codes, so the kind is implied by the application type (``APT``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from tsunagu.sources.base import ReadItem, SkippedRecord
from tsunagu.sources.uspto_record import DocumentFields, to_patent, uspc_code

__all__ = ["GREENBOOK_HEAD", "UsptoGreenbookSource"]

GREENBOOK_HEAD = re.compile(rb"^(?:HHHHHT[^\n]*\r?\n)?PATN\r?\n(?:WKU|SRC|APN) ", re.MULTILINE)
"""First lines of a Greenbook file (also used by the registry)."""

# APT application type → kind code of grants before 2001 (utility A, reissue E, design S, plant P,
# statutory invention registration H); defensive publications (5) have no kind code.
_KIND_BY_TYPE = {"1": "A", "2": "E", "4": "S", "5": "", "6": "P", "7": "H"}
_TYPE_NAMES = {
    "1": "utility",
    "2": "reissue",
    "4": "design",
    "5": "defensive publication",
    "6": "plant",
    "7": "sir",
}
_TEXT_GROUPS = {"ABST", "CLMS", "DCLM"}
_PARAGRAPH_TAGS = {"PAR", "PAL", "PA0", "PA1", "PA2", "PA3", "PA4", "PA5", "PAC", "TBL", "EQU", "PTA", "PTB"}


class _Record:
    """Tagged lines of one patent, grouped: ``groups`` is a list of (group tag, [(tag, value)])."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.groups: list[tuple[str, list[tuple[str, str]]]] = [("PATN", [])]

    def add(self, tag: str, value: str) -> None:
        self.groups[-1][1].append((tag, value))

    def extend(self, text: str) -> None:
        fields = self.groups[-1][1]
        if fields:
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {text}" if value else text)

    def values(self, group: str, tag: str) -> list[str]:
        return [v for g, fields in self.groups if g == group for t, v in fields if t == tag]

    def first(self, group: str, tag: str) -> str:
        found = self.values(group, tag)
        return found[0] if found else ""


def _records(stream: BinaryIO) -> Iterator[_Record]:
    record: _Record | None = None
    for number, raw in enumerate(stream, start=1):
        line = raw.decode("latin-1").rstrip("\r\n")
        if not line.strip():
            continue
        tag = line[:4].strip()
        if line[:1] == " " or not tag:
            if record is not None:
                record.extend(line.strip())
            continue
        value = line[5:].rstrip() if len(line) > 4 else ""
        if tag == "PATN" and not value:
            if record is not None:
                yield record
            record = _Record(number)
        elif record is None:
            continue  # file header (HHHHHT …)
        elif not value and len(tag) == 4 and tag.isalpha() and tag.isupper() and len(line.rstrip()) == 4:
            record.groups.append((tag, []))
        else:
            record.add(tag, value.strip())
    if record is not None:
        yield record


def _person(name: str) -> str:
    """``"Hoff; Don G."`` → ``"Don G. Hoff"``; organisation names are returned unchanged."""
    last, sep, first = name.partition(";")
    return f"{first.strip()} {last.strip()}".strip() if sep else name.strip()


def _claims(rec: _Record) -> list[str]:
    claims: list[str] = []
    for group, fields in rec.groups:
        if group not in ("CLMS", "DCLM"):
            continue
        current: list[str] = []
        for tag, value in fields:
            if tag == "NUM":
                if current:
                    claims.append(" ".join(current))
                current = []
            elif tag in _PARAGRAPH_TAGS:
                current.append(value)
        if current:
            claims.append(" ".join(current))
    return claims


def _fields(rec: _Record) -> DocumentFields:
    wku = rec.first("PATN", "WKU")
    app_type = rec.first("PATN", "APT")
    apn = rec.first("PATN", "APN")
    src = rec.first("PATN", "SRC")
    application = f"{int(src):02d}{apn[:6]}" if src.isdigit() and len(apn) >= 6 else apn
    priorities = rec.values("PRIR", "APD") + rec.values("RLAP", "APD") + rec.values("PCTA", "PD3")
    uspc = [uspc_code(v) for v in rec.values("CLAS", "OCL") + rec.values("CLAS", "XCL")]
    citations = [("US", n, "") for n in rec.values("UREF", "PNO")]
    citations += [
        (c[:2], n, "") for n, c in zip(rec.values("FREF", "PNO"), rec.values("FREF", "CNT"), strict=False)
    ]
    abstract = "\n".join(
        v for g, fields in rec.groups if g == "ABST" for t, v in fields if t in _PARAGRAPH_TAGS
    )
    return DocumentFields(
        doc_number=wku[:-1] if len(wku) == 9 else wku,
        kind=_KIND_BY_TYPE.get(app_type, ""),
        publication_date=rec.first("PATN", "ISD"),
        application_number=application,
        filing_date=rec.first("PATN", "APD"),
        application_type=_TYPE_NAMES.get(app_type, app_type),
        priority_dates=priorities,
        title=rec.first("PATN", "TTL"),
        abstract=abstract,
        claims=_claims(rec),
        assignees=rec.values("ASSG", "NAM"),
        applicants=[_person(n) for n in rec.values("INVT", "NAM")],  # before 2012 the inventors applied
        inventors=[_person(n) for n in rec.values("INVT", "NAM")],
        ipc=rec.values("CLAS", "ICL"),
        uspc=uspc,
        citations=citations,
        doc_format="greenbook",
        grant=True,
    )


class UsptoGreenbookSource:
    """Importer of USPTO Greenbook (APS) full-text files, single patents or weekly files."""

    name: ClassVar[str] = "uspto_greenbook"

    def sniff(self, filename: str, head: bytes) -> bool:
        """True when the file starts with a ``PATN`` record (after an optional ``HHHHHT`` header)."""
        return GREENBOOK_HEAD.search(head[:4096]) is not None

    def read(self, stream: BinaryIO, path: str) -> Iterator[ReadItem]:
        """Yield one `Patent` per ``PATN`` record, or a `SkippedRecord` for a record without ``WKU``.

        ``SkippedRecord.line`` is the line of the record's ``PATN``.
        """
        for index, rec in enumerate(_records(stream), start=1):
            try:
                yield to_patent(_fields(rec), self.name, document_index=index)
            except ValueError as exc:
                yield SkippedRecord(
                    path, rec.line, "WKU", "no_number", f"record {index} (line {rec.line}): {exc}"
                )
