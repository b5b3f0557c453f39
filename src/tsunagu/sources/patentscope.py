"""WIPO PATENTSCOPE result-list exports (``.xls``), read with xlrd.

An export sheet starts with preamble rows (a blank row, ``Query: …``) before the header row;
the header is located by its column names, on every sheet of the workbook. Dates are written
``DD.MM.YYYY``; publication numbers come without kind codes, the office being the number's prefix
(or a country column when the export has one); IPC symbols are written with a space
(``G01N 25/00``), ``;``-separated and repeated; applicants and inventors are ``;``-separated.
``Priority Data`` lists ``[number date office, …]`` with ISO or ``DD.MM.YYYY`` dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any, BinaryIO, ClassVar

import xlrd

from tsunagu.domain.codes import normalise_ipc
from tsunagu.domain.language import detect_language
from tsunagu.domain.numbers import normalise_number
from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import ReadItem, SkippedRecord

__all__ = ["PatentscopeXlsSource", "parse_priority_data"]

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_MARKERS = ("Publication Number", "Publication Date")

# Header name (lower case) → field. Unknown columns go to ``extra``.
_COLUMNS = {
    "publication number": "number",
    "publication date": "publication_date",
    "title": "title",
    "priority data": "priority",
    "ipc": "ipc",
    "applicants": "applicants",
    "applicant": "applicants",
    "inventors": "inventors",
    "inventor": "inventors",
    "application number": "application_number",
    "application date": "filing_date",
    "filing date": "filing_date",
    "country": "country",
    "office": "country",
    "abstract": "abstract",
    "fp image": "image",
}
_DMY = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
_ISO_OR_DMY = r"\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?|\d{1,2}\.\d{1,2}\.\d{4}"
# "60582692 2004-06-24T23:59:59.000Z US", "10/864,311 08.06.2004 US", "PA 2002 00074 16.01.2002 DK"
_PRIORITY_NUMBER_FIRST = re.compile(rf"^(?P<number>.*?)\s+(?P<date>{_ISO_OR_DMY})\s+(?P<office>[A-Z]{{2}})$")
# "US 20030707 60/485,616", "GB 20090928 0917002.8"
_PRIORITY_OFFICE_FIRST = re.compile(r"^(?P<office>[A-Z]{2})\s+(?P<date>(?:1[89]|20)\d{6})\s+(?P<number>.+)$")
# "04006331.5  EP" (no date)
_PRIORITY_UNDATED = re.compile(r"^(?P<number>.*?)\s+(?P<office>[A-Z]{2})$")
_PREFIX = re.compile(r"^([A-Za-z]{2})")


def _dmy(value: Any, datemode: int) -> str:
    """A PATENTSCOPE date cell → ISO ``YYYY-MM-DD`` (``""`` when empty or invalid)."""
    if isinstance(value, float) and value > 0:
        try:
            y, m, d, *_ = xlrd.xldate_as_tuple(value, datemode)
            return date(y, m, d).isoformat()
        except (ValueError, xlrd.xldate.XLDateError):
            return ""
    s = str(value or "").strip()
    m = _DMY.match(s)
    if m:
        day, month, year = (int(g) for g in m.groups())
    elif re.match(r"^\d{4}-\d{2}-\d{2}", s):
        year, month, day = int(s[:4]), int(s[5:7]), int(s[8:10])
    else:
        return ""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def parse_priority_data(value: str) -> list[dict[str, str]]:
    """Parse a ``Priority Data`` cell into claims ``{"number", "date", "office"}`` (ISO dates or ``""``).

    ``"[9800760 1998-01-14T23:59:59.000Z GB, 10/864,311 08.06.2004 US]"`` → two claims; the
    ``"US 20030707 60/485,616"`` (office, date, number) and undated ``"04006331.5  EP"`` forms are
    read too.
    """
    claims = []
    for entry in re.split(r",\s+", (value or "").strip().strip("[]")):
        entry = entry.strip()
        if not entry:
            continue
        m = _PRIORITY_NUMBER_FIRST.match(entry) or _PRIORITY_OFFICE_FIRST.match(entry)
        if m:
            raw_date = m.group("date")
            iso = f"{raw_date[:4]}-{raw_date[4:6]}-{raw_date[6:8]}" if raw_date.isdigit() else raw_date[:10]
            claims.append(
                {"number": m.group("number").strip(), "date": _dmy(iso, 0), "office": m.group("office")}
            )
            continue
        m = _PRIORITY_UNDATED.match(entry)
        if m:
            claims.append({"number": m.group("number").strip(), "date": "", "office": m.group("office")})
        else:
            claims.append({"number": entry, "date": "", "office": ""})
    return claims


def _split(value: str) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in (value or "").split(";") if p.strip()))


def _cell_text(value: Any) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value or "").strip()


class PatentscopeXlsSource:
    """Importer of PATENTSCOPE ``.xls`` result lists (every sheet)."""

    name: ClassVar[str] = "patentscope_xls"

    def sniff(self, filename: str, head: bytes) -> bool:
        """True for an Excel 97 workbook whose strings include the PATENTSCOPE header names."""
        if not head.startswith(_OLE2_MAGIC):
            return False
        return all(m.encode() in head or m.encode("utf-16-le") in head for m in _HEADER_MARKERS)

    def read(self, stream: BinaryIO, path: str) -> Iterator[ReadItem]:
        """Yield one `Patent` per result row, and a `SkippedRecord` per row without a usable number.

        ``SkippedRecord.line`` is the 1-based row of the sheet; the message names the sheet.

        Raises:
            ImportFormatError: the workbook cannot be read, or no sheet has a PATENTSCOPE header.
        """
        try:
            book = xlrd.open_workbook(file_contents=stream.read(), on_demand=True)
        except Exception as exc:  # xlrd raises many unrelated types for damaged files
            raise ImportFormatError(f"not a readable .xls workbook: {exc}", path=path) from exc
        found_header = False
        try:
            for sheet_index in range(book.nsheets):
                try:
                    sheet = book.sheet_by_index(sheet_index)
                except Exception as exc:  # as above
                    raise ImportFormatError(f"damaged sheet {sheet_index + 1}: {exc}", path=path) from exc
                header = self._find_header(sheet)
                if header is None:
                    continue
                found_header = True
                yield from self._rows(sheet, header, book.datemode, path)
                book.unload_sheet(sheet_index)
        finally:
            book.release_resources()
        if not found_header:
            raise ImportFormatError("no sheet with a PATENTSCOPE header (Publication Number …)", path=path)

    @staticmethod
    def _find_header(sheet: Any) -> tuple[int, dict[int, str]] | None:
        for r in range(min(sheet.nrows, 50)):
            names = [_cell_text(v).lower() for v in sheet.row_values(r)]
            if "publication number" in names:
                return r, {c: _COLUMNS.get(n, n) for c, n in enumerate(names) if n}
        return None

    def _rows(
        self, sheet: Any, header: tuple[int, dict[int, str]], datemode: int, path: str
    ) -> Iterator[ReadItem]:
        header_row, columns = header
        for r in range(header_row + 1, sheet.nrows):
            values = sheet.row_values(r)
            row = {columns[c]: v for c, v in enumerate(values) if c in columns}
            if not any(_cell_text(v) for v in row.values()):
                continue
            item = self._record(row, datemode)
            if isinstance(item, str):
                yield SkippedRecord(
                    path, r + 1, "Publication Number", "no_number", f"sheet {sheet.name!r}: {item}"
                )
            else:
                yield item

    def _record(self, row: dict[str, Any], datemode: int) -> Patent | str:
        raw = _cell_text(row.get("number"))
        if not raw:
            return "row without a publication number"
        m = _PREFIX.match(raw)
        country = _cell_text(row.get("country")).upper()[:2] or (m.group(1).upper() if m else "")
        try:
            parsed = normalise_number(raw.upper(), country_hint=country)
        except ValueError as exc:
            return f"unusable publication number {raw!r}: {exc}"
        title = " ".join(_cell_text(row.get("title")).split())
        abstract = _cell_text(row.get("abstract"))
        priorities = parse_priority_data(_cell_text(row.get("priority")))
        priority_dates = sorted(p["date"] for p in priorities if p["date"])
        ipc = [normalise_ipc(c) for c in _split(_cell_text(row.get("ipc")))]
        extra: dict[str, Any] = {}
        if priorities:
            extra["priority_claims"] = priorities
        known = {"number", "publication_date", "title", "priority", "ipc", "applicants", "inventors",
                 "application_number", "filing_date", "country", "abstract", "image"}  # fmt: skip
        for name, value in row.items():
            if name not in known and _cell_text(value):
                extra[name] = _cell_text(value)
        patent = Patent(
            key=parsed.key,
            publication_number=parsed.publication_number,
            original_numbers=(raw,),
            country=parsed.country,
            series=parsed.series,
            kind=parsed.kind,
            title=title,
            abstract=abstract,
            language=detect_language(f"{title} {abstract}"),
            applicants=tuple(_split(_cell_text(row.get("applicants")))),
            inventors=tuple(_split(_cell_text(row.get("inventors")))),
            ipc_codes=tuple(dict.fromkeys(c for c in ipc if c)),
            application_number=_cell_text(row.get("application_number")),
            filing_date=_dmy(row.get("filing_date"), datemode),
            publication_date=_dmy(row.get("publication_date"), datemode),
            priority_date=priority_dates[0] if priority_dates else "",
            extra=extra,
        )
        return patent.with_source(self.name)
