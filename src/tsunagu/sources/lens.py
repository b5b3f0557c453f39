"""Lens.org patent search CSV exports (data from The Lens, https://www.lens.org)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import BinaryIO, ClassVar

from tsunagu.domain.language import detect_language
from tsunagu.domain.numbers import normalise_number
from tsunagu.domain.patent import Patent
from tsunagu.errors import ImportFormatError
from tsunagu.sources.base import ReadItem, SkippedRecord
from tsunagu.sources.csvutil import (
    bad_row,
    clean_text,
    decode_head,
    dedupe,
    first_record,
    iter_csv_rows,
    normalise_codes,
    open_text,
    parse_date,
    split_list,
)

__all__ = ["LensCsvSource"]

NAME = "lens_csv"
_NUMBER_COLUMNS = ("Publication Number", "Display Key")
_LIST_SEP = ";;"
_OWN_COLUMNS = {
    "#",
    "Jurisdiction",
    "Kind",
    "Publication Number",
    "Display Key",
    "Publication Date",
    "Publication Year",
    "Application Number",
    "Application Date",
    "Earliest Priority Date",
    "Title",
    "Abstract",
    "Applicants",
    "Inventors",
    "CPC Classifications",
    "IPCR Classifications",
    "URL",
}
_COUNT_COLUMN = re.compile(r"(Count|Size)$")
_PRIORITY_DATE = re.compile(r"\b((?:1[6-9]|20)\d{6})\b")


class LensCsvSource:
    """Reads Lens.org patent CSV exports, old (``Publication Number``, ``Lens ID``) and new
    (``Display Key``, ``Abstract``) column sets.

    Files may have CR-only line endings, ``DD/MM/YY`` or ISO dates, and bytes that are not UTF-8
    (decoded as U+FFFD; the affected columns are listed in ``extra["lens_csv"]["decode_errors"]``).
    Lists are ``;;``-separated. Columns without a field of their own (Lens ID, family sizes,
    citation counts, US classifications, legal status…) are kept in ``extra["lens_csv"]``.
    """

    name: ClassVar[str] = NAME

    def sniff(self, filename: str, head: bytes) -> bool:
        """True when the header has Jurisdiction, Kind and Publication Number or Display Key."""
        header = first_record(decode_head(head, ("cp1252",)))
        return (
            "Jurisdiction" in header
            and "Kind" in header
            and any(c in header for c in _NUMBER_COLUMNS)
            and "Title" in header
        )

    def read(self, stream: BinaryIO, path: str) -> Iterator[ReadItem]:
        """Yield one `Patent` per row, or a `SkippedRecord` for rows that cannot be used.

        Raises:
            ImportFormatError: the file is empty or lacks a number column or Title.
        """
        text = open_text(stream, fallbacks=("cp1252",))
        rows = iter_csv_rows(text.stream, path)
        first = next(rows, None)
        if first is None:
            raise ImportFormatError("empty file", path=path)
        header = [h.strip().lstrip("\ufeff") for h in first.values]
        number_column = next((c for c in _NUMBER_COLUMNS if c in header), "")
        if not number_column:
            raise ImportFormatError(
                "Lens CSV: no 'Publication Number' or 'Display Key' column",
                path=path,
                line=1,
                field="Publication Number",
            )
        if "Title" not in header:
            raise ImportFormatError(
                "Lens CSV: required column 'Title' is missing", path=path, line=1, field="Title"
            )
        for row in rows:
            if not any(v.strip() for v in row.values):
                continue
            if len(row.values) != len(header):
                yield bad_row(path, row.line, len(header), len(row.values))
                continue
            yield _record(dict(zip(header, row.values, strict=True)), number_column, path, row.line)


def _record(row: dict[str, str], number_column: str, path: str, line: int) -> ReadItem:
    raw_number = row[number_column].strip()
    title = clean_text(row["Title"])
    if not title:
        return SkippedRecord(path, line, "Title", "no_title", "Title is empty")
    try:
        number = normalise_number(
            raw_number,
            country_hint=row.get("Jurisdiction", "").strip(),
            kind_hint=row.get("Kind", "").strip(),
        )
    except ValueError as exc:
        return SkippedRecord(path, line, number_column, "bad_number", str(exc))
    extra: dict[str, object] = {}
    for column, value in row.items():
        value = value.strip()
        if column in _OWN_COLUMNS or not value:
            continue
        extra[column] = int(value) if _COUNT_COLUMN.search(column) and value.isdigit() else value
    garbled = [column for column, value in row.items() if "\ufffd" in value]
    if garbled:
        extra["decode_errors"] = garbled

    century = _century_from(row.get("Publication Year", ""))
    dates: dict[str, str] = {}
    for column, field in (
        ("Publication Date", "publication_date"),
        ("Application Date", "filing_date"),
        ("Earliest Priority Date", "priority_date"),
    ):
        raw = row.get(column, "")
        iso = parse_date(raw, day_first=True, century=century)
        if iso is None:
            extra[f"unparsed_{field}"] = raw
            iso = ""
        dates[field] = iso
    if not dates["priority_date"]:
        dates["priority_date"] = _earliest_priority(row.get("Priority Numbers", ""))

    abstract = clean_text(row.get("Abstract", ""))
    patent = Patent(
        key=number.key,
        publication_number=number.publication_number,
        original_numbers=(raw_number,),
        country=number.country,
        series=number.series,
        kind=number.kind,
        title=title,
        abstract=abstract,
        language=detect_language(f"{title} {abstract}"),
        applicants=dedupe(clean_text(a) for a in split_list(row.get("Applicants", ""), _LIST_SEP)),
        inventors=dedupe(clean_text(a) for a in split_list(row.get("Inventors", ""), _LIST_SEP)),
        ipc_codes=normalise_codes(split_list(row.get("IPCR Classifications", ""), _LIST_SEP)),
        cpc_codes=normalise_codes(split_list(row.get("CPC Classifications", ""), _LIST_SEP)),
        application_number=clean_text(row.get("Application Number", "")),
        url=row.get("URL", "").strip(),
        extra={NAME: extra},
        filing_date=dates["filing_date"],
        publication_date=dates["publication_date"],
        priority_date=dates["priority_date"],
    )
    return patent.with_source(NAME)


def _century_from(publication_year: str) -> Callable[[int, int, int], int]:
    """Resolve two-digit years so that no date falls after the publication year."""
    year = int(publication_year) if publication_year.strip().isdigit() else None

    def century(yy: int, month: int, day: int) -> int:
        if year is None:
            return 2000 + yy if yy <= 30 else 1900 + yy
        candidate = (year // 100) * 100 + yy
        return candidate if candidate <= year else candidate - 100

    return century


def _earliest_priority(priority_numbers: str) -> str:
    """Earliest ``YYYYMMDD`` date in a Lens Priority Numbers field (``US 22552194 A 19940411;;…``)."""
    dates = sorted(iso for iso in (parse_date(d) for d in _PRIORITY_DATE.findall(priority_numbers)) if iso)
    return dates[0] if dates else ""
