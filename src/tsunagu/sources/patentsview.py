"""PatentsView query-result CSV files (US grants; data: USPTO PatentsView, CC BY 4.0)."""

from __future__ import annotations

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
    unquote_layer,
)

__all__ = ["PatentsviewCsvSource"]

NAME = "patentsview_csv"
_NUMBER_COLUMNS = ("patent_number", "patent_id")
_MISSING = "None"  # how the query tool wrote a missing abstract (274 rows of the shared data)
_OWN_COLUMNS = {"patent_number", "patent_id", "patent_title", "patent_abstract", "patent_date", "patent_kind"}


class PatentsviewCsvSource:
    """Reads PatentsView CSV query results (``patent_abstract, patent_date, patent_number, patent_title``).

    Text fields of these files carry a second layer of CSV quoting: once the CSV is parsed, a title
    can still read ``"Apparatus for (""sweet spot"") bats"``. That layer is undone here. Every record
    is a US grant; ``patent_date`` is the grant date, also used as the publication date. An abstract
    written ``None`` (a missing value) becomes empty.
    Other columns, when present, are kept in ``extra["patentsview_csv"]``.
    """

    name: ClassVar[str] = NAME

    def sniff(self, filename: str, head: bytes) -> bool:
        """True when the header has ``patent_title`` and ``patent_number`` (or ``patent_id``)."""
        header = first_record(decode_head(head))
        return "patent_title" in header and any(c in header for c in _NUMBER_COLUMNS)

    def read(self, stream: BinaryIO, path: str) -> Iterator[ReadItem]:
        """Yield one `Patent` per row, or a `SkippedRecord` for rows that cannot be used.

        Raises:
            ImportFormatError: the file is empty or lacks a number column or ``patent_title``.
        """
        text = open_text(stream)
        rows = iter_csv_rows(text.stream, path)
        first = next(rows, None)
        if first is None:
            raise ImportFormatError("empty file", path=path)
        header = [h.strip().lstrip("\ufeff") for h in first.values]
        number_column = next((c for c in _NUMBER_COLUMNS if c in header), "")
        for column in (number_column or "patent_number", "patent_title"):
            if column not in header:
                raise ImportFormatError(
                    f"PatentsView CSV: required column {column!r} is missing", path=path, line=1, field=column
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
    title = clean_text(unquote_layer(row["patent_title"].strip()))
    if not title:
        return SkippedRecord(path, line, "patent_title", "no_title", "patent_title is empty")
    try:
        number = normalise_number(raw_number, country_hint="US", kind_hint=row.get("patent_kind", "").strip())
    except ValueError as exc:
        return SkippedRecord(path, line, number_column, "bad_number", str(exc))
    if number.country != "US" or number.series != "B":
        return SkippedRecord(
            path, line, number_column, "bad_number", f"not a US grant number: {raw_number!r}"
        )
    abstract = unquote_layer(row.get("patent_abstract", "").strip()).strip()
    if abstract == _MISSING:
        abstract = ""
    extra: dict[str, object] = {
        column: unquote_layer(value.strip())
        for column, value in row.items()
        if column not in _OWN_COLUMNS and value.strip()
    }
    raw_date = row.get("patent_date", "")
    date = parse_date(raw_date)
    if date is None:
        extra["unparsed_patent_date"] = raw_date
        date = ""
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
        publication_date=date,
        grant_date=date,
        extra={NAME: extra} if extra else {},
    )
    return patent.with_source(NAME)
