"""NASA technology-transfer patent portfolio CSV (inventions offered for licensing; public domain)."""

from __future__ import annotations

import re
from collections.abc import Iterator
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
    first_record,
    iter_csv_rows,
    open_text,
    parse_date,
)

__all__ = ["NASA_APPLICANT", "NasaT2CsvSource"]

NAME = "nasa_t2_csv"
NASA_APPLICANT = "NASA"
"""The applicant of every record: the National Aeronautics and Space Administration."""

_REQUIRED = ("Title", "Reference Number", "Patent Number")
_OWN_COLUMNS = {"Title", "Abstract", "Patent Number", "Serial Number", "Expiration Date"}
_UNKNOWN_DATE = "1970-01-01"
_NO_SERIAL = re.compile(r"^[/0\s]*$")


class NasaT2CsvSource:
    """Reads NASA's technology-transfer portfolio CSV (``Category, Abstract, Title, Reference Number,
    Center, Patent Number, Serial Number, Expiration Date`` and licensing-office columns).

    A record with a usable Patent Number (``7438030``, ``7,438,030``, ``RE43,880``) is keyed as that
    US grant; one without (blank or ``0``) is keyed ``NASA-<Reference Number>`` with country ``""``
    and series ``"NASA"``. Category, Center, Reference Number, Serial Number, the expiration date
    (unless it is the ``1970-01-01`` placeholder) and the licensing-office columns are kept in
    ``extra["nasa_t2_csv"]``. The applicant is always ``"NASA"``.
    """

    name: ClassVar[str] = NAME

    def sniff(self, filename: str, head: bytes) -> bool:
        """True when the header has Reference Number, Center, Patent Number and Title."""
        header = first_record(decode_head(head))
        return all(c in header for c in ("Reference Number", "Center", "Patent Number", "Title"))

    def read(self, stream: BinaryIO, path: str) -> Iterator[ReadItem]:
        """Yield one `Patent` per row, or a `SkippedRecord` for rows that cannot be used.

        Raises:
            ImportFormatError: the file is empty or lacks Title, Reference Number or Patent Number.
        """
        text = open_text(stream, fallbacks=("cp1252",))
        rows = iter_csv_rows(text.stream, path)
        first = next(rows, None)
        if first is None:
            raise ImportFormatError("empty file", path=path)
        header = [h.strip().lstrip("\ufeff") for h in first.values]
        for column in _REQUIRED:
            if column not in header:
                raise ImportFormatError(
                    f"NASA T2 CSV: required column {column!r} is missing", path=path, line=1, field=column
                )
        for row in rows:
            if not any(v.strip() for v in row.values):
                continue
            if len(row.values) != len(header):
                yield bad_row(path, row.line, len(header), len(row.values))
                continue
            yield _record(dict(zip(header, row.values, strict=True)), path, row.line)


def _record(row: dict[str, str], path: str, line: int) -> ReadItem:
    title = clean_text(row["Title"])
    reference = row["Reference Number"].strip()
    raw_patent = row["Patent Number"].strip()
    if not title:
        return SkippedRecord(path, line, "Title", "no_title", "Title is empty")
    extra: dict[str, object] = {
        column: value.strip() for column, value in row.items() if column not in _OWN_COLUMNS and value.strip()
    }
    if raw_patent and raw_patent != "0":
        try:
            number = normalise_number(raw_patent, country_hint="US")
        except ValueError as exc:
            return SkippedRecord(path, line, "Patent Number", "bad_number", str(exc))
        key, publication_number = number.key, number.publication_number
        country, series, kind = number.country, number.series, number.kind
        originals: tuple[str, ...] = (raw_patent, reference) if reference else (raw_patent,)
    elif reference:
        key, publication_number = f"NASA-{reference}", reference
        country, series, kind = "", "NASA", ""
        originals = (reference,)
    else:
        return SkippedRecord(
            path, line, "Reference Number", "no_number", "no Patent Number and no Reference Number"
        )
    serial = row.get("Serial Number", "").strip()
    if serial and not _NO_SERIAL.match(serial):
        extra["Serial Number"] = serial
    expiration = parse_date(row.get("Expiration Date", ""))
    if expiration and expiration != _UNKNOWN_DATE:
        extra["Expiration Date"] = expiration
    abstract = clean_text(row.get("Abstract", ""))
    patent = Patent(
        key=key,
        publication_number=publication_number,
        original_numbers=originals,
        country=country,
        series=series,
        kind=kind,
        title=title,
        abstract=abstract,
        language=detect_language(f"{title} {abstract}"),
        applicants=(NASA_APPLICANT,),
        application_number=serial if serial and not _NO_SERIAL.match(serial) else "",
        extra={NAME: extra},
    )
    return patent.with_source(NAME)
